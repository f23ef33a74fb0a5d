"""A TransactWrite whose operations carry names, so a cancellation says which condition failed.

PynamoDB sends condition checks, then deletes, puts and updates, whatever order they were added in;
DynamoDB's cancellation reasons follow the order sent. This keeps the two lined up.

A transaction cancelled only because another one was writing the same items (`TransactionConflict`, e.g.
two orders of one client both counting on its profile) is sent again, a few times, after a short jittered
pause; past that, `ContentionError`, which the API answers 429 (retry later).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import CancellationReason, TransactWriteError
from pynamodb.transactions import TransactWrite

from datamodel.base import connection
from datamodel.errors import ContentionError

# (PynamoDB sends condition checks first; no access pattern uses one, and IAM grants none.)
_SENT_ORDER = ("delete", "put", "update")

# A conflicting transaction is sent at most this often in all, pausing a random 0..min(cap, base * 2^n) s
# before the n-th re-send (full jitter, so the conflicting writers spread out): at most ~0.15 s in all.
ATTEMPTS = 4
_BACKOFF_BASE_S = 0.02
_BACKOFF_CAP_S = 0.1
_CONFLICT = "TransactionConflict"


class ConditionsFailedError(Exception):
    """The transaction was cancelled because the named operations' conditions did not hold."""

    def __init__(self, names: set[str]) -> None:
        super().__init__(", ".join(sorted(names)))
        self.names = names


class Transaction:
    """The writes of one TransactWriteItems, each named. Each attempt of `commit` sends them in a fresh
    `TransactWrite` block (PynamoDB's public API: the block commits on exit)."""

    def __init__(self) -> None:
        # (kind, name, how to add the write to a TransactWrite), in the order added
        self._writes: list[tuple[str, str, Callable[[TransactWrite], None]]] = []

    def delete(self, name: str, model: Any, condition: Any = None) -> None:
        self._writes.append(("delete", name, lambda write: write.delete(model, condition=condition)))

    def put(self, name: str, model: Any, condition: Any = None) -> None:
        self._writes.append(("put", name, lambda write: write.save(model, condition=condition)))

    def update(self, name: str, model: Any, actions: list[Any], condition: Any = None) -> None:
        self._writes.append(
            ("update", name, lambda write: write.update(model, actions=actions, condition=condition))
        )

    def sent_names(self) -> list[str]:
        """The writes' names in the order DynamoDB receives them, which its cancellation reasons follow."""
        return [name for sent_kind in _SENT_ORDER for kind, name, _ in self._writes if kind == sent_kind]

    def _send(self) -> None:
        with TransactWrite(connection=connection) as write:
            for _, _, add in self._writes:
                add(write)

    def commit(self) -> None:
        """Raises `ConditionsFailedError` for failed conditions, `ContentionError` when every attempt
        conflicted with another transaction, and any other error as PynamoDB raised it."""
        for attempt in range(ATTEMPTS):
            try:
                self._send()
                return
            except TransactWriteError as error:
                reasons = error.cancellation_reasons or []
                sent = self.sent_names()
                failed = {
                    name
                    for name, reason in zip(sent, reasons)
                    if reason is not None and reason.code == "ConditionalCheckFailed"
                }
                if failed:
                    raise ConditionsFailedError(failed) from error
                if not _only_conflicts(error.cause_response_code, reasons):
                    raise
                # A cancelled transaction wrote nothing (all or nothing), so sending the very same one
                # again is safe, and its conditions are evaluated afresh.
                if attempt + 1 == ATTEMPTS:
                    names = {name for name, reason in zip(sent, reasons) if reason is not None}
                    raise ContentionError(", ".join(sorted(names)) or "transaction") from error
            _pause(attempt)


def _only_conflicts(code: str | None, reasons: list[CancellationReason | None]) -> bool:
    """Cancelled for concurrent transactions on its items alone (PynamoDB turns a `None` reason into None)."""
    codes = {reason.code for reason in reasons if reason is not None} - {"None"}
    return code == "TransactionCanceledException" and codes == {_CONFLICT}


def _pause(attempt: int) -> None:
    time.sleep(random.uniform(0, min(_BACKOFF_CAP_S, _BACKOFF_BASE_S * 2**attempt)))
