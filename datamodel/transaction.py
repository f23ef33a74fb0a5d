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
    def __init__(self) -> None:
        self._write = TransactWrite(connection=connection)
        self._names: dict[str, list[str]] = {kind: [] for kind in _SENT_ORDER}

    def delete(self, name: str, model: Any, condition: Any = None) -> None:
        self._names["delete"].append(name)
        self._write.delete(model, condition=condition)

    def put(self, name: str, model: Any, condition: Any = None) -> None:
        self._names["put"].append(name)
        self._write.save(model, condition=condition)

    def update(self, name: str, model: Any, actions: list[Any], condition: Any = None) -> None:
        self._names["update"].append(name)
        self._write.update(model, actions=actions, condition=condition)

    def commit(self) -> None:
        """Raises `ConditionsFailedError` for failed conditions, `ContentionError` when every attempt
        conflicted with another transaction, and any other error as PynamoDB raised it."""
        for attempt in range(ATTEMPTS):
            try:
                self._write._commit()
                return
            except TransactWriteError as error:
                reasons = error.cancellation_reasons or []
                sent = [name for kind in _SENT_ORDER for name in self._names[kind]]
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
