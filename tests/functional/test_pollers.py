"""The local SQS event source mappings: real batches, partial failures, redrive to the DLQ."""

import json
import threading
import time
import uuid

import boto3
import pytest

from datamodel import clients, orders
from datamodel.clients import ClientFields
from domain.ids import new_id
from shoplocal.lambdas import FunctionRunner
from shoplocal.pollers import Mapping, Poller, mappings
from shoplocal.template import Function

sqs = boto3.client("sqs")


@pytest.fixture(scope="module")
def runner(template, stack):
    # The local stack's runtime: the workers run in processes of their own.
    with FunctionRunner.from_stack(template, stack) as runner:
        yield runner


def queue_with_dlq(max_receive_count: int = 2):
    """A queue of its own (1 s visibility) with a DLQ, so this test sees only its messages."""
    name = uuid.uuid4().hex[:12]
    dlq = sqs.create_queue(QueueName=f"dlq-{name}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count})
    url = sqs.create_queue(QueueName=f"q-{name}", Attributes={"VisibilityTimeout": "1", "RedrivePolicy": policy})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn, dlq


def placed_order(credit_limit: int = 100_000) -> tuple[str, str]:
    client = clients.create(ClientFields("Acme", f"p-{uuid.uuid4().hex[:10]}@example.com", credit_limit, "USD"))
    order, _ = orders.place(client.client_id, new_id(), [orders.Line("W-1", "Widget", 1, 500)], "USD", 500)
    return client.client_id, order.order_id


def count(url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_template_wires_both_workers_to_their_queues_with_partial_batch_reporting(template, stack):
    found = {m.function: m for m in mappings(template, stack)}
    assert set(found) == {"ApprovalFunction", "PaidOrderFunction"}
    assert found["ApprovalFunction"].queue_url == stack.physical_ids["OrdersQueue"]
    assert found["PaidOrderFunction"].queue_url == stack.physical_ids["PaidOrdersQueue"]
    # The template's batch sizes: 10 for approvals, larger for invoicing (one numbering transaction a batch).
    sizes = {
        name: event["Properties"]["BatchSize"]
        for name, function in template.functions().items()
        for event in function.events.values()
        if event.get("Type") == "SQS"
    }
    assert {m.function: m.batch_size for m in found.values()} == sizes == {"ApprovalFunction": 10, "PaidOrderFunction": 30}
    assert all(m.report_item_failures for m in found.values())


def test_a_poison_record_reaches_the_dlq_without_blocking_its_batch(runner):
    # GIVEN a batch of one good order message and one poison message
    url, arn, dlq = queue_with_dlq(max_receive_count=2)
    client_id, order_id = placed_order()
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"clientId": client_id, "orderId": order_id}))
    sqs.send_message(QueueUrl=url, MessageBody="not json at all")
    poller = Poller(runner, Mapping("ApprovalFunction", url, arn, 10, True), threading.Event())
    # WHEN the mapping polls until the queue is empty
    deadline = time.monotonic() + 20
    while count(url) and time.monotonic() < deadline:
        poller.poll_once()
    # THEN the good order moved on, and only the poison message sits in the DLQ
    assert orders.get(client_id, order_id).status == orders.APPROVED
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in dead] == ["not json at all"]


def test_batch_size_above_ten_is_filled_by_several_receives(runner):
    url, arn, _ = queue_with_dlq()
    placed = [placed_order() for _ in range(12)]
    for client_id, order_id in placed:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"clientId": client_id, "orderId": order_id}))
    poller = Poller(runner, Mapping("ApprovalFunction", url, arn, 12, True), threading.Event())
    assert poller.poll_once() == 12
    assert all(orders.get(c, o).status == orders.APPROVED for c, o in placed)


def test_a_mapping_keeps_several_batches_in_flight_up_to_the_functions_limit(template, stack):
    # GIVEN a backlog of 6 orders, in batches of 1, for a function limited to 3 processes
    url, arn, _ = queue_with_dlq()
    placed = [placed_order() for _ in range(6)]
    for client_id, order_id in placed:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"clientId": client_id, "orderId": order_id}))
    stop = threading.Event()
    with FunctionRunner.from_stack(template, stack, concurrency={"ApprovalFunction": 3}) as runner:
        poller = Poller(runner, Mapping("ApprovalFunction", url, arn, 1, True), stop)
        assert poller.concurrency == 3
        # WHEN the mapping runs
        poller.start()
        deadline = time.monotonic() + 60
        while count(url) and time.monotonic() < deadline:
            time.sleep(0.2)
        stop.set()
        poller.join(10)
        # THEN every order moved on, through as many processes as batches could be in flight
        assert all(orders.get(c, o).status == orders.APPROVED for c, o in placed)
        assert runner.processes("ApprovalFunction") == 3
        assert len(runner.reports) >= 6  # a record may come back once more: its visibility is 1 s


def test_a_batch_whose_invocation_times_out_returns_to_the_queue_whole():
    # GIVEN two messages, and a function that runs past its 1 s timeout
    url, arn, _ = queue_with_dlq(max_receive_count=5)
    for n in range(2):
        sqs.send_message(QueueUrl=url, MessageBody=f"message {n}")
    functions = {"Hanging": Function("Hanging", "tests.functional.fake_lambda.hang", {}, 1)}
    with FunctionRunner(functions, {}) as runner:
        poller = Poller(runner, Mapping("Hanging", url, arn, 10, True), threading.Event())
        # WHEN the mapping polls: the invocation times out, its process is killed
        assert poller.poll_once() == 0
        assert runner.processes("Hanging") == 0
    # THEN nothing was deleted: both messages come back after their visibility timeout
    time.sleep(1.5)
    back = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)["Messages"]
    assert sorted(m["Body"] for m in back) == ["message 0", "message 1"]
