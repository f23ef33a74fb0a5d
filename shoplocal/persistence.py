"""Durable state for the local stack: a journal of what changed moto's state, replayed at the next start.

`shop run` keeps its state in a directory beside its ready file (`.shop/state/` by default):

- `journal.jsonl`: one JSON line per change, appended with one `write()` to the file **before** the
  emulator answers the request that made it. A change the emulator acknowledged is therefore in the
  operating system's page cache, and survives the process being killed (SIGKILL included); it does not
  survive a crash of the machine itself (no fsync per request: that would cost a disk flush per write).
- `parameters.json`: the stack's parameter values (its generated `CursorSecret` among them), so that
  pagination cursors handed out before a restart still read.
- `lock`: held (flock) while a `shop run` uses the directory, so that two stacks never share one.

What a line records depends on the service:

- **DynamoDB, S3, CloudFormation, and queue-level SQS calls** (create, delete, set attributes): the HTTP
  request itself, recorded once moto has answered it with a success, and replayed into a fresh moto at
  the next start. These services are deterministic given the same requests in the same order: every
  recorded request runs under one lock, so the journal's order is the order moto applied them (DynamoDB's
  requests are serialised anyway, see `SerializedDynamoDB`). Each recorded request draws moto's random ids
  from a generator of its own thread, seeded with a seed recorded beside it (`_seeded_random`), so that what
  it drew (CloudFormation's physical names, S3 version ids) is drawn again on replay.
- **SQS messages**: not replayable as requests (message ids, receipt handles, receive counts and moto's
  own moves to a DLQ on receive are not reproduced by re-sending requests). After every request that can
  change messages, the journal records the messages themselves: those that appeared (in full: id, body,
  attributes, message attributes, receive count, timestamps), those whose receive count changed, and
  those that left a queue (deleted, purged or moved to its DLQ). At the next start every message is put
  back, with its id and receive count; one that was in flight (received, not yet deleted) is visible
  again at once, as it would be on SQS once its visibility timeout passed after its consumer died.

A torn last line (the process killed inside a write) is the one thing replay tolerates and drops: its
request was never answered. The journal grows with every write; `compact()`, at a clean stop, rewrites it
as the tables' items (one BatchWriteItem line per 25) and the messages still queued, in place of every
item write and message line; table, queue and bucket requests and S3's writes (a versioned bucket's
history) stay as they were.
"""

from __future__ import annotations

import base64
import fcntl
import io
import json
import logging
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

logger = logging.getLogger(__name__)

JOURNAL = "journal.jsonl"
PARAMETERS = "parameters.json"
LOCK = "lock"

# SQS operations that change messages, not queues: journaled as messages, never as requests.
SQS_MESSAGE_OPERATIONS = frozenset(
    {
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
        "PurgeQueue",
        "StartMessageMoveTask",
        "CancelMessageMoveTask",
    }
)
# Operations that change nothing, by the prefix of their name (every AWS API names its reads this way).
_READ_PREFIXES = ("Get", "BatchGet", "Query", "Scan", "TransactGet", "Describe", "List", "Head", "Validate")
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The parts of a WSGI environ a request is replayed from (the rest is the server's own objects).
_ENVIRON_KEYS = frozenset(
    {"REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "SERVER_NAME", "SERVER_PORT",
     "SERVER_PROTOCOL", "REQUEST_URI", "RAW_URI", "wsgi.url_scheme"}
)


class StateInUse(RuntimeError):
    """Another `shop run` holds this state directory."""


class StateError(RuntimeError):
    """The state directory cannot be read back."""


def reset(state_dir: Path) -> None:
    """Start from nothing: remove what an earlier run kept (refused while a stack uses it)."""
    if not state_dir.exists():
        return
    with _held_lock(state_dir):
        for child in state_dir.iterdir():
            if child.name != LOCK:
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()


class _held_lock:
    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(state_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            raise StateInUse(f"another `shop run` uses {state_dir}; stop it first") from None

    def release(self) -> None:
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> "_held_lock":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


def load_parameters(state_dir: Path | None) -> dict[str, str] | None:
    if state_dir is None or not (state_dir / PARAMETERS).exists():
        return None
    return json.loads((state_dir / PARAMETERS).read_text())


def save_parameters(state_dir: Path | None, parameters: dict[str, str]) -> None:
    if state_dir is None:
        return
    tmp = state_dir / (PARAMETERS + ".tmp")
    tmp.write_text(json.dumps(parameters, indent=2))
    os.chmod(tmp, 0o600)
    tmp.replace(state_dir / PARAMETERS)


# ---- what a request is ----


def classify(environ: dict[str, Any], body: bytes) -> str:
    """`read`, `write` (journal the request) or `sqs` (journal the messages afterwards)."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        service, _, operation = target.partition(".")
        return _classify_operation(operation, sqs=service.startswith("AmazonSQS"))
    action = _query_action(environ, body)
    if action:
        return _classify_operation(action, sqs="/moto-api" not in environ.get("PATH_INFO", "") and _is_sqs(environ))
    return "read" if environ.get("REQUEST_METHOD", "GET") in _READ_METHODS else "write"


def _classify_operation(operation: str, *, sqs: bool) -> str:
    if sqs and operation in SQS_MESSAGE_OPERATIONS:
        return "sqs"
    if operation.startswith(_READ_PREFIXES):
        return "read"
    return "write"


def _is_sqs(environ: dict[str, Any]) -> bool:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    return "/sqs/aws4_request" in auth or environ.get("HTTP_HOST", "").startswith("sqs.")


def _query_action(environ: dict[str, Any], body: bytes) -> str | None:
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return query["Action"][0]
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded") and body:
        form = parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return form["Action"][0]
    return None


def _read_body(environ: dict[str, Any]) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH")
    if length:
        return stream.read(int(length))
    if environ.get("wsgi.input_terminated"):
        return stream.read()
    return b""


# ---- SQS messages as data ----


def _json_default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return {"__b64__": base64.b64encode(bytes(value)).decode()}
    raise TypeError(f"cannot journal {type(value).__name__}")


def _json_object_hook(value: dict[str, Any]) -> Any:
    if len(value) == 1 and "__b64__" in value:
        return base64.b64decode(value["__b64__"])
    return value


def _message_state(message: Any) -> dict[str, Any]:
    return {
        "id": message.id,
        "body": message.body,
        "attributes": message.message_attributes,
        "system": message.system_attributes,
        "sender": message.sender_id,
        "sent": message.sent_timestamp,
        "first_received": message.approximate_first_receive_timestamp,
        "receives": message.approximate_receive_count,
        "dedup": message.deduplication_id,
        "group": message.group_id,
        "sequence": message.sequence_number,
        "delayed_until": message.delayed_until,
    }


def _restore_message(state: dict[str, Any]) -> Any:
    from moto.sqs.models import Message

    message = Message(state["id"], state["body"], system_attributes=state.get("system") or {})
    message.message_attributes = state.get("attributes") or {}
    message.sender_id = state.get("sender") or message.sender_id
    message.sent_timestamp = state.get("sent")
    message.approximate_first_receive_timestamp = state.get("first_received")
    message.approximate_receive_count = state.get("receives", 0)
    message.deduplication_id = state.get("dedup")
    message.group_id = state.get("group")
    message.sequence_number = state.get("sequence")
    message.delayed_until = state.get("delayed_until") or 0.0
    return message


def _live_queues() -> Iterator[tuple[str, Any]]:
    """Every queue moto holds, as ("account/region/name", Queue), without creating backends."""
    from moto.sqs.models import sqs_backends

    for account in list(dict.keys(sqs_backends)):
        regions = dict.__getitem__(sqs_backends, account)
        for region in list(dict.keys(regions)):
            backend = dict.__getitem__(regions, region)
            for name, queue in list(getattr(backend, "queues", {}).items()):
                yield f"{account}/{region}/{name}", queue


def _queue(key: str) -> Any:
    from moto.sqs.models import sqs_backends

    account, region, name = key.split("/", 2)
    return sqs_backends[account][region].queues.get(name)


# ---- the journal ----


class Journal:
    """WSGI middleware around moto's app: records every change before answering; replays them at start."""

    def __init__(self, app: Callable, state_dir: Path) -> None:
        self._app = app
        self.state_dir = Path(state_dir)
        self._lock = threading.RLock()
        self._held = _held_lock(self.state_dir)
        self.path = self.state_dir / JOURNAL
        self._fd = -1
        # What the journal says each queue holds: {queue key: {message id: receive count}}.
        self._queued: dict[str, dict[str, int]] = {}
        self.replayed = 0

    # -- start and stop --

    def open(self) -> "Journal":
        """Replay what is there, then accept new changes."""
        self.replayed = self._replay()
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with self._lock:
            self._sync_queues()  # nothing to write after a replay; it fills `_queued`
        return self

    def close(self, compact: bool = True) -> None:
        with self._lock:
            if self._fd >= 0:
                if compact:
                    self._sync_queues()
                os.close(self._fd)
                self._fd = -1
                if compact:
                    self.compact()
        self._held.release()

    def compact(self) -> None:
        """Rewrite the journal as short as it replays the same: the DynamoDB item writes are replaced by the
        items each table holds now (as BatchWriteItem requests), and the SQS lines by the messages still
        queued; every other request stays as it was (tables, queues and buckets, and S3's writes, whose
        version history a snapshot would not keep)."""
        if not self.path.exists():
            return
        tmp = self.path.with_name(JOURNAL + ".compact")
        item_writes: dict[str, dict[str, str]] = {}  # region -> a recorded item write, to address the rest
        with tmp.open("wb") as out:
            os.chmod(tmp, 0o600)
            for line in self._lines():
                record = json.loads(line)
                if record["t"] == "sqs":
                    continue
                region = _dynamodb_item_write_region(record)
                if region is not None:
                    item_writes[region] = record["environ"]
                    continue
                out.write(line)
            for record in _table_snapshots(item_writes):
                out.write(self._encode(record))
            queues = {
                key: {"put": [_message_state(m) for m in list(queue._messages)]}
                for key, queue in _live_queues()
                if queue._messages
            }
            if queues:
                out.write(self._encode({"t": "sqs", "queues": queues}))
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(self.path)

    # -- WSGI --

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        body = _read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        kind = classify(environ, body)
        if kind == "read":
            return self._app(environ, start_response)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Any:
            captured["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        if kind == "sqs":
            output = list(self._app(environ, capture))
            with self._lock:
                self._sync_queues()
            return output
        with self._lock:
            seed = secrets.randbits(63)
            with _seeded_random(seed):
                output = list(self._app(environ, capture))
            if captured.get("status", 500) < 400:
                self._append({"t": "http", "seed": seed, "environ": _recordable(environ), "body": body})
                if environ.get("HTTP_X_AMZ_TARGET", "").startswith("AmazonSQS") or _is_sqs(environ):
                    self._sync_queues()  # a queue deleted or created: keep `_queued` in step
        return output

    # -- writing --

    def _encode(self, record: dict[str, Any]) -> bytes:
        return (json.dumps(record, default=_json_default, separators=(",", ":")) + "\n").encode()

    def _append(self, record: dict[str, Any]) -> None:
        data = self._encode(record)
        written = 0
        while written < len(data):  # one write() for a regular file; the loop only guards the theory
            written += os.write(self._fd, data[written:])

    def _sync_queues(self) -> None:
        """Append what changed in any queue since the journal last said (caller holds the lock)."""
        changes: dict[str, dict[str, Any]] = {}
        live_keys = set()
        for key, queue in _live_queues():
            live_keys.add(key)
            known = self._queued.setdefault(key, {})
            messages = list(queue._messages)
            live = {m.id: m for m in messages}
            put = [_message_state(m) for m_id, m in live.items() if m_id not in known]
            receives = {
                m_id: m.approximate_receive_count
                for m_id, m in live.items()
                if m_id in known and known[m_id] != m.approximate_receive_count
            }
            gone = [m_id for m_id in known if m_id not in live]
            if put or receives or gone:
                change: dict[str, Any] = {}
                if put:
                    change["put"] = put
                if receives:
                    change["receives"] = receives
                if gone:
                    change["gone"] = gone
                changes[key] = change
                self._queued[key] = {m_id: m.approximate_receive_count for m_id, m in live.items()}
        for key in set(self._queued) - live_keys:
            del self._queued[key]
        if changes and self._fd >= 0:
            self._append({"t": "sqs", "queues": changes})

    # -- replay --

    def _lines(self) -> Iterator[bytes]:
        with self.path.open("rb") as journal:
            for line in journal:
                if line.endswith(b"\n"):
                    yield line

    def _replay(self) -> int:
        if not self.path.exists():
            return 0
        count, good_bytes, torn = 0, 0, False
        with self.path.open("rb") as journal:
            for number, line in enumerate(journal, 1):
                try:
                    if not line.endswith(b"\n"):
                        raise ValueError("no end of line")
                    record = json.loads(line, object_hook=_json_object_hook)
                except ValueError:
                    if journal.read(1):  # not the last line: the journal is damaged, not torn
                        raise StateError(f"{self.path}:{number} cannot be read; start with --fresh") from None
                    torn = True
                    break
                self._apply(record)
                good_bytes += len(line)
                count += 1
        if torn:  # the last write was cut short: its request was never answered
            logger.warning("dropping a torn last line of %s", self.path)
            os.truncate(self.path, good_bytes)
        return count

    def _apply(self, record: dict[str, Any]) -> None:
        if record["t"] == "http":
            environ = dict(record["environ"])
            body = record["body"]
            environ["wsgi.input"] = io.BytesIO(body)
            environ["wsgi.errors"] = io.StringIO()
            environ["CONTENT_LENGTH"] = str(len(body))
            status: list[str] = []
            with _seeded_random(record["seed"]):
                for _ in self._app(environ, lambda s, h, e=None: status.append(s)):
                    pass
            if status and int(status[0].split(" ", 1)[0]) >= 400:
                logger.warning("replaying %s %s answered %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), status[0])
        elif record["t"] == "sqs":
            for key, change in record["queues"].items():
                queue = _queue(key)
                if queue is None:
                    continue
                by_id = {m.id: m for m in queue._messages}
                gone = set(change.get("gone", ()))
                for state in change.get("put", ()):
                    by_id[state["id"]] = _restore_message(state)
                for m_id, receives in change.get("receives", {}).items():
                    if m_id in by_id:
                        by_id[m_id].approximate_receive_count = receives
                        by_id[m_id].approximate_first_receive_timestamp = (
                            by_id[m_id].approximate_first_receive_timestamp or int(time.time() * 1000)
                        )
                with queue._messages_lock:
                    queue._messages = [m for m_id, m in by_id.items() if m_id not in gone]
                    queue._pending_messages = set()
        else:
            raise StateError(f"unknown journal record {record['t']!r} in {self.path}")


# DynamoDB operations that write items (never tables): what a snapshot of the items replaces.
_ITEM_WRITES = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "ExecuteStatement",
     "BatchExecuteStatement", "ExecuteTransaction"}
)
_BATCH = 25  # BatchWriteItem's limit


def _dynamodb_item_write_region(record: dict[str, Any]) -> str | None:
    """The region of a recorded DynamoDB item write (None: not one)."""
    if record["t"] != "http":
        return None
    environ = record["environ"]
    service, _, operation = environ.get("HTTP_X_AMZ_TARGET", "").partition(".")
    if not service.startswith("DynamoDB_") or operation not in _ITEM_WRITES:
        return None
    scope = environ.get("HTTP_AUTHORIZATION", "").split("Credential=", 1)[-1].split("/")
    return scope[2] if len(scope) > 3 else "us-east-1"


def _table_snapshots(item_writes: dict[str, dict[str, str]]) -> Iterator[dict[str, Any]]:
    """Every item of every table, as recorded BatchWriteItem requests addressed as `item_writes` were."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.utilities import dynamo_json_dump  # how moto writes an item on the wire

    for account in list(dict.keys(dynamodb_backends)):
        regions = dict.__getitem__(dynamodb_backends, account)
        for region in list(dict.keys(regions)):
            backend = dict.__getitem__(regions, region)
            for name, table in list(backend.tables.items()):
                items = [item.to_json()["Attributes"] for item in table.all_items()]
                if not items:
                    continue
                if region not in item_writes:
                    raise StateError(f"table {name} holds items no recorded request wrote")
                template = {k: v for k, v in item_writes[region].items() if k != "HTTP_X_AMZ_TARGET"}
                for start in range(0, len(items), _BATCH):
                    requests = [{"PutRequest": {"Item": item}} for item in items[start : start + _BATCH]]
                    body = dynamo_json_dump({"RequestItems": {name: requests}}).encode()
                    environ = template | {
                        "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.BatchWriteItem",
                        "CONTENT_LENGTH": str(len(body)),
                    }
                    yield {"t": "http", "seed": 0, "environ": environ, "body": body}


def _recordable(environ: dict[str, Any]) -> dict[str, str]:
    return {
        key: value
        for key, value in environ.items()
        if isinstance(value, str) and (key in _ENVIRON_KEYS or key.startswith("HTTP_") or key == "CONTENT_LENGTH")
    }


_seeded = threading.local()


class _seeded_random:
    """moto's random generator, for this thread only, seeded with `seed` (see `_install_thread_random`)."""

    def __init__(self, seed: int) -> None:
        self._seed = seed

    def __enter__(self) -> None:
        import random

        _install_thread_random()
        _seeded.rng = random.Random(self._seed)

    def __exit__(self, *exc: Any) -> None:
        _seeded.rng = None


def _install_thread_random() -> None:
    """Let one thread draw from a generator of its own through moto's shared `mock_random`.

    moto draws every id from one process-wide generator. A recorded request is replayed alone, but was
    first served while SQS requests drew from that generator on other threads; so what it drew (a bucket's
    or a table's physical name, an object's version id) could not be drawn again. While `_seeded_random` is
    active on a thread, that thread draws from its own seeded generator; every other thread, and this one
    otherwise, from moto's as before. Every draw of random.Random goes through `getrandbits` or `random`."""
    import random

    from moto.moto_api._internal import mock_random

    if getattr(mock_random, "_shoplocal_thread_random", False):
        return

    def getrandbits(k: int) -> int:
        own = getattr(_seeded, "rng", None)
        return own.getrandbits(k) if own is not None else random.Random.getrandbits(mock_random, k)

    def uniform_random() -> float:
        own = getattr(_seeded, "rng", None)
        return own.random() if own is not None else random.Random.random(mock_random)

    mock_random.getrandbits = getrandbits
    mock_random.random = uniform_random
    mock_random._shoplocal_thread_random = True
