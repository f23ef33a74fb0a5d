"""Order creation under faults: the process dies, or a call is throttled, at every AWS call of
`POST /clients/{clientId}/orders`; the client retries with the same Idempotency-Key. Exactly one order
exists in the end, enqueued and carried to a terminal state (docs/architecture.md §8).

The calls are not listed here: they are recorded from a clean placement, so a call added to the path
(Powertools' idempotency records, for one) is faulted too.
"""

from __future__ import annotations

import uuid

import pytest

from datamodel import clients
from datamodel.clients import ClientFields
from domain.clock import utc_now
from tests.faults import (
    THROTTLING,
    FaultInjector,
    Pipeline,
    Rule,
    check_invariants,
    crash_points,
    error,
    function_runner,
    invoice_counter,
)

ITEMS = [{"sku": "W-1", "description": "Blue widget", "quantity": 2, "unitPrice": 1250}]


@pytest.fixture(scope="module")
def runner(template, stack):
    return function_runner(template, stack)


@pytest.fixture
def faults():
    with FaultInjector(seed=4) as injector:
        yield injector


@pytest.fixture
def new_pipeline(runner, template, stack, monkeypatch):
    return lambda: Pipeline(runner, template, stack, monkeypatch)


def new_client(credit_limit: int = 10**9) -> str:
    email = f"fault-{uuid.uuid4().hex[:12]}@example.com"
    return clients.create(ClientFields("Fault Tolerant Ltd", email, credit_limit, "USD")).client_id


def calls_of_one_placement(new_pipeline, faults):
    pipeline, client_id = new_pipeline(), new_client()
    with faults.recording() as calls:
        pipeline.place_order(client_id, ITEMS, key=f"clean-{uuid.uuid4().hex}")
    pipeline.drain()
    operations = {(call.service, call.operation) for call in calls}
    assert {("dynamodb", "GetItem"), ("dynamodb", "TransactWriteItems"), ("sqs", "SendMessage")} <= operations
    return calls


def survives(new_pipeline, faults, rule: Rule, first_failure) -> list[str]:
    """Place one order with `rule` armed, retrying until accepted; then let the workers run, and check.
    `first_failure(attempt)` says whether the client saw the fault as it should. Answers what broke."""
    pipeline = new_pipeline()
    client_id, key = new_client(), f"key-{uuid.uuid4().hex}"
    year = utc_now().year
    counter_before = invoice_counter(year)
    try:
        with faults.armed(rule):
            accepted = pipeline.place_order(client_id, ITEMS, key)
        assert [i.fault for i in faults.injected] == [rule.fault], [str(i) for i in faults.injected]
        assert accepted.failed_attempts and first_failure(accepted.failed_attempts[0]), accepted.failed_attempts
        pipeline.drain()
        outcome = check_invariants(pipeline, [(client_id, accepted.order_id)], year=year, counter_before=counter_before)
        assert outcome.invoiced == [(client_id, accepted.order_id)]
    except AssertionError as failure:
        return [f"{rule}: {failure}"]
    return []


def test_a_crash_before_or_after_any_call_of_order_creation_leaves_one_order_that_is_invoiced(new_pipeline, faults):
    # GIVEN the AWS calls of one placement, recorded from a clean run
    calls = calls_of_one_placement(new_pipeline, faults)

    # WHEN, for each call in turn, the process dies just before it or just after it, and the client
    # sends the same request with the same Idempotency-Key until it gets a 2xx
    broken = [
        failure
        for rule in crash_points(calls)
        for failure in survives(new_pipeline, faults, rule, lambda attempt: attempt == "crash")
    ]

    # THEN every time exactly one order exists, enqueued, invoiced once, and nothing is left behind
    assert broken == [], "\n".join(broken)


def test_a_throttled_call_of_order_creation_answers_429_and_the_retry_places_one_order(new_pipeline, faults):
    # GIVEN the AWS calls of one placement, recorded from a clean run
    calls = calls_of_one_placement(new_pipeline, faults)

    # WHEN, for each call in turn, it is throttled beyond the SDK's retries: refused before it is made,
    # or made but answered with the error (an ambiguous outcome), and the client retries with its key
    rules = [
        Rule(error(THROTTLING[call.service][0], when), call.service, call.operation, at=call.occurrence)
        for call in calls
        for when in ("before", "after")
    ]
    broken = [
        failure
        for rule in rules
        for failure in survives(new_pipeline, faults, rule, lambda attempt: attempt == "429")
    ]

    # THEN every time exactly one order exists, enqueued, invoiced once, and nothing is left behind
    assert broken == [], "\n".join(broken)
