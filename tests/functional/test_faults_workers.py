"""The two workers under faults, behind the real poller (the template's batch size, partial batch
responses, 1 s visibility on queues of each test's own): a crash before and after each of their AWS
calls, duplicated deliveries, throttled DynamoDB and SQS, S3 failing uploads. After the retries, every
invariant of docs/architecture.md §8 holds (tests/faults.py `check_invariants`).

A worker's calls are recorded from a clean run, not listed here: a call added to a step is faulted too.
"""

from __future__ import annotations

import functools
import uuid

import pytest

from datamodel import clients, orders
from datamodel.clients import ClientFields
from domain import messages
from domain.clock import utc_now
from domain.ids import new_id
from tests.faults import (
    APPROVAL,
    PAID_ORDER,
    THROTTLING,
    crash,
    FaultInjector,
    Pipeline,
    Rule,
    check_invariants,
    crash_points,
    duplicate,
    error,
    function_runner,
    invoice_counter,
)

ITEMS = [{"sku": "W-1", "description": "Blue widget", "quantity": 2, "unitPrice": 1250}]
TOTAL = 2 * 1250
RICH, POOR = 10**9, 1  # credit limits: every order approved / every order rejected


@pytest.fixture(scope="module")
def runner(template, stack):
    return function_runner(template, stack)


@pytest.fixture
def faults():
    with FaultInjector(seed=8) as injector:
        yield injector


@pytest.fixture
def new_pipeline(runner, template, stack, monkeypatch):
    return lambda **options: Pipeline(runner, template, stack, monkeypatch, **options)


def new_client(credit_limit: int = RICH) -> str:
    email = f"fault-{uuid.uuid4().hex[:12]}@example.com"
    return clients.create(ClientFields("Fault Tolerant Ltd", email, credit_limit, "USD")).client_id


def pending_order(pipeline: Pipeline, credit_limit: int = RICH) -> tuple[str, str]:
    """An order as the API leaves it: PENDING in the table, its message on the orders queue."""
    client_id, order_id = new_client(credit_limit), new_id()
    orders.place(client_id, order_id, [orders.Line("W-1", "Blue widget", 2, 1250)], "USD", TOTAL)
    pipeline.send(APPROVAL, messages.body(client_id, order_id))
    return client_id, order_id


def approved_order(pipeline: Pipeline) -> tuple[str, str]:
    """An order as the approval worker leaves it: APPROVED, its paid message on the paid-orders queue."""
    client_id, order_id = new_client(), new_id()
    orders.place(client_id, order_id, [orders.Line("W-1", "Blue widget", 2, 1250)], "USD", TOTAL)
    assert orders.approve(orders.get(client_id, order_id))
    pipeline.send(PAID_ORDER, messages.body(client_id, order_id))
    return client_id, order_id


def crash_survived(new_pipeline, faults, rule: Rule, step: str, given, expected: str) -> list[str]:
    """One order through `step` with `rule` armed (the poller retrying), then the rest of the pipeline
    clean; answers what broke (empty: nothing)."""
    pipeline = new_pipeline()
    year = utc_now().year
    counter_before = invoice_counter(year)
    placed = given(pipeline)
    try:
        with faults.armed(rule):
            pipeline.drain([step])
        assert len(faults.injected) == 1 and pipeline.crashed_invocations[step] == 1, faults.injected
        pipeline.drain()
        outcome = check_invariants(pipeline, [placed], year=year, counter_before=counter_before)
        assert (outcome.invoiced if expected == orders.INVOICED else outcome.rejected) == [placed]
    except AssertionError as failure:
        return [f"{rule}: {failure}"]
    return []


def calls_of(new_pipeline, faults, step: str, given) -> list:
    pipeline = new_pipeline()
    given(pipeline)
    with faults.recording() as calls:
        pipeline.drain([step])
    pipeline.drain()
    return calls


@pytest.mark.parametrize(
    ("credit_limit", "expected", "decision_write"),
    [(RICH, orders.INVOICED, "UpdateItem"), (POOR, orders.REJECTED, "TransactWriteItems")],
    ids=["approved", "rejected"],
)
def test_a_crash_before_or_after_any_call_of_the_approval_worker_is_healed_by_redelivery(
    new_pipeline, faults, credit_limit, expected, decision_write
):
    # GIVEN the calls the approval worker makes for one order, recorded from a clean run
    given = functools.partial(pending_order, credit_limit=credit_limit)
    calls = calls_of(new_pipeline, faults, APPROVAL, given)
    assert {("dynamodb", "BatchGetItem"), ("dynamodb", decision_write)} <= {(c.service, c.operation) for c in calls}

    # WHEN, for each call in turn, the invocation dies just before or just after it, and SQS redelivers
    broken = [
        failure
        for rule in crash_points(calls)
        for failure in crash_survived(new_pipeline, faults, rule, APPROVAL, given, expected)
    ]

    # THEN every time the order is decided once and carried to its one terminal state
    assert broken == [], "\n".join(broken)


def test_a_crash_before_or_after_any_call_of_the_paid_order_worker_is_healed_by_redelivery(new_pipeline, faults):
    # GIVEN the calls the paid-order worker makes for one APPROVED order, recorded from a clean run
    calls = calls_of(new_pipeline, faults, PAID_ORDER, approved_order)
    operations = {(c.service, c.operation) for c in calls}
    assert {("dynamodb", "BatchGetItem"), ("dynamodb", "TransactWriteItems"), ("s3", "PutObject")} <= operations

    # WHEN, for each call in turn, the invocation dies just before or just after it, and SQS redelivers
    broken = [
        failure
        for rule in crash_points(calls)
        for failure in crash_survived(new_pipeline, faults, rule, PAID_ORDER, approved_order, orders.INVOICED)
    ]

    # THEN every time the order has one invoice number, one index entry and one PDF; no number is lost
    assert broken == [], "\n".join(broken)


def test_messages_delivered_two_or_three_times_in_different_batches_invoice_each_order_once(new_pipeline, faults):
    # GIVEN 12 orders of three clients (one whose orders are all rejected), placed through the API, and
    # poison: a body that is not JSON, and references to an order that does not exist, on both queues
    pipeline = new_pipeline(max_receive_count=3)
    year = utc_now().year
    counter_before = invoice_counter(year)
    customers = [new_client(), new_client(), new_client(POOR)]
    unknown = messages.body(new_id(), new_id())
    poison = {APPROVAL: ["not json", unknown], PAID_ORDER: [unknown]}

    # WHEN every message sent (the API's and the approval worker's) is delivered 2 or 3 times, the copies
    # 1-2 s apart so they arrive in other batches than the original
    with faults.armed(Rule(duplicate((1, 2)), "sqs", "SendMessage")):
        accepted = [pipeline.place_order(customers[n % 3], ITEMS, key=f"dup-{n}-{uuid.uuid4().hex}") for n in range(12)]
        for function, bodies in poison.items():
            for body in bodies:
                pipeline.send(function, body)
        pipeline.drain(timeout_s=40)

    # THEN each message was duplicated, each order reached one terminal state with one invoice at most,
    # and the DLQs hold exactly the poison
    sent = [call for call in faults.calls if call.operation == "SendMessage"]
    assert len(sent) >= 12 + 8 and len(faults.injected) == len(sent)  # the API's 12, 8 paid messages at least
    outcome = check_invariants(
        pipeline, [(a.client_id, a.order_id) for a in accepted], year=year, counter_before=counter_before, poison=poison
    )
    assert (len(outcome.invoiced), len(outcome.rejected)) == (8, 4)


def test_throttled_dynamodb_and_sqs_calls_are_retried_until_every_order_is_done(new_pipeline, faults):
    # GIVEN 10 orders waiting for approval (2 of them over their client's credit limit)
    pipeline = new_pipeline(max_receive_count=50)
    year = utc_now().year
    counter_before = invoice_counter(year)
    placed = [pending_order(pipeline, POOR if n < 2 else RICH) for n in range(10)]

    # WHEN a fifth of the workers' DynamoDB and SQS calls are throttled beyond the SDK's retries
    rules = [
        Rule(tuple(error(code) for code in THROTTLING["dynamodb"]), "dynamodb", probability=0.2),
        Rule(tuple(error(code) for code in THROTTLING["sqs"]), "sqs", probability=0.2),
        # The invoice counter's read is the workers' only GetItem (one per invoice; order and client come in
        # a BatchGetItem): too few for a fifth to be sure to hit one, so its first is throttled outright.
        Rule(error(THROTTLING["dynamodb"][0]), "dynamodb", "GetItem", at=1),
        # Likewise the transactions: the paid-order worker numbers a whole batch in one.
        Rule(error(THROTTLING["dynamodb"][0]), "dynamodb", "TransactWriteItems", at=1),
    ]
    with faults.armed(*rules):
        pipeline.drain(timeout_s=40)

    # THEN every kind of call the workers make was throttled at least once, and every invariant holds
    assert set(faults.injected_by_operation()) >= {
        "dynamodb.BatchGetItem",
        "dynamodb.GetItem",
        "dynamodb.UpdateItem",
        "dynamodb.TransactWriteItems",
        "sqs.SendMessage",
    }, faults.injected_by_operation()
    outcome = check_invariants(pipeline, placed, year=year, counter_before=counter_before)
    assert (len(outcome.invoiced), len(outcome.rejected)) == (8, 2)


def test_s3_failing_uploads_are_retried_and_leave_one_pdf_per_invoice(new_pipeline, faults):
    # GIVEN 4 APPROVED orders whose paid messages arrive in one batch
    pipeline = new_pipeline()
    year = utc_now().year
    counter_before = invoice_counter(year)
    placed = [approved_order(pipeline) for _ in range(4)]

    # WHEN S3 answers InternalError to the first three uploads, stores the fourth yet answers InternalError,
    # and answers SlowDown to the fifth
    rules = [
        Rule(error("InternalError"), "s3", "PutObject", times=3),
        Rule(error("InternalError", "after"), "s3", "PutObject", at=4),
        Rule(error("SlowDown"), "s3", "PutObject", at=5),
    ]
    with faults.armed(*rules):
        pipeline.drain()

    # THEN all five faults happened, and each order has its one number, index entry and PDF
    assert [str(i.fault) for i in faults.injected] == ["InternalError before"] * 3 + [
        "InternalError after",
        "SlowDown before",
    ]
    assert len(check_invariants(pipeline, placed, year=year, counter_before=counter_before).invoiced) == 4


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_crash_before_or_after_a_batchs_numbering_transaction_leaves_no_gap_and_no_second_number(
    new_pipeline, faults, when
):
    # GIVEN 6 APPROVED orders whose paid messages wait on the queue together (one batch: the template's size)
    pipeline = new_pipeline()
    year = utc_now().year
    counter_before = invoice_counter(year)
    placed = [approved_order(pipeline) for _ in range(6)]

    # WHEN the invocation dies just before, or just after, the transaction that numbers the batch
    with faults.armed(Rule(crash(when), "dynamodb", "TransactWriteItems", at=1)):
        pipeline.drain([PAID_ORDER])
    pipeline.drain()

    # THEN it crashed once, and after redelivery every order has one number, one index entry and one PDF,
    # numbered by as many transactions as committed: the numbers are exactly the counter's next six
    assert [str(i.fault) for i in faults.injected] == [f"crash {when}"]
    assert pipeline.crashed_invocations[PAID_ORDER] == 1
    assert len(check_invariants(pipeline, placed, year=year, counter_before=counter_before).invoiced) == 6


def test_a_batch_with_duplicates_replays_and_poison_under_redelivery_invoices_each_order_once(new_pipeline, faults):
    # GIVEN 5 APPROVED orders, each paid message sent twice at once (duplicates in one batch), a replay of
    # an order that is invoiced already, and a message naming no order
    pipeline = new_pipeline(max_receive_count=3)
    year = utc_now().year
    counter_before = invoice_counter(year)
    replayed = approved_order(pipeline)
    pipeline.drain([PAID_ORDER])
    placed = [approved_order(pipeline) for _ in range(5)]
    for client_id, order_id in [*placed, replayed]:
        pipeline.send(PAID_ORDER, messages.body(client_id, order_id))
    unknown = messages.body(new_id(), new_id())
    pipeline.send(PAID_ORDER, unknown)

    # WHEN the worker processes them, its first numbering transaction dying once
    with faults.armed(Rule(crash("after"), "dynamodb", "TransactWriteItems", at=1)):
        pipeline.drain()

    # THEN each order is invoiced once, the numbers gapless, and only the poison is in the DLQ
    outcome = check_invariants(
        pipeline, [*placed, replayed], year=year, counter_before=counter_before, poison={PAID_ORDER: [unknown]}
    )
    assert len(outcome.invoiced) == 6
