"""Test-wide setup.

Functional tests talk to a real moto server over HTTP. It starts here, at configure time, once per
pytest process (each xdist worker gets its own), and the data resources are provisioned from
template.yaml, so that the environment is set before any PynamoDB model is imported: a model's
table name is fixed at import, as on Lambda.
"""

from __future__ import annotations

import os

import pytest

_stack = {}


def pytest_configure(config: pytest.Config) -> None:
    from shoplocal.emulator import Emulator
    from shoplocal.provision import function_environment, provision
    from shoplocal.template import Template

    emulator = Emulator().start()
    emulator.export()
    template = Template()
    stack = provision(emulator.url, template)
    # Every function's variables (template Globals and each function's own: the cursor secret, the seller), as
    # the Lambda runtime would set them, since the tests import several functions into this one process.
    # Each function's exact environment is the local runtime's business (tests/functional/test_lambda_runtime.py).
    for logical_id in template.functions():
        os.environ.update(function_environment(template, stack, logical_id))
    os.environ.pop("AWS_LAMBDA_FUNCTION_NAME", None)
    os.environ.setdefault("POWERTOOLS_DEV", "false")
    _stack.update(emulator=emulator, template=template, stack=stack)


def pytest_unconfigure(config: pytest.Config) -> None:
    if "emulator" in _stack:
        _stack["emulator"].stop()


@pytest.fixture(scope="session")
def emulator():
    """The moto server this test process talks to."""
    return _stack["emulator"]


@pytest.fixture(scope="session")
def stack():
    """Physical ids of the resources provisioned from template.yaml."""
    return _stack["stack"]


@pytest.fixture(scope="session")
def template():
    return _stack["template"]


@pytest.fixture
def orders_queue(monkeypatch):
    """A fresh orders queue per test, so each test sees exactly the messages it caused: a function that
    answers the order ids sent to it so far (without consuming them)."""
    import json
    import uuid

    import boto3

    from domain import config

    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=f"orders-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    monkeypatch.setattr(config, "ORDERS_QUEUE_URL", url)

    def order_ids_sent() -> list[str]:
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        return [json.loads(m["Body"])["orderId"] for m in received.get("Messages", [])]

    yield order_ids_sent
    sqs.delete_queue(QueueUrl=url)
