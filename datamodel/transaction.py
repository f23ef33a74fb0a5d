"""A TransactWrite whose operations carry names, so a cancellation says which condition failed.

PynamoDB sends condition checks, then deletes, puts and updates, whatever order they were added in;
DynamoDB's cancellation reasons follow the order sent. This keeps the two lined up.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from datamodel.base import connection

# (PynamoDB sends condition checks first; no access pattern uses one, and IAM grants none.)
_SENT_ORDER = ("delete", "put", "update")


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
        try:
            self._write._commit()
        except TransactWriteError as error:
            sent = [name for kind in _SENT_ORDER for name in self._names[kind]]
            reasons = error.cancellation_reasons or []
            failed = {
                name
                for name, reason in zip(sent, reasons)
                if reason is not None and reason.code == "ConditionalCheckFailed"
            }
            if not failed:
                raise
            raise ConditionsFailedError(failed) from error
