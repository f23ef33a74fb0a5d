"""Stuck-order recovery: the sweep over the sparse open-orders index (GSI2) and the re-drive of each stuck
order's message, against the template's table on the moto server.

The table is shared by every test of this process, so a test ages its own orders (their `updatedAt` and GSI2
sort key, as if the process that wrote them died long ago) and looks for them among what the sweep returns;
messages go to queues of its own, and are selected by body.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from datamodel import clients, invoices, keys, orders
from datamodel.clients import ClientFields
from datamodel.entities import OrderRecord
from datamodel.orders import Line
from domain import config
from domain.clock import rfc3339, utc_now
from domain.ids import new_id
from shoplocal.provision import function_environment
from tests.events import LambdaContext
from workers import redrive
from workers.redrive import Queues, redrive_stuck_orders

sqs = boto3.client("sqs")
AGE = 300  # the template's STUCK_ORDER_AGE_SECONDS


# ---- helpers ----


def new_client() -> str:
    fields = ClientFields(
        name="Acme", email=f"r-{uuid.uuid4().hex[:12]}@example.com", credit_limit=100_000, currency="USD"
    )
    return clients.create(fields).client_id


def placed(client_id: str) -> str:
    """A PENDING order written as the API writes it, whose message was never sent (a crash after the write)."""
    order_id = new_id()
    orders.place(client_id, order_id, [Line("W-1", "Widget", 1, 500)], "USD", 500)
    return order_id


def approved(client_id: str) -> str:
    """An APPROVED order whose paid message was never sent (a crash after the approval)."""
    order_id = placed(client_id)
    assert orders.approve(orders.get(client_id, order_id))
    return order_id


def age(client_id: str, order_id: str, moment: datetime) -> str:
    """Make the order's last update `moment`, in the record and in its open-orders sort key."""
    stamp = rfc3339(moment)
    orders.get(client_id, order_id).update(
        actions=[OrderRecord.updated_at.set(stamp), OrderRecord.gsi2sk.set(keys.open_order_sk(stamp, order_id))]
    )
    return stamp


def minutes_ago(minutes: float) -> datetime:
    return utc_now() - timedelta(minutes=minutes)


def all_stuck(older_than, limit: int = 100) -> list[orders.StuckOrder]:
    found, cursor = [], None
    while True:
        page = orders.stuck(older_than, limit, cursor)
        found.extend(page.orders)
        if page.cursor is None:
            return found
        cursor = page.cursor


@pytest.fixture
def queues():
    """A fresh orders queue and paid-orders queue; `bodies(url)` drains one into a list of bodies."""
    name = uuid.uuid4().hex[:12]
    made = Queues(
        orders=sqs.create_queue(QueueName=f"orders-{name}")["QueueUrl"],
        paid_orders=sqs.create_queue(QueueName=f"paid-{name}")["QueueUrl"],
    )
    yield made
    sqs.delete_queue(QueueUrl=made.orders)
    sqs.delete_queue(QueueUrl=made.paid_orders)


def bodies(url: str) -> list[dict]:
    found = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get("Messages", [])
        if not batch:
            return found
        found.extend(json.loads(m["Body"]) for m in batch)


def ref(client_id: str, order_id: str) -> dict:
    return {"clientId": client_id, "orderId": order_id}


class DynamoCalls:
    """Every DynamoDB call the data layer makes, with its parameters (a botocore event hook)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self._events = OrderRecord._get_connection().connection.client.meta.events

    def _record(self, params, model, **_) -> None:
        self.calls.append((model.name, dict(params)))

    def __enter__(self) -> DynamoCalls:
        self._events.register("before-parameter-build.dynamodb", self._record, unique_id="count-dynamodb-calls")
        return self

    def __exit__(self, *exc) -> None:
        self._events.unregister("before-parameter-build.dynamodb", unique_id="count-dynamodb-calls")


# ---- the access pattern ----


def test_pending_order_left_without_a_message_is_stuck_once_older_than_the_threshold():
    # GIVEN an order written 10 minutes ago and never enqueued, and one placed just now
    client_id = new_client()
    old = placed(client_id)
    updated_at = age(client_id, old, minutes_ago(10))
    fresh = placed(client_id)

    # WHEN sweeping for orders not updated in the last 5 minutes
    found = {o.order_id: o for o in all_stuck(minutes_ago(5))}

    # THEN the old one is found with what a redrive needs; the fresh one is not
    assert found[old] == orders.StuckOrder(
        client_id=client_id, order_id=old, status=orders.PENDING, updated_at=updated_at
    )
    assert fresh not in found


def test_approved_order_not_invoiced_is_stuck_with_its_status():
    client_id = new_client()
    order_id = approved(client_id)
    age(client_id, order_id, minutes_ago(10))

    found = {o.order_id: o for o in all_stuck(minutes_ago(5))}

    assert found[order_id].status == orders.APPROVED and found[order_id].client_id == client_id


def test_terminal_orders_are_never_stuck_because_they_leave_the_open_orders_index():
    # GIVEN a rejected and an invoiced order, both last touched long ago
    client_id = new_client()
    rejected = placed(client_id)
    age(client_id, rejected, minutes_ago(30))
    assert orders.reject(orders.get(client_id, rejected), "credit_limit_exceeded")
    invoiced = approved(client_id)
    age(client_id, invoiced, minutes_ago(30))
    order = orders.get(client_id, invoiced)
    invoices.issue(order, invoices.BillTo("Acme", "a@example.com"), invoices.pdf_key(client_id, invoiced))

    # WHEN sweeping for anything older than now
    found = {o.order_id for o in all_stuck(utc_now())}

    # THEN neither is there: their GSI2 keys are gone
    assert rejected not in found and invoiced not in found
    for order_id in (rejected, invoiced):
        order = orders.get(client_id, order_id)
        assert order.gsi2pk is None and order.gsi2sk is None


def test_sweep_is_one_key_condition_query_per_open_orders_shard_and_nothing_else():
    # GIVEN a stuck order (so at least one shard has something to return)
    client_id = new_client()
    order_id = placed(client_id)
    age(client_id, order_id, datetime(2001, 1, 1, tzinfo=timezone.utc))

    # WHEN one page is read
    with DynamoCalls() as recorded:
        page = orders.stuck(datetime(2001, 1, 2, tzinfo=timezone.utc), 1000)

    # THEN it took exactly one Query per shard on GSI2: key conditions only, no filter, no scan, no GetItem
    assert order_id in {o.order_id for o in page.orders}
    assert [name for name, _ in recorded.calls] == ["Query"] * keys.OPEN_SHARDS
    shards = set()
    for _, params in recorded.calls:
        assert params["IndexName"] == "GSI2"
        assert "FilterExpression" not in params
        names = params["ExpressionAttributeNames"]
        values = params["ExpressionAttributeValues"]
        hash_name, sort_name = (
            next(placeholder for placeholder, name in names.items() if name == attribute)
            for attribute in ("GSI2PK", "GSI2SK")
        )
        assert f"{hash_name} = " in params["KeyConditionExpression"]
        assert f"{sort_name} < " in params["KeyConditionExpression"]
        shards |= {value["S"] for value in values.values() if value["S"].startswith("OPEN#")}
    assert shards == set(keys.open_order_shards())


def test_pages_return_every_stuck_order_exactly_once_oldest_first():
    # GIVEN seven stuck orders in a time window no other test uses, spread over the shards
    client_id = new_client()
    start = datetime(1990, 1, 1, tzinfo=timezone.utc) + timedelta(days=uuid.uuid4().int % 3000)
    mine = []
    for i in range(7):
        order_id = placed(client_id)
        age(client_id, order_id, start + timedelta(seconds=i))
        mine.append(order_id)

    # WHEN read two at a time up to just after the newest of them
    pages, cursor = [], None
    while True:
        page = orders.stuck(start + timedelta(seconds=7), 2, cursor)
        pages.append(page.orders)
        if page.cursor is None:
            break
        cursor = page.cursor

    # THEN pages hold at most two, and together every one of them once, oldest first
    found = [o for page in pages for o in page]
    assert all(len(page) <= 2 for page in pages)
    ids = [o.order_id for o in found]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if i in mine] == mine
    assert [o.updated_at for o in found] == sorted(o.updated_at for o in found)


def test_a_cursor_resumes_only_the_sweep_it_came_from():
    client_id = new_client()
    for i in range(2):
        age(client_id, placed(client_id), datetime(1985, 1, 1, tzinfo=timezone.utc))
    page = orders.stuck("1985-01-02T00:00:00Z", 1)
    assert page.cursor is not None

    with pytest.raises(ValueError, match="another threshold"):
        orders.stuck("1985-01-03T00:00:00Z", 1, page.cursor)


def test_a_threshold_without_a_time_zone_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        orders.stuck("2026-01-01T00:00:00", 10)


# ---- the redrive ----


def test_redrive_sends_pending_to_the_orders_queue_and_approved_to_the_paid_orders_queue(queues):
    # GIVEN a stuck PENDING order, a stuck APPROVED order, and a fresh PENDING order
    client_id = new_client()
    pending, paid = placed(client_id), approved(client_id)
    age(client_id, pending, minutes_ago(10))
    age(client_id, paid, minutes_ago(10))
    fresh = placed(client_id)

    # WHEN the sweep runs with a 5-minute threshold
    result = redrive_stuck_orders(AGE, sqs=sqs, queues=queues)

    # THEN each stuck order's message is in the queue of its next step, and the fresh one is left alone
    on_orders, on_paid = bodies(queues.orders), bodies(queues.paid_orders)
    assert ref(client_id, pending) in on_orders and ref(client_id, pending) not in on_paid
    assert ref(client_id, paid) in on_paid and ref(client_id, paid) not in on_orders
    assert ref(client_id, fresh) not in on_orders + on_paid
    redriven = {r.order.order_id: r.target for r in result.redriven}
    assert redriven[pending] == redrive.ORDERS and redriven[paid] == redrive.PAID_ORDERS
    assert result.failed == [] and result.complete
    counts = result.counts()
    assert counts["sent"]["orders"] == len(on_orders) and counts["sent"]["paid-orders"] == len(on_paid)


def test_dry_run_reports_the_stuck_orders_and_sends_nothing(queues):
    client_id = new_client()
    order_id = placed(client_id)
    age(client_id, order_id, minutes_ago(10))

    result = redrive_stuck_orders(AGE, sqs=sqs, queues=queues, dry_run=True)

    assert order_id in {r.order.order_id for r in result.redriven}
    assert bodies(queues.orders) == [] and bodies(queues.paid_orders) == []


def test_a_failed_send_is_counted_and_the_other_queue_still_gets_its_messages(queues):
    # GIVEN the orders queue refusing every send
    client_id = new_client()
    pending, paid = placed(client_id), approved(client_id)
    age(client_id, pending, minutes_ago(10))
    age(client_id, paid, minutes_ago(10))

    class OrdersQueueDown:
        def send_message_batch(self, QueueUrl, Entries):
            if QueueUrl == queues.orders:
                raise RuntimeError("orders queue unavailable")
            return sqs.send_message_batch(QueueUrl=QueueUrl, Entries=Entries)

    # WHEN the sweep runs
    result = redrive_stuck_orders(AGE, sqs=OrdersQueueDown(), queues=queues)

    # THEN the PENDING order is reported failed, and the APPROVED one was still re-sent
    assert pending in {r.order.order_id for r in result.failed}
    assert ref(client_id, paid) in bodies(queues.paid_orders)


def test_sweep_stops_between_pages_when_asked_and_says_it_is_incomplete(queues):
    client_id = new_client()
    for _ in range(3):
        age(client_id, placed(client_id), minutes_ago(10))

    result = redrive_stuck_orders(AGE, sqs=sqs, queues=queues, page_size=1, should_stop=lambda: True, dry_run=True)

    assert len(result.redriven) == 1 and not result.complete


def test_scheduled_handler_redrives_with_the_templates_threshold(queues, monkeypatch, template, stack):
    # GIVEN the RedriveFunction's environment and a stuck order
    environment = function_environment(template, stack, "RedriveFunction")
    monkeypatch.setenv(redrive.AGE_VARIABLE, environment[redrive.AGE_VARIABLE])
    monkeypatch.setattr(config, "ORDERS_QUEUE_URL", queues.orders)
    monkeypatch.setattr(config, "PAID_ORDERS_QUEUE_URL", queues.paid_orders)
    client_id = new_client()
    stuck, recent = placed(client_id), placed(client_id)
    age(client_id, stuck, minutes_ago(6))
    age(client_id, recent, minutes_ago(4))

    # WHEN EventBridge invokes it
    event = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
    counts = redrive.lambda_handler(event, LambdaContext())

    # THEN the order older than STUCK_ORDER_AGE_SECONDS (300) was re-sent, the younger one was not
    on_orders = bodies(queues.orders)
    assert ref(client_id, stuck) in on_orders and ref(client_id, recent) not in on_orders
    assert counts["sent"]["orders"] == len(on_orders) and counts["failed"] == 0 and counts["complete"]


def test_scheduled_handler_fails_the_invocation_when_an_order_could_not_be_re_sent(queues, monkeypatch):
    monkeypatch.setattr(config, "ORDERS_QUEUE_URL", queues.orders + "-missing")
    monkeypatch.setattr(config, "PAID_ORDERS_QUEUE_URL", queues.paid_orders)
    client_id = new_client()
    age(client_id, placed(client_id), minutes_ago(10))

    with pytest.raises(redrive.RedriveError):
        redrive.lambda_handler({"source": "aws.events"}, LambdaContext())


def test_threshold_variable_must_be_a_non_negative_number(monkeypatch):
    monkeypatch.delenv(redrive.AGE_VARIABLE, raising=False)
    assert redrive.age_from_environment() == redrive.DEFAULT_AGE_SECONDS
    monkeypatch.setenv(redrive.AGE_VARIABLE, "90")
    assert redrive.age_from_environment() == 90
    monkeypatch.setenv(redrive.AGE_VARIABLE, "-1")
    with pytest.raises(ValueError):
        redrive.age_from_environment()


# ---- the template ----


def test_template_schedules_the_redrive_function_with_least_privilege(template):
    resource = template.resources["RedriveFunction"]
    props = resource["Properties"]
    assert props["Handler"] == "workers.redrive.lambda_handler"
    [event] = props["Events"].values()
    assert event["Type"] == "Schedule" and event["Properties"]["Schedule"].startswith("rate(")
    [policy] = props["Policies"]
    grants = {
        statement["Action"]: statement["Resource"]
        for statement in policy["Statement"]
        if statement["Effect"] == "Allow"
    }
    assert grants == {
        "dynamodb:Query": {"Fn::Sub": "${Table.Arn}/index/GSI2"},
        "sqs:SendMessage": [{"Fn::GetAtt": ["OrdersQueue", "Arn"]}, {"Fn::GetAtt": ["PaidOrdersQueue", "Arn"]}],
    }
    assert template.body["Globals"]["Function"]["Environment"]["Variables"][redrive.AGE_VARIABLE] == str(AGE)


def test_open_orders_index_projects_what_the_sweep_reads(template):
    [gsi2] = [
        i for i in template.resources["Table"]["Properties"]["GlobalSecondaryIndexes"] if i["IndexName"] == "GSI2"
    ]
    projected = set(gsi2["Projection"]["NonKeyAttributes"])
    read = {
        OrderRecord.client_id.attr_name,
        OrderRecord.order_id.attr_name,
        OrderRecord.status.attr_name,
        OrderRecord.updated_at.attr_name,
    }
    assert gsi2["Projection"]["ProjectionType"] == "INCLUDE" and read <= projected
