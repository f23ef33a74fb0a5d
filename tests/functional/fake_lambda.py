"""Stand-in Lambda handlers for the gateway tests: they record the event and answer what a test set."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

events: list[dict[str, Any]] = []
contexts: list[Any] = []
environ_seen: list[dict[str, str | None]] = []
# What the next invocations return; a test replaces it (an Exception instance is raised instead).
reply: Any = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"status":"ok"}'}
_lock = threading.Lock()
running = 0
most_running = 0


def reset() -> None:
    global reply, most_running
    most_running = 0
    events.clear()
    contexts.clear()
    environ_seen.clear()
    reply = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"status":"ok"}'}


def handler(event: dict[str, Any], context: Any) -> Any:
    with _lock:
        events.append(event)
        contexts.append(context)
        environ_seen.append({"AWS_LAMBDA_FUNCTION_NAME": os.environ.get("AWS_LAMBDA_FUNCTION_NAME")})
    if isinstance(reply, BaseException):
        raise reply
    return reply


def slow_handler(event: dict[str, Any], context: Any) -> Any:
    """Records how many invocations overlap."""
    global running, most_running
    with _lock:
        running += 1
        most_running = max(most_running, running)
    time.sleep(0.05)
    with _lock:
        running -= 1
    return {"statusCode": 200, "body": '{"status":"ok"}'}
