"""handlers/problems.py: which errors mean "retry in a moment" (429 with Retry-After), found anywhere in the
chain the data layer, botocore or Powertools raise them in; everything else is not transient."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyPersistenceLayerError
from botocore.exceptions import ClientError
from pynamodb.exceptions import CancellationReason, GetError, TransactWriteError, VerboseClientError

from datamodel.errors import ContentionError, InvoiceNumberContentionError
from handlers import problems


def client_error(code: str, operation: str = "GetItem") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}}, operation)


def pynamodb_get_error(code: str) -> GetError:
    return GetError("Failed to get item", VerboseClientError({"Error": {"Code": code, "Message": "m"}}, "GetItem"))


def cancelled(*codes: str | None) -> TransactWriteError:
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "m"}},
        "TransactWriteItems",
        cancellation_reasons=[CancellationReason(code=code) if code else None for code in codes],
    )
    return TransactWriteError("Failed to write transaction items", cause)


def powertools_store_error(cause: Exception) -> IdempotencyPersistenceLayerError:
    try:
        raise IdempotencyPersistenceLayerError(
            "Failed to save in progress record to idempotency store", cause
        ) from cause
    except IdempotencyPersistenceLayerError as error:
        return error


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (pynamodb_get_error("ProvisionedThroughputExceededException"), "ProvisionedThroughputExceededException"),
        (pynamodb_get_error("ThrottlingException"), "ThrottlingException"),
        (client_error("RequestThrottled", "SendMessage"), "RequestThrottled"),
        (client_error("ThrottlingException", "SendMessage"), "ThrottlingException"),
        (client_error("RequestLimitExceeded", "Query"), "RequestLimitExceeded"),
        (client_error("SlowDown", "PutObject"), "SlowDown"),
        (cancelled(None, "ThrottlingError"), "ThrottlingError"),
        (cancelled("ProvisionedThroughputExceeded"), "ProvisionedThroughputExceeded"),
        (powertools_store_error(client_error("ThrottlingException", "PutItem")), "ThrottlingException"),
        (ContentionError("client"), "ContentionError"),
        (InvoiceNumberContentionError("order"), "InvoiceNumberContentionError"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else value,
)
def test_throttling_and_contention_are_transient_wherever_they_sit_in_the_chain(error, cause):
    assert problems.transient_cause(error) == cause


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        pynamodb_get_error("ResourceNotFoundException"),
        client_error("InternalError", "SendMessage"),
        client_error("AccessDenied", "PutObject"),
        cancelled("ConditionalCheckFailed", None),
        cancelled(None, "ValidationError"),
        powertools_store_error(client_error("ValidationException", "PutItem")),
    ],
    ids=["bug", "missing-table", "server-error", "access-denied", "condition", "validation", "store-validation"],
)
def test_other_errors_are_not_transient(error):
    assert problems.transient_cause(error) is None


def test_a_cycle_in_the_chain_ends_the_search():
    first, second = ValueError("first"), ValueError("second")
    first.__cause__, second.__cause__ = second, first

    assert problems.transient_cause(first) is None


def test_the_429_is_a_problem_with_a_small_retry_after():
    response = problems.too_many_requests()
    body = json.loads(response.body)

    assert response.status_code == 429 and response.content_type == problems.PROBLEM_JSON
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert body["status"] == 429 and body["title"] == "Too Many Requests" and body["detail"]
    assert body["type"] == "urn:shop:problem:service-busy"
