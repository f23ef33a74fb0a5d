"""Fault injection for the functional tier: make the product's AWS calls crash or fail, then check that
retries leave every invariant of docs/architecture.md §8 standing.

Three parts:

1. `FaultInjector`: botocore event hooks on every client the product uses (the module-level boto3
   clients of handlers/ and workers/, Powertools' idempotency store, and every PynamoDB connection).
   While `armed(*rules)`, each call the product makes is recorded, and a `Rule` may turn it into a fault:

   - `crash("before")`: the process dies before the request is sent (nothing happened);
   - `crash("after")`: the request took effect, then the process died before using the answer;
   - `error(code)`: the call fails with that AWS error once the SDK's own retries are spent
     (`error(code, "after")`: it took effect, yet the caller sees the error, as after a timeout);
   - `duplicate()`: an SQS SendMessage is delivered 2-3 times, the copies delayed into later batches.

   A crash raises `InjectedCrash`, a `BaseException`: no `except Exception` of the product, of
   Powertools (resolver, batch processor) or of the local Lambda runner can catch it, so it ends the
   invocation as a dead process does; the caller (the test's client, or the poller) sees it.
   Outside `armed()` the hooks do nothing, so tests set up and check state through the same data layer.

   `crash_points(calls)` turns the calls recorded during a clean run of one step into the rules
   "crash before / after the n-th call of that step".

2. `Pipeline`: the two workers behind the real `Poller.poll_once` on queues of the test's own (1 s
   visibility, each with a DLQ), the API called through an in-process runner (tests/inprocess.py, so the faults reach it),
   and a client that retries a POST with its Idempotency-Key until it is accepted.

3. `check_invariants`: every accepted order in exactly one terminal state; one invoice number, one S3
   object (the PDF of that invoice, byte for byte) and one index entry per invoiced order; numbers
   gapless after the counter value read before the test acted; open-orders counts back to 0; queues
   empty and each DLQ holding exactly the expected poison messages.

Functions run with a short timeout (`FUNCTION_TIMEOUT_S`): Powertools' idempotency records of a crashed
invocation stay INPROGRESS until the function's timeout, as on AWS, and a short one keeps the tests fast.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import random
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import boto3
from botocore.client import BaseClient
from pynamodb.connection import Connection, TableConnection

from datamodel import clients, invoices, keys, orders
from datamodel.base import TableItem
from datamodel.entities import InvoiceCounter
from domain import config
from shoplocal.lambdas import FunctionError
from shoplocal.pollers import Mapping, Poller, mappings
from tests.events import api_event, client_claims
from tests.inprocess import InProcessRunner
from workers.invoice_pdf import render_invoice
from workers.paid_order import document

# What runs in Lambda: its clients are the ones faults go into. The local runtime and the tests are not.
PRODUCT_PACKAGES = ("handlers", "workers", "datamodel", "domain")
FUNCTION_MODULES = ("handlers.orders", "workers.approval", "workers.paid_order")
FUNCTION_TIMEOUT_S = 1

APPROVAL, PAID_ORDER, ORDERS_API = "ApprovalFunction", "PaidOrderFunction", "OrdersFunction"

# Transient errors of each service, as the caller sees them once the SDK has given up retrying.
THROTTLING = {
    "dynamodb": ("ProvisionedThroughputExceededException", "ThrottlingException"),
    "sqs": ("RequestThrottled", "ThrottlingException"),
    "s3": ("InternalError", "SlowDown"),
}
# A 5xx leaves the outcome unknown: the request may have taken effect (injected "after" it did).
SERVER_ERROR = {"dynamodb": "InternalServerError", "sqs": "InternalError", "s3": "InternalError"}
_HTTP_STATUS = {"InternalError": 500, "InternalServerError": 500, "ServiceUnavailable": 503, "SlowDown": 503}


class InjectedCrash(BaseException):
    """The process died here (a crash, an out-of-memory kill, a timeout). Deliberately not an
    `Exception`: nothing in the product may catch it, exactly as nothing survives a dead process."""


# ---- 1. what to inject, and when ----


@dataclass(frozen=True)
class Fault:
    kind: str  # "crash", "error" or "duplicate"
    when: str = "before"  # "before" the request is sent, or "after" it took effect
    code: str | None = None  # the AWS error code of an "error"
    copies: tuple[int, int] = (1, 2)  # extra deliveries of a "duplicate", at least and at most

    def __str__(self) -> str:
        if self.kind == "error":
            return f"{self.code} {self.when}"
        return f"{self.kind} {self.when}"


def crash(when: str = "before") -> Fault:
    return Fault("crash", when)


def error(code: str, when: str = "before") -> Fault:
    return Fault("error", when, code)


def duplicate(copies: tuple[int, int] = (1, 2)) -> Fault:
    """Each message sent is delivered 1 + `copies` times; the copies come 1-2 s later (SQS
    DelaySeconds), so they land in later batches than the original."""
    return Fault("duplicate", "after", copies=copies)


CRASHES = (crash("before"), crash("after"))


def transient_errors(service: str) -> tuple[Fault, ...]:
    """What a call to `service` meets on a bad day: each of its throttling errors before the request,
    and a server error after it took effect (the caller cannot tell whether it did)."""
    return (*(error(code) for code in THROTTLING[service]), error(SERVER_ERROR[service], "after"))


@dataclass(frozen=True)
class Call:
    """One AWS call of the product: `occurrence` counts the calls of that operation since arming."""

    service: str
    operation: str
    occurrence: int = 1

    def __str__(self) -> str:
        return f"{self.service}.{self.operation}#{self.occurrence}"


@dataclass(frozen=True)
class Rule:
    """Which calls get a fault. A call matches on `service` and `operation` (None: any); it gets the
    fault at its `at`-th match only, or else with `probability`, at most `times` times (None: no limit).
    With several `fault`s, one is picked at random (the injector's seeded generator)."""

    fault: Fault | tuple[Fault, ...]
    service: str | None = None
    operation: str | None = None
    at: int | None = None
    probability: float = 1.0
    times: int | None = None

    def matches(self, call: Call) -> bool:
        return self.service in (None, call.service) and self.operation in (None, call.operation)

    def __str__(self) -> str:
        faults = self.fault if isinstance(self.fault, tuple) else (self.fault,)
        target = f"{self.service or '*'}.{self.operation or '*'}" + (f"#{self.at}" if self.at else "")
        return f"{' | '.join(map(str, faults))} of {target}"


@dataclass(frozen=True)
class Injection:
    call: Call
    fault: Fault

    def __str__(self) -> str:
        return f"{self.fault} {self.call}"


def crash_points(calls: Iterable[Call]) -> list[Rule]:
    """A crash before, and one after, each of `calls` (recorded during a clean run of one step)."""
    return [
        Rule(crash(when), call.service, call.operation, at=call.occurrence)
        for call in calls
        for when in ("before", "after")
    ]


# ---- 1. the injector itself ----


class FaultInjector:
    """Hooks on the product's clients; inert until `armed`. Use as a context manager."""

    def __init__(self, seed: int = 0) -> None:
        self.calls: list[Call] = []
        self.injected: list[Injection] = []
        self.seed = seed
        self._rules: tuple[Rule, ...] | None = None  # None: disarmed
        self._seen: Counter[int] = Counter()
        self._fired: Counter[int] = Counter()
        self._occurrences: Counter[tuple[str, str]] = Counter()
        self._rng = random.Random(seed)
        self._lock = threading.RLock()
        self._clients: list[BaseClient] = []
        self._tag = f"fault-injector-{uuid.uuid4().hex}"
        self._sqs = boto3.client("sqs")  # the harness's own, for duplicates: never hooked

    def __enter__(self) -> FaultInjector:
        self._clients = product_clients()
        for client in self._clients:
            events = client.meta.events
            events.register("before-parameter-build", self._keep_params, unique_id=f"{self._tag}-params")
            events.register("before-call", self._before_hook(client), unique_id=f"{self._tag}-before")
            events.register("after-call", self._after_hook(client), unique_id=f"{self._tag}-after")
        return self

    def __exit__(self, *exc: object) -> None:
        for client in self._clients:
            events = client.meta.events
            events.unregister("before-parameter-build", unique_id=f"{self._tag}-params")
            events.unregister("before-call", unique_id=f"{self._tag}-before")
            events.unregister("after-call", unique_id=f"{self._tag}-after")
        self._clients = []

    @contextmanager
    def armed(self, *rules: Rule) -> Iterator[FaultInjector]:
        """Record every product call, and apply `rules`, until the block ends. Starts a fresh record."""
        with self._lock:
            self.calls, self.injected = [], []
            self._seen.clear()
            self._fired.clear()
            self._occurrences.clear()
            self._rng = random.Random(self.seed)
            self._rules = rules
        try:
            yield self
        finally:
            self._rules = None

    @contextmanager
    def recording(self) -> Iterator[list[Call]]:
        """No fault: just the calls made in the block, in order."""
        with self.armed() as injector:
            yield injector.calls

    def injected_by_operation(self) -> Counter[str]:
        return Counter(f"{i.call.service}.{i.call.operation}" for i in self.injected)

    # -- hooks --

    def _keep_params(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if self._rules is not None:
            context[f"{self._tag}-params"] = dict(params)

    def _before_hook(self, client: BaseClient):
        def before_call(model: Any, context: dict[str, Any], **_: Any) -> None:
            if self._rules is None:
                return None
            with self._lock:
                service, operation = model.service_model.service_name, model.name
                self._occurrences[service, operation] += 1
                call = Call(service, operation, self._occurrences[service, operation])
                self.calls.append(call)
                faults = self._faults_for(call)
            now = [f for f in faults if f.when == "before"]
            context[f"{self._tag}-after"] = (call, [f for f in faults if f.when == "after"])
            if now:
                self._inject(client, call, now[0], context)
            return None  # anything else would be taken as the call's response

        return before_call

    def _after_hook(self, client: BaseClient):
        def after_call(context: dict[str, Any], **_: Any) -> None:
            call, faults = context.pop(f"{self._tag}-after", (None, []))
            for fault in sorted(faults, key=lambda f: f.kind != "duplicate"):  # side effects, then raise
                self._inject(client, call, fault, context)

        return after_call

    def _faults_for(self, call: Call) -> list[Fault]:
        """Every rule counts every call it matches, so each rule's `at` and draws stay independent."""
        faults = []
        for index, rule in enumerate(self._rules or ()):
            if not rule.matches(call):
                continue
            self._seen[index] += 1
            if rule.at is not None:
                fires = self._seen[index] == rule.at
            else:
                fires = (rule.times is None or self._fired[index] < rule.times) and (
                    rule.probability >= 1 or self._rng.random() < rule.probability
                )
            if fires:
                self._fired[index] += 1
                options = rule.fault if isinstance(rule.fault, tuple) else (rule.fault,)
                faults.append(options[0] if len(options) == 1 else self._rng.choice(options))
        # At most one fault that ends the call per phase; duplicates combine with anything.
        chosen, ending = [], set()
        for fault in faults:
            if fault.kind == "duplicate" or fault.when not in ending:
                chosen.append(fault)
                if fault.kind != "duplicate":
                    ending.add(fault.when)
        return chosen

    def _inject(self, client: BaseClient, call: Call, fault: Fault, context: dict[str, Any]) -> None:
        with self._lock:
            self.injected.append(Injection(call, fault))
        if fault.kind == "crash":
            raise InjectedCrash(f"injected {fault} {call}")
        if fault.kind == "error":
            status = _HTTP_STATUS.get(fault.code, 400)
            response = {
                "Error": {"Code": fault.code, "Message": f"injected {fault} {call}"},
                "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": 3},
            }
            raise client.exceptions.from_code(fault.code)(response, call.operation)
        if fault.kind == "duplicate" and (call.service, call.operation) == ("sqs", "SendMessage"):
            params = context.get(f"{self._tag}-params", {})
            with self._lock:
                copies = self._rng.randint(*fault.copies)
                delays = [self._rng.randint(1, 2) for _ in range(copies)]
            for delay in delays:
                self._sqs.send_message(
                    QueueUrl=params["QueueUrl"], MessageBody=params["MessageBody"], DelaySeconds=delay
                )


def product_clients() -> list[BaseClient]:
    """Every botocore client the product's code holds: module-level boto3 clients (and objects holding
    one, such as Powertools' persistence layer), PynamoDB's shared connection, and every model's own
    connection. The function modules are imported first, as their first invocation would."""
    for name in FUNCTION_MODULES:
        importlib.import_module(name)
    found: dict[int, BaseClient] = {}
    for name, module in list(sys.modules.items()):
        if module is None or name.partition(".")[0] not in PRODUCT_PACKAGES:
            continue
        for value in list(vars(module).values()):
            for client in _clients_in(value):
                found[id(client)] = client
    for model in _subclasses(TableItem):
        client = model._get_connection().connection.client
        found[id(client)] = client
    return list(found.values())


def _clients_in(value: Any, depth: int = 0) -> Iterator[BaseClient]:
    if isinstance(value, BaseClient):
        yield value
    elif isinstance(value, Connection):
        yield value.client
    elif isinstance(value, TableConnection):
        yield value.connection.client
    elif depth < 2 and not isinstance(value, (type, ModuleType)) and hasattr(value, "__dict__"):
        for attribute in list(vars(value).values()):
            yield from _clients_in(attribute, depth + 1)


def _subclasses(cls: type) -> Iterator[type]:
    yield cls
    for sub in cls.__subclasses__():
        yield from _subclasses(sub)


# ---- 2. the pipeline under test ----


def function_runner(template: Any, stack: Any) -> InProcessRunner:
    """template.yaml's functions, each with a `FUNCTION_TIMEOUT_S` timeout, invoked in this process (where
    the faults are injected), one event at a time per function as the local stack runs them."""
    functions = {
        name: dataclasses.replace(function, timeout=FUNCTION_TIMEOUT_S)
        for name, function in template.functions().items()
    }
    return InProcessRunner(functions)


_mappings: dict[int, dict[str, Mapping]] = {}


def _template_mappings(template: Any, stack: Any) -> dict[str, Mapping]:
    """The template's event source mappings (batch size, partial batch responses), read once."""
    if id(stack) not in _mappings:
        _mappings[id(stack)] = {m.function: m for m in mappings(template, stack)}
    return _mappings[id(stack)]


@dataclass
class Queue:
    url: str
    arn: str
    dlq_url: str


class Pipeline:
    """The order pipeline on queues of its own: the API through the Lambda runner, both workers behind
    real pollers (the template's batch size and partial batch responses), `domain.config` pointed at
    these queues for the test's duration (pass pytest's `monkeypatch`)."""

    def __init__(
        self, runner: InProcessRunner, template: Any, stack: Any, monkeypatch: Any, *, max_receive_count: int = 10
    ):
        self.runner = runner
        self.sqs = boto3.client("sqs")
        self.s3 = boto3.client("s3")
        self.bucket = stack.physical_ids["InvoiceBucket"]
        self.queues = {
            function: self._queue(prefix, max_receive_count)
            for function, prefix in ((APPROVAL, "orders"), (PAID_ORDER, "paid"))
        }
        template_mappings = _template_mappings(template, stack)
        self.pollers = {
            function: Poller(
                runner,
                dataclasses.replace(template_mappings[function], queue_url=queue.url, queue_arn=queue.arn),
                threading.Event(),
            )
            for function, queue in self.queues.items()
        }
        self.crashed_invocations: Counter[str] = Counter()
        monkeypatch.setattr(config, "ORDERS_QUEUE_URL", self.queues[APPROVAL].url)
        monkeypatch.setattr(config, "PAID_ORDERS_QUEUE_URL", self.queues[PAID_ORDER].url)

    @contextmanager
    def running(self) -> Iterator[Pipeline]:
        """The pollers work in the background while the block runs, one thread each, long-polling as
        event source mappings do."""
        stop, failures = threading.Event(), []

        def loop(function: str) -> None:
            while not stop.is_set():
                try:
                    self._poll_once(function)  # waits up to 1 s for messages
                except Exception as failure:  # the harness's own calls: reported below
                    failures.append(failure)
                    stop.wait(0.5)

        threads = [threading.Thread(target=loop, args=(function,), daemon=True) for function in self.pollers]
        for thread in threads:
            thread.start()
        try:
            yield self
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
        assert not failures, failures

    def _poll_once(self, function: str) -> None:
        try:
            self.pollers[function].poll_once()
        except InjectedCrash:
            self.crashed_invocations[function] += 1

    def _queue(self, prefix: str, max_receive_count: int) -> Queue:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        dlq = self.sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
        policy = json.dumps({"deadLetterTargetArn": self._arn(dlq), "maxReceiveCount": max_receive_count})
        url = self.sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "1", "RedrivePolicy": policy})[
            "QueueUrl"
        ]
        return Queue(url, self._arn(url), dlq)

    def _arn(self, url: str) -> str:
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def send(self, function: str, body: str) -> None:
        """A message on `function`'s queue, sent by the test (not through the product's clients)."""
        self.sqs.send_message(QueueUrl=self.queues[function].url, MessageBody=body)

    def depth(self, function: str) -> tuple[int, int, int]:
        """(visible, in flight, delayed) messages of `function`'s queue."""
        names = [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.queues[function].url, AttributeNames=names)[
            "Attributes"
        ]
        return tuple(int(attributes[name]) for name in names)

    def drain(self, functions: Iterable[str] = (APPROVAL, PAID_ORDER), timeout_s: float = 30.0) -> None:
        """Run the pollers of `functions` until their queues are empty. A crashed invocation deletes
        nothing: its whole batch comes back after the visibility timeout, as on AWS."""
        functions = list(functions)
        deadline = time.monotonic() + timeout_s
        while True:
            depths = {function: self.depth(function) for function in functions}
            if not any(sum(depth) for depth in depths.values()):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"queues not empty after {timeout_s} s (visible, in flight, delayed): {depths}")
            visible = [function for function in functions if depths[function][0]]
            for function in visible:
                self._poll_once(function)
            if not visible:
                time.sleep(0.1)

    def dead_letters(self, function: str) -> list[str]:
        """The bodies in `function`'s DLQ (left there, hidden for a minute)."""
        bodies = []
        while True:
            received = self.sqs.receive_message(
                QueueUrl=self.queues[function].dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=60
            ).get("Messages", [])
            if not received:
                return bodies
            bodies += [message["Body"] for message in received]

    def place_order(self, client_id: str, items: list[dict[str, Any]], key: str, timeout_s: float = 30.0) -> Accepted:
        """POST the order as its client does, carefully: on a crash, a 409 (in flight) or a 5xx, send the
        same request with the same Idempotency-Key again, backing off, until it is accepted."""
        failures: list[str] = []
        deadline = time.monotonic() + timeout_s
        while True:
            event = api_event(
                "POST",
                f"/clients/{client_id}/orders",
                resource="/clients/{clientId}/orders",
                path_parameters={"clientId": client_id},
                body={"items": items},
                headers={"Idempotency-Key": key},
                claims=client_claims(client_id),  # the order's own client places it
            )
            try:
                response = self.runner.invoke(ORDERS_API, event)
            except InjectedCrash:
                failures.append("crash")
            except FunctionError:
                failures.append("502")  # API Gateway's answer to a failed function
            else:
                status, body = response["statusCode"], json.loads(response.get("body") or "null")
                if 200 <= status < 300:
                    return Accepted(client_id, body["orderId"], status, failures)
                if status not in (409, 429) and status < 500:
                    raise AssertionError(f"order refused with {status}: {body}")
                failures.append(str(status))
            if time.monotonic() > deadline:
                raise AssertionError(f"order never accepted in {timeout_s} s: {failures}")
            time.sleep(min(0.5, 0.1 * 2 ** (len(failures) - 1)))  # backing off: 0.1, 0.2, 0.4, 0.5 s...


@dataclass(frozen=True)
class Accepted:
    """An order the API accepted (2xx), with what the client went through before that."""

    client_id: str
    order_id: str
    status: int
    failed_attempts: list[str] = field(default_factory=list)


# ---- 3. the invariants of docs/architecture.md §8 ----


def invoice_counter(year: int) -> int:
    """The last invoice number issued in `year` (0 before the first)."""
    try:
        return int(InvoiceCounter.get(keys.INVOICE_COUNTER, keys.counter_sk(year), consistent_read=True).value)
    except InvoiceCounter.DoesNotExist:
        return 0


@dataclass(frozen=True)
class Outcome:
    invoiced: list[tuple[str, str]]  # (clientId, orderId)
    rejected: list[tuple[str, str]]


def check_invariants(
    pipeline: Pipeline,
    accepted: Iterable[tuple[str, str]],
    *,
    year: int,
    counter_before: int,
    poison: dict[str, list[str]] | None = None,
) -> Outcome:
    """Assert docs/architecture.md §8 over the orders `accepted` by this test, once the pipeline is quiet.

    Each client of `accepted` must belong to this test alone: its orders, invoices and PDFs are
    compared with the accepted orders exactly (no lost order, no second order for one request)."""
    by_client: dict[str, set[str]] = {}
    for client_id, order_id in accepted:
        by_client.setdefault(client_id, set()).add(order_id)
    invoiced, rejected, numbers = [], [], []
    for client_id, order_ids in by_client.items():
        stored = {order.order_id: order for order in _all(orders.page, client_id)}
        assert set(stored) == order_ids, f"client {client_id}: orders {sorted(stored)} != accepted {sorted(order_ids)}"
        index = {invoice.invoice_id: invoice for invoice in _all(invoices.page, client_id)}
        pdfs = _keys(pipeline.s3, pipeline.bucket, f"invoices/{client_id}/")
        expected_index, expected_pdfs = {}, set()
        for order_id, order in stored.items():
            assert order.status in orders.TERMINAL, f"order {order_id} ended {order.status}"
            if order.status == orders.REJECTED:
                assert order.invoice_id is None, f"rejected order {order_id} has invoice {order.invoice_id}"
                rejected.append((client_id, order_id))
                continue
            assert order.invoice_id, f"invoiced order {order_id} has no invoice id"
            invoiced.append((client_id, order_id))
            numbers.append(order.invoice_id)
            expected_index[order.invoice_id] = order_id
            expected_pdfs.add(invoices.pdf_key(client_id, order_id))
        assert {
            number: entry.order_id for number, entry in index.items()
        } == expected_index, f"client {client_id}: index entries {sorted(index)} != invoices {sorted(expected_index)}"
        assert pdfs == expected_pdfs, f"client {client_id}: PDFs {sorted(pdfs)} != {sorted(expected_pdfs)}"
        for number, order_id in expected_index.items():
            stored_pdf = pipeline.s3.get_object(Bucket=pipeline.bucket, Key=index[number].s3_key)["Body"].read()
            assert stored_pdf == render_invoice(document(index[number], stored[order_id])), f"PDF of {number} differs"
        assert clients.open_orders(client_id) == 0, f"client {client_id} still counts open orders"

    # Gapless: this test's numbers are exactly the ones the counter moved through while it ran.
    issued = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
    assert all(number.startswith(f"INV-{year}-") for number in numbers), numbers
    assert issued == list(
        range(counter_before + 1, counter_before + 1 + len(issued))
    ), f"numbers {issued} are not {counter_before + 1}..{counter_before + len(issued)}"
    assert invoice_counter(year) == counter_before + len(issued), "the counter moved past this test's invoices"

    # Queues: empty; each DLQ holds exactly the poison it was expected to.
    poison = poison or {}
    for function in pipeline.queues:
        assert sum(pipeline.depth(function)) == 0, f"{function}'s queue is not empty"
        assert Counter(pipeline.dead_letters(function)) == Counter(poison.get(function, [])), f"{function}'s DLQ"
    return Outcome(invoiced, rejected)


def _all(page_of: Any, client_id: str) -> list[Any]:
    """Every item of a client's listing, page after page."""
    cursor, items = None, []
    while True:
        page = page_of(client_id, 100, cursor)
        items += page.items
        cursor = page.next_cursor
        if cursor is None:
            return items


def _keys(s3: Any, bucket: str, prefix: str) -> set[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}
