"""The local Lambda runtime: each function of template.yaml runs in OS processes of its own (execution
environments), one event at a time per process, as on Lambda.

- Environment: a process gets exactly the variables the template gives its function, plus those the Lambda
  runtime adds (`runtime_environment`): the function's name, version and memory size, region and
  credentials, and here the emulator's endpoint, which stands in for AWS's.
- Scaling: a function runs up to its concurrency limit of processes at once (`concurrency_limit`: the
  template's `ReservedConcurrentExecutions`, else the lowest `ScalingConfig.MaximumConcurrency` of its SQS
  sources, else `SHOP_LAMBDA_CONCURRENCY`, default the CPU count, at least 2). An event goes to an idle (warm) process; when all are
  busy, a new one starts (cold) while under the limit; beyond it, the invocation waits for one to free up.
- Failures: a process that crashes, or runs past the function's `Timeout`, is killed and replaced (the next
  invocation starts cold); the invocation raises `FunctionError` (`FunctionTimeout` for the timeout), which
  the gateway answers with 502 (504) and a poller with the whole batch back on the queue.
- Code reload: a process remembers the project's source files it imported; when one of them changed, it is
  retired before its next event, and that event starts a new process with the new code (as `sam local`).
- Logs: the functions' stdout and stderr are this process's; after each invocation the runtime writes a
  CloudWatch-style `REPORT` line (request id, duration, memory, init duration on a cold start).

The process itself is shoplocal/lambda_bootstrap.py. By default it runs this interpreter on the source tree;
`Packaged` runs it instead on each function's deployment package, in a clean python3.12 (the package smoke
test, tests/functional/test_package_smoke.py).
"""

from __future__ import annotations

import json
import logging
import math
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from shoplocal.lambda_bootstrap import ACCOUNT_ID, LambdaContext
from shoplocal.provision import Stack, function_environment
from shoplocal.template import Function, Template

__all__ = [
    "ACCOUNT_ID",
    "CONCURRENCY_VAR",
    "DEFAULT_CONCURRENCY",
    "FunctionError",
    "FunctionRunner",
    "FunctionTimeout",
    "LambdaContext",
    "Packaged",
    "Report",
    "UnknownFunction",
]

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY_VAR = "SHOP_LAMBDA_CONCURRENCY"
# Without a limit in the template, a function runs up to as many processes as this machine has CPUs (at least
# 2, an SQS source's least MaximumConcurrency): more only contend for the same cores and the one emulator.
DEFAULT_CONCURRENCY = max(2, os.cpu_count() or 1)
# How long a new process may take to import its handler (Lambda allows 10 s of init; this machine is
# shared by the tests and the stack, so more).
INIT_TIMEOUT_S = 30.0
# What the runtime passes on from this process: region and credentials (Lambda's, from the function's role)
# and the emulator's endpoint, which stands in for AWS's.
PASSED_ON = (
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "PATH",
)


@dataclass(frozen=True)
class Packaged:
    """Run each function from its deployment package, as Lambda runs it from /var/task: `python` (a python3.12,
    the functions' runtime) isolated (`-I`: no PYTHONPATH, user site-packages or current directory) and without
    its own site-packages (`-S`), so that it imports from the package, then from `runtime_dir` (the runtime's
    boto3, as Lambda's python3.12 carries one in /var/lang/lib/python3.12/site-packages), then the standard
    library, and nothing else. The bootstrap, like Lambda's, is not in the package: it is run from its file."""

    python: str
    packages: Mapping[str, Path]  # logical id -> the package's directory (Lambda's /var/task)
    runtime_dir: Path
    # X-Ray on, as the template's `Tracing: Active` has it on AWS (the SDK imported, botocore patched), with an
    # unsampled trace header: nothing is sent, and no daemon is needed.
    trace_header: str = "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0"
    # When set, each function's stdout and stderr (its log lines, an init traceback) are appended to
    # `<logs>/<logical id>.log` instead of this process's, for the caller to read back (`log_file`).
    logs: Path | None = None

    def log_file(self, logical_id: str) -> Path | None:
        return None if self.logs is None else self.logs / f"{logical_id}.log"

    def command(self, function: Function, fd: int) -> tuple[list[str], Path]:
        task_root = self.packages[function.logical_id]
        prelude = (
            "import runpy, sys; "
            f"sys.path[:0] = [{str(task_root)!r}, {str(self.runtime_dir)!r}]; "
            f"runpy.run_path({str(ROOT / 'shoplocal' / 'lambda_bootstrap.py')!r}, run_name='__main__')"
        )
        return [self.python, "-I", "-S", "-c", prelude, function.handler, str(fd)], task_root

    def environment(self, function: Function) -> dict[str, str]:
        task_root = str(self.packages[function.logical_id])
        return {"LAMBDA_TASK_ROOT": task_root, "PYTHONPATH": task_root, "_X_AMZN_TRACE_ID": self.trace_header}


class UnknownFunction(LookupError):
    """No function of that logical id in template.yaml."""


class FunctionError(RuntimeError):
    """The invocation failed: the function raised (at import or while handling the event), returned what
    Lambda cannot serialise, or its process died. The traceback has already been written to stderr;
    `error_type` names the exception (Lambda's `errorType`)."""

    def __init__(self, logical_id: str, request_id: str, error_type: str = "", message: str = "") -> None:
        super().__init__(f"{logical_id} failed (request {request_id}): {error_type} {message}".rstrip())
        self.logical_id = logical_id
        self.request_id = request_id
        self.error_type = error_type
        self.error_message = message


class FunctionTimeout(FunctionError):
    """The invocation ran past the function's `Timeout`: its process was killed."""


@dataclass(frozen=True)
class Report:
    """What Lambda's `REPORT` line says about one invocation."""

    function: str
    request_id: str
    duration_ms: float
    memory_size_mb: int
    max_memory_used_mb: int | None
    init_duration_ms: float | None = None
    status: str = ""

    def line(self) -> str:
        parts = [
            f"REPORT RequestId: {self.request_id}",
            f"Duration: {self.duration_ms:.2f} ms",
            f"Billed Duration: {math.ceil(self.duration_ms)} ms",
            f"Memory Size: {self.memory_size_mb} MB",
        ]
        if self.max_memory_used_mb is not None:
            parts.append(f"Max Memory Used: {self.max_memory_used_mb} MB")
        if self.init_duration_ms is not None:
            parts.append(f"Init Duration: {self.init_duration_ms:.2f} ms")
        if self.status:
            parts.append(f"Status: {self.status}")
        return "\t".join(parts)


def concurrency_limit(function: Function, default: int | None = None) -> int:
    """How many processes of `function` may run at once: its reserved concurrency, else the lowest
    `MaximumConcurrency` of its SQS sources, else `default` (`SHOP_LAMBDA_CONCURRENCY`, else
    `DEFAULT_CONCURRENCY`)."""
    if function.reserved_concurrency is not None:
        return max(1, function.reserved_concurrency)
    scaling = [
        int(event["Properties"]["ScalingConfig"]["MaximumConcurrency"])
        for event in function.events.values()
        if event.get("Type") == "SQS" and "MaximumConcurrency" in event.get("Properties", {}).get("ScalingConfig", {})
    ]
    if scaling:
        return max(1, min(scaling))
    if default is None:
        default = int(os.environ.get(CONCURRENCY_VAR) or DEFAULT_CONCURRENCY)
    return max(1, default)


class _Environment:
    """One process of a function, with its end of the socket the bootstrap speaks on."""

    def __init__(self, function: Function, environment: Mapping[str, str], packaged: Packaged | None = None) -> None:
        parent, child = socket.socketpair()
        self.started = time.perf_counter()
        output = None
        if packaged is None:
            command = [sys.executable, "-m", "shoplocal.lambda_bootstrap", function.handler, str(child.fileno())]
            cwd = ROOT
        else:
            command, cwd = packaged.command(function, child.fileno())
            log_file = packaged.log_file(function.logical_id)
            if log_file is not None:
                log_file.parent.mkdir(parents=True, exist_ok=True)
                output = open(log_file, "ab")  # the process keeps its own descriptor
        try:
            self.process = subprocess.Popen(
                command,
                env=dict(environment),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                pass_fds=(child.fileno(),),
            )
        finally:
            child.close()
            if output is not None:
                output.close()
        self.connection = Connection(parent.detach())
        self.files: dict[str, int] = {}
        self.init_ms: float | None = None  # set once ready; reported with the first invocation only
        self.invocations = 0
        self.usable = False  # whether it answered its last invocation, and can take another

    def receive(self, timeout: float) -> dict[str, Any] | None:
        """The next message, or None when none came within `timeout`. Raises EOFError when the process died."""
        if not self.connection.poll(timeout):
            return None
        return json.loads(self.connection.recv_bytes())

    def stale(self) -> str | None:
        """The first source file this process imported that changed since, if any."""
        for path, mtime in self.files.items():
            try:
                if os.stat(path).st_mtime_ns != mtime:
                    return path
            except OSError:
                return path
        return None

    def retire(self) -> None:
        try:
            self.connection.close()
        except OSError:
            pass
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass


class _Pool:
    """The processes of one function: idle ones, and how many exist, up to `limit`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.idle: list[_Environment] = []
        self.count = 0
        self.busy = 0
        self.condition = threading.Condition()


class FunctionRunner:
    """Invokes the functions of template.yaml, each in processes of its own."""

    def __init__(
        self,
        functions: Mapping[str, Function],
        environments: Mapping[str, Mapping[str, str]],
        *,
        concurrency: Mapping[str, int] | None = None,
        report: bool = True,
        packaged: Packaged | None = None,
    ) -> None:
        self.functions = dict(functions)
        self.packaged = packaged
        self.environments = {
            name: self.runtime_environment(function, environments.get(name, {}), packaged)
            for name, function in self.functions.items()
        }
        concurrency = dict(concurrency or {})
        self.limits = {
            name: concurrency.get(name) or concurrency_limit(function) for name, function in self.functions.items()
        }
        self._pools = {name: _Pool(limit) for name, limit in self.limits.items()}
        self._report = report
        self._write_lock = threading.Lock()
        self.reports: deque[Report] = deque(maxlen=1000)
        self._closed = False

    @classmethod
    def from_stack(cls, template: Template, stack: Stack, **options: Any) -> FunctionRunner:
        functions = template.functions()
        environments = {name: function_environment(template, stack, name) for name in functions}
        return cls(functions, environments, **options)

    def __contains__(self, logical_id: object) -> bool:
        return logical_id in self.functions

    def __enter__(self) -> FunctionRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def runtime_environment(
        function: Function, environment: Mapping[str, str], packaged: Packaged | None = None
    ) -> dict[str, str]:
        """A process's whole environment: the template's variables and the Lambda runtime's."""
        passed_on = {name: os.environ[name] for name in PASSED_ON if name in os.environ}
        if packaged is not None:
            return {**passed_on, **environment, **_lambda_variables(function), **packaged.environment(function)}
        return {
            **passed_on,
            **environment,
            **_lambda_variables(function),
            "LAMBDA_TASK_ROOT": str(ROOT),
            "PYTHONPATH": str(ROOT),
            # No X-Ray daemon here: entry points then build no Tracer, nor import aws_xray_sdk.
            "POWERTOOLS_TRACE_DISABLED": "true",
        }

    def processes(self, logical_id: str) -> int:
        """How many processes the function has now (busy and idle)."""
        return self._pools[logical_id].count

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Run one event through the function in one of its processes; returns its result as Lambda would
        serialise it. Raises `FunctionError` when the invocation fails, `FunctionTimeout` past `Timeout`."""
        function = self.functions.get(logical_id)
        if function is None:
            raise UnknownFunction(f"no function {logical_id!r} in template.yaml")
        pool = self._pools[logical_id]
        request_id = str(uuid.uuid4())
        environment = self._acquire(function, pool)
        try:
            return self._run(function, environment, request_id, event)
        finally:
            self._release(pool, environment)

    def close(self) -> None:
        """Stop every process."""
        self._closed = True
        for pool in self._pools.values():
            with pool.condition:
                idle, pool.idle = pool.idle, []
                pool.count -= len(idle)
                pool.condition.notify_all()
            for environment in idle:
                environment.retire()

    # ---- the pool ----

    def _acquire(self, function: Function, pool: _Pool) -> _Environment:
        with pool.condition:
            while True:
                while pool.idle:
                    environment = pool.idle.pop()  # the most recently used: warm stays warm
                    changed = environment.stale()
                    if changed is None:
                        pool.busy += 1
                        return environment
                    logger.info("%s: %s changed; a new process loads it", function.logical_id, _relative(changed))
                    pool.count -= 1
                    environment.retire()
                if pool.count < pool.limit:
                    pool.count += 1
                    pool.busy += 1
                    break
                pool.condition.wait()
        try:
            return _Environment(function, self.environments[function.logical_id], self.packaged)
        except BaseException:
            with pool.condition:
                pool.count -= 1
                pool.busy -= 1
                pool.condition.notify()
            raise

    def _release(self, pool: _Pool, environment: _Environment) -> None:
        healthy = environment.usable
        with pool.condition:
            pool.busy -= 1
            if healthy and not self._closed:
                pool.idle.append(environment)
            else:
                pool.count -= 1
            pool.condition.notify()
        if not healthy or self._closed:
            environment.retire()

    # ---- one invocation ----

    def _run(self, function: Function, environment: _Environment, request_id: str, event: Any) -> Any:
        """The function's result. Raises FunctionError on failure; the environment is `usable` after."""
        logical_id = function.logical_id
        init_ms = None
        if environment.init_ms is None:
            try:
                ready = environment.receive(INIT_TIMEOUT_S)
            except EOFError:
                ready = {"ready": False, "error": {"type": "Runtime.ExitError", "message": "exited during init"}}
            if ready is None:
                self._write(Report(logical_id, request_id, INIT_TIMEOUT_S * 1000, function.memory_mb, None, status="timeout"))
                raise FunctionTimeout(logical_id, request_id, "Runtime.InitTimeout", f"init exceeded {INIT_TIMEOUT_S} s")
            environment.files = ready.get("files", {})
            if not ready["ready"]:
                error = ready["error"]
                self._write(Report(logical_id, request_id, 0.0, function.memory_mb, None, status="error"))
                raise FunctionError(logical_id, request_id, error["type"], error["message"])
            environment.init_ms = init_ms = (time.perf_counter() - environment.started) * 1000
        environment.usable = False
        started = time.perf_counter()
        try:
            environment.connection.send_bytes(
                json.dumps({"event": event, "request_id": request_id, "timeout_s": function.timeout}).encode()
            )
            reply = environment.receive(function.timeout)
        except (EOFError, OSError):
            reply = {"crashed": True}
        duration_ms = (time.perf_counter() - started) * 1000
        if reply is None:
            self._write(Report(logical_id, request_id, duration_ms, function.memory_mb, None, init_ms, "timeout"))
            sys.stderr.write(
                f"{_timestamp()} {request_id} Task timed out after {function.timeout:.2f} seconds ({logical_id})\n"
            )
            raise FunctionTimeout(logical_id, request_id, "Sandbox.Timedout", f"timed out after {function.timeout} s")
        if reply.get("crashed"):
            try:
                code: int | str = environment.process.wait(5)
            except subprocess.TimeoutExpired:  # its end of the socket closed, the process still there
                code = "unknown"
            self._write(Report(logical_id, request_id, duration_ms, function.memory_mb, None, init_ms, "error"))
            sys.stderr.write(f"{logical_id}: process exited with {code} (request {request_id})\n")
            raise FunctionError(logical_id, request_id, "Runtime.ExitError", f"exit status {code}")
        environment.files = reply.get("files", environment.files)
        environment.invocations += 1
        environment.usable = True
        self._write(
            Report(logical_id, request_id, reply["duration_ms"], function.memory_mb, reply["max_memory_mb"], init_ms)
        )
        if "error" in reply:
            error = reply["error"]
            raise FunctionError(logical_id, request_id, error["type"], error["message"])
        return reply["result"]

    def _write(self, report: Report) -> None:
        self.reports.append(report)
        if self._report:
            with self._write_lock:
                sys.stdout.write(report.line() + "\n")
                sys.stdout.flush()


def _lambda_variables(function: Function) -> dict[str, str]:
    """What the Lambda runtime sets in every function's environment."""
    return {
        "AWS_LAMBDA_FUNCTION_NAME": function.logical_id,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.logical_id}",
        "AWS_LAMBDA_LOG_STREAM_NAME": f"local/[$LATEST]{function.logical_id}",
        "_HANDLER": function.handler,
        "TZ": ":UTC",
        "LANG": "C.UTF-8",
        # Logs reach the console as they are written, and survive a process killed at its timeout.
        "PYTHONUNBUFFERED": "1",
    }


def _relative(path: str) -> str:
    try:
        return str(Path(path).relative_to(ROOT))
    except ValueError:
        return path


def _timestamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
