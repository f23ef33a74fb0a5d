"""Each function's entry module builds its DynamoDB client in its init phase (datamodel.base.connect under
domain.coldstart.init_phase), so the first request does not, and the client's allocations are frozen with
the rest of the init instead of being scanned by the collector."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from shoplocal.template import ROOT

_RECORD_CLIENTS_MADE_BY_THE_IMPORT = """
import gc, importlib, json, sys
import botocore.session
made = []
original = botocore.session.Session.create_client
def create_client(self, service_name, *args, **kwargs):
    made.append([service_name, gc.isenabled()])
    return original(self, service_name, *args, **kwargs)
botocore.session.Session.create_client = create_client
importlib.import_module(sys.argv[1])
print(json.dumps({"made": made, "collector_on_after": gc.isenabled()}))
"""


def clients_made_by_importing(module: str) -> dict:
    """In a fresh interpreter with this session's function environment: the AWS clients importing `module`
    created, each with whether the collector was on at the time."""
    done = subprocess.run(
        [sys.executable, "-c", _RECORD_CLIENTS_MADE_BY_THE_IMPORT, module],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "module", ["handlers.clients", "handlers.orders", "handlers.invoices", "workers.approval", "workers.paid_order"]
)
def test_the_entry_module_builds_its_dynamodb_client_during_init_without_the_collector(module):
    # WHEN a function's entry module is imported, as Lambda's init phase does
    result = clients_made_by_importing(module)

    # THEN the DynamoDB client exists already, and every client was built with the collector off, turned on
    # again once the init was over
    assert ["dynamodb", False] in result["made"]
    assert all(enabled is False for _, enabled in result["made"]), result["made"]
    assert result["collector_on_after"] is True
