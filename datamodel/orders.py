"""Order access patterns: place, read (alone, or with its client in one call), list (all or by status), the
approval transitions, and the stuck-order sweep (orders left open for too long, through the sparse
open-orders index GSI2).

Every transition is a conditional write on the current status, so a replayed or late message can
never move an order backwards. The client's open-orders count (its `#OPEN` item) moves in the same transactions.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from datamodel import keys
from datamodel.base import GSI1_KEY, PRIMARY_KEY, TableItem
from datamodel.entities import ClientOpenOrders, ClientRecord, LineItem, OrderRecord, OrderRequest
from datamodel.errors import (
    ClientNotFoundError,
    CurrencyMismatchError,
    IdempotencyKeyReusedError,
    OrderNotFoundError,
)
from datamodel.paging import Page, paginate
from datamodel.requests import REQUEST_TTL_SECONDS, Request
from datamodel.transaction import ConditionsFailedError, Transaction
from domain.clock import now_rfc3339, rfc3339

PENDING, APPROVED, REJECTED, INVOICED = "PENDING", "APPROVED", "REJECTED", "INVOICED"
TERMINAL = frozenset({REJECTED, INVOICED})


@dataclass(frozen=True)
class Line:
    sku: str
    description: str
    quantity: int
    unit_price: int


def place(
    client_id: str, order_id: str, lines: list[Line], currency: str, total: int, request: Request | None = None
) -> tuple[OrderRecord, bool]:
    """Write the order PENDING and count it open on the client, in one transaction that also proves
    the client still exists with the currency the order was priced in, and records the request's
    idempotency key. Returns the order and whether this call created it (False: a retry of `request`)."""
    now = now_rfc3339()
    order = OrderRecord(
        keys.client_pk(client_id),
        keys.order_sk(order_id),
        order_id=order_id,
        client_id=client_id,
        status=PENDING,
        items=[LineItem(sku=l.sku, description=l.description, quantity=l.quantity, unit_price=l.unit_price) for l in lines],
        total=total,
        currency=currency,
        created_at=now,
        updated_at=now,
        gsi1pk=keys.client_pk(client_id),
        gsi1sk=keys.order_status_sk(PENDING, order_id),
        gsi2pk=keys.open_order_pk(order_id),
        gsi2sk=keys.open_order_sk(now, order_id),
    )
    transaction = Transaction()
    transaction.put("order", order, condition=OrderRecord.pk.does_not_exist())
    transaction.update(
        "client",
        ClientOpenOrders(keys.client_pk(client_id), keys.OPEN_ORDERS),
        [ClientOpenOrders.open_orders.add(1)],
        # The item lives exactly as long as the profile and holds its currency (clients.py).
        condition=ClientOpenOrders.pk.exists() & (ClientOpenOrders.currency == currency),
    )
    if request is not None:
        now_s = int(time.time())
        transaction.put(
            "request",
            OrderRequest(
                keys.client_pk(client_id),
                keys.order_request_sk(request.key),
                order_id=order_id,
                payload_hash=request.payload_hash,
                expiration=now_s + REQUEST_TTL_SECONDS,
            ),
            # TTL deletes only eventually: a key past its 24 h is free again.
            condition=OrderRequest.pk.does_not_exist() | (OrderRequest.expiration < now_s),
        )
    try:
        transaction.commit()
    except ConditionsFailedError as error:
        if request is not None and "request" in error.names:
            return _replayed(client_id, request), False
        if "client" in error.names:
            if _client_exists(client_id):
                raise CurrencyMismatchError(client_id) from error
            raise ClientNotFoundError(client_id) from error
        raise
    return order, True


def _replayed(client_id: str, request: Request) -> OrderRecord:
    previous = OrderRequest.get(keys.client_pk(client_id), keys.order_request_sk(request.key), consistent_read=True)
    if previous.payload_hash != request.payload_hash:
        raise IdempotencyKeyReusedError(request.key)
    return get(client_id, previous.order_id)


def get(client_id: str, order_id: str) -> OrderRecord:
    try:
        return OrderRecord.get(keys.client_pk(client_id), keys.order_sk(order_id))
    except OrderRecord.DoesNotExist as error:
        raise OrderNotFoundError(order_id) from error


def with_client(client_id: str, order_id: str) -> tuple[OrderRecord, ClientRecord | None]:
    """The order and its client's profile in one BatchGetItem: the workers' messages name both keys, so one
    round trip replaces two GetItems (same units: each item is billed as its own eventually consistent read,
    as `get` and `clients.get` read them). Raises `OrderNotFoundError` as `get` does; the client is None
    when it is gone.

    PynamoDB's `batch_get` sends UnprocessedKeys again until none are left, without a pause; that ends,
    because DynamoDB returns UnprocessedKeys only when it read at least one item of the request (when it
    can read none it raises ProvisionedThroughputExceededException, which surfaces as from `get`)."""
    order_key = (keys.client_pk(client_id), keys.order_sk(order_id))
    client_key = (keys.client_pk(client_id), keys.PROFILE)
    # On the base model, the discriminator (`kind`) makes each item its own entity class.
    found = {(item.pk, item.sk): item for item in TableItem.batch_get([order_key, client_key])}
    order, client = found.get(order_key), found.get(client_key)
    if not isinstance(order, OrderRecord):
        raise OrderNotFoundError(order_id)
    return order, client if isinstance(client, ClientRecord) else None


def with_clients(refs: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[OrderRecord | None, ClientRecord | None]]:
    """`with_client` for several (client id, order id) pairs in one BatchGetItem (PynamoDB sends 100 keys a
    call): each pair's order (None when it does not exist) and client (None when gone)."""
    keys_wanted = {key for client_id, order_id in refs for key in _order_and_client_keys(client_id, order_id)}
    found = {(item.pk, item.sk): item for item in TableItem.batch_get(sorted(keys_wanted))} if keys_wanted else {}
    answered = {}
    for client_id, order_id in refs:
        order_key, client_key = _order_and_client_keys(client_id, order_id)
        order, client = found.get(order_key), found.get(client_key)
        answered[(client_id, order_id)] = (
            order if isinstance(order, OrderRecord) else None,
            client if isinstance(client, ClientRecord) else None,
        )
    return answered


def _order_and_client_keys(client_id: str, order_id: str) -> tuple[tuple[str, str], tuple[str, str]]:
    return (keys.client_pk(client_id), keys.order_sk(order_id)), (keys.client_pk(client_id), keys.PROFILE)


def page(client_id: str, limit: int, cursor: str | None = None, status: str | None = None) -> Page[OrderRecord]:
    """A client's orders, oldest first; with `status`, only those in it (GSI1, one key condition)."""
    scope = f"orders:{client_id}:{status or '*'}"
    if status is None:

        def query(**kwargs):
            return OrderRecord.key_query(
                keys.client_pk(client_id), OrderRecord.sk.startswith(keys.ORDER_PREFIX), **kwargs
            )

        return paginate(query, scope, PRIMARY_KEY, limit, cursor)

    def by_status(**kwargs):
        return OrderRecord.key_query(
            keys.client_pk(client_id),
            OrderRecord.gsi1sk.startswith(keys.status_prefix(status)),
            index_name=OrderRecord.gsi1.Meta.index_name,
            **kwargs,
        )

    return paginate(by_status, scope, GSI1_KEY, limit, cursor)


def approve(order: OrderRecord) -> bool:
    """PENDING → APPROVED. False when the order had already left PENDING (a replay)."""
    now = now_rfc3339()
    try:
        order.update(
            actions=[
                OrderRecord.status.set(APPROVED),
                OrderRecord.approved_at.set(now),
                OrderRecord.updated_at.set(now),
                OrderRecord.gsi1sk.set(keys.order_status_sk(APPROVED, order.order_id)),
                OrderRecord.gsi2sk.set(keys.open_order_sk(now, order.order_id)),
            ],
            condition=OrderRecord.status == PENDING,
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def reject(order: OrderRecord, reason: str, client_exists: bool = True) -> bool:
    """PENDING → REJECTED (terminal), closing the order on its client unless the client is gone."""
    now = now_rfc3339()
    transaction = Transaction()
    transaction.update(
        "order",
        order,
        [
            OrderRecord.status.set(REJECTED),
            OrderRecord.rejection_reason.set(reason),
            OrderRecord.updated_at.set(now),
            OrderRecord.gsi1sk.set(keys.order_status_sk(REJECTED, order.order_id)),
            OrderRecord.gsi2pk.remove(),
            OrderRecord.gsi2sk.remove(),
        ],
        condition=OrderRecord.status == PENDING,
    )
    if client_exists:
        transaction.update("client", *close_on_client(order.client_id))
    try:
        transaction.commit()
    except ConditionsFailedError as error:
        if error.names == {"order"}:
            return False
        raise
    return True


def close_on_client(client_id: str, count: int = 1):
    """The update that counts `count` of the client's orders less open, for a terminal transition's
    transaction (on the client's open-orders item, not its profile: datamodel/keys.py)."""
    return (
        ClientOpenOrders(keys.client_pk(client_id), keys.OPEN_ORDERS),
        [ClientOpenOrders.open_orders.add(-count)],
        ClientOpenOrders.pk.exists(),
    )


def _client_exists(client_id: str) -> bool:
    try:
        ClientRecord.get(keys.client_pk(client_id), keys.PROFILE)
    except ClientRecord.DoesNotExist:
        return False
    return True


# ---- stuck orders: the sweep over the sparse open-orders index (GSI2) ----


@dataclass(frozen=True)
class StuckOrder:
    """What a redrive needs of an open order: its reference, its status, and when it last moved.
    GSI2 projects exactly these attributes (template.yaml), so no order is read from the table."""

    client_id: str
    order_id: str
    status: str
    updated_at: str


@dataclass(frozen=True)
class StuckCursor:
    """Where each open-orders shard not yet read to its end resumes (None: at its beginning), for one threshold."""

    threshold: str
    start_keys: tuple[tuple[str, dict[str, Any] | None], ...]


@dataclass(frozen=True)
class StuckPage:
    orders: list[StuckOrder]
    cursor: StuckCursor | None  # None: every shard has been read to its end


def stuck(older_than: datetime | str, limit: int, cursor: StuckCursor | None = None) -> StuckPage:
    """The `limit` oldest orders still open (PENDING or APPROVED) whose last update is strictly before
    `older_than`, oldest first; pass the page's cursor back to read on.

    One Query per open-orders shard (`GSI2PK = OPEN#<n> AND GSI2SK < <older_than>`): key conditions only,
    no filter and no scan, so the cost follows the stuck orders found, never the size of the table.
    Terminal orders are not in the index (their GSI2 keys are removed by the terminal transition).
    The shards' pages are merged oldest first, and each shard resumes right after the last of its
    orders that made the page, so no order is skipped or returned twice across pages.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    threshold = _rfc3339_moment(older_than)
    if cursor is None:
        starts: dict[str, dict[str, Any] | None] = {shard: None for shard in keys.open_order_shards()}
    elif cursor.threshold != threshold:
        raise ValueError("this cursor belongs to a sweep with another threshold")
    else:
        starts = dict(cursor.start_keys)

    # The model's own query would add a filter on the discriminator (PynamoDB polymorphism); the table
    # connection (public `TableConnection.query`, on the shared client) runs exactly the key condition below.
    table = OrderRecord.table_connection()
    before = OrderRecord.gsi2sk < keys.open_order_sk_before(threshold)
    fetched: dict[str, tuple[list[dict[str, Any]], dict[str, Any] | None]] = {}
    for shard, start in starts.items():
        response = table.query(
            shard,
            range_key_condition=before,
            index_name=OrderRecord.gsi2.Meta.index_name,
            exclusive_start_key=start,
            limit=limit,
            scan_index_forward=True,
        )
        fetched[shard] = (response.get("Items", []), response.get("LastEvaluatedKey"))

    # Each shard's items are already in GSI2SK order, so the page is a prefix of each shard's items.
    sort_key = OrderRecord.gsi2sk.attr_name
    page = sorted(
        (item[sort_key]["S"], shard, index)
        for shard, (items, _) in fetched.items()
        for index, item in enumerate(items)
    )[:limit]
    taken = Counter(shard for _, shard, _ in page)
    resume: dict[str, dict[str, Any] | None] = {}
    for shard, (items, last_evaluated_key) in fetched.items():
        count = taken[shard]
        if count == len(items):
            if last_evaluated_key is not None:
                resume[shard] = last_evaluated_key
        elif count:
            resume[shard] = _gsi2_key(items[count - 1])
        else:
            resume[shard] = starts[shard]
    orders = [_stuck_order(fetched[shard][0][index]) for _, shard, index in page]
    next_cursor = StuckCursor(threshold, tuple(resume.items())) if resume else None
    return StuckPage(orders, next_cursor)


def _rfc3339_moment(moment: datetime | str) -> str:
    """`moment` in the fixed-width form the table stores, so that strings compare as moments."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        raise ValueError("the threshold needs a time zone (UTC)")
    return rfc3339(moment)


def _gsi2_key(item: dict[str, Any]) -> dict[str, Any]:
    """The ExclusiveStartKey that resumes a GSI2 query right after `item`: table and index keys."""
    names = (OrderRecord.pk, OrderRecord.sk, OrderRecord.gsi2pk, OrderRecord.gsi2sk)
    return {attribute.attr_name: item[attribute.attr_name] for attribute in names}


def _stuck_order(item: dict[str, Any]) -> StuckOrder:
    def text(attribute: Any) -> str:
        return item[attribute.attr_name]["S"]

    return StuckOrder(
        client_id=text(OrderRecord.client_id),
        order_id=text(OrderRecord.order_id),
        status=text(OrderRecord.status),
        updated_at=text(OrderRecord.updated_at),
    )
