"""The embedded moto server: every AWS API of the local stack, on loopback."""

from __future__ import annotations

import logging
import os
import socket
import threading
from pathlib import Path
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- moto DynamoDB patches ------------------------------------------------------------------------------
# Two moto 5.2.x behaviours make a long local run slow and memory-bound:
#
# 1. moto's BaseModel.__new__ (moto/core/common_models.py, via InstanceTrackerMeta in
#    moto/core/base_backend.py) appends every model instance to a class-level ``instances_tracked`` list,
#    only to show them in the moto dashboard. Every DynamoDB Item ever written, and every deep copy of a
#    Table, is therefore kept alive for the life of the process (GBs after a few hundred orders, and minutes
#    of GC at exit). We stop tracking for the DynamoDB model classes only: S3 reads
#    FakeKey.instances_tracked to clean up, so tracking stays on for every other service.
#
# 2. DynamoDBBackend.transact_write_items (moto/dynamodb/models/__init__.py) takes a rollback backup with
#    ``copy.deepcopy(self.tables[name])`` once per transaction item: a 4-item transaction on a
#    1,500-item table deep-copies the whole table four times (~440 ms). We wrap it so that the backup is a
#    deep copy of only the items the transaction touches (plus the table's stream records), and make the
#    whole-table deepcopy inside it a no-op (it returns the live table, so moto's own "rollback" assigns the
#    table to itself). On any exception we restore the snapshotted items, so a cancelled transaction leaves
#    every item unchanged, as before; moto's own code still evaluates conditions and builds the
#    cancellation reasons, so those are reported exactly as before. This is only safe because DynamoDB
#    requests run one at a time (SerializedDynamoDB): nothing else can write to those items mid-transaction.
#
# 3. Table.query walks and sorts the whole table per call, so a page's cost grows with the table although
#    DynamoDB's does not: shoplocal/emulator_query.py gives it a sorted index per partition.
#
# 4. Not DynamoDB only: for every request, moto's DomainDispatcherApplication (get_backend_for_host) calls
#    moto.backends.list_of_moto_modules(), which lists moto's package directory and stats each of its ~170
#    entries: about 15% of the server's time per request under the pipeline's load. The list cannot change
#    while the process runs, so it is computed once.

_moto_patch_state = threading.local()


class _TransactAwareCopy:
    """Stands in for the ``copy`` module inside moto.dynamodb.models.

    Identical to ``copy``, except that while our transact_write_items wrapper is running, deep-copying a
    Table returns the table itself (the wrapper keeps its own per-item backup instead).
    """

    def __init__(self, real_copy, table_cls) -> None:
        self._copy = real_copy
        self._table_cls = table_cls

    def deepcopy(self, obj: Any, memo: Any = None) -> Any:
        if getattr(_moto_patch_state, "in_transaction", False) and isinstance(obj, self._table_cls):
            return obj
        return self._copy.deepcopy(obj, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._copy, name)


def _untracked_new(cls, *args: Any, **kwargs: Any) -> Any:
    # BaseModel.__new__ without the ``cls.instances_tracked.append(instance)``.
    return object.__new__(cls)


def _snapshot_transaction_items(backend, transact_items) -> list:
    """Deep copies of the items a transaction may write, taken before it runs (None: item absent)."""
    import copy

    snapshots: dict[tuple, tuple] = {}
    tables: dict[int, Any] = {}
    for entry in transact_items:
        try:
            _, op = next(iter(entry.items()))
            table = backend.get_table(op["TableName"])
            if "Item" in op:  # Put: the key is in the item
                attrs = op["Item"]
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            hash_key, range_key = backend.get_keys_value(table, key)
            current = table.get_item(hash_key, range_key)
        except Exception:  # noqa: BLE001, S112 - moto rejects this entry itself, before writing anything for it
            continue
        ident = (id(table), hash_key, range_key)
        if ident not in snapshots:  # the first snapshot is the pre-transaction state
            snapshots[ident] = (table, hash_key, range_key, copy.deepcopy(current))
        tables[id(table)] = table
    streams = [
        (table.stream_shard, list(table.stream_shard.items))
        for table in tables.values()
        if table.stream_shard is not None
    ]
    return [list(snapshots.values()), streams]


def _restore_transaction_items(snapshot) -> None:
    items, streams = snapshot
    for table, hash_key, range_key, item in items:
        if table.range_key_attr is not None:
            bucket = table.items[hash_key]
            if item is None:
                bucket.pop(range_key, None)
            else:
                bucket[range_key] = item
        elif item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
    for shard, records in streams:
        shard.items = records


def _cache_moto_module_list() -> None:
    from moto import backends

    if getattr(backends.list_of_moto_modules, "_shoplocal_cached", False):
        return
    modules = tuple(backends.list_of_moto_modules())

    def list_of_moto_modules() -> tuple[str, ...]:
        return modules

    list_of_moto_modules._shoplocal_cached = True  # type: ignore[attr-defined]
    backends.list_of_moto_modules = list_of_moto_modules


def _patch_moto_dynamodb() -> None:
    import moto.dynamodb.models as ddb_models
    from moto.core.model_instances import model_data
    from moto.dynamodb.models.table import Table

    if getattr(ddb_models.DynamoDBBackend, "_shoplocal_patched", False):
        return

    # (1) No instance tracking for DynamoDB models (Item, Table and its subclasses, indexes, streams).
    for model in list(model_data["dynamodb"].values()):
        model.__new__ = staticmethod(_untracked_new)
        model.instances_tracked = []

    # (2) Per-item rollback for TransactWriteItems instead of a whole-table deepcopy per item.
    ddb_models.copy = _TransactAwareCopy(ddb_models.copy, Table)
    original = ddb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        snapshot = _snapshot_transaction_items(self, transact_items)
        _moto_patch_state.in_transaction = True
        try:
            return original(self, transact_items)
        except BaseException:
            _restore_transaction_items(snapshot)
            raise
        finally:
            _moto_patch_state.in_transaction = False

    transact_write_items.__wrapped__ = original
    ddb_models.DynamoDBBackend.transact_write_items = transact_write_items

    # (3) Query reads one partition from its start key, not the whole table.
    from shoplocal import emulator_query

    emulator_query.install()

    # (4) moto's module list, listed once.
    _cache_moto_module_list()
    ddb_models.DynamoDBBackend._shoplocal_patched = True


class SerializedDynamoDB:
    """WSGI wrapper that runs one DynamoDB request at a time.

    moto checks a condition and then writes without a lock, so two concurrent conditional writes can both
    pass: DynamoDB never allows that, and the invoice counter's gaplessness depends on it. Other services
    stay concurrent (an SQS long poll must not block the table).
    """

    def __init__(self, app) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with self._lock:
                return list(self._app(environ, start_response))
        return self._app(environ, start_response)


class Emulator:
    """A moto server in a background thread of this process.

    With a `state_dir`, its state is durable (shoplocal/persistence.py): what an earlier run kept there is
    replayed before the server listens, and every change is journaled there before it is answered."""

    def __init__(self, port: int | None = None, state_dir: Path | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state_dir = Path(state_dir) if state_dir is not None else None
        self.journal = None
        self._server = None
        self._thread: threading.Thread | None = None

    def start(self) -> "Emulator":
        # moto's werkzeug logs every request; the local stack prints its own summary instead.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        _patch_moto_dynamodb()
        app = DomainDispatcherApplication(create_backend_app)
        if self.state_dir is not None:
            from shoplocal.persistence import Journal

            self.journal = app = Journal(app, self.state_dir).open()
        app = SerializedDynamoDB(app)
        self._server = make_server("127.0.0.1", self.port, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._thread.join()
            self._server = None
        if self.journal is not None:
            self.journal.close()
            self.journal = None

    def environ(self) -> dict[str, str]:
        """Variables that point boto3 (and so PynamoDB and Powertools) at this server."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
        }

    def export(self) -> None:
        os.environ.update(self.environ())
