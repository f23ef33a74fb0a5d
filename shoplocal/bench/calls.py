"""Section calls: the AWS calls each operation makes (a botocore hook), against its documented minimum
(datamodel/access_patterns.py). Any excess is a bug. The bare baseline's calls are recorded beside them, a
check that the baseline the cold_start and warm sections compare with makes the same calls."""

from __future__ import annotations

import importlib
from typing import Any

from shoplocal.bench import awscalls
from shoplocal.bench.common import BenchContext, Figure
from shoplocal.bench.inprocess import Functions
from shoplocal.bench.scenario import BARE, Case, Scenario, scratch_environments

SECTION = "calls"


def _count(invoke: Any) -> tuple[awscalls.Recording, Any]:
    with awscalls.recording() as recording:
        result = invoke()
    return recording, result


def _figure(operation: str, minimum: Any, recordings: list[awscalls.Recording], bare: awscalls.Recording | None,
            extra: dict[str, Any] | None = None) -> Figure:
    last = recordings[-1]
    equal = all(
        dict(r.calls) == minimum.calls
        and (not minimum.transact_items or tuple(r.transaction_items) == minimum.transact_items)
        and (not minimum.batch_get_items or tuple(r.batch_get_items) == minimum.batch_get_items)
        for r in recordings
    )
    detail: dict[str, Any] = {
        **last.as_detail(),
        "minimum": {"calls": dict(sorted(minimum.calls.items())), "why": minimum.why},
        "equal": equal,
    }
    if minimum.transact_items:
        detail["minimum"]["transactWriteItems"] = list(minimum.transact_items)
    if minimum.batch_get_items:
        detail["minimum"]["batchGetItems"] = list(minimum.batch_get_items)
    if bare is not None:
        detail["bare"] = bare.as_detail()
    detail.update(extra or {})
    return Figure(
        section=SECTION,
        name=operation,
        unit="calls",
        samples=[float(r.total) for r in recordings],
        baseline=[float(minimum.total)] * len(recordings) if minimum.total else None,
        baseline_label="minimum (datamodel/access_patterns.py)",
        target=1.0 if minimum.total else None,
        note="" if equal else "calls differ from the minimum",
        detail=detail,
    )


def measure(ctx: BenchContext) -> list[Figure]:
    from datamodel.access_patterns import MINIMUM_CALLS  # after the environment is set (Functions)

    awscalls.install()  # before any handler module creates its clients
    env = scratch_environments(ctx)
    functions = Functions(ctx, env)
    scenario = Scenario(functions)
    repetitions = 1 if ctx.smoke else min(ctx.repetitions, 3)
    figures = []
    for case in scenario.api_cases() + scenario.worker_cases():
        figures.append(_measure_case(functions, case, MINIMUM_CALLS[case.operation], repetitions))
    figures.append(_measure_redrive(functions))
    return figures


def _invoke_checked(functions: Functions, case: Case, event: dict[str, Any]) -> Any:
    result = functions.invoke(case.function, event)
    if not case.ok(result):
        raise RuntimeError(f"{case.operation}: unexpected result {result}")
    return result


def _measure_case(functions: Functions, case: Case, minimum: Any, repetitions: int) -> Figure:
    functions.handler(case.function)  # imported outside the count
    _read_cursor_key(functions, case.function)
    recordings = []
    for _ in range(repetitions):
        event = case.prepare()
        recording, _ = _count(lambda: _invoke_checked(functions, case, event))
        recordings.append(recording)
    bare_module = importlib.import_module(BARE[case.function])
    event = case.prepare()
    functions.enter(case.function)
    bare, result = _count(lambda: bare_module.lambda_handler(event, None))
    return _figure(case.operation, minimum, recordings, bare)


def _read_cursor_key(functions: Functions, logical_id: str) -> None:
    """A list route's function reads the cursor key once per execution environment, then serves it from its
    cache (datamodel/cursor.py): like its imports, not a call of any one operation, so read outside the count."""
    if functions.env[logical_id].get("CURSOR_SECRET_ARN"):
        from datamodel import cursor

        functions.enter(logical_id)
        cursor.secret()


def _measure_redrive(functions: Functions) -> Figure:
    from datamodel.access_patterns import redrive_minimum

    # Every open order is stuck at age 0; the re-sent messages go to the bench's scratch queues.
    functions.env["RedriveFunction"]["STUCK_ORDER_AGE_SECONDS"] = "0"
    functions.handler("RedriveFunction")
    recording, result = _count(lambda: functions.invoke("RedriveFunction", {"source": "aws.events"}))
    sent = result["sent"]
    minimum = redrive_minimum(sent["orders"], sent["paid-orders"])
    bare_module = importlib.import_module(BARE["RedriveFunction"])
    functions.enter("RedriveFunction")
    bare, _ = _count(lambda: bare_module.lambda_handler({}, None))
    return _figure("redrive: sweep", minimum, [recording], bare, {"found": result["found"], "sent": sent})
