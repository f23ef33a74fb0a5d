"""Pipeline throughput: orders/s from the first POST to every order INVOICED on the local stack, against the
limit the emulator itself sets (docs/architecture.md §7: at least 50% of it), measured in the same run.

Product: ORDERS orders placed over HTTP through the stack's gateway by CONCURRENCY threads (round robin over
a few clients whose credit covers every order), while a poller reads each client's orders straight from the
moto server (one Query per client, a cheap read) until all are INVOICED.

Baseline: the emulator's own call rate for the AWS calls one order needs. Those calls are recorded (service,
operation, parameters, in order) with a botocore hook while one order goes through the three functions in
this process: POST /clients/{clientId}/orders (OrdersFunction), the approval worker, the paid-order worker.
They are replayed with plain botocore clients against the same moto server, ORDERS times with CONCURRENCY
threads, each replay with its own order id, invoice number and invoice counter item (made beforehand, in
the state the recording found), so every conditional write succeeds as it did. calls/s ÷ calls per order =
the emulator-bound limit in orders/s. The SQS receives and deletes of the local event source mappings are
the runtime's, not the order's (on AWS the Lambda service makes them): they are left out of the mix, which
makes the limit higher and the target harder. Product and baseline runs alternate (A/B, B/A).

The stack runs each function in processes of its own, up to its concurrency limit (shoplocal/lambdas.py; the
limits the stack announced are in the figure's detail), so several orders and batches are in flight at once.
The figure's detail also holds a sample of the stack's `REPORT` lines (cold starts and warm invocations) and
the init durations of every process the runs started.
"""

from __future__ import annotations

import copy
import itertools
import re
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shoplocal.bench.common import BenchContext, Figure

SECTION = "pipeline"
ORDERS = 200
SMOKE_ORDERS = 20
CONCURRENCY = 8
CLIENTS = 4
MAX_RUNS = 3  # each run places ORDERS orders: a few runs give a median without a long bench
POLL_S = 0.2
TIMEOUT_S = 600
TARGET = 0.8
ITEMS = [{"sku": "WIDGET-1", "description": "Blue widget", "quantity": 3, "unitPrice": 1250}]
INVOICED = "INVOICED"
# Replayed invoices get numbers of a year the product never issues in.
REPLAY_YEAR = 1998
_COUNTER_PK = "COUNTER#INVOICE"


@dataclass
class Call:
    service: str
    operation: str
    params: dict[str, Any]
    response: dict[str, Any] | None = None


@dataclass
class Mix:
    """The calls one order needs, as recorded, and what makes each replay a new order."""

    calls: list[Call]
    client_id: str
    order_id: str
    invoice_id: str
    counter: dict[str, Any] | None  # the counter item the recording found (None: absent)
    by_operation: dict[str, int] = field(default_factory=dict)


def measure(ctx: BenchContext) -> list[Figure]:
    import httpx

    orders = SMOKE_ORDERS if ctx.smoke else ORDERS
    runs = 1 if ctx.smoke else max(1, min(ctx.repetitions, MAX_RUNS))
    headers = {"Authorization": f"Bearer {ctx.admin_token}"}
    with httpx.Client(base_url=ctx.api_url, headers=headers, timeout=60) as api:
        clients = [_new_client(api) for _ in range(CLIENTS + 1)]
    replay_client, clients = clients[0], clients[1:]
    mix = _record(ctx, replay_client)
    replayer = _Replayer(ctx, mix)
    throughput, limits, call_rates, seconds = [], [], [], []
    for run in range(runs):
        steps = ("pipeline", "replay") if run % 2 == 0 else ("replay", "pipeline")
        for step in steps:
            if step == "pipeline":
                elapsed = _pipeline(ctx, clients, orders)
                seconds.append(elapsed)
                throughput.append(orders / elapsed)
            else:
                rate = replayer.run(orders, CONCURRENCY)
                call_rates.append(rate)
                limits.append(rate / len(mix.calls))
    reports = _report_lines(ctx)
    for line in reports["sample"]:
        print(f"bench: pipeline {line}", file=sys.stderr, flush=True)
    return [
        Figure(
            section=SECTION,
            name=f"{orders} orders, POST to INVOICED",
            unit="orders/s",
            samples=throughput,
            baseline=limits,
            baseline_label="emulator-bound limit: replayed calls/s ÷ calls per order",
            target=TARGET,
            target_at_least=True,
            note=f"{CONCURRENCY} concurrent HTTP clients over {CLIENTS} clients; the replay uses as many threads; "
            "each function up to its concurrency limit of processes",
            detail={
                "orders": orders,
                "concurrency": CONCURRENCY,
                "function_concurrency_limits": dict(ctx.extra.get("concurrency", {})),
                "report_lines": reports,
                "pipeline_seconds": seconds,
                "calls_per_order": len(mix.calls),
                "calls_by_operation": mix.by_operation,
                "minimum_calls_per_order": _minimum_calls(),
                "replayed_calls_per_second": call_rates,
            },
        )
    ]


# ---- the stack's REPORT lines ----

_INIT = re.compile(r"\tInit Duration: ([0-9.]+) ms")


def _report_lines(ctx: BenchContext) -> dict[str, Any]:
    """From the stack's output: how many invocations and cold starts, the init durations, and a sample (the
    first cold starts and the last warm invocations)."""
    log = ctx.extra.get("log")
    lines = []
    if log and Path(log).exists():
        lines = [line for line in Path(log).read_text(errors="replace").splitlines() if line.startswith("REPORT ")]
    cold = [line for line in lines if _INIT.search(line)]
    warm = [line for line in lines if not _INIT.search(line)]
    inits = [float(_INIT.search(line).group(1)) for line in cold]  # type: ignore[union-attr]
    return {
        "invocations": len(lines),
        "cold_starts": len(cold),
        "init_duration_ms": {
            "median": round(statistics.median(inits), 1) if inits else None,
            "min": round(min(inits), 1) if inits else None,
            "max": round(max(inits), 1) if inits else None,
        },
        "sample": cold[:3] + warm[-3:],
    }


# ---- the product: orders over HTTP, until INVOICED ----


def _new_client(api: Any) -> str:
    body = {"name": "Bench Pipeline", "email": f"bench-{uuid.uuid4().hex[:16]}@example.com",
            "creditLimit": 10**12, "currency": "USD"}
    response = api.post("/clients", json=body)
    if response.status_code != 201:
        raise RuntimeError(f"POST /clients answered {response.status_code}: {response.text}")
    return response.json()["clientId"]


def _pipeline(ctx: BenchContext, clients: list[str], count: int) -> float:
    """Seconds from the first POST until every order placed is INVOICED."""
    import httpx

    placed: dict[str, set[str]] = {client: set() for client in clients}
    lock = threading.Lock()
    local = threading.local()

    def place(index: int) -> None:
        api = getattr(local, "api", None)
        if api is None:
            api = local.api = httpx.Client(
                base_url=ctx.api_url, headers={"Authorization": f"Bearer {ctx.admin_token}"}, timeout=60
            )
        client = clients[index % len(clients)]
        response = api.post(f"/clients/{client}/orders", json={"items": ITEMS})
        if response.status_code != 202:
            raise RuntimeError(f"POST /clients/{client}/orders answered {response.status_code}: {response.text}")
        with lock:
            placed[client].add(response.json()["orderId"])

    table = _dynamodb(ctx)
    table_name = _table_name(ctx)
    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="bench-post") as pool:
        futures = [pool.submit(place, i) for i in range(count)]
        while True:
            failed = [f for f in futures if f.done() and f.exception() is not None]
            if failed:
                raise failed[0].exception()  # type: ignore[misc]
            if all(f.done() for f in futures):
                with lock:
                    wanted = {c: set(ids) for c, ids in placed.items()}
                if _all_invoiced(table, table_name, wanted):
                    return time.perf_counter() - started
            if time.perf_counter() - started > TIMEOUT_S:
                raise RuntimeError(f"the orders were not all INVOICED within {TIMEOUT_S} s")
            time.sleep(POLL_S)


def _all_invoiced(table: Any, table_name: str, wanted: dict[str, set[str]]) -> bool:
    for client, ids in wanted.items():
        statuses: dict[str, str] = {}
        request = {
            "TableName": table_name,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :order)",
            "ExpressionAttributeValues": {":pk": {"S": f"CLIENT#{client}"}, ":order": {"S": "ORDER#"}},
            "ProjectionExpression": "orderId, #s",
            "ExpressionAttributeNames": {"#s": "status"},
        }
        while True:
            page = table.query(**request)
            statuses.update({item["orderId"]["S"]: item["status"]["S"] for item in page["Items"]})
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        wrong = {statuses.get(i) for i in ids} - {INVOICED, "PENDING", "APPROVED", None}
        if wrong:
            raise RuntimeError(f"an order of the pipeline ended {sorted(wrong)}")
        if any(statuses.get(i) != INVOICED for i in ids):
            return False
    return True


# ---- the baseline: the calls of one order, recorded, then replayed ----


def _record(ctx: BenchContext, client_id: str) -> Mix:
    """One order through the three functions in this process, with every AWS call it makes recorded."""
    import botocore.client

    from shoplocal.bench.inprocess import Functions, api_event, queue_arn, sqs_event
    from shoplocal.bench.scenario import scratch_environments

    # Scratch queues: the stack's own workers must not see the recorded order's messages.
    functions = Functions(ctx, scratch_environments(ctx))
    for name in ("OrdersFunction", "ApprovalFunction", "PaidOrderFunction"):
        functions.handler(name)  # imported (and their clients made) before recording
    from domain import config, messages

    calls: list[Call] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        call = Call(self.meta.service_model.service_name, operation_name, copy.deepcopy(api_params))
        calls.append(call)
        response = original(self, operation_name, api_params)
        call.response = copy.deepcopy(response)
        return response

    path = f"/clients/{client_id}/orders"
    botocore.client.BaseClient._make_api_call = recording  # type: ignore[method-assign]
    try:
        result = functions.invoke(
            "OrdersFunction",
            api_event("POST", path, "/clients/{clientId}/orders", body={"items": ITEMS},
                      path_parameters={"clientId": client_id}),
        )
        if result.get("statusCode") != 202:
            raise RuntimeError(f"the recorded order was refused: {result}")
        import json

        order_id = json.loads(result["body"])["orderId"]
        body = messages.body(client_id, order_id)
        for function, queue in (("ApprovalFunction", config.ORDERS_QUEUE_URL),
                                ("PaidOrderFunction", config.PAID_ORDERS_QUEUE_URL)):
            outcome = functions.invoke(function, sqs_event([body], queue_arn(queue)))
            if outcome.get("batchItemFailures"):
                raise RuntimeError(f"{function} failed the recorded order: {outcome}")
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]

    invoice_id = _order(ctx, client_id, order_id).get("invoiceId", {}).get("S")
    if invoice_id is None:
        raise RuntimeError("the recorded order was not invoiced")
    counter = next(
        (c.response.get("Item") for c in calls
         if c.operation == "GetItem" and c.params.get("Key", {}).get("PK", {}).get("S") == _COUNTER_PK),
        None,
    )
    by_operation: dict[str, int] = {}
    for call in calls:
        name = f"{call.service}.{call.operation}"
        by_operation[name] = by_operation.get(name, 0) + 1
    return Mix(calls, client_id, order_id, invoice_id, counter, dict(sorted(by_operation.items())))


def _order(ctx: BenchContext, client_id: str, order_id: str) -> dict[str, Any]:
    key = {"PK": {"S": f"CLIENT#{client_id}"}, "SK": {"S": f"ORDER#{order_id}"}}
    return _dynamodb(ctx).get_item(TableName=_table_name(ctx), Key=key, ConsistentRead=True).get("Item", {})


def _minimum_calls() -> int | None:
    try:
        from datamodel.access_patterns import MINIMUM_CALLS
    except ImportError:
        return None
    names = ("POST /clients/{clientId}/orders", "approval: approve", "paid-order: invoice")
    return sum(MINIMUM_CALLS[name].total for name in names if name in MINIMUM_CALLS)


class _Replayer:
    """Replays a Mix against the moto server: each replay is a new order, with its own invoice number and
    counter item, so the recorded conditions hold."""

    _sequence = itertools.count(1)

    def __init__(self, ctx: BenchContext, mix: Mix) -> None:
        self.ctx = ctx
        self.mix = mix

    def run(self, orders: int, concurrency: int) -> float:
        """Replay `orders` orders with `concurrency` threads; returns calls/s."""
        from domain.ids import new_id

        plans = []
        setup = _dynamodb(self.ctx)
        table_name = _table_name(self.ctx)
        for _ in range(orders):
            number = next(self._sequence)
            counter_pk = f"COUNTER#BENCH{number}"
            if self.mix.counter is not None:  # the recorded counter update expects the value it found
                setup.put_item(TableName=table_name, Item={**self.mix.counter, "PK": {"S": counter_pk}})
            plans.append(
                {
                    self.mix.order_id: new_id(),
                    self.mix.invoice_id: f"INV-{REPLAY_YEAR}-{number:06d}",
                    _COUNTER_PK: counter_pk,
                }
            )
        # Clients are made before the clock starts: their cost is botocore's, not the emulator's.
        services = sorted({call.service for call in self.mix.calls})
        workers = [{service: _client(self.ctx, service) for service in services} for _ in range(concurrency)]
        errors: list[BaseException] = []

        def replay(clients: dict[str, Any], share: list[dict[str, str]]) -> None:
            try:
                for substitutions in share:
                    for call in self.mix.calls:
                        client = clients[call.service]
                        client._make_api_call(call.operation, _substitute(call.params, substitutions))
            except BaseException as error:  # noqa: BLE001 - reported below: a failed call is not the mix
                errors.append(error)

        threads = [
            threading.Thread(target=replay, args=(clients, plans[index::concurrency]), name=f"bench-replay-{index}")
            for index, clients in enumerate(workers)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        if errors:
            raise RuntimeError("a replayed call failed: the replay is not the recorded mix") from errors[0]
        return orders * len(self.mix.calls) / elapsed


def _substitute(value: Any, substitutions: dict[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in substitutions.items():
            if old in value:
                value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {key: _substitute(item, substitutions) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, substitutions) for item in value]
    return value


# ---- plain clients against the stack's moto server ----


def _client(ctx: BenchContext, service: str) -> Any:
    import boto3
    from botocore.config import Config

    extra = {"config": Config(signature_version="s3v4")} if service == "s3" else {}
    return boto3.session.Session().client(
        service,
        endpoint_url=ctx.moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        **extra,
    )


def _dynamodb(ctx: BenchContext) -> Any:
    return _client(ctx, "dynamodb")


def _table_name(ctx: BenchContext) -> str:
    return ctx.function_env["OrdersFunction"]["TABLE_NAME"]
