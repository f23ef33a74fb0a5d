"""Duplicate deliveries with NEW message ids: the workers are idempotent per order and step, not per message.

SQS may deliver a message twice, and the pipeline itself sends the same reference more than once (a retried
POST re-enqueues, a stuck-order redrive re-sends, the approval worker re-sends the paid message of an order
it finds APPROVED). Each duplicate below is a distinct SQS message (its own message id), so nothing keyed
on the message id could catch it: only the conditional transitions on the order's status do. Each scenario
runs with the duplicates in one batch, in separate batches, and split, and in two execution environments at
once; then every effect is counted: transitions, invoice numbers, index entries, S3 objects, open counts.
"""

from __future__ import annotations

import importlib.util
import threading
import uuid
from types import ModuleType

import boto3
import pytest

from datamodel import clients, invoices, keys, orders
from datamodel.clients import ClientFields
from datamodel.entities import InvoiceCounter
from datamodel.orders import Line
from domain import config, messages
from domain.clock import utc_now
from domain.ids import new_id
from tests.events import LambdaContext
from tests.sqs_events import delete, queue_arn, receive_sent, sqs_event
from workers import approval, paid_order

sqs = boto3.client("sqs")
s3 = boto3.client("s3")
WIDGET = Line("W-1", "Blue widget", 4, 2_500)  # 10,000 per order
COPIES = 3
# How the COPIES deliveries of one reference are grouped into invocations.
PLANS = {
    "one batch": [[0, 1, 2]],
    "separate batches": [[0], [1], [2]],
    "split": [[0, 1], [2]],
}


class Queue:
    def __init__(self) -> None:
        self.url = sqs.create_queue(QueueName=f"replay-{uuid.uuid4().hex[:12]}")["QueueUrl"]
        self.arn = queue_arn(sqs, self.url)

    def send(self, *bodies: str) -> list[dict]:
        ids = [sqs.send_message(QueueUrl=self.url, MessageBody=body)["MessageId"] for body in bodies]
        return receive_sent(sqs, self.url, ids)

    def drain(self) -> list[dict]:
        """Every message now on the queue, received (and hidden) for a worker to process."""
        found: list[dict] = []
        while batch := sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, VisibilityTimeout=60).get(
            "Messages", []
        ):
            found.extend(batch)
        return found

    def invoke(self, worker: ModuleType, received: list[dict]) -> dict:
        """One invocation; the records that succeeded are deleted, as the event source mapping does."""
        response = worker.lambda_handler(sqs_event(received, self.arn), LambdaContext())
        failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
        delete(sqs, self.url, [m for m in received if m["MessageId"] not in failed])
        return response


@pytest.fixture
def orders_queue():
    queue = Queue()
    yield queue
    sqs.delete_queue(QueueUrl=queue.url)


@pytest.fixture
def paid_queue(monkeypatch):
    """A fresh paid-orders queue the approval worker sends to, so a test sees exactly its messages."""
    queue = Queue()
    monkeypatch.setattr(config, "PAID_ORDERS_QUEUE_URL", queue.url)
    yield queue
    sqs.delete_queue(QueueUrl=queue.url)


@pytest.fixture
def transitions(monkeypatch):
    """Every status transition attempted through the data layer, with whether its condition held."""
    attempted: list[tuple[str, bool]] = []
    real_approve, real_reject = orders.approve, orders.reject

    def approve(order):
        moved = real_approve(order)
        attempted.append(("approve", moved))
        return moved

    def reject(order, reason, client_exists=True):
        moved = real_reject(order, reason, client_exists)
        attempted.append(("reject", moved))
        return moved

    monkeypatch.setattr(orders, "approve", approve)
    monkeypatch.setattr(orders, "reject", reject)
    return attempted


@pytest.fixture
def bucket(monkeypatch):
    """A fresh bucket with versioning on, as template.yaml's InvoiceBucket has on AWS (moto's CloudFormation
    leaves the provisioned one unversioned), so a re-put by a duplicate shows as a second version."""
    name = f"replay-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    monkeypatch.setattr(config, "BUCKET_NAME", name)
    return name


def new_client(credit_limit: int = 1_000_000) -> str:
    fields = ClientFields(
        name="Replay Ltd", email=f"r-{uuid.uuid4().hex[:12]}@example.com", credit_limit=credit_limit, currency="USD"
    )
    return clients.create(fields).client_id


def placed(client_id: str) -> str:
    order_id = new_id()
    orders.place(client_id, order_id, [WIDGET], "USD", WIDGET.quantity * WIDGET.unit_price)
    return order_id


def approved(client_id: str) -> str:
    order_id = placed(client_id)
    assert orders.approve(orders.get(client_id, order_id))
    return order_id


def counter() -> int:
    try:
        return int(InvoiceCounter.get(keys.INVOICE_COUNTER, keys.counter_sk(utc_now().year)).value)
    except InvoiceCounter.DoesNotExist:
        return 0


def deliver(queue: Queue, worker: ModuleType, received: list[dict], plan: list[list[int]]) -> None:
    for batch in plan:
        assert queue.invoke(worker, [received[i] for i in batch]) == {"batchItemFailures": []}


def duplicates(queue: Queue, client_id: str, order_id: str) -> list[dict]:
    received = queue.send(*[messages.body(client_id, order_id)] * COPIES)
    assert len({m["MessageId"] for m in received}) == COPIES  # distinct messages, one reference
    return received


def pdf_versions(bucket: str, client_id: str, order_id: str) -> list[dict]:
    key = invoices.pdf_key(client_id, order_id)
    listed = s3.list_object_versions(Bucket=bucket, Prefix=key).get("Versions", [])
    return [v for v in listed if v["Key"] == key]


def assert_invoiced_once(bucket: str, client_id: str, order_id: str, counter_before: int, deliveries: int) -> None:
    """One number (the next one), one index entry, one S3 object, the order closed on its client once."""
    order = orders.get(client_id, order_id)
    assert order.status == orders.INVOICED
    assert order.invoice_id == f"INV-{utc_now().year}-{counter_before + 1:06d}"
    assert counter() == counter_before + 1
    assert [i.invoice_id for i in invoices.page(client_id, limit=10).items] == [order.invoice_id]
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"invoices/{client_id}/")
    assert [o["Key"] for o in listed.get("Contents", [])] == [invoices.pdf_key(client_id, order_id)]
    # A duplicate that finds the order INVOICED puts the PDF again: another version of that one object
    # (at most one per delivery), always the same bytes.
    versions = pdf_versions(bucket, client_id, order_id)
    assert 1 <= len(versions) <= deliveries and len({v["ETag"] for v in versions}) == 1
    assert clients.open_orders(client_id) == 0


def new_environment(worker: ModuleType) -> ModuleType:
    """A separate copy of a worker module: its own processor, logger and clients, as a second Lambda
    execution environment has."""
    spec = importlib.util.spec_from_file_location(f"{worker.__name__}_env_{uuid.uuid4().hex}", worker.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def concurrently(*calls) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(calls))

    def run(call) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []


# ---- approval worker ----


@pytest.mark.parametrize("plan", PLANS.values(), ids=PLANS.keys())
def test_approval_duplicates_approve_once_and_every_paid_message_names_the_same_order(
    orders_queue, paid_queue, transitions, plan
):
    client_id = new_client()
    order_id = placed(client_id)

    deliver(orders_queue, approval, duplicates(orders_queue, client_id, order_id), plan)

    assert transitions == [("approve", True)]  # later copies find it APPROVED and attempt nothing
    order = orders.get(client_id, order_id)
    assert order.status == orders.APPROVED and clients.open_orders(client_id) == 1
    paid = paid_queue.drain()
    # Each copy that finds the order APPROVED re-sends its paid message (the crash-between-steps recovery).
    assert 1 <= len(paid) <= COPIES
    assert {m["Body"] for m in paid} == {messages.body(client_id, order_id)}


@pytest.mark.parametrize("plan", PLANS.values(), ids=PLANS.keys())
def test_approval_duplicates_of_a_rejected_order_reject_once_and_close_it_once(
    orders_queue, paid_queue, transitions, plan
):
    client_id = new_client(credit_limit=0)
    order_id = placed(client_id)

    deliver(orders_queue, approval, duplicates(orders_queue, client_id, order_id), plan)

    assert transitions == [("reject", True)]
    order = orders.get(client_id, order_id)
    assert (order.status, order.rejection_reason) == (orders.REJECTED, "credit_limit_exceeded")
    assert clients.open_orders(client_id) == 0  # decremented once, never below zero
    assert paid_queue.drain() == []


def test_approval_duplicates_in_two_environments_at_once_approve_once(orders_queue, paid_queue, transitions):
    client_id = new_client()
    order_id = placed(client_id)
    first, second, third = duplicates(orders_queue, client_id, order_id)
    environments = [new_environment(approval), new_environment(approval)]

    concurrently(
        lambda: deliver(orders_queue, environments[0], [first, second], [[0, 1]]),
        lambda: deliver(orders_queue, environments[1], [third], [[0]]),
    )

    assert [moved for _, moved in transitions].count(True) == 1
    assert all(step == "approve" for step, _ in transitions)
    assert orders.get(client_id, order_id).status == orders.APPROVED
    assert clients.open_orders(client_id) == 1
    assert {m["Body"] for m in paid_queue.drain()} == {messages.body(client_id, order_id)}


# ---- paid-order worker ----


@pytest.mark.parametrize("plan", PLANS.values(), ids=PLANS.keys())
def test_paid_duplicates_issue_one_invoice_number_index_entry_and_pdf(paid_queue, bucket, plan):
    client_id = new_client()
    order_id = approved(client_id)
    start = counter()

    deliver(paid_queue, paid_order, duplicates(paid_queue, client_id, order_id), plan)

    assert_invoiced_once(bucket, client_id, order_id, start, deliveries=COPIES)


def test_paid_duplicates_in_two_environments_at_once_issue_one_invoice(paid_queue, bucket):
    client_id = new_client()
    order_id = approved(client_id)
    first, second, third = duplicates(paid_queue, client_id, order_id)
    environments = [new_environment(paid_order), new_environment(paid_order)]
    start = counter()

    concurrently(
        lambda: deliver(paid_queue, environments[0], [first, second], [[0, 1]]),
        lambda: deliver(paid_queue, environments[1], [third], [[0]]),
    )

    assert_invoiced_once(bucket, client_id, order_id, start, deliveries=COPIES)


def test_paid_duplicate_arriving_after_the_invoice_takes_no_number(paid_queue, bucket):
    client_id = new_client()
    order_id = approved(client_id)
    start = counter()
    deliver(paid_queue, paid_order, paid_queue.send(messages.body(client_id, order_id)), [[0]])
    invoiced = orders.get(client_id, order_id)

    deliver(paid_queue, paid_order, duplicates(paid_queue, client_id, order_id), PLANS["split"])

    assert orders.get(client_id, order_id).updated_at == invoiced.updated_at
    assert_invoiced_once(bucket, client_id, order_id, start, deliveries=1 + COPIES)


# ---- both workers: duplicated orders messages all the way to the invoice ----


@pytest.mark.parametrize("plan", PLANS.values(), ids=PLANS.keys())
def test_duplicated_order_messages_end_in_exactly_one_invoice(orders_queue, paid_queue, bucket, transitions, plan):
    client_id = new_client()
    order_id = placed(client_id)
    start = counter()

    deliver(orders_queue, approval, duplicates(orders_queue, client_id, order_id), plan)
    paid = paid_queue.drain()
    deliver(paid_queue, paid_order, paid, [list(range(len(paid)))])
    # and the orders-queue duplicates once more, now that the order is INVOICED: nothing happens
    deliver(orders_queue, approval, duplicates(orders_queue, client_id, order_id), plan)

    assert transitions == [("approve", True)]
    assert paid_queue.drain() == []
    assert_invoiced_once(bucket, client_id, order_id, start, deliveries=len(paid))
