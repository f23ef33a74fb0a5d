"""A per-partition sorted index for moto's DynamoDB Query, so a page costs what it costs on DynamoDB.

moto 5.2.x's `Table.query` (moto/dynamodb/models/table.py) walks every item of the *table* (`all_items()`),
keeps the partition's, sorts them with Python-level comparisons, then walks from the first item to the
ExclusiveStartKey: a page of 5 items from a 10,000-item partition costs seconds, and even a 10-item
partition pays for the rest of the table. DynamoDB reads only the items of one partition from the start
key on.

The fix keeps moto's own code for everything that decides the answer. Per (table, index, partition) we keep
the partition's items in moto's own order (its own sort, cached until the next write to any table), find by
bisection where the ExclusiveStartKey and the key condition put the page, and run moto's original `query`
on just that slice of the partition (plus the item after it, which moto looks at to decide on
LastEvaluatedKey). Ordering, key conditions, Limit, ExclusiveStartKey, ScanIndexForward, projections,
filters, Count/ScannedCount and LastEvaluatedKey therefore come from moto itself. Anything outside the
shapes proven equivalent (tests/functional/test_emulator_query.py) takes moto's original path unchanged:
tables without a sort key, multi-attribute index keys, legacy QueryFilter/KeyConditions filters,
pages near the 1 MB limit, and any error (so moto raises exactly what it raised before).

The cache is invalidated by a generation counter bumped around every DynamoDB backend call that is not a
read, so it never serves an item list older than the last write.
"""

from __future__ import annotations

import inspect
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_state = threading.local()
_generation = itertools.count()
_current = [next(_generation)]
_bypass = [False]
# How many queries took the indexed path, and how many items the last one handed to moto (for tests).
stats: dict[str, int] = {"indexed": 0, "last_window": 0}

# DynamoDBBackend methods that never change an item or a table; every other public method bumps the generation.
_READ_ONLY = frozenset(
    {
        "get_item",
        "query",
        "scan",
        "describe_table",
        "list_tables",
        "get_table",
        "get_keys_value",
        "get_table_keys_name",
        "get_schema",
        "describe_endpoints",
        "list_tags_of_resource",
        "describe_time_to_live",
        "describe_continuous_backups",
        "get_backup",
        "list_backups",
        "describe_backup",
        "batch_get_item",
        "transact_get_items",
        "describe_import",
        "describe_export",
        "list_exports",
        "get_resource_policy",
        "iter_tagged_resources",
        "default_vpc_endpoint_service",
    }
)

# Key-condition operators as moto's parsers hand them over, by what they select.
_EQ, _LT, _LE, _GT, _GE = ("=", "EQ"), ("<", "LT"), ("<=", "LE"), (">", "GT"), (">=", "GE")
_KNOWN = frozenset({*_EQ, *_LT, *_LE, *_GT, *_GE, "BETWEEN", "BEGINS_WITH"})
# A page whose items approach moto's 1 MB result limit falls back: past the slice, moto lets an item that
# does not match the key condition end the page by its size (a moto quirk the slice would not reproduce),
# and no item exceeds 405,000 bytes (moto's item size check), so half a megabyte leaves that impossible.
_SIZE_MARGIN = 500_000


@contextmanager
def bypassed() -> Iterator[None]:
    """moto's own Query path while inside (process-wide): the reference the tests compare answers with."""
    _bypass[0] = True
    try:
        yield
    finally:
        _bypass[0] = False


def _bump() -> None:
    _current[0] = next(_generation)


def _writing(method):
    def wrapper(self, *args: Any, **kwargs: Any) -> Any:
        _bump()
        try:
            return method(self, *args, **kwargs)
        finally:
            _bump()

    wrapper.__name__ = method.__name__
    wrapper.__wrapped__ = method
    return wrapper


def install() -> None:
    """Patch moto's DynamoDB Table.query and the backend's writes (idempotent)."""
    import moto.dynamodb.models as ddb_models
    from moto.dynamodb.models.table import Table

    if getattr(Table, "_shoplocal_query_index", False):
        return
    backend = ddb_models.DynamoDBBackend
    for name, member in list(vars(backend).items()):
        if inspect.isfunction(member) and not name.startswith("_") and name not in _READ_ONLY:
            setattr(backend, name, _writing(member))

    original_query = Table.query
    original_all_items = Table.all_items

    def all_items(self):
        narrowed = getattr(_state, "candidates", None)
        if narrowed is not None and narrowed[0] is self:
            return list(narrowed[1])
        return original_all_items(self)

    def query(self, *args: Any, **kwargs: Any):
        candidates = None
        if not _bypass[0]:
            try:
                candidates = _page_candidates(self, *args, **kwargs)
            except Exception:  # noqa: BLE001 - anything unusual: moto's own path decides (and raises) as before
                candidates = None
        if candidates is None:
            return original_query(self, *args, **kwargs)
        stats["indexed"] += 1
        stats["last_window"] = len(candidates)
        _state.candidates = (self, candidates)
        try:
            return original_query(self, *args, **kwargs)
        finally:
            _state.candidates = None

    query.__wrapped__ = original_query
    all_items.__wrapped__ = original_all_items
    Table.query = query
    Table.all_items = all_items
    Table._shoplocal_query_index = True


def _page_candidates(
    table,
    hash_key,
    range_comparison,
    range_objs,
    limit,
    exclusive_start_key,
    scan_index_forward,
    projection_expressions,
    index_name=None,
    consistent_read=False,
    filter_expression=None,
    hash_key_conditions=None,
    range_key_conditions=None,
    **filter_kwargs,
):
    """The items moto's query needs to see to answer exactly as it would over the whole table, in moto's
    order (ascending, as moto sorts before it reverses); None when this query must take moto's own path."""
    from moto.dynamodb.models.table import RESULT_SIZE_LIMIT

    if filter_kwargs or table.range_key_attr is None or (limit is not None and limit < 1):
        return None
    comparison = range_comparison.upper() if range_comparison else None
    if comparison is not None and comparison not in _KNOWN:
        return None
    if len(range_key_conditions or []) > 1:
        return None

    if index_name:
        found = _index_partition(table, index_name, consistent_read, hash_key_conditions)
        if found is None:
            return None
        forward, hash_attrs, range_attrs, sort_attr = found
    else:
        if hash_key is None:
            return None
        forward = _table_partition(table, hash_key)
        hash_attrs, range_attrs, sort_attr = [table.hash_key_attr], [table.range_key_attr], table.range_key_attr
    if range_key_conditions and range_key_conditions[-1][0] != sort_attr:
        return None

    sequence = forward if scan_index_forward else forward[::-1]
    start = 0
    if exclusive_start_key is not None:
        # moto skips the items that "come before or at" the start key, a prefix of its order.
        start = _first(
            sequence,
            0,
            lambda item: not table._item_comes_before_dct(
                item, exclusive_start_key, hash_attrs, range_attrs, scan_index_forward
            ),
        )
    if comparison is None:
        low, high = start, len(sequence)
    else:
        values = list(range_objs)

        def key(item):
            return item.attrs[sort_attr] if index_name else item.range_key

        def matches(item):
            return key(item).compare(comparison, values)

        before = _before_block(comparison, values, scan_index_forward)
        low = _first(sequence, start, lambda item: not before(key(item)))
        high = _first(sequence, low, lambda item: not matches(item))
    # The page is within [low, high); moto also looks at the item after it to decide on LastEvaluatedKey.
    window = sequence[low : high + 1]
    if limit is not None:
        window = sequence[low : min(high, low + limit) + 1]
    taken = window[: (min(high - low, limit) if limit is not None else high - low)]
    if sum(item.size() for item in taken) > RESULT_SIZE_LIMIT - _SIZE_MARGIN:
        return None
    return window if scan_index_forward else window[::-1]


def _before_block(comparison: str, values: list, forward: bool):
    """Whether a sort-key value comes, in scan order, before the block of values the condition selects."""
    if forward:
        if comparison in _EQ or comparison in _GE or comparison in ("BETWEEN", "BEGINS_WITH"):
            return lambda value: value < values[0]
        if comparison in _GT:
            return lambda value: value <= values[0]
        return lambda value: False  # < and <=: the block starts at the smallest value
    if comparison in _EQ or comparison in _LE:
        return lambda value: value > values[0]
    if comparison in _LT:
        return lambda value: value >= values[0]
    if comparison == "BETWEEN":
        return lambda value: value > values[1]
    if comparison == "BEGINS_WITH":
        return lambda value: value > values[0] and not value.compare("BEGINS_WITH", values)
    return lambda value: False  # > and >=: descending, the block starts at the largest value


def _first(sequence: list, low: int, predicate) -> int:
    """The first index from `low` where `predicate` holds, for a predicate false then true along `sequence`."""
    high = len(sequence)
    while low < high:
        middle = (low + high) // 2
        if predicate(sequence[middle]):
            high = middle
        else:
            low = middle + 1
    return low


def _cache(table) -> dict:
    cache = table.__dict__.get("_shoplocal_partitions")
    if cache is None or cache[0] != _current[0]:
        cache = (_current[0], {})
        table.__dict__["_shoplocal_partitions"] = cache
    return cache[1]


def _table_partition(table, hash_key) -> list:
    """The partition's items in moto's query order (its own sort on the range key)."""
    from moto.dynamodb.models.dynamo_type import Item

    cache = _cache(table)
    ident = (None, hash_key)
    if ident not in cache:
        bucket = table.items.get(hash_key) or {}
        items = [item for item in bucket.values() if isinstance(item, Item) and item.hash_key == hash_key]
        items.sort(key=lambda item: item.range_key)
        cache[ident] = items
    return cache[ident]


def _index_partition(table, index_name, consistent_read, hash_key_conditions):
    """(items, hash attrs, range attrs, sort attr) of an index partition in moto's query order; None for
    an index shape this module leaves to moto."""
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import GlobalSecondaryIndex

    index = {i.name: i for i in table.all_indexes()}.get(index_name)
    if index is None or (consistent_read and isinstance(index, GlobalSecondaryIndex)):
        return None
    hash_keys = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    range_keys = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
    if len(hash_keys) != 1 or len(range_keys) != 1:
        return None
    conditions = list(hash_key_conditions or [])
    if len(conditions) != 1 or conditions[0][0] != hash_keys[0]:
        return None
    hash_attr, value = conditions[0]
    sort_attr = range_keys[0]
    hash_attrs = [hash_attr, table.hash_key_attr]
    range_attrs = [sort_attr, table.range_key_attr]
    cache = _cache(table)
    ident = (index_name, value)
    if ident not in cache:
        # moto's own filter and sort for an index query, over the whole table once per generation.
        items = []
        for item in table.all_items.__wrapped__(table):
            if not isinstance(item, Item):
                continue
            found = item.attrs.get(hash_attr)
            if not found or found != value or not item.attrs.get(sort_attr):
                continue
            items.append(item)
        cache[ident] = table.sorted_items(hash_attrs, range_attrs, items)
    return cache[ident], hash_attrs, range_attrs, sort_attr
