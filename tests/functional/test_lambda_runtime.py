"""The local Lambda runtime (shoplocal.lambdas): each function in processes of its own, exactly its
environment, up to its concurrency limit, cold and warm starts, crashes and timeouts replaced, REPORT
lines, and code reload. The fake handlers (tests/functional/fake_lambda.py) answer what they saw."""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
from pathlib import Path

import pytest

from shoplocal.lambdas import (
    CONCURRENCY_VAR,
    DEFAULT_CONCURRENCY,
    FunctionError,
    FunctionRunner,
    FunctionTimeout,
    concurrency_limit,
)
from shoplocal.template import Function, Template
from tests.functional import fake_lambda

FAKE = fake_lambda.__name__
ROOT = Path(__file__).resolve().parents[2]


def runner_of(handlers: dict[str, str], *, timeout: int = 3, limit: int = 1, env=None) -> FunctionRunner:
    functions = {name: Function(name, f"{FAKE}.{handler}", {}, timeout, memory_mb=256) for name, handler in handlers.items()}
    return FunctionRunner(functions, env or {}, concurrency={name: limit for name in functions})


def invoke_together(runner: FunctionRunner, calls: list[tuple[str, dict]]) -> list:
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def invoke(index: int, name: str, event: dict) -> None:
        start.wait()
        try:
            results[index] = runner.invoke(name, event)
        except Exception as error:  # returned: an assertion in a thread would be lost
            results[index] = error

    threads = [threading.Thread(target=invoke, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def most_overlapping(results: list[dict]) -> int:
    edges = sorted([(r["started"], 1) for r in results] + [(r["ended"], -1) for r in results])
    running = most = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    return most


# ---- environment ----


def test_a_process_has_exactly_its_functions_environment_and_the_runtimes():
    template_env = {"TABLE_NAME": "t-a", "ONLY_A": "x"}
    with runner_of({"A": "observe", "B": "observe"}, env={"A": template_env, "B": {"TABLE_NAME": "t-b"}}) as runner:
        a, b = runner.invoke("A", {}), runner.invoke("B", {})
    assert a["environ"] == runner.environments["A"]
    assert a["environ"]["ONLY_A"] == "x" and "ONLY_A" not in b["environ"]
    assert (a["environ"]["TABLE_NAME"], b["environ"]["TABLE_NAME"]) == ("t-a", "t-b")
    assert a["environ"]["AWS_LAMBDA_FUNCTION_NAME"] == "A" and a["environ"]["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    # Nothing of the test process's own environment but what the runtime passes on (region, credentials, endpoint).
    assert "PYTEST_XDIST_WORKER" not in a["environ"] and "CURSOR_SECRET" not in a["environ"]
    assert a["environ"]["AWS_ENDPOINT_URL"] == os.environ["AWS_ENDPOINT_URL"]
    assert a["pid"] != b["pid"] != os.getpid()


def test_the_runtime_turns_tracing_off():
    with runner_of({"A": "observe"}) as runner:
        assert runner.environments["A"]["POWERTOOLS_TRACE_DISABLED"] == "true"


def test_the_handler_gets_a_lambda_context_of_its_function():
    with runner_of({"OrdersFunction": "observe"}) as runner:
        first, second = runner.invoke("OrdersFunction", {}), runner.invoke("OrdersFunction", {})
    context = first["context"]
    assert context["function_name"] == "OrdersFunction" and context["memory_limit_in_mb"] == 256
    assert context["invoked_function_arn"].endswith(":function:OrdersFunction")
    assert context["aws_request_id"] != second["context"]["aws_request_id"]
    assert 0 < context["remaining_ms"] <= 3000


def test_the_event_and_result_cross_as_json():
    with runner_of({"A": "observe"}) as runner:
        assert runner.invoke("A", {"n": 1, "list": [1, "two"]})["event"] == {"n": 1, "list": [1, "two"]}


# ---- cold and warm starts, REPORT lines ----


def test_a_warm_process_is_reused_and_each_invocation_logs_a_report_line(capfd):
    with runner_of({"A": "observe"}) as runner:
        first, second = runner.invoke("A", {}), runner.invoke("A", {})
    assert first["pid"] == second["pid"]
    reports = [line for line in capfd.readouterr().out.splitlines() if line.startswith("REPORT ")]
    assert len(reports) == 2
    pattern = (
        r"REPORT RequestId: (?P<id>[0-9a-f-]{36})\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
        r"Memory Size: 256 MB\tMax Memory Used: \d+ MB"
    )
    cold, warm = (re.fullmatch(pattern + r"(?P<init>\tInit Duration: \d+\.\d\d ms)?", line) for line in reports)
    assert cold and warm
    assert cold["init"] and not warm["init"]  # the init duration: on the cold start only
    assert cold["id"] == first["context"]["aws_request_id"] and warm["id"] == second["context"]["aws_request_id"]


# ---- concurrency ----


def test_one_process_handles_one_event_at_a_time():
    with runner_of({"A": "sleep"}, limit=1) as runner:
        results = invoke_together(runner, [("A", {"seconds": 0.2})] * 3)
        assert runner.processes("A") == 1
    assert most_overlapping(results) == 1 and len({r["pid"] for r in results}) == 1


def test_a_function_scales_out_to_its_concurrency_limit_and_no_further():
    with runner_of({"A": "sleep"}, limit=3) as runner:
        results = invoke_together(runner, [("A", {"seconds": 0.5})] * 6)
        assert runner.processes("A") == 3
    assert most_overlapping(results) == 3 and len({r["pid"] for r in results}) == 3


def test_different_functions_run_side_by_side():
    with runner_of({"A": "sleep", "B": "sleep"}, limit=1) as runner:
        results = invoke_together(runner, [("A", {"seconds": 0.5}), ("B", {"seconds": 0.5})])
    assert most_overlapping(results) == 2


def test_the_concurrency_limit_comes_from_the_template_else_the_local_default(monkeypatch):
    def function(**props) -> Function:
        return Function("F", "m.h", {}, 3, events=props.pop("events", {}), **props)

    sqs = {"Type": "SQS", "Properties": {"ScalingConfig": {"MaximumConcurrency": 5}}}
    assert concurrency_limit(function(reserved_concurrency=2)) == 2
    assert concurrency_limit(function(events={"Q": sqs})) == 5
    monkeypatch.delenv(CONCURRENCY_VAR, raising=False)
    assert concurrency_limit(function()) == DEFAULT_CONCURRENCY
    monkeypatch.setenv(CONCURRENCY_VAR, "7")
    assert concurrency_limit(function()) == 7
    # template.yaml's functions: every one has a limit
    assert all(concurrency_limit(f) >= 1 for f in Template().functions().values())


# ---- failures ----


def test_a_raising_handler_fails_the_invocation_and_its_process_lives_on(capfd):
    with runner_of({"A": "fail"}) as runner:
        before = runner.invoke("A", {})
        with pytest.raises(FunctionError) as failure:
            runner.invoke("A", {"fail": True})
        after = runner.invoke("A", {})
    assert failure.value.error_type == "RuntimeError" and before["pid"] == after["pid"]
    assert "RuntimeError: boom" in capfd.readouterr().err


def test_a_module_that_does_not_import_fails_the_invocation_as_its_init():
    functions = {"A": Function("A", "tests.functional.no_such_module.handler", {}, 3)}
    with FunctionRunner(functions, {}) as runner:
        with pytest.raises(FunctionError) as failure:
            runner.invoke("A", {})
        assert runner.processes("A") == 0
    assert failure.value.error_type == "ModuleNotFoundError"


def test_a_crashed_process_is_replaced_by_a_cold_one(capfd):
    with runner_of({"A": "crash"}) as runner:
        before = runner.invoke("A", {})
        with pytest.raises(FunctionError) as failure:
            runner.invoke("A", {"crash": True})
        assert not isinstance(failure.value, FunctionTimeout)
        after = runner.invoke("A", {})
        assert runner.processes("A") == 1
    assert failure.value.error_type == "Runtime.ExitError" and before["pid"] != after["pid"]
    assert len(re.findall(r"Init Duration", capfd.readouterr().out)) == 2  # the replacement started cold


def test_a_process_past_its_timeout_is_killed_and_replaced():
    with runner_of({"A": "sleep"}, timeout=1) as runner:
        before = runner.invoke("A", {"seconds": 0})
        started = time.monotonic()
        with pytest.raises(FunctionTimeout):
            runner.invoke("A", {"seconds": 30})
        assert time.monotonic() - started < 5
        after = runner.invoke("A", {"seconds": 0})
    assert before["pid"] != after["pid"]
    with pytest.raises(ProcessLookupError):
        os.kill(before["pid"], 0)


# ---- code reload ----


def test_a_changed_module_is_picked_up_on_the_next_invocation(capfd):
    # GIVEN a function whose code is a module of the project, invoked once (warm)
    name = f"reload_target_{uuid.uuid4().hex[:8]}"
    path = ROOT / "tests" / "functional" / f"{name}.py"
    path.write_text("VERSION = 1\n\n\ndef handler(event, context):\n    return VERSION\n")
    try:
        functions = {"A": Function("A", f"tests.functional.{name}.handler", {}, 3)}
        with FunctionRunner(functions, {}) as runner:
            assert runner.invoke("A", {}) == 1
            assert runner.invoke("A", {}) == 1
            # WHEN the module changes, the stack running
            path.write_text("VERSION = 2\n\n\ndef handler(event, context):\n    return VERSION\n")
            mtime = path.stat().st_mtime_ns
            os.utime(path, ns=(mtime + 1_000_000_000, mtime + 1_000_000_000))
            # THEN the next invocation runs the new code, in a new (cold) process
            assert runner.invoke("A", {}) == 2
            assert runner.processes("A") == 1
    finally:
        path.unlink()
    inits = [line for line in capfd.readouterr().out.splitlines() if line.startswith("REPORT")]
    assert ["Init Duration" in line for line in inits] == [True, False, True]
