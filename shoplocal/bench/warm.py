"""Section warm: each API route through its warm handler, in this process, against the bare boto3 handler
making the same AWS calls (shoplocal/bench/bare/), same moto server, timed the same way, interleaved.

Each sample is one invocation's wall time (perf_counter around the handler call only: the event is prepared
beforehand, and the state it needs, such as a client to delete, is made untimed)."""

from __future__ import annotations

import importlib
import statistics
import time
from typing import Any

from shoplocal.bench.common import BenchContext, Figure
from shoplocal.bench.inprocess import Functions
from shoplocal.bench.scenario import BARE, Case, Scenario, scratch_environments

SECTION = "warm"
TARGET = 1.2
WARM_UP = 3
# A warm sample takes a few ms, and a single-call route's overhead (~0.5 ms) is a tenth of it: at 20 samples the
# median's run-to-run spread (±0.05 in the ratio) was as large as the margin to the target. At least this many:
MIN_SAMPLES = 60


def _timed(handler: Any, event: dict[str, Any], context: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = handler(event, context)
    return (time.perf_counter() - started) * 1000, result


def measure(ctx: BenchContext) -> list[Figure]:
    functions = Functions(ctx, scratch_environments(ctx))
    scenario = Scenario(functions)
    from datamodel.access_patterns import MINIMUM_CALLS  # after Functions set the environment

    repetitions = max(ctx.repetitions, 3) if ctx.smoke else max(ctx.repetitions, MIN_SAMPLES)
    warm_up = 1 if ctx.smoke else WARM_UP
    return [
        _measure_case(functions, case, repetitions, warm_up, MINIMUM_CALLS[case.operation].total)
        for case in scenario.api_cases()
    ]


def _measure_case(functions: Functions, case: Case, repetitions: int, warm_up: int, calls: int) -> Figure:
    product = functions.handler(case.function)
    functions.enter(case.function)
    bare = importlib.import_module(BARE[case.function]).lambda_handler
    context = functions.context(case.function)
    for _ in range(warm_up):
        for handler in (product, bare):
            handler(case.prepare(), context)
    samples, baseline = [], []
    for _ in range(repetitions):
        elapsed, result = _timed(product, case.prepare(), context)
        if not case.ok(result):
            raise RuntimeError(f"{case.operation}: unexpected result {result}")
        samples.append(round(elapsed, 3))
        elapsed, result = _timed(bare, case.prepare(), context)
        if result.get("statusCode", 500) >= 400:
            raise RuntimeError(f"bare {case.operation}: unexpected result {result}")
        baseline.append(round(elapsed, 3))
    return Figure(
        section=SECTION,
        name=case.operation,
        unit="ms",
        samples=samples,
        baseline=baseline,
        baseline_label="bare boto3 calls of the route",
        # A route with no AWS call has nothing to be a multiple of: its overhead is reported, not judged.
        target=TARGET if calls else None,
        note="" if calls else "no AWS calls: absolute overhead only",
        detail={"overhead_ms": round(statistics.median(samples) - statistics.median(baseline), 3)},
    )
