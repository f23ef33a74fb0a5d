"""Handlers for the local runtime's isolation tests (tests/functional/test_correlation_ids.py): two functions
running the same module, which logs through one module-level Powertools logger and counts through one
`Metrics`, as handlers/api.py does. Each function's processes have their own."""

from __future__ import annotations

import os
import time
from pathlib import Path

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

shared_logger = Logger(service="shop")
shared_metrics = Metrics(namespace="Shop", service="shop")


def both_arrived(event: dict) -> None:
    """A barrier across processes: this function's file in `event["meeting"]`, then wait for the others'."""
    meeting = Path(event["meeting"])
    (meeting / os.environ["AWS_LAMBDA_FUNCTION_NAME"]).touch()
    deadline = time.monotonic() + 20
    while len(list(meeting.iterdir())) < event["parties"]:
        if time.monotonic() > deadline:
            raise TimeoutError("the other function never arrived")
        time.sleep(0.01)


@shared_logger.inject_lambda_context(correlation_id_path="correlationId", clear_state=True)
def keyed_handler(event: dict, context) -> dict:
    shared_logger.append_keys(owner=event["owner"])
    both_arrived(event)  # the other function has set its own keys too, before this logs
    shared_logger.info("logged after both functions set their keys")
    return {}


@shared_metrics.log_metrics
def counting_handler(event: dict, context) -> dict:
    shared_metrics.add_metric(name=event["metric"], unit=MetricUnit.Count, value=1)
    both_arrived(event)  # both metrics added before either function flushes
    return {}
