"""Transaction.commit re-sends a transaction cancelled only by `TransactionConflict`, a bounded number of
times, then raises ContentionError; any other cancellation is answered at once. No I/O: the write is
replaced by one that fails as DynamoDB would."""

from __future__ import annotations

import pytest
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from datamodel import transaction as transaction_module
from datamodel.errors import ContentionError, InvoiceNumberContentionError
from datamodel.transaction import ConditionsFailedError, Transaction


def cancelled(*codes: str | None) -> TransactWriteError:
    """A TransactionCanceledException as PynamoDB raises it: one reason per item, in the order sent."""
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"}},
        "TransactWriteItems",
        cancellation_reasons=[CancellationReason(code=code) if code else None for code in codes],
    )
    return TransactWriteError("Failed to write transaction items", cause)


def throttled() -> TransactWriteError:
    cause = VerboseClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "TransactWriteItems")
    return TransactWriteError("Failed to write transaction items", cause)


class ScriptedWrite:
    """Stands for PynamoDB's TransactWrite: each `_commit` raises the next scripted error, or succeeds."""

    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.sent = 0

    def _commit(self) -> None:
        self.sent += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome


@pytest.fixture
def pauses(monkeypatch) -> list[int]:
    """The backoff pauses taken (their attempt numbers), without sleeping."""
    taken: list[int] = []
    monkeypatch.setattr(transaction_module, "_pause", taken.append)
    return taken


def order_transaction(*outcomes: Exception | None) -> tuple[Transaction, ScriptedWrite]:
    """A transaction with the order placement's shape: put "order", update "client" (sent in that order)."""
    transaction = Transaction()
    transaction._names["put"].append("order")
    transaction._names["update"].append("client")
    write = ScriptedWrite(*outcomes)
    transaction._write = write
    return transaction, write


def test_a_transaction_that_conflicted_once_is_sent_again_and_commits(pauses):
    transaction, write = order_transaction(cancelled(None, "TransactionConflict"))

    transaction.commit()

    assert write.sent == 2 and pauses == [0]


def test_a_transaction_that_keeps_conflicting_stops_after_its_bound_with_a_contention_error(pauses):
    conflicts = [cancelled(None, "TransactionConflict") for _ in range(transaction_module.ATTEMPTS + 5)]
    transaction, write = order_transaction(*conflicts)

    with pytest.raises(ContentionError) as raised:
        transaction.commit()

    assert write.sent == transaction_module.ATTEMPTS
    assert pauses == list(range(transaction_module.ATTEMPTS - 1))  # a pause between sends, none after the last
    assert "client" in str(raised.value) and "order" not in str(raised.value)  # the item that conflicted
    assert isinstance(raised.value.__cause__, TransactWriteError)


def test_a_failed_condition_is_answered_at_once_even_beside_a_conflict(pauses):
    transaction, write = order_transaction(cancelled("ConditionalCheckFailed", "TransactionConflict"))

    with pytest.raises(ConditionsFailedError) as raised:
        transaction.commit()

    assert raised.value.names == {"order"} and write.sent == 1 and pauses == []


@pytest.mark.parametrize(
    "error",
    [throttled(), cancelled(None, "ThrottlingError"), cancelled("ValidationError", None)],
    ids=["throttled", "throttling-reason", "validation-reason"],
)
def test_a_cancellation_that_is_not_only_conflicts_is_raised_as_pynamodb_raised_it(pauses, error):
    transaction, write = order_transaction(error)

    with pytest.raises(TransactWriteError) as raised:
        transaction.commit()

    assert raised.value is error and write.sent == 1 and pauses == []


def test_the_backoff_pause_is_short_and_grows_with_the_attempt(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(transaction_module.time, "sleep", slept.append)
    monkeypatch.setattr(transaction_module.random, "uniform", lambda low, high: high)  # the longest draw

    for attempt in range(transaction_module.ATTEMPTS - 1):
        transaction_module._pause(attempt)

    assert slept == sorted(slept) and slept[0] < slept[-1]
    assert sum(slept) < 0.5  # a request waits well under a second in all before its 429


def test_the_invoice_counter_race_is_a_contention_error_too():
    # the API and the workers treat both as "retry a little later"
    assert issubclass(InvoiceNumberContentionError, ContentionError)
