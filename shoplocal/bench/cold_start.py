"""Section cold_start: each function in a fresh interpreter (import, initialise, serve one representative
event against the moto server), against its bare boto3 handler (shoplocal/bench/bare/) serving the same event
with the same AWS calls; runs interleaved product/bare, so noise hits both alike.

Time runs from just before the interpreter is spawned to the handler's return; the import of the handler
module is reported separately (`detail.import_ms`).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shoplocal.bench.common import BenchContext, Figure
from shoplocal.bench.inprocess import Functions, api_event
from shoplocal.bench.scenario import BARE, Scenario, scratch_environments

SECTION = "cold_start"
TARGET = 1.5

# Runs in the fresh interpreter: only the standard library before the handler's own import.
CHILD = """
import importlib, json, sys, time
started = time.time()
class Context:
    function_name = sys.argv[3]
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + sys.argv[3]
    aws_request_id = "cold-start"
    log_group_name = "/aws/lambda/" + sys.argv[3]
    log_stream_name = "local"
    def get_remaining_time_in_millis(self):
        return 15000
before = time.perf_counter()
handler = getattr(importlib.import_module(sys.argv[1]), sys.argv[2])
imported = time.perf_counter()
with open(sys.argv[4]) as source:
    event = json.load(source)
result = handler(event, Context())
done = time.perf_counter()
ended = time.time()
status = result.get("statusCode") if isinstance(result, dict) else None
failures = len(result.get("batchItemFailures", [])) if isinstance(result, dict) else None
print("BENCH " + json.dumps({"started": started, "ended": ended, "import_ms": (imported - before) * 1000,
      "handler_ms": (done - imported) * 1000, "status": status, "failures": failures}))
"""


def _events(scenario: Scenario) -> dict[str, Callable[[], dict[str, Any]]]:
    """One representative event per function, fresh for each run."""
    c = scenario.client_id
    path = {"clientId": c}
    invoice = {"clientId": c, "invoiceId": scenario.invoice_id}
    cases = {case.operation: case for case in scenario.worker_cases()}
    return {
        "ClientsFunction": lambda: api_event("GET", f"/clients/{c}", "/clients/{clientId}", path_parameters=path),
        "OrdersFunction": lambda: api_event(
            "POST", f"/clients/{c}/orders", "/clients/{clientId}/orders",
            body={"items": [{"sku": "A-1", "description": "Widget", "quantity": 2, "unitPrice": 1250}]},
            path_parameters=path,
        ),
        "InvoicesFunction": lambda: api_event(
            "GET", f"/clients/{c}/invoices/{scenario.invoice_id}", "/clients/{clientId}/invoices/{invoiceId}",
            path_parameters=invoice,
        ),
        "ApprovalFunction": cases["approval: approve"].prepare,
        "PaidOrderFunction": cases["paid-order: invoice"].prepare,
        "RedriveFunction": scenario.redrive_event,
    }


def _spawn(module: str, attribute: str, function: str, event: dict[str, Any], env: dict[str, str],
           workdir: Path) -> dict[str, Any]:
    from shoplocal.template import ROOT

    event_file = workdir / "event.json"
    event_file.write_text(json.dumps(event))
    started = time.time()
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, module, attribute, function, str(event_file)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("BENCH ")]
    if completed.returncode or not lines:
        raise RuntimeError(f"{module} failed (exit {completed.returncode}):\n{completed.stderr[-4000:]}")
    result = json.loads(lines[-1][len("BENCH "):])
    if result["status"] not in (None, 200, 201, 202, 204, 302) or result["failures"]:
        raise RuntimeError(f"{module} answered {result}:\n{completed.stdout[-2000:]}")
    result["total_ms"] = (result["ended"] - started) * 1000
    result["startup_ms"] = (result["started"] - started) * 1000
    return result


def _child_environment(env: dict[str, str]) -> dict[str, str]:
    base = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "POWERTOOLS_"))}
    return {**base, **env, "PYTHONDONTWRITEBYTECODE": "1"}


def measure(ctx: BenchContext) -> list[Figure]:
    env = scratch_environments(ctx)
    scenario = Scenario(Functions(ctx, env))
    events = _events(scenario)
    functions = scenario.functions.functions
    figures = []
    with tempfile.TemporaryDirectory(prefix="shop-cold-") as tmp:
        workdir = Path(tmp)
        for logical_id, make_event in events.items():
            function = functions[logical_id]
            child_env = _child_environment(env[logical_id])
            product: list[dict[str, Any]] = []
            bare: list[dict[str, Any]] = []
            for _ in range(ctx.repetitions):
                product.append(_spawn(function.module, function.attribute, logical_id, make_event(), child_env, workdir))
                bare.append(_spawn(BARE[logical_id], "lambda_handler", logical_id, make_event(), child_env, workdir))
            figures.append(_figure(logical_id, product, bare))
    return figures


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return round(statistics.median(run[key] for run in runs), 1)


def _figure(logical_id: str, product: list[dict[str, Any]], bare: list[dict[str, Any]]) -> Figure:
    return Figure(
        section=SECTION,
        name=logical_id,
        unit="ms",
        samples=[round(run["total_ms"], 2) for run in product],
        baseline=[round(run["total_ms"], 2) for run in bare],
        baseline_label="bare boto3 handler, same event and AWS calls",
        target=TARGET,
        detail={
            "import_ms": {"product": _median(product, "import_ms"), "bare": _median(bare, "import_ms")},
            "handler_ms": {"product": _median(product, "handler_ms"), "bare": _median(bare, "handler_ms")},
            "interpreter_start_ms": {"product": _median(product, "startup_ms"), "bare": _median(bare, "startup_ms")},
        },
    )
