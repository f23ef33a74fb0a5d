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
    # The variables every function shares (template Globals), as the Lambda runtime would set them.
    os.environ.update(function_environment(template, stack, "ClientsFunction"))
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
