"""Stand-in Lambda handlers. `handler`, for the gateway tests, runs in the test's process (tests/inprocess.py):
it records the event and answers what a test set. The others run in the local runtime's processes."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

events: list[dict[str, Any]] = []
contexts: list[Any] = []
# What the next invocations return; a test replaces it (an Exception instance is raised instead).
reply: Any = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"status":"ok"}'}
_lock = threading.Lock()


def reset() -> None:
    global reply
    events.clear()
    contexts.clear()
    reply = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"status":"ok"}'}


def handler(event: dict[str, Any], context: Any) -> Any:
    with _lock:
        events.append(event)
        contexts.append(context)
    if isinstance(reply, BaseException):
        raise reply
    return reply


# ---- for the local runtime's processes (shoplocal/lambdas.py): what they saw comes back in the reply ----


def observe(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Its process, environment and context."""
    return {
        "pid": os.getpid(),
        "environ": dict(os.environ),
        "event": event,
        "context": {
            "function_name": context.function_name,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "invoked_function_arn": context.invoked_function_arn,
            "aws_request_id": context.aws_request_id,
            "remaining_ms": context.get_remaining_time_in_millis(),
        },
    }


def sleep(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Sleeps `event["seconds"]`; when it ran, and in which process."""
    started = time.time()
    time.sleep(event.get("seconds", 0.3))
    return {"pid": os.getpid(), "started": started, "ended": time.time()}


def crash(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Its process dies on an event asking for it (as on an out-of-memory kill or a segfault)."""
    if event.get("crash"):
        os._exit(3)
    return {"pid": os.getpid()}


def fail(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Raises on an event asking for it; the process lives on."""
    if event.get("fail"):
        raise RuntimeError("boom")
    return {"pid": os.getpid()}


def hang(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Runs past any timeout a test gives it."""
    time.sleep(60)
    return {}
