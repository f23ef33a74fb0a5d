"""Tracing and metrics set-up the Lambda entry points share (logs: domain/logs.py).

Tracing: template.yaml turns X-Ray on (`Tracing: Active`), and `traced` wraps an entry point in Powertools'
`Tracer.capture_lambda_handler` there. A Tracer imports aws_xray_sdk and patches botocore as soon as it is
built, even a disabled one, so `traced` builds none where tracing is off: outside Lambda, or with
`POWERTOOLS_TRACE_DISABLED=true` (the local stack sets it). There the handler runs bare and the SDK is never
imported.

Metrics: EMF through Powertools `Metrics` (namespace and service from `POWERTOOLS_METRICS_NAMESPACE` and
`POWERTOOLS_SERVICE_NAME`, template Globals), flushed by `@metrics.log_metrics` on the entry points.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any

# The metric names, one place: dashboards and alarms refer to them.
ORDERS_ACCEPTED = "OrdersAccepted"
ORDERS_APPROVED = "OrdersApproved"
ORDERS_REJECTED = "OrdersRejected"
ORDERS_INVOICED = "OrdersInvoiced"
WORKER_FAILURES = "WorkerFailures"

_TRUE = {"1", "y", "yes", "t", "true", "on"}  # what Powertools reads as true in its variables


def tracing_enabled() -> bool:
    """Whether a Tracer would trace: in Lambda (not SAM local) and not turned off by the variable."""
    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "").strip().lower() in _TRUE:
        return False
    return bool(os.environ.get("LAMBDA_TASK_ROOT")) and not os.environ.get("AWS_SAM_LOCAL")


def traced(handler: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """The handler in an X-Ray subsegment where tracing is on; the handler itself otherwise."""
    if not tracing_enabled():
        return handler
    from aws_lambda_powertools import Tracer

    # Responses are not recorded: API responses hold client data (names, emails), as logs must not.
    return Tracer().capture_lambda_handler(handler, capture_response=False)


def allow_empty_metrics() -> None:
    """Many invocations count nothing (a read, a replayed message): Powertools' documented filter for its
    "No application metrics to publish" warning, which would otherwise print on such a flush."""
    warnings.filterwarnings("ignore", "No application metrics to publish*")


def count_worker_failures(worker: str, failed: int) -> None:
    """WorkerFailures: the records a worker's invocation reported failed, with a `worker` dimension (its
    own EMF line, so that the worker's other metrics keep the service dimension alone)."""
    if failed <= 0:
        return
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(
        name=WORKER_FAILURES, unit=MetricUnit.Count, value=failed, default_dimensions={"worker": worker}
    ):
        pass
