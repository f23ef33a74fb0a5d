"""The local Lambda runtime: template.yaml's functions, run in this process one event at a time each.

All functions share one interpreter, so they share `os.environ` and `sys.modules`. Modules read their
configuration at import (domain/config.py, PynamoDB `Meta`), so the variables every function has in
common are exported before any handler module is imported, and each module is imported lazily, on its
function's first invocation. What differs between functions (at least `AWS_LAMBDA_FUNCTION_NAME`, which
Powertools idempotency reads on every call) is layered over `os.environ` for the invoking thread only.
Powertools' own process-wide state (log keys, metric sets, the cold-start flag) is kept per function too.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from shoplocal.emulator import REGION
from shoplocal.provision import Stack, function_environment
from shoplocal.template import Function, Template

logger = logging.getLogger(__name__)

ACCOUNT_ID = "123456789012"


class UnknownFunction(LookupError):
    """No function of that logical id in template.yaml."""


class FunctionError(RuntimeError):
    """The function raised (at import or while handling the event), or returned what Lambda cannot
    serialise. The traceback has already been written to stderr; `__cause__` holds the exception."""

    def __init__(self, logical_id: str, request_id: str) -> None:
        super().__init__(f"{logical_id} failed (request {request_id})")
        self.logical_id = logical_id
        self.request_id = request_id


# ---- os.environ, per invoking thread ----

_overlay: ContextVar[Mapping[str, str] | None] = ContextVar("shoplocal_lambda_environ", default=None)


class _LayeredEnviron(os._Environ):
    """`os.environ` whose reads see the invoking function's own variables first.

    It shares the process environment's storage, so writes behave exactly as before."""

    def __getitem__(self, key: str) -> str:
        overlay = _overlay.get()
        if overlay is not None and key in overlay:
            return overlay[key]
        return super().__getitem__(key)

    def __iter__(self) -> Iterator[str]:
        overlay = _overlay.get() or {}
        yield from overlay
        yield from (key for key in super().__iter__() if key not in overlay)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _install_layered_environ() -> None:
    if isinstance(os.environ, _LayeredEnviron):
        return
    base = os.environ
    os.environ = _LayeredEnviron(  # type: ignore[misc]
        base._data, base.encodekey, base.decodekey, base.encodevalue, base.decodevalue  # type: ignore[attr-defined]
    )


# ---- Powertools' process-wide state, per function ----
#
# Lambda runs each function in a process of its own; here they share one, and Powertools keeps some state
# per process: the JSON formatter's keys (one formatter per service name, and every function is service
# `shop`: function name, request id, correlation id, appended keys), the `Metrics` metric set (class-level,
# shared by every instance) and the logger's cold-start flag. Left so, two functions running at once would
# log each other's keys and flush each other's metrics. So while a function runs, those attributes read
# and write that function's own copy (made from the process's value on first use), and its first
# invocation is its cold start. Handlers stay plain Powertools code.

_function: ContextVar[str | None] = ContextVar("shoplocal_lambda_function", default=None)
_copies: dict[tuple[str, int], Any] = {}  # (function, id of the process's value) -> that function's copy
_warm: set[str] = set()


class _PerFunction:
    """A data descriptor keeping an attribute per running function; outside any, the instance's own."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        shared = instance.__dict__[self.name]
        function = _function.get()
        if function is None:
            return shared
        # Keyed by the shared value, not the instance: Metrics instances share one metric set, so they
        # must share each function's copy of it too.
        key = (function, id(shared))
        if key not in _copies:
            _copies.setdefault(key, deepcopy(shared))
        return _copies[key]

    def __set__(self, instance: Any, value: Any) -> None:
        function = _function.get()
        if function is None:
            instance.__dict__[self.name] = value
            return
        if self.name not in instance.__dict__:  # built during an invocation: the process keeps it pristine
            instance.__dict__[self.name] = deepcopy(value)
        _copies[(function, id(instance.__dict__[self.name]))] = value


def _is_cold_start_per_function(process_wide: Callable[[], bool]) -> Callable[[], bool]:
    def is_cold_start() -> bool:
        function = _function.get()
        if function is None:
            return process_wide()
        if function in _warm:
            return False
        _warm.add(function)
        return True

    return is_cold_start


def _install_per_function_state() -> None:
    from aws_lambda_powertools.logging import logger as powertools_logger
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
    from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

    if isinstance(LambdaPowertoolsFormatter.__dict__.get("log_format"), _PerFunction):
        return
    LambdaPowertoolsFormatter.log_format = _PerFunction("log_format")  # type: ignore[assignment]
    for name in ("metric_set", "dimension_set", "dimension_sets", "metadata_set", "default_dimensions"):
        setattr(AmazonCloudWatchEMFProvider, name, _PerFunction(name))
    powertools_logger._is_cold_start = _is_cold_start_per_function(powertools_logger._is_cold_start)


# ---- the context object a handler receives ----


@dataclass
class LambdaContext:
    """What the Lambda runtime passes as `context` (the attributes Powertools reads)."""

    function_name: str
    memory_limit_in_mb: int
    timeout_s: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/[{self.function_version}]{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self.started
        return max(0, int((self.timeout_s - elapsed) * 1000))


# ---- the runner ----


class FunctionRunner:
    """Invokes the functions of template.yaml in this process, one event at a time per function."""

    def __init__(
        self,
        functions: Mapping[str, Function],
        environments: Mapping[str, Mapping[str, str]],
    ) -> None:
        self.functions = dict(functions)
        envs = {name: self._runtime_environment(name, environments.get(name, {})) for name in self.functions}
        self.shared_environment = _common_items(envs.values())
        self._overlays = {
            name: {k: v for k, v in env.items() if self.shared_environment.get(k) != v} for name, env in envs.items()
        }
        self._warn_about_import_time_differences()
        self._locks = {name: threading.Lock() for name in self.functions}
        self._handlers: dict[str, Callable[[Any, Any], Any]] = {}
        # Exported before any handler module is imported: configuration is read at import.
        _install_layered_environ()
        _install_per_function_state()
        os.environ.update(self.shared_environment)

    @classmethod
    def from_stack(cls, template: Template, stack: Stack) -> FunctionRunner:
        functions = template.functions()
        environments = {name: function_environment(template, stack, name) for name in functions}
        return cls(functions, environments)

    def __contains__(self, logical_id: object) -> bool:
        return logical_id in self.functions

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Run one event through the function; returns its result as Lambda would serialise it.

        Raises `FunctionError` when the function fails (import, handler or result serialisation)."""
        function = self.functions.get(logical_id)
        if function is None:
            raise UnknownFunction(f"no function {logical_id!r} in template.yaml")
        with self._locks[logical_id]:
            context = LambdaContext(logical_id, function.memory_mb, function.timeout)
            token = _overlay.set(self._overlays[logical_id])
            running = _function.set(logical_id)
            try:
                handler = self._handler(function)
                # Lambda hands the handler a fresh JSON document and serialises what it returns.
                result = handler(json.loads(json.dumps(event)), context)
                return json.loads(json.dumps(result))
            except Exception as error:
                _report(logical_id, context.aws_request_id, error)
                raise FunctionError(logical_id, context.aws_request_id) from error
            finally:
                _function.reset(running)
                _overlay.reset(token)

    def _handler(self, function: Function) -> Callable[[Any, Any], Any]:
        handler = self._handlers.get(function.logical_id)
        if handler is None:
            module = importlib.import_module(function.module)
            handler = getattr(module, function.attribute)
            self._handlers[function.logical_id] = handler
        return handler

    def _runtime_environment(self, logical_id: str, environment: Mapping[str, str]) -> dict[str, str]:
        """The variables the Lambda runtime adds to the template's."""
        return {
            **environment,
            "AWS_LAMBDA_FUNCTION_NAME": logical_id,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.functions[logical_id].memory_mb),
            # No X-Ray daemon here: entry points then build no Tracer, nor import aws_xray_sdk.
            "POWERTOOLS_TRACE_DISABLED": "true",
        }

    def _warn_about_import_time_differences(self) -> None:
        runtime = {"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"}
        for name, overlay in self._overlays.items():
            differing = sorted(set(overlay) - runtime)
            if differing:
                logger.warning(
                    "%s has its own %s: a module shared with another function keeps the values of "
                    "whichever function imported it first",
                    name,
                    ", ".join(differing),
                )


def _common_items(environments: Any) -> dict[str, str]:
    environments = list(environments)
    if not environments:
        return {}
    first, *others = environments
    return {k: v for k, v in first.items() if all(other.get(k) == v for other in others)}


def _report(logical_id: str, request_id: str, error: BaseException) -> None:
    # Loud on purpose: the API contract allows no 5xx, so a failing function is a bug to see at once.
    banner = f"==== {logical_id} failed (request {request_id}) ===="
    text = "".join(traceback.format_exception(error))
    sys.stderr.write(f"{banner}\n{text}{'=' * len(banner)}\n")
    sys.stderr.flush()
