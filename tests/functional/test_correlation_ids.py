"""Observability (issue 6, item 4): one correlation id from the API request through both queues to the
invoice, EMF metrics, Powertools state kept per function in the local runtime, and tracing that costs no
aws_xray_sdk import where it is off.

Functions are invoked as Lambda would, with real SQS events received from the template's queues on the
moto server. Their JSON log lines are read from the Powertools handler's stream, their EMF lines from
stdout (Powertools prints them).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import boto3
import pytest

from datamodel import invoices, orders
from domain import config, messages
from domain.clock import utc_now
from handlers import orders as orders_function
from handlers.clients import lambda_handler as clients_handler
from shoplocal.lambdas import FunctionRunner
from shoplocal.template import Function
from tests.events import LambdaContext, api_event
from tests.sqs_events import delete, queue_arn, receive, sqs_event
from workers import approval, paid_order
from workers.redrive import Queues, redrive_stuck_orders

ROOT = Path(__file__).resolve().parents[2]
WIDGET = {"sku": "W-1", "description": "Blue widget", "quantity": 2, "unitPrice": 1250}
sqs = boto3.client("sqs")
s3 = boto3.client("s3")


# ---- capture ----


@pytest.fixture
def json_logs() -> Iterator[callable]:
    """The functions' Powertools JSON log lines written while the test runs; call it for the parsed lines."""
    handler = orders_function.logger.registered_handler  # every function's logger (service `shop`) shares it
    stream, saved = io.StringIO(), handler.stream
    handler.setStream(stream)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]

    try:
        yield lines
    finally:
        handler.setStream(saved)


def emf_lines(text: str) -> list[dict]:
    """The EMF documents among printed lines."""
    found = []
    for line in text.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            found.append(json.loads(line))
    return found


def metric_values(documents: list[dict], name: str) -> list[float]:
    """Every value of the metric `name` across EMF documents (a document may hold one value or a list)."""
    values: list[float] = []
    for document in documents:
        declared = {m["Name"] for d in document["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
        if name in declared:
            value = document[name]
            values += value if isinstance(value, list) else [value]
    return values


# ---- the pipeline, one function at a time ----


def new_client(credit_limit: int = 1_000_000) -> str:
    payload = {"name": "Acme", "email": f"c-{uuid.uuid4().hex[:10]}@example.com", "creditLimit": credit_limit}
    response = clients_handler(api_event("POST", "/clients", body=payload), LambdaContext("ClientsFunction"))
    assert response["statusCode"] == 201
    return json.loads(response["body"])["clientId"]


def place_order(client_id: str, headers: dict[str, str] | None = None) -> dict:
    event = api_event("POST", f"/clients/{client_id}/orders", body={"items": [WIDGET]}, headers=headers)
    return orders_function.lambda_handler(event, LambdaContext("OrdersFunction"))


def order_id_of(response: dict) -> str:
    assert response["statusCode"] == 202, response
    return json.loads(response["body"])["orderId"]


def received_for(queue_url: str, order_id: str) -> list[dict]:
    return receive(sqs, queue_url, lambda m: json.loads(m["Body"]).get("orderId") == order_id, 1)


def run_worker(handler, function_name: str, queue_url: str, received: list[dict]) -> dict:
    """One invocation on these messages; the processed ones are deleted, as the event source mapping does."""
    response = handler(sqs_event(received, queue_arn(sqs, queue_url)), LambdaContext(function_name))
    delete(sqs, queue_url, received)
    return response


def correlation_attribute(message: dict) -> str | None:
    return message.get("MessageAttributes", {}).get("correlationId", {}).get("StringValue")


def test_one_correlation_id_follows_an_order_from_the_request_to_the_invoice(stack, json_logs):
    orders_url, paid_url = stack.physical_ids["OrdersQueue"], stack.physical_ids["PaidOrdersQueue"]
    correlation_id = f"test-{uuid.uuid4()}"

    # GIVEN an order placed with the caller's own X-Correlation-Id
    response = place_order(new_client(), {"X-Correlation-Id": correlation_id})
    order_id = order_id_of(response)
    assert response["multiValueHeaders"]["X-Correlation-Id"] == [correlation_id]

    # WHEN the approval worker and then the paid-order worker process its messages
    to_approve = received_for(orders_url, order_id)
    assert run_worker(approval.lambda_handler, "ApprovalFunction", orders_url, to_approve)["batchItemFailures"] == []
    to_invoice = received_for(paid_url, order_id)
    assert run_worker(paid_order.lambda_handler, "PaidOrderFunction", paid_url, to_invoice)["batchItemFailures"] == []

    # THEN both messages carried it as their correlationId attribute (a String)
    for message in (*to_approve, *to_invoice):
        assert message["MessageAttributes"]["correlationId"] == {"StringValue": correlation_id, "DataType": "String"}
    # and every line the three functions wrote about the order names it
    lines = [line for line in json_logs() if line.get("orderId") == order_id]
    assert {line["function_name"] for line in lines} == {"OrdersFunction", "ApprovalFunction", "PaidOrderFunction"}
    assert {line.get("correlation_id") for line in lines} == {correlation_id}
    # and the invoice PDF keeps it as object metadata
    invoice_key = f"invoices/{json.loads(response['body'])['clientId']}/{order_id}.pdf"
    metadata = s3.head_object(Bucket=config.BUCKET_NAME, Key=invoice_key)["Metadata"]
    assert metadata == {"correlation-id": correlation_id}


def test_without_a_valid_header_the_api_gateway_request_id_is_the_correlation_id(stack, json_logs):
    client_id = new_client()
    for header in ({}, {"X-Correlation-Id": "no spaces or quotes allowed'"}, {"X-Correlation-Id": "x" * 129}):
        # GIVEN a request with no X-Correlation-Id, or one that is not well formed
        event = api_event("POST", f"/clients/{client_id}/orders", body={"items": [WIDGET]}, headers=header)
        request_id = event["requestContext"]["requestId"]

        # WHEN it is placed
        response = orders_function.lambda_handler(event, LambdaContext("OrdersFunction"))

        # THEN API Gateway's request id is its correlation id, in the response and on the queue message
        order_id = order_id_of(response)
        assert response["multiValueHeaders"]["X-Correlation-Id"] == [request_id]
        message = received_for(stack.physical_ids["OrdersQueue"], order_id)
        assert correlation_attribute(message[0]) == request_id
        delete(sqs, stack.physical_ids["OrdersQueue"], message)
    assert all("no spaces" not in json.dumps(line) for line in json_logs())  # an ignored value is not logged


def test_an_error_response_carries_the_correlation_id_too():
    event = api_event("POST", "/clients/not-a-ulid/orders", body={"items": [WIDGET]})

    response = orders_function.lambda_handler(event, LambdaContext("OrdersFunction"))

    assert response["statusCode"] == 400
    assert response["multiValueHeaders"]["X-Correlation-Id"] == [event["requestContext"]["requestId"]]


def test_a_worker_labels_each_record_with_its_own_correlation_id(stack, json_logs):
    # GIVEN two orders with different correlation ids, and one message without any, in one batch
    orders_url = stack.physical_ids["OrdersQueue"]
    client_id = new_client()
    first, second, bare = (order_id_of(place_order(client_id)) for _ in range(3))
    ids = {first: "first-correlation", second: "second-correlation"}
    received = []
    for order_id in (first, second, bare):
        delete(sqs, orders_url, received_for(orders_url, order_id))  # re-sent below with chosen attributes
        sqs.send_message(
            QueueUrl=orders_url,
            MessageBody=messages.body(client_id, order_id),
            MessageAttributes=messages.attributes(ids.get(order_id)),
        )
        received += received_for(orders_url, order_id)

    # WHEN one invocation processes them
    run_worker(approval.lambda_handler, "ApprovalFunction", orders_url, received)

    # THEN each record's lines carry its own id, and the record without one carries none
    lines = [line for line in json_logs() if line["function_name"] == "ApprovalFunction"]
    for order_id in (first, second, bare):
        found = {line.get("correlation_id") for line in lines if line.get("orderId") == order_id}
        assert found == {ids.get(order_id)}
    # and each forwards its own to the paid-orders queue
    paid_url = stack.physical_ids["PaidOrdersQueue"]
    for order_id in (first, second, bare):
        paid = received_for(paid_url, order_id)
        assert correlation_attribute(paid[0]) == ids.get(order_id)
        delete(sqs, paid_url, paid)


def test_a_redrive_sweep_sends_its_own_fresh_correlation_id(json_logs):
    # GIVEN an order left PENDING without its message
    order_id = order_id_of(place_order(new_client()))
    name = uuid.uuid4().hex[:12]
    queues = Queues(
        orders=sqs.create_queue(QueueName=f"orders-{name}")["QueueUrl"],
        paid_orders=sqs.create_queue(QueueName=f"paid-{name}")["QueueUrl"],
    )
    try:
        # WHEN two sweeps re-send it
        later = utc_now() + timedelta(minutes=10)
        sent = []
        for _ in range(2):
            redrive_stuck_orders(300, sqs=sqs, queues=queues, now=later)
            sent.append(received_for(queues.orders, order_id)[0])
            delete(sqs, queues.orders, sent[-1:])

        # THEN each carries a correlation id of its own sweep, not the order's original request's
        ids = [correlation_attribute(message) for message in sent]
        assert all(messages.valid_correlation_id(i) for i in ids) and ids[0] != ids[1]
        original = {line["correlation_id"] for line in json_logs() if line.get("orderId") == order_id}
        assert original and not original & set(ids)
        assert orders.get(json.loads(sent[0]["Body"])["clientId"], order_id).status == orders.PENDING
    finally:
        sqs.delete_queue(QueueUrl=queues.orders)
        sqs.delete_queue(QueueUrl=queues.paid_orders)


# ---- metrics ----


def test_a_new_order_counts_one_accepted_and_its_replay_none(capsys):
    client_id = new_client()
    key = {"Idempotency-Key": f"metrics-{uuid.uuid4().hex}"}
    capsys.readouterr()

    order_id_of(place_order(client_id, key))
    first = emf_lines(capsys.readouterr().out)
    order_id_of(place_order(client_id, key))  # the same request again: replayed
    replay = emf_lines(capsys.readouterr().out)

    assert metric_values(first, "OrdersAccepted") == [1.0]
    assert metric_values(replay, "OrdersAccepted") == []
    assert first[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == os.environ["POWERTOOLS_METRICS_NAMESPACE"]
    assert first[0]["service"] == os.environ["POWERTOOLS_SERVICE_NAME"]


def test_the_workers_count_approved_rejected_and_invoiced_orders(stack, capsys):
    orders_url, paid_url = stack.physical_ids["OrdersQueue"], stack.physical_ids["PaidOrdersQueue"]
    # GIVEN one order within its client's limit and one over it
    within = order_id_of(place_order(new_client()))
    over = order_id_of(place_order(new_client(credit_limit=100)))
    batch = received_for(orders_url, within) + received_for(orders_url, over)
    capsys.readouterr()

    # WHEN the approval worker decides both, and the paid-order worker invoices the approved one
    run_worker(approval.lambda_handler, "ApprovalFunction", orders_url, batch)
    decided = emf_lines(capsys.readouterr().out)
    run_worker(paid_order.lambda_handler, "PaidOrderFunction", paid_url, received_for(paid_url, within))
    invoiced = emf_lines(capsys.readouterr().out)
    # and a duplicate delivery of both orders' messages finds them decided already
    for message in batch:
        sqs.send_message(QueueUrl=orders_url, MessageBody=message["Body"])
    duplicates = received_for(orders_url, within) + received_for(orders_url, over)
    run_worker(approval.lambda_handler, "ApprovalFunction", orders_url, duplicates)
    replayed = emf_lines(capsys.readouterr().out)

    # THEN each decision and the invoice are counted once, and the duplicates count nothing
    assert metric_values(decided, "OrdersApproved") == [1.0]
    assert metric_values(decided, "OrdersRejected") == [1.0]
    assert metric_values(decided, "WorkerFailures") == []
    assert metric_values(invoiced, "OrdersInvoiced") == [1.0]
    assert metric_values(replayed, "OrdersApproved") == metric_values(replayed, "OrdersRejected") == []


def test_a_paid_delivery_that_loses_the_race_to_invoice_counts_nothing(stack, capsys, monkeypatch):
    orders_url, paid_url = stack.physical_ids["OrdersQueue"], stack.physical_ids["PaidOrdersQueue"]
    # GIVEN an approved order, read as APPROVED by a delivery that then lost the race to another one
    client_id = new_client()
    order_id = order_id_of(place_order(client_id))
    run_worker(approval.lambda_handler, "ApprovalFunction", orders_url, received_for(orders_url, order_id))
    stale = orders.get(client_id, order_id)
    paid = received_for(paid_url, order_id)
    sqs.send_message(QueueUrl=paid_url, MessageBody=paid[0]["Body"])
    run_worker(paid_order.lambda_handler, "PaidOrderFunction", paid_url, paid)
    capsys.readouterr()

    # WHEN the losing delivery goes on from its stale read
    reads = iter([stale])  # the worker's first read is the stale one; the data layer's own reads are current
    current = orders.get
    monkeypatch.setattr(orders, "get", lambda *key: next(reads, None) or current(*key))
    run_worker(paid_order.lambda_handler, "PaidOrderFunction", paid_url, received_for(paid_url, order_id))

    # THEN it finds the invoice the winner issued and counts no second one
    assert stale.status == orders.APPROVED
    assert metric_values(emf_lines(capsys.readouterr().out), "OrdersInvoiced") == []
    assert [i.order_id for i in invoices.page(client_id, 10).items] == [order_id]


@pytest.mark.parametrize(
    ("handler", "function_name", "worker"),
    [
        (approval.lambda_handler, "ApprovalFunction", "approval"),
        (paid_order.lambda_handler, "PaidOrderFunction", "paid-order"),
    ],
)
def test_records_reported_failed_are_counted_per_worker(handler, function_name, worker, capsys):
    # GIVEN a batch of one good order reference to an unknown order and one body that is no reference at all
    queue_url = sqs.create_queue(QueueName=f"failures-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    try:
        unknown = messages.body("01ARZ3NDEKTSV4RRFFQ69G5FAV", "01ARZ3NDEKTSV4RRFFQ69G5FAW")
        ids = [sqs.send_message(QueueUrl=queue_url, MessageBody=body)["MessageId"] for body in (unknown, "not json")]
        received = receive(sqs, queue_url, lambda m: m["MessageId"] in ids, 2)
        capsys.readouterr()

        # WHEN the worker processes it: every record fails, so the invocation fails too
        with pytest.raises(Exception, match="All records failed"):
            handler(sqs_event(received, queue_arn(sqs, queue_url)), LambdaContext(function_name))

        # THEN both are counted, under the worker's name
        documents = [d for d in emf_lines(capsys.readouterr().out) if "WorkerFailures" in d]
        assert metric_values(documents, "WorkerFailures") == [2.0]
        assert documents[0]["worker"] == worker
        assert [set(d) for d in documents[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"]] == [{"service", "worker"}]
    finally:
        sqs.delete_queue(QueueUrl=queue_url)


# ---- the local runtime: Powertools state per function ----


def run_concurrently(handler: str, events: dict[str, dict], meeting: Path) -> None:
    """Invoke one function per event, all at once, through the local runtime (a process per function); the
    handlers wait for each other in `meeting`."""
    module = "tests.functional.powertools_lambda"
    functions = {name: Function(name, f"{module}.{handler}", {}, 30) for name in events}
    errors = []
    with FunctionRunner(functions, {}) as runner:

        def invoke(name: str) -> None:
            try:
                runner.invoke(name, events[name] | {"meeting": str(meeting), "parties": len(events)})
            except Exception as error:  # reported below: an assertion in a thread would be lost
                errors.append(error)

        threads = [threading.Thread(target=invoke, args=(name,)) for name in events]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert not errors, errors


def test_log_keys_do_not_leak_between_functions_running_at_once(capfd, tmp_path):
    # WHEN two functions, on their first invocation, log through the same logger after both set their keys
    a, b = (f"Function{name}{uuid.uuid4().hex[:8]}" for name in "AB")
    run_concurrently(
        "keyed_handler",
        {
            a: {"owner": "a", "correlationId": "correlation-a"},
            b: {"owner": "b", "correlationId": "correlation-b"},
        },
        tmp_path,
    )

    # THEN each line carries its own function's keys only, and each function had its own cold start
    printed = [json.loads(line) for line in capfd.readouterr().out.splitlines() if line.startswith("{")]
    lines = [line for line in printed if line.get("message") == "logged after both functions set their keys"]
    seen = {(line["function_name"], line["owner"], line["correlation_id"], line["cold_start"]) for line in lines}
    assert seen == {(a, "a", "correlation-a", True), (b, "b", "correlation-b", True)}


def test_metrics_do_not_leak_between_functions_running_at_once(capfd, tmp_path):
    # WHEN two functions each add a metric, both before either flushes
    events = {"FunctionA": {"metric": "CountedByA"}, "FunctionB": {"metric": "CountedByB"}}
    run_concurrently("counting_handler", events, tmp_path)

    # THEN each flush holds its own function's metric only
    documents = emf_lines(capfd.readouterr().out)
    flushed = sorted(sorted(m["Name"] for m in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]) for d in documents)
    assert flushed == [["CountedByA"], ["CountedByB"]]


# ---- tracing ----

_INVOKE_EVERY_ENTRY_POINT = """
import json, sys
from tests.events import LambdaContext, api_event
import handlers.clients, handlers.invoices, handlers.orders, workers.approval, workers.paid_order, workers.redrive
response = handlers.clients.lambda_handler(api_event("GET", "/health"), LambdaContext("ClientsFunction"))
assert response["statusCode"] == 200, response
poison = {"messageId": "m-1", "receiptHandle": "r-1", "body": "not an order", "attributes": {},
          "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs", "awsRegion": "us-east-1",
          "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:orders"}
try:
    workers.approval.lambda_handler({"Records": [poison]}, LambdaContext("ApprovalFunction"))
except Exception as error:
    assert "All records failed" in str(error), error
else:
    raise AssertionError("a poison-only batch must fail")
print(json.dumps({"xray": "aws_xray_sdk" in sys.modules}))
"""


def entry_points_import_xray(**environment: str) -> bool:
    """Import every entry point and invoke two in a fresh interpreter; whether aws_xray_sdk got imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_TRACE", "LAMBDA_TASK_ROOT"))}
    env |= {"LAMBDA_TASK_ROOT": str(ROOT), **environment}  # as in Lambda, where tracing would be on by default
    result = subprocess.run(
        [sys.executable, "-c", _INVOKE_EVERY_ENTRY_POINT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])["xray"]


def test_with_tracing_disabled_no_entry_point_imports_the_xray_sdk():
    assert entry_points_import_xray(POWERTOOLS_TRACE_DISABLED="true") is False


def test_with_tracing_on_the_entry_points_trace_through_the_xray_sdk():
    # The same check, with tracing on as on AWS: proves it would see the import.
    assert entry_points_import_xray(AWS_XRAY_CONTEXT_MISSING="IGNORE_ERROR") is True


def test_the_local_runtime_turns_tracing_off():
    runner = FunctionRunner({"A": Function("A", "tests.functional.powertools_lambda.keyed_handler", {}, 3)}, {"A": {}})
    assert runner.environments["A"]["POWERTOOLS_TRACE_DISABLED"] == "true"
