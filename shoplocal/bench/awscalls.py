"""Counting AWS calls with a botocore event hook, whoever made the client.

boto3's default session, each PynamoDB connection (a botocore session of its own) and Powertools
idempotency all create their clients through `botocore.session.Session.create_client`, so `install()` wraps
that method once: every client created afterwards gets a `before-call` handler on its own event emitter
(a client copies its session's emitter when it is created, so registering on the session is not enough).
`before-call` fires once per API call, not per HTTP retry, and never for a presigned URL.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import botocore.session

_HOOK_ID = "shop-bench-awscalls"
_installed = False
_lock = threading.Lock()
_active: Recording | None = None


def _before_call(model: Any = None, params: Any = None, **_: Any) -> None:
    recording = _active
    if recording is None or model is None:
        return
    name = model.name
    recording.calls[f"{model.service_model.service_name}.{name}"] += 1
    # What the calls' units depend on (shoplocal/bench/cost.py): items written per transaction, keys read
    # per batch get (each call of PynamoDB's UnprocessedKeys loop counts the keys it asked for).
    if name == "TransactWriteItems":
        recording.transaction_items.append(_body_size(params, _transaction_items))
    elif name == "BatchGetItem":
        recording.batch_get_items.append(_body_size(params, _batch_get_keys))


def _transaction_items(body: dict[str, Any]) -> int:
    return len(body["TransactItems"])


def _batch_get_keys(body: dict[str, Any]) -> int:
    return sum(len(table["Keys"]) for table in body["RequestItems"].values())


def _body_size(request: Any, size: Callable[[dict[str, Any]], int]) -> int:
    try:
        return size(json.loads(request["body"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        return -1


def install() -> None:
    """Hook every botocore client created from now on in this process (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        original = botocore.session.Session.create_client

        def create_client(self: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:
            client = original(self, *args, **kwargs)
            return hook_client(client)

        botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
        _installed = True


def hook_client(client: Any) -> Any:
    """Hook a client created before `install()` (a module-level client imported earlier)."""
    client.meta.events.register("before-call", _before_call, unique_id=_HOOK_ID)
    return client


class Recording:
    """The calls made while recording: {"dynamodb.GetItem": 1, ...}, the size of each transaction and the
    keys of each batch get."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.transaction_items: list[int] = []
        self.batch_get_items: list[int] = []

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def as_detail(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"calls": dict(sorted(self.calls.items()))}
        if self.transaction_items:
            detail["transactWriteItems"] = list(self.transaction_items)
        if self.batch_get_items:
            detail["batchGetItems"] = list(self.batch_get_items)
        return detail


@contextmanager
def recording() -> Iterator[Recording]:
    """Count the calls of every hooked client in this process while the block runs (one at a time)."""
    global _active
    install()
    result = Recording()
    with _lock:
        if _active is not None:
            raise RuntimeError("a recording is already running")
        _active = result
    try:
        yield result
    finally:
        with _lock:
            _active = None
