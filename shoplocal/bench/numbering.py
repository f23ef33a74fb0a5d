"""Section `numbering`: invoice numbering with one paid-order execution environment against several at once.

The paid-order worker numbers a whole batch in one transaction on the one counter item (datamodel/invoices.py
`issue_all`); environments that overlap lose the counter race and number again. This measures it locally: the
same count of APPROVED orders, in batches, is invoiced by 1 environment, then by `ENVIRONMENTS` processes at once
(each a fresh interpreter with the function's environment, as the local runtime runs them), and reports
invoices/s and the numbering transactions sent per batch (1.0: no lost race) and per invoice. The emulator
serialises DynamoDB requests, so the rate is the emulator's; the conflicts are the design's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from shoplocal.bench.common import BenchContext, Figure

SECTION = "numbering"
ENVIRONMENTS = 4
BATCH = 10  # records per invocation: smaller than the template's 30, so that environments overlap more often
ROOT = Path(__file__).resolve().parents[2]


def measure(ctx: BenchContext) -> list[Figure]:
    from shoplocal.bench.scenario import scratch_environments

    env = scratch_environments(ctx)["PaidOrderFunction"]
    os.environ.update(env)  # the data layer reads its table at import
    count = 40 if ctx.smoke else 240
    runs = {}
    for environments in (1, ENVIRONMENTS):
        batches = _batches(_approved_orders(count), BATCH)
        runs[environments] = _invoice(env, batches, environments)
    one, several = runs[1], runs[ENVIRONMENTS]
    return [
        Figure(
            section=SECTION,
            name=f"{count} invoices, {environments} environment{'s' if environments > 1 else ''}",
            unit="invoices/s",
            samples=[run["invoices"] / run["seconds"]],
            baseline=[one["invoices"] / one["seconds"]] if environments > 1 else None,
            baseline_label="one environment" if environments > 1 else None,
            note="numbering transactions per batch: "
            f"{run['transactions'] / run['batches']:.2f} ({run['transactions'] - run['batches']} lost races)",
            detail={
                "environments": environments,
                "batches": run["batches"],
                "invoices": run["invoices"],
                "transactions": run["transactions"],
                "lost_races_per_invoice": (run["transactions"] - run["batches"]) / run["invoices"],
                "counter_reads": run["counter_reads"],
                "seconds": run["seconds"],
            },
        )
        for environments, run in ((1, one), (ENVIRONMENTS, several))
    ]


def _approved_orders(count: int) -> list[tuple[str, str]]:
    """`count` APPROVED orders of 20 clients, made through the data layer."""
    from datamodel import clients, orders
    from datamodel.clients import ClientFields
    from domain.ids import new_id

    customers = [
        clients.create(ClientFields("Bench Ltd", f"n-{uuid.uuid4().hex[:12]}@example.com", 10**12, "EUR")).client_id
        for _ in range(20)
    ]
    placed = []
    for n in range(count):
        client_id, order_id = customers[n % len(customers)], new_id()
        order, _ = orders.place(client_id, order_id, [orders.Line("W-1", "Widget", 1, 100)], "EUR", 100)
        orders.approve(order)
        placed.append((client_id, order_id))
    return placed


def _batches(refs: list[tuple[str, str]], size: int) -> list[list[tuple[str, str]]]:
    return [refs[start : start + size] for start in range(0, len(refs), size)]


def _invoice(env: dict[str, str], batches: list[list[tuple[str, str]]], environments: int) -> dict[str, Any]:
    """Invoice `batches` with `environments` processes at once (batches dealt round-robin); their counts."""
    child_env = {**env, "PYTHONPATH": str(ROOT), "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR"}
    shares = [batches[i::environments] for i in range(environments)]
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "shoplocal.bench.numbering"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=child_env,
            text=True,
        )
        for _ in shares
    ]
    for child, share in zip(children, shares):
        child.stdin.write(json.dumps(share) + "\n")
        child.stdin.flush()
    for child in children:  # each has imported the worker and answered: all start together
        assert child.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    # The report is each child's last line (the worker prints its metrics, EMF lines, to stdout before it).
    reports = [json.loads(child.communicate(timeout=600)[0].strip().splitlines()[-1]) for child in children]
    seconds = time.perf_counter() - started
    return {
        "batches": len(batches),
        "invoices": sum(r["invoices"] for r in reports),
        "transactions": sum(r["transactions"] for r in reports),
        "counter_reads": sum(r["counter_reads"] for r in reports),
        "seconds": seconds,
    }


def _environment() -> None:
    """One execution environment: import the worker (its init), then invoke it on each batch it was dealt."""
    batches = json.loads(sys.stdin.readline())
    from datamodel.base import connection
    from workers import paid_order

    counts = {"TransactWriteItems": 0, "GetItem": 0}

    def count(event_name: str, **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        if operation in counts:
            counts[operation] += 1

    connection.client.meta.events.register("before-call.dynamodb", count)
    print("ready", flush=True)
    sys.stdin.readline()  # "go"
    invoices = 0
    for batch in batches:
        records = [_record(client_id, order_id) for client_id, order_id in batch]
        response = paid_order.lambda_handler({"Records": records}, _Context())
        assert response == {"batchItemFailures": []}, response
        invoices += len(records)
    print(json.dumps({"invoices": invoices, "transactions": counts["TransactWriteItems"], "counter_reads": counts["GetItem"]}))


def _record(client_id: str, order_id: str) -> dict[str, Any]:
    from domain import messages

    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "bench",
        "body": messages.body(client_id, order_id),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:shop-bench-paid-orders",
        "awsRegion": "us-east-1",
    }


class _Context:
    function_name = "PaidOrderFunction"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:PaidOrderFunction"
    aws_request_id = "bench"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


if __name__ == "__main__":
    _environment()
