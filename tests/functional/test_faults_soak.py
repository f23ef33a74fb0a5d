"""A randomized soak, with a fixed seed: 30 orders placed through the API and carried through both
workers while every AWS call (DynamoDB, SQS, S3; the API's and the workers') meets a fault with
probability 0.2: throttling, or a server error after it took effect (0.18), or a crash of the process
just before or just after it (0.02); and every message sent is delivered twice (the copy 1-2 s later), on
top of the redeliveries the faults cause. Once the pipeline is quiet, every invariant of docs/architecture.md §8
holds.

Crashes are rarer than errors on purpose: a crash fails its whole batch (10 records, ~40 calls) and
every record of it is processed again, so at 0.2 a batch would almost never complete. For the same
reason the queues' maxReceiveCount is high here: a good message may fail many receives in a row, and
only poison may reach a DLQ (poison is covered in test_faults_workers.py, on queues with a small
maxReceiveCount).
"""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from datamodel import clients
from datamodel.clients import ClientFields
from domain.clock import utc_now
from tests.faults import (
    CRASHES,
    Accepted,
    FaultInjector,
    Pipeline,
    Rule,
    check_invariants,
    duplicate,
    function_runner,
    invoice_counter,
    transient_errors,
)

SEED = 20260425
ORDERS = 30
CALLERS = 3
ERROR_PROBABILITY = 0.18
CRASH_PROBABILITY = 0.02
SERVICES = ("dynamodb", "sqs", "s3")


@pytest.fixture(scope="module")
def runner(template, stack):
    return function_runner(template, stack)


def new_client(credit_limit: int) -> str:
    email = f"soak-{uuid.uuid4().hex[:12]}@example.com"
    return clients.create(ClientFields("Soak Ltd", email, credit_limit, "USD")).client_id


def items(n: int) -> list[dict]:
    return [
        {"sku": f"SKU-{n}", "description": f"Item {n}", "quantity": 1 + n % 3, "unitPrice": 100 * (1 + n % 7)},
        {"sku": "FEE", "description": "Handling", "quantity": 1, "unitPrice": 250},
    ]


def test_thirty_orders_under_random_faults_and_duplicates_end_invoiced_or_rejected_exactly_once(
    runner, template, stack, monkeypatch
):
    # GIVEN four clients with room for every order, and one whose credit limit refuses them all
    pipeline = Pipeline(runner, template, stack, monkeypatch, max_receive_count=100)
    customers = [new_client(10**9) for _ in range(4)] + [new_client(1)]
    year = utc_now().year
    counter_before = invoice_counter(year)
    rules = [
        *(Rule(transient_errors(service), service, probability=ERROR_PROBABILITY) for service in SERVICES),
        *(Rule(CRASHES, service, probability=CRASH_PROBABILITY) for service in SERVICES),
        Rule(duplicate((1, 1)), "sqs", "SendMessage"),
    ]

    # WHEN 30 orders are placed by three concurrent callers (each order retried with its Idempotency-Key
    # until accepted) while the workers poll, all under the seeded faults, and the pipeline then runs
    # until its queues are empty
    def place(n: int) -> Accepted:
        return pipeline.place_order(customers[n % len(customers)], items(n), f"soak-{n}-{uuid.uuid4().hex}")

    with FaultInjector(seed=SEED) as faults, faults.armed(*rules):
        with pipeline.running(), ThreadPoolExecutor(max_workers=CALLERS) as callers:
            accepted = list(callers.map(place, range(ORDERS)))
        pipeline.drain(timeout_s=90)  # a bound for a loaded machine: the pollers did most of the work by now

    # THEN faults of every kind happened, and each crash ended one invocation (of the API or a worker) ...
    kinds = Counter(str(injection.fault) for injection in faults.injected)
    assert {"crash before", "crash after", "duplicate after"} <= kinds.keys(), kinds
    assert {i.call.service for i in faults.injected if i.fault.kind == "error"} == {"dynamodb", "sqs", "s3"}
    api_crashes = sum(a.failed_attempts.count("crash") for a in accepted)
    worker_crashes = sum(pipeline.crashed_invocations.values())
    assert api_crashes + worker_crashes == kinds["crash before"] + kinds["crash after"]
    # ... and every accepted order is in exactly one terminal state, with one invoice number, index
    # entry and PDF per invoiced order, gapless numbers, no open order left, and empty DLQs
    outcome = check_invariants(
        pipeline, [(a.client_id, a.order_id) for a in accepted], year=year, counter_before=counter_before
    )
    assert (len(outcome.invoiced), len(outcome.rejected)) == (24, 6)
