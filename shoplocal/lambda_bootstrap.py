"""One execution environment of a function: the process the local runtime (shoplocal/lambdas.py) starts
for it, as Lambda starts a sandbox: `python -m shoplocal.lambda_bootstrap <module.handler> <fd>`.

Its environment is exactly what the runner gives it (the function's template variables and the Lambda
runtime's). It imports the handler once (the init phase), then handles one event at a time. It speaks
to the runner over the socket `fd` (length-prefixed JSON messages), so the function's own stdout and
stderr stay free for its logs, as in CloudWatch. Messages:

- it sends `{"ready": true, "init_ms": …, "files": […]}` once the handler is imported, or
  `{"ready": false, "error": {…}}` and exits when the import fails;
- it receives `{"event": …, "request_id": …, "deadline_ms": …}` and answers `{"result": …}` or
  `{"error": {"type": …, "message": …}}`, each with `duration_ms`, `max_memory_mb` and, when it imported
  more of them, the project's source files imported so far (`files`, for code reload).

This module imports nothing of the project's at module level: what a cold start costs is the function's.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import signal
import sys
import time
import traceback
import uuid
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REGION_DEFAULT = "us-east-1"
ACCOUNT_ID = "123456789012"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class LambdaContext:
    """What the Lambda runtime passes as `context` (the attributes Powertools reads)."""

    function_name: str
    memory_limit_in_mb: int
    timeout_s: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        region = os.environ.get("AWS_REGION") or REGION_DEFAULT
        return f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/[{self.function_version}]{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self.started
        return max(0, int((self.timeout_s - elapsed) * 1000))


_files: dict[str, int] = {}
_modules_seen = 0


def project_files() -> dict[str, int]:
    """The project's source files imported so far, with their modification times (ns) when first seen:
    looked for again only when modules were imported since."""
    global _modules_seen
    if len(sys.modules) == _modules_seen:
        return _files
    _modules_seen = len(sys.modules)
    venv = str(ROOT / ".venv")
    root = str(ROOT)
    found = _files
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path or path in found or not path.endswith(".py") or not path.startswith(root) or path.startswith(venv):
            continue
        try:
            found[path] = os.stat(path).st_mtime_ns
        except OSError:
            continue
    return found


def max_memory_mb() -> int:
    """This process's peak resident memory. Linux's VmHWM, which starts afresh at exec; `ru_maxrss` would
    carry over the peak of the runner's process this one was forked from."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024 + 1  # kB
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024) + 1


def error_of(error: BaseException) -> dict[str, Any]:
    return {"type": type(error).__name__, "message": str(error)}


def report_failure(function: str, request_id: str, error: BaseException) -> None:
    # Loud on purpose: the API contract allows no 5xx, so a failing function is a bug to see at once.
    banner = f"==== {function} failed (request {request_id}) ===="
    text = "".join(traceback.format_exception(error))
    sys.stderr.write(f"{banner}\n{text}{'=' * len(banner)}\n")
    sys.stderr.flush()


def send(connection: Connection, message: dict[str, Any]) -> None:
    connection.send_bytes(json.dumps(message).encode())


def main(argv: list[str]) -> int:
    handler_name, fd = argv[0], int(argv[1])
    # Ctrl-C in a terminal reaches the whole process group: the stack stops its environments itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    connection = Connection(fd)
    function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", handler_name)
    memory_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
    started = time.perf_counter()
    try:
        module_name, attribute = handler_name.rsplit(".", 1)
        handler = getattr(importlib.import_module(module_name), attribute)
    except Exception as error:  # Lambda's Runtime.ImportModuleError / init error: this environment is done
        report_failure(function, "init", error)
        send(connection, {"ready": False, "error": error_of(error), "files": project_files()})
        return 1
    files = project_files()
    files_sent = len(files)
    send(connection, {"ready": True, "init_ms": (time.perf_counter() - started) * 1000, "files": files})
    while True:
        try:
            request = json.loads(connection.recv_bytes())
        except EOFError:  # the runner closed its end: the environment is retired
            return 0
        context = LambdaContext(function, memory_mb, request["timeout_s"], aws_request_id=request["request_id"])
        started = time.perf_counter()
        try:
            # Lambda hands the handler a fresh JSON document and serialises what it returns.
            reply: dict[str, Any] = {"result": json.loads(json.dumps(handler(request["event"], context)))}
        except Exception as error:
            report_failure(function, context.aws_request_id, error)
            reply = {"error": error_of(error)}
        reply |= {"duration_ms": (time.perf_counter() - started) * 1000, "max_memory_mb": max_memory_mb()}
        files = project_files()
        if len(files) != files_sent:  # the runner keeps what it was last sent
            reply["files"], files_sent = files, len(files)
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            send(connection, reply)
        except OSError:  # the runner is gone (it timed this invocation out, or stopped)
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
