"""ApprovalFunction's handler with real SQS events: messages sent to and received from the template's
orders queue on the moto server, orders and clients in the provisioned table."""

from __future__ import annotations

import io
import json
import uuid

import boto3
import pytest

from datamodel import clients, keys, orders
from datamodel.clients import ClientFields
from datamodel.errors import ClientNotFoundError
from datamodel.orders import Line
from domain import config
from domain.ids import new_id
from tests.events import LambdaContext
from tests.faults import FaultInjector
from tests.records import orphan_order
from tests.sqs_events import delete, queue_arn, receive, receive_sent, sqs_event
from domain import messages
from workers import approval

sqs = boto3.client("sqs")
WIDGET = Line("W-1", "Blue widget", 4, 2_500)  # 10,000 per order


@pytest.fixture(scope="module")
def orders_queue(stack):
    url = stack.physical_ids["OrdersQueue"]
    return url, queue_arn(sqs, url)


@pytest.fixture
def paid_queue(monkeypatch):
    """A fresh paid-orders queue per test, so a test can prove a message was NOT sent."""
    url = sqs.create_queue(QueueName=f"paid-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    monkeypatch.setattr(config, "PAID_ORDERS_QUEUE_URL", url)

    def bodies() -> list[dict]:
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        return [json.loads(m["Body"]) for m in received.get("Messages", [])]

    yield bodies
    sqs.delete_queue(QueueUrl=url)


def new_client(credit_limit: int = 100_000, currency: str = "USD", email: str | None = None) -> str:
    fields = ClientFields(
        name="Acme",
        email=email or f"a-{uuid.uuid4().hex[:12]}@example.com",
        credit_limit=credit_limit,
        currency=currency,
    )
    return clients.create(fields).client_id


def place(client_id: str, quantity: int = 4, currency: str = "USD") -> str:
    order_id = new_id()
    line = Line(WIDGET.sku, WIDGET.description, quantity, WIDGET.unit_price)
    orders.place(client_id, order_id, [line], currency, quantity * WIDGET.unit_price)
    return order_id


def send(queue, *bodies: str) -> list[dict]:
    """Send bodies to the orders queue and receive exactly those messages back."""
    url, _ = queue
    ids = [sqs.send_message(QueueUrl=url, MessageBody=body)["MessageId"] for body in bodies]
    return receive_sent(sqs, url, ids)


def invoke(queue, received: list[dict]) -> dict:
    """One Lambda invocation, then delete the records that succeeded, as the event source mapping does."""
    url, arn = queue
    response = approval.lambda_handler(sqs_event(received, arn), LambdaContext())
    failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
    delete(sqs, url, [m for m in received if m["MessageId"] not in failed])
    return response


def test_order_within_the_limit_is_approved_and_a_paid_message_sent(orders_queue, paid_queue):
    # GIVEN a PENDING order of 10,000 for a client with a 100,000 limit
    client_id = new_client()
    order_id = place(client_id)

    # WHEN its message is processed
    response = invoke(orders_queue, send(orders_queue, messages.body(client_id, order_id)))

    # THEN it is APPROVED, still open on the client, and its paid message is on the paid-orders queue
    assert response == {"batchItemFailures": []}
    order = orders.get(client_id, order_id)
    assert order.status == orders.APPROVED and order.approved_at and order.rejection_reason is None
    assert order.gsi1sk == keys.order_status_sk(orders.APPROVED, order_id) and order.gsi2pk
    assert clients.open_orders(client_id) == 1
    assert paid_queue() == [{"clientId": client_id, "orderId": order_id}]


@pytest.mark.parametrize(("credit_limit", "decision_write"), [(100_000, "UpdateItem"), (0, "TransactWriteItems")],
                         ids=["approved", "rejected"])
def test_the_order_and_its_client_are_read_in_one_call(orders_queue, paid_queue, credit_limit, decision_write):
    # GIVEN a PENDING order; its message names both the order and the client
    client_id = new_client(credit_limit=credit_limit)
    order_id = place(client_id)
    received = send(orders_queue, messages.body(client_id, order_id))

    # WHEN processed
    with FaultInjector() as faults, faults.recording() as calls:
        invoke(orders_queue, received)

    # THEN one BatchGetItem read both (no GetItem), then the decision was written
    assert [str(call) for call in calls if call.service == "dynamodb"] == [
        "dynamodb.BatchGetItem#1", f"dynamodb.{decision_write}#1"
    ]


def test_paid_message_reaches_the_templates_paid_orders_queue(orders_queue, stack):
    client_id = new_client()
    order_id = place(client_id)

    invoke(orders_queue, send(orders_queue, messages.body(client_id, order_id)))

    url = stack.physical_ids["PaidOrdersQueue"]
    expected = {"clientId": client_id, "orderId": order_id}
    paid = receive(sqs, url, lambda m: json.loads(m["Body"]) == expected, 1)
    delete(sqs, url, paid)


def test_total_equal_to_the_limit_is_approved(orders_queue, paid_queue):
    client_id = new_client(credit_limit=10_000)
    order_id = place(client_id, quantity=4)  # 4 x 2,500 = the limit

    invoke(orders_queue, send(orders_queue, messages.body(client_id, order_id)))

    assert orders.get(client_id, order_id).status == orders.APPROVED


def test_order_over_the_limit_is_rejected_and_closed_on_the_client(orders_queue, paid_queue):
    # GIVEN an order of 10,000 for a client with a 9,999 limit
    client_id = new_client(credit_limit=9_999)
    order_id = place(client_id)
    assert clients.open_orders(client_id) == 1

    # WHEN processed
    response = invoke(orders_queue, send(orders_queue, messages.body(client_id, order_id)))

    # THEN REJECTED for credit, out of the open-orders index, no longer counted open, and no paid message
    assert response == {"batchItemFailures": []}
    order = orders.get(client_id, order_id)
    assert (order.status, order.rejection_reason) == (orders.REJECTED, "credit_limit_exceeded")
    assert order.gsi2pk is None and order.gsi2sk is None
    assert order.gsi1sk == keys.order_status_sk(orders.REJECTED, order_id)
    assert clients.open_orders(client_id) == 0
    assert paid_queue() == []


def test_order_in_a_currency_the_client_no_longer_uses_is_rejected_as_mismatch(orders_queue, paid_queue):
    # GIVEN a USD order, then the client switched to EUR
    client_id = new_client()
    order_id = place(client_id)
    client = clients.get(client_id)
    clients.replace(client_id, ClientFields(client.name, client.email, client.credit_limit, "EUR"))

    invoke(orders_queue, send(orders_queue, messages.body(client_id, order_id)))

    order = orders.get(client_id, order_id)
    assert (order.status, order.rejection_reason) == (orders.REJECTED, "currency_mismatch")
    assert clients.open_orders(client_id) == 0
    assert paid_queue() == []


def test_order_whose_client_is_gone_is_rejected_as_client_not_found(orders_queue, paid_queue):
    # GIVEN a PENDING order whose client does not exist (written directly: the API cannot create it)
    client_id, order_id = orphan_order()

    response = invoke(orders_queue, send(orders_queue, messages.body(client_id, order_id)))

    # THEN rejected, and no client profile was created by the transition
    assert response == {"batchItemFailures": []}
    order = orders.get(client_id, order_id)
    assert (order.status, order.rejection_reason) == (orders.REJECTED, "client_not_found")
    with pytest.raises(ClientNotFoundError):
        clients.get(client_id)
    assert paid_queue() == []


def test_replay_of_a_rejected_order_changes_nothing(orders_queue, paid_queue):
    client_id = new_client(credit_limit=0)
    order_id = place(client_id)
    body = messages.body(client_id, order_id)
    invoke(orders_queue, send(orders_queue, body))
    before = orders.get(client_id, order_id)

    # WHEN the same body is delivered again
    response = invoke(orders_queue, send(orders_queue, body))

    # THEN nothing moved: same status, same timestamps, the client's count not decremented twice
    after = orders.get(client_id, order_id)
    assert response == {"batchItemFailures": []}
    assert (after.status, after.updated_at) == (before.status, before.updated_at)
    assert clients.open_orders(client_id) == 0
    assert paid_queue() == []


def test_redelivered_message_of_an_approved_order_sends_the_paid_message_again(orders_queue, paid_queue):
    # GIVEN a message processed once, then delivered again (its deletion was lost)
    client_id = new_client()
    order_id = place(client_id)
    url, arn = orders_queue
    [message] = send(orders_queue, messages.body(client_id, order_id))
    approval.lambda_handler(sqs_event([message], arn), LambdaContext())
    approved = orders.get(client_id, order_id)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    [again] = receive_sent(sqs, url, [message["MessageId"]])
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"

    # WHEN processed again
    response = invoke(orders_queue, [again])

    # THEN the order is unchanged and a duplicate paid message is sent (the paid-order worker tolerates it)
    assert response == {"batchItemFailures": []}
    assert orders.get(client_id, order_id).approved_at == approved.approved_at
    assert paid_queue() == [{"clientId": client_id, "orderId": order_id}] * 2


def test_crash_after_approval_before_sending_is_healed_by_the_retry(orders_queue, paid_queue):
    # GIVEN an order that was approved by an attempt which died before sending the paid message
    client_id = new_client()
    order_id = place(client_id)
    assert orders.approve(orders.get(client_id, order_id))
    assert paid_queue() == []

    # WHEN the message is retried
    response = invoke(orders_queue, send(orders_queue, messages.body(client_id, order_id)))

    # THEN the paid message is sent
    assert response == {"batchItemFailures": []}
    assert paid_queue() == [{"clientId": client_id, "orderId": order_id}]


def test_failed_send_fails_the_record_and_its_retry_sends(orders_queue, paid_queue, monkeypatch):
    # GIVEN SQS refusing the first send
    client_id = new_client()
    order_id = place(client_id)
    real_send = approval.sqs.send_message
    calls = []

    def flaky_send(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise ConnectionError("simulated outage")
        return real_send(**kwargs)

    monkeypatch.setattr(approval.sqs, "send_message", flaky_send)
    other_client = new_client()
    other_order = place(other_client)
    received = send(orders_queue, messages.body(client_id, order_id), messages.body(other_client, other_order))

    # WHEN the batch is processed: the first record's send fails
    response = invoke(orders_queue, received)

    # THEN only that record is reported, the order is APPROVED already, and the retry sends its message
    assert response == {"batchItemFailures": [{"itemIdentifier": received[0]["MessageId"]}]}
    assert orders.get(client_id, order_id).status == orders.APPROVED
    url, _ = orders_queue
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"], VisibilityTimeout=0)
    assert invoke(orders_queue, receive_sent(sqs, url, [received[0]["MessageId"]])) == {"batchItemFailures": []}
    assert sorted(m["orderId"] for m in paid_queue()) == sorted([order_id, other_order])


def test_poison_records_are_the_only_failures_of_their_batch(orders_queue, paid_queue):
    # GIVEN a batch: a good order, a non-JSON body, an unknown order, a wrong shape, another good order
    good = [(c, place(c)) for c in (new_client(), new_client())]
    bodies = [
        messages.body(*good[0]),
        "not json {",
        messages.body(new_id(), new_id()),
        json.dumps({"orderId": new_id()}),
        messages.body(*good[1]),
    ]
    received = send(orders_queue, *bodies)

    # WHEN processed in one invocation
    response = invoke(orders_queue, received)

    # THEN exactly the three poison records are reported, and both good orders were approved
    poison = {received[i]["MessageId"] for i in (1, 2, 3)}
    assert {item["itemIdentifier"] for item in response["batchItemFailures"]} == poison
    assert len(response["batchItemFailures"]) == 3
    assert [orders.get(c, o).status for c, o in good] == [orders.APPROVED] * 2
    assert sorted(m["orderId"] for m in paid_queue()) == sorted(o for _, o in good)
    url, _ = orders_queue
    delete(sqs, url, [m for m in received if m["MessageId"] in poison])


def test_message_with_fields_this_worker_does_not_know_is_still_processed(orders_queue, paid_queue):
    client_id = new_client()
    order_id = place(client_id)
    body = json.dumps({"clientId": client_id, "orderId": order_id, "traceId": "abc"})

    response = invoke(orders_queue, send(orders_queue, body))

    assert response == {"batchItemFailures": []}
    assert orders.get(client_id, order_id).status == orders.APPROVED


def test_logs_carry_ids_but_no_message_body_or_client_data(orders_queue, paid_queue, monkeypatch):
    # GIVEN a poison body full of personal data, and an order of a client with a recognisable email
    stream = io.StringIO()
    monkeypatch.setattr(approval.logger.registered_handler, "stream", stream)
    email = f"secret-{uuid.uuid4().hex[:8]}@example.com"
    client_id = new_client(credit_limit=0, email=email)
    order_id = place(client_id)
    poison = '{"name": "Jane Secret", "email": "' + email + '"'  # truncated JSON
    received = send(orders_queue, poison, messages.body(client_id, order_id))

    # WHEN processed
    invoke(orders_queue, received)

    # THEN the logs name the message and the order, never the body's or the client's personal data
    logs = [json.loads(line) for line in stream.getvalue().splitlines()]
    failure = next(log for log in logs if log.get("exception_name") == "MalformedMessageError")
    assert failure["messageId"] == received[0]["MessageId"] and "orderId" not in failure
    assert any(log.get("orderId") == order_id and log.get("reason") == "credit_limit_exceeded" for log in logs)
    text = stream.getvalue()
    assert email not in text and "Jane Secret" not in text
    url, _ = orders_queue
    delete(sqs, url, received[:1])


def test_batch_where_every_record_fails_raises_so_lambda_retries_it_whole(orders_queue):
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    url, arn = orders_queue
    received = send(orders_queue, "[]")
    with pytest.raises(BatchProcessingError):
        approval.lambda_handler(sqs_event(received, arn), LambdaContext())
    delete(sqs, url, received)
