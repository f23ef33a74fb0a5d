"""Transient AWS errors answer 429 problem+json with `Retry-After`, never 5xx, and a retry gets through.

Through the API handlers against the moto server, with tests/faults.py's injector turning the product's own
AWS calls into the errors AWS answers under load: a `TransactionCanceledException` whose reasons are
`TransactionConflict` (two orders of one client both update its profile), and throttling past the SDK's
retries (DynamoDB `ProvisionedThroughputExceededException` / `ThrottlingException`, SQS `RequestThrottled`).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import pytest
from botocore.client import BaseClient

from datamodel import clients, keys, orders
from datamodel import transaction as transaction_module
from datamodel.entities import OrderRequest
from handlers.clients import lambda_handler as clients_handler
from handlers.idempotency import caller_key
from handlers.orders import lambda_handler as orders_handler
from tests.events import ADMIN_SUBJECT, LambdaContext, api_event
from tests.faults import Call, Fault, FaultInjector, Injection, Rule, error

WIDGET = {"sku": "W-1", "description": "Blue widget", "quantity": 3, "unitPrice": 1250}
CANCELLED = "TransactionCanceledException"
CONFLICT = "TransactionConflict"


class ConflictInjector(FaultInjector):
    """`error(CANCELLED)` on a TransactWriteItems is cancelled as DynamoDB cancels a transaction that met
    another one: one reason per item sent, `TransactionConflict` on its updates (the client's profile, which
    every order of the client counts itself on), `None` on the rest."""

    def _inject(self, client: BaseClient, call: Call, fault: Fault, context: dict[str, Any]) -> None:
        if fault.kind != "error" or fault.code != CANCELLED:
            return super()._inject(client, call, fault, context)
        with self._lock:
            self.injected.append(Injection(call, fault))
        items = context.get(f"{self._tag}-params", {}).get("TransactItems", [])
        reasons = [{"Code": CONFLICT if "Update" in item else "None"} for item in items]
        response = {
            "Error": {"Code": CANCELLED, "Message": f"Transaction cancelled [{', '.join(r['Code'] for r in reasons)}]"},
            "CancellationReasons": reasons,
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        raise client.exceptions.TransactionCanceledException(response, call.operation)


@pytest.fixture
def faults():
    with ConflictInjector(seed=9) as injector:
        yield injector


def call(handler, method, path, **kwargs):
    response = handler(api_event(method, path, **kwargs), LambdaContext())
    headers = {k.lower(): v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    body = json.loads(response["body"]) if response.get("body") else None
    return int(response["statusCode"]), headers, body


def new_client() -> str:
    payload = {"name": "Busy Buyer Ltd", "email": f"busy-{uuid.uuid4().hex[:10]}@example.com"}
    status, _, body = call(clients_handler, "POST", "/clients", body=payload)
    assert status == 201
    return body["clientId"]


def place(client_id: str, key: str):
    return call(
        orders_handler,
        "POST",
        f"/clients/{client_id}/orders",
        body={"items": [WIDGET]},
        headers={"Idempotency-Key": key},
    )


def order_ids(client_id: str) -> list[str]:
    return [order.order_id for order in orders.page(client_id, 100).items]


def assert_busy(response) -> None:
    """429 problem+json that says when to retry, as API Gateway's own throttling answers."""
    status, headers, body = response
    assert status == 429, body
    assert headers["content-type"] == "application/problem+json"
    assert body["status"] == 429 and body["title"] == "Too Many Requests" and body["detail"]
    assert 1 <= int(headers["retry-after"]) <= 60


def transactions_sent(injector: FaultInjector) -> int:
    return sum(1 for c in injector.calls if (c.service, c.operation) == ("dynamodb", "TransactWriteItems"))


# ---- contention: concurrent transactions on the same client ----


def test_an_order_whose_transaction_conflicts_once_is_still_placed_once(faults, orders_queue):
    # GIVEN a client, and its order's transaction cancelled once for a concurrent one on the profile
    client_id = new_client()
    with faults.armed(Rule(error(CANCELLED), "dynamodb", "TransactWriteItems", at=1)):
        # WHEN the order is placed
        status, _, order = place(client_id, f"key-{uuid.uuid4().hex}")
        sent = transactions_sent(faults)

    # THEN the data layer sent the transaction again: one order, accepted, counted and enqueued once
    assert [str(i.fault) for i in faults.injected] == [f"{CANCELLED} before"]
    assert status == 202 and sent == 2
    assert order_ids(client_id) == [order["orderId"]]
    assert clients.open_orders(client_id) == 1
    assert orders_queue() == [order["orderId"]]


def test_an_order_that_conflicts_on_every_attempt_is_429_writes_nothing_and_its_retry_is_placed(faults, orders_queue):
    # GIVEN a client whose profile another writer keeps updating
    client_id, key = new_client(), f"key-{uuid.uuid4().hex}"
    with faults.armed(Rule(error(CANCELLED), "dynamodb", "TransactWriteItems")):
        # WHEN an order is placed with an Idempotency-Key
        busy = place(client_id, key)
        sent = transactions_sent(faults)

    # THEN 429 after the bounded attempts, and nothing was written or enqueued
    assert_busy(busy)
    assert sent == transaction_module.ATTEMPTS
    assert order_ids(client_id) == [] and orders_queue() == []
    assert clients.open_orders(client_id) == 0
    with pytest.raises(OrderRequest.DoesNotExist):
        OrderRequest.get(keys.client_pk(client_id), keys.order_request_sk(caller_key(key, ADMIN_SUBJECT)))

    # WHEN the caller retries with the same key once the contention passed
    status, _, order = place(client_id, key)

    # THEN the 429 was not kept as the key's answer: the order is placed, once
    assert status == 202
    assert order_ids(client_id) == [order["orderId"]] and orders_queue() == [order["orderId"]]
    assert clients.open_orders(client_id) == 1


# ---- throttling past the SDK's retries ----


@pytest.mark.parametrize(
    ("code", "operation", "request_of"),
    [
        ("ProvisionedThroughputExceededException", "GetItem", lambda cid: (clients_handler, f"/clients/{cid}")),
        ("ThrottlingException", "Query", lambda cid: (orders_handler, f"/clients/{cid}/orders")),
    ],
    ids=["get-client", "list-orders"],
)
def test_a_throttled_read_is_429_and_logged_as_a_warning_without_personal_data(
    faults, caplog, code, operation, request_of
):
    # GIVEN a client, and DynamoDB throttling the read past the SDK's retries
    client_id = new_client()
    email = clients.get(client_id).email
    handler, path = request_of(client_id)
    caplog.clear()
    with faults.armed(Rule(error(code), "dynamodb", operation)):
        # WHEN the caller reads
        busy = call(handler, "GET", path)

    # THEN 429 problem+json with Retry-After, logged once as a warning naming the AWS code only
    assert_busy(busy)
    assert faults.injected, "the read never reached DynamoDB"
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert [getattr(record, "cause", None) for record in warnings] == [code]
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    logged = " ".join(f"{record.getMessage()} {vars(record)}" for record in caplog.records)
    assert email not in logged and "Busy Buyer" not in logged

    # AND once DynamoDB keeps up again, the same read succeeds
    assert call(handler, "GET", path)[0] == 200


def test_a_throttled_enqueue_after_the_order_was_written_is_429_and_the_keyed_retry_enqueues_that_order(
    faults, orders_queue
):
    # GIVEN SQS throttling the enqueue, after the order's transaction committed
    client_id, key = new_client(), f"key-{uuid.uuid4().hex}"
    with faults.armed(Rule(error("RequestThrottled"), "sqs", "SendMessage")):
        # WHEN an order is placed with an Idempotency-Key
        busy = place(client_id, key)

    # THEN 429; the order is durable and PENDING (the stuck-order sweep would re-drive it), not enqueued
    assert_busy(busy)
    [order_id] = order_ids(client_id)
    assert orders.get(client_id, order_id).status == orders.PENDING
    assert orders_queue() == []

    # WHEN the caller retries with the same key
    status, _, order = place(client_id, key)

    # THEN the same order is answered and enqueued, and nothing was placed twice (handlers/routes/orders.py)
    assert status == 202 and order["orderId"] == order_id
    assert order_ids(client_id) == [order_id] and orders_queue() == [order_id]
    assert clients.open_orders(client_id) == 1


def test_a_failed_enqueue_of_a_keyless_order_is_still_202_and_leaves_the_order_to_the_sweep(faults, orders_queue):
    # GIVEN SQS throttling the enqueue, after the order's transaction committed
    client_id = new_client()
    with faults.armed(Rule(error("RequestThrottled"), "sqs", "SendMessage")):
        # WHEN an order is placed without an Idempotency-Key (a retry would place a second order)
        status, _, order = call(orders_handler, "POST", f"/clients/{client_id}/orders", body={"items": [WIDGET]})

    # THEN it is accepted: one durable PENDING order, in the open-orders index the stuck-order sweep reads
    assert status == 202 and order["status"] == "PENDING"
    assert order_ids(client_id) == [order["orderId"]]
    assert orders_queue() == []
    assert orders.get(client_id, order["orderId"]).gsi2pk is not None  # in the sparse open-orders index
