"""Section cold_start: each function in a fresh interpreter (import, initialise, serve one representative
event against the moto server), against its bare boto3 handler (shoplocal/bench/bare/) serving the same event
with the same AWS calls; runs interleaved product/bare, so noise hits both alike.

Time runs from just before the interpreter is spawned to the handler's return; the import of the handler
module is reported separately (`detail.import_ms`).

The children model the shipped packages, which carry their bytecode (Makefile `build-*`, compiled with the
runtime's python3.12): every module, the project's, the libraries' and the standard library's, loads from
bytecode. Each run gives its children one fresh `PYTHONPYCACHEPREFIX` directory, so neither the source tree's
`__pycache__` (whatever state it is in) nor the venv's pycs are read, and one untimed warm-up spawn per
function and per variant (product, bare) writes the pycs there before the timed samples, which all load them.

`detail.no_bytecode_ms` is the "before" figure: the product as a `pip install --no-compile` package without
bytecode starts on Lambda, where /var/task is read-only so nothing is ever cached. Median of 3 spawns (1 in
smoke), each with a fresh prefix directory and `PYTHONDONTWRITEBYTECODE=1`: the project and every library of
the package compile from source on every start. The prefix is seeded only with the bytecode the Lambda runtime
ships compiled itself: the standard library, and boto3/botocore/s3transfer for the functions that leave the SDK
to the runtime (`detail.runtime_precompiled`, read from the Makefile). An empty prefix would also compile the
standard library, which no Lambda cold start does (+0.6 s to ClientsFunction's on the 2-core bench machine).
Only the product's figure is given: the bare handler imports only its own few small modules besides the
standard library and the runtime's precompiled SDK, so without bytecode it would add just their compilation.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
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
NO_BYTECODE_SPAWNS = 3  # 1 in smoke
# A spawn's time varies by ~10% (IQR) on the 2-core bench machine, and at 10 samples a function's ratio moved by
# up to 0.25 between runs; the median of at least this many is steadier (smoke: --repetitions as given).
MIN_SAMPLES = 20

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


def _child_environment(env: dict[str, str], pycache_prefix: Path, write_bytecode: bool = True) -> dict[str, str]:
    """The function's environment, with every module's bytecode read from (and written to) `pycache_prefix`."""
    inherited = ("AWS_", "POWERTOOLS_", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    base = {name: value for name, value in os.environ.items() if not name.startswith(inherited)}
    child = {**base, **env, "PYTHONPYCACHEPREFIX": str(pycache_prefix)}
    if not write_bytecode:
        child["PYTHONDONTWRITEBYTECODE"] = "1"
    return child


def runtime_precompiled(logical_id: str) -> list[str]:
    """What the Lambda runtime ships compiled for this function: the standard library, and the SDK unless the
    function's package bundles its own (Makefile: LAMBDA_RUNTIME_SDK, and `build-<Function>: LAMBDA_DROP :=`)."""
    from shoplocal.template import ROOT

    makefile = (ROOT / "Makefile").read_text()
    sdk = re.search(r"^LAMBDA_RUNTIME_SDK\s*:=(.*)$", makefile, re.MULTILINE)
    bundles_sdk = re.search(rf"^build-{re.escape(logical_id)}:\s*LAMBDA_DROP\s*:=\s*$", makefile, re.MULTILINE)
    return ["stdlib"] + ([] if bundles_sdk or not sdk else sdk.group(1).split())


def _prefixed(prefix: Path, source_dir: Path) -> Path:
    """Where PYTHONPYCACHEPREFIX keeps the bytecode of `source_dir`'s modules (importlib.util.cache_from_source)."""
    return prefix.joinpath(*source_dir.absolute().parts[1:])


def _seed_runtime_bytecode(warm: Path, target: Path, precompiled: list[str]) -> None:
    """Link from the warm prefix into `target` the bytecode of what `precompiled` names, nothing else."""
    import importlib.util

    for name in precompiled:
        if name == "stdlib":
            source_dir = Path(sysconfig.get_paths()["stdlib"])
        else:
            spec = importlib.util.find_spec(name)
            if spec is None or not spec.submodule_search_locations:
                continue
            source_dir = Path(next(iter(spec.submodule_search_locations)))
        if _prefixed(warm, source_dir).is_dir():
            shutil.copytree(_prefixed(warm, source_dir), _prefixed(target, source_dir), dirs_exist_ok=True,
                            copy_function=os.link)  # read-only bytecode: links, not copies


def measure(ctx: BenchContext) -> list[Figure]:
    env = scratch_environments(ctx)
    scenario = Scenario(Functions(ctx, env))
    events = _events(scenario)
    functions = scenario.functions.functions
    figures = []
    with tempfile.TemporaryDirectory(prefix="shop-cold-") as tmp:
        workdir = Path(tmp)
        pycache = workdir / "pycache"  # this run's bytecode, as the packages ship it
        for logical_id, make_event in events.items():
            function = functions[logical_id]
            child_env = _child_environment(env[logical_id], pycache)
            product_spawn = (function.module, function.attribute, logical_id)
            bare_spawn = (BARE[logical_id], "lambda_handler", logical_id)
            _spawn(*product_spawn, make_event(), child_env, workdir)  # untimed: writes the bytecode
            _spawn(*bare_spawn, make_event(), child_env, workdir)
            product: list[dict[str, Any]] = []
            bare: list[dict[str, Any]] = []
            for _ in range(ctx.repetitions if ctx.smoke else max(ctx.repetitions, MIN_SAMPLES)):
                product.append(_spawn(*product_spawn, make_event(), child_env, workdir))
                bare.append(_spawn(*bare_spawn, make_event(), child_env, workdir))
            precompiled = runtime_precompiled(logical_id)
            no_bytecode = []
            for index in range(1 if ctx.smoke else NO_BYTECODE_SPAWNS):
                fresh = workdir / f"no-bytecode-{logical_id}-{index}"
                _seed_runtime_bytecode(pycache, fresh, precompiled)
                cold_env = _child_environment(env[logical_id], fresh, write_bytecode=False)
                no_bytecode.append(_spawn(*product_spawn, make_event(), cold_env, workdir))
                shutil.rmtree(fresh, ignore_errors=True)
            figures.append(_figure(logical_id, product, bare, no_bytecode, precompiled))
    return figures


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return round(statistics.median(run[key] for run in runs), 1)


def _figure(logical_id: str, product: list[dict[str, Any]], bare: list[dict[str, Any]],
            no_bytecode: list[dict[str, Any]], precompiled: list[str]) -> Figure:
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
            # The product without any bytecode of its package (module docstring): the whole cold start, and the
            # handler module's import within it; the runtime's own bytecode (`runtime_precompiled`) is kept.
            "no_bytecode_ms": {"product": _median(no_bytecode, "total_ms"),
                               "product_import": _median(no_bytecode, "import_ms")},
            "runtime_precompiled": precompiled,
        },
    )
