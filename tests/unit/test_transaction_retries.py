"""Transaction.commit re-sends a transaction cancelled only by `TransactionConflict`, a bounded number of
times, then raises ContentionError; any other cancellation is answered at once. No I/O: DynamoDB behind
PynamoDB's public `Connection.transact_write_items` (what a `TransactWrite` block commits through) is replaced,
on the shared connection, by one that answers as DynamoDB would."""

from __future__ import annotations

import pytest
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from datamodel import base, keys
from datamodel import transaction as transaction_module
from datamodel.entities import ClientRecord, EmailGuard, OrderRequest
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


class ScriptedDynamo:
    """Stands for `Connection.transact_write_items`: each request raises the next scripted error, or succeeds.
    Keeps every request it was sent."""

    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.requests: list[dict] = []

    @property
    def sent(self) -> int:
        return len(self.requests)

    def __call__(self, **request) -> dict:
        self.requests.append(request)
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return {}


@pytest.fixture
def pauses(monkeypatch) -> list[int]:
    """The backoff pauses taken (their attempt numbers), without sleeping."""
    taken: list[int] = []
    monkeypatch.setattr(transaction_module, "_pause", taken.append)
    return taken


@pytest.fixture
def dynamo(monkeypatch):
    """Scripts the shared connection's TransactWriteItems: `dynamo(*outcomes)` answers the scripted DynamoDB."""

    def script(*outcomes: Exception | None) -> ScriptedDynamo:
        scripted = ScriptedDynamo(*outcomes)
        monkeypatch.setattr(base.connection, "transact_write_items", scripted)
        return scripted

    return script


def client_update() -> tuple:
    return (
        ClientRecord(keys.client_pk("C1"), keys.PROFILE),
        [ClientRecord.version.add(1)],
        ClientRecord.pk.exists(),
    )


def order_request() -> OrderRequest:
    return OrderRequest(
        keys.client_pk("C1"), keys.order_request_sk("K1"), order_id="O1", payload_hash="h", expiration=1
    )


def order_transaction() -> Transaction:
    """A transaction with the order placement's shape: put "order", update "client" (sent in that order), the
    update added first."""
    transaction = Transaction()
    transaction.update("client", *client_update())
    transaction.put("order", order_request(), condition=OrderRequest.pk.does_not_exist())
    return transaction


def test_a_transaction_is_sent_once_on_the_shared_connection_with_its_writes_in_dynamodbs_order(dynamo, pauses):
    scripted = dynamo()
    transaction = Transaction()
    transaction.update("client", *client_update())
    transaction.put("request", order_request())
    transaction.delete("guard", EmailGuard(keys.email_pk("a@b.example"), keys.EMAIL_SK))

    transaction.commit()

    [request] = scripted.requests
    assert [item["Key"]["PK"]["S"] for item in request["delete_items"]] == [keys.email_pk("a@b.example")]
    assert [item["Item"]["PK"]["S"] for item in request["put_items"]] == [keys.client_pk("C1")]
    assert [item["Key"]["SK"]["S"] for item in request["update_items"]] == [keys.PROFILE]
    assert request["condition_check_items"] == []
    # PynamoDB sends deletes, then puts, then updates: the names follow that, not the order added
    assert transaction.sent_names() == ["guard", "request", "client"]
    assert pauses == []


def test_a_failed_condition_is_named_by_the_item_dynamodb_received_at_its_place(dynamo, pauses):
    dynamo(cancelled("ConditionalCheckFailed", None, None))
    transaction = Transaction()
    transaction.update("client", *client_update())
    transaction.put("request", order_request())
    transaction.delete("guard", EmailGuard(keys.email_pk("a@b.example"), keys.EMAIL_SK))

    with pytest.raises(ConditionsFailedError) as raised:
        transaction.commit()

    assert raised.value.names == {"guard"}


def test_a_transaction_that_conflicted_once_is_sent_again_and_commits(dynamo, pauses):
    write = dynamo(cancelled(None, "TransactionConflict"))

    order_transaction().commit()

    assert write.sent == 2 and pauses == [0]
    first, again = write.requests
    assert again == first  # the very same writes, built afresh for the new attempt


def test_a_transaction_that_keeps_conflicting_stops_after_its_bound_with_a_contention_error(dynamo, pauses):
    write = dynamo(*[cancelled(None, "TransactionConflict") for _ in range(transaction_module.ATTEMPTS + 5)])

    with pytest.raises(ContentionError) as raised:
        order_transaction().commit()

    assert write.sent == transaction_module.ATTEMPTS
    assert pauses == list(range(transaction_module.ATTEMPTS - 1))  # a pause between sends, none after the last
    assert "client" in str(raised.value) and "order" not in str(raised.value)  # the item that conflicted
    assert isinstance(raised.value.__cause__, TransactWriteError)


def test_a_failed_condition_is_answered_at_once_even_beside_a_conflict(dynamo, pauses):
    write = dynamo(cancelled("ConditionalCheckFailed", "TransactionConflict"))

    with pytest.raises(ConditionsFailedError) as raised:
        order_transaction().commit()

    assert raised.value.names == {"order"} and write.sent == 1 and pauses == []


@pytest.mark.parametrize(
    "error",
    [throttled(), cancelled(None, "ThrottlingError"), cancelled("ValidationError", None)],
    ids=["throttled", "throttling-reason", "validation-reason"],
)
def test_a_cancellation_that_is_not_only_conflicts_is_raised_as_pynamodb_raised_it(dynamo, pauses, error):
    write = dynamo(error)

    with pytest.raises(TransactWriteError) as raised:
        order_transaction().commit()

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
