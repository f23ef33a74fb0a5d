"""Functions invoked in the test's own process: what a test needs when it reaches into the function while it
runs (botocore fault hooks, log handlers, a fake handler's recorded events), which the local runtime's
processes (shoplocal/lambdas.py) keep out of reach.

`InProcessRunner` has the runner's interface the gateway and the pollers use (`invoke`, `in`): it calls
each function's handler directly, as tests/functional/test_clients_api.py calls
`handlers.clients.lambda_handler`, one event at a time per function, and raises the runtime's
`FunctionError` when the handler raises. The test process's environment is the functions' (tests/conftest.py
exports the variables they share); nothing is swapped per function.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

from shoplocal.lambda_bootstrap import LambdaContext, report_failure
from shoplocal.lambdas import FunctionError, UnknownFunction
from shoplocal.template import Function


class InProcessRunner:
    def __init__(self, functions: Mapping[str, Function]) -> None:
        self.functions = dict(functions)
        self._locks = {name: threading.Lock() for name in self.functions}
        self._handlers: dict[str, Callable[[Any, Any], Any]] = {}

    def __contains__(self, logical_id: object) -> bool:
        return logical_id in self.functions

    def invoke(self, logical_id: str, event: Any) -> Any:
        function = self.functions.get(logical_id)
        if function is None:
            raise UnknownFunction(logical_id)
        with self._locks[logical_id]:
            context = LambdaContext(logical_id, function.memory_mb, function.timeout)
            try:
                handler = self._handler(function)
                # Lambda hands the handler a fresh JSON document and serialises what it returns.
                return json.loads(json.dumps(handler(json.loads(json.dumps(event)), context)))
            except Exception as error:
                report_failure(logical_id, context.aws_request_id, error)
                raise FunctionError(logical_id, context.aws_request_id, type(error).__name__, str(error)) from error

    def _handler(self, function: Function) -> Callable[[Any, Any], Any]:
        handler = self._handlers.get(function.logical_id)
        if handler is None:
            handler = getattr(importlib.import_module(function.module), function.attribute)
            self._handlers[function.logical_id] = handler
        return handler
