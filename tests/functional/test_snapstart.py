"""SnapStart's runtime hooks (domain/snapstart.py), run as Lambda runs them: a function's entry module is
imported in a fresh interpreter initialised for a snapshot (`AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`), the
before-snapshot hooks run (in reverse order of registration), and then the process forks twice: two execution
environments resumed from one memory image, as Lambda resumes them from one snapshot. Each runs the
after-restore hooks (in order of registration) with credentials of its own, then makes ids and calls AWS (the
moto server of this test session). The hooks are those the real `snapshot_restore_py` (Lambda's Python runtime
library; a dev dependency here) recorded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from shoplocal.template import ROOT

# The entry module, and the module-level client of `aws_client` it keeps (module, attribute, a harmless call).
ENTRIES = {
    "handlers.clients": None,
    "handlers.orders": ("handlers.routes.orders", "sqs", "get_queue_attributes"),
    "handlers.invoices": ("handlers.routes.invoices", "s3", "head_bucket"),
    "workers.approval": ("workers.approval", "sqs", "get_queue_attributes"),
    "workers.paid_order": ("workers.paid_order", "s3", "head_bucket"),
    "workers.redrive": None,
}

_SNAPSHOT_THEN_RESTORE_TWICE = r"""
import importlib, json, os, random, sys

entry, client_module, client_name, call = sys.argv[1:5]
importlib.import_module(entry)  # the init phase, as Lambda runs it when publishing a version

import snapshot_restore_py
from datamodel import base
from domain import config
from domain.ids import new_id

registered = {
    "before": [f"{f.__module__}.{f.__qualname__}" for f, _, _ in snapshot_restore_py.get_before_snapshot()],
    "after": [f"{f.__module__}.{f.__qualname__}" for f, _, _ in snapshot_restore_py.get_after_restore()],
}
new_id()  # python-ulid imported and its generator used before the snapshot: the worst case for uniqueness
for func, args, kwargs in reversed(snapshot_restore_py.get_before_snapshot()):
    func(*args, **kwargs)

# ---- the snapshot: what follows runs in each environment resumed from it ----
dynamodb, session = base.connection.client, base.connection.session
loader = session.get_component("data_loader")
own = getattr(importlib.import_module(client_module), client_name) if client_name != "-" else None
state_at_snapshot = random.getstate()

def resumed(n):
    # os.fork reseeds `random` in the child (CPython's at-fork hook); a restored memory image runs no such
    # hook, so the child takes back the state of the image, the one every restored environment starts with.
    random.setstate(state_at_snapshot)
    os.environ["AWS_ACCESS_KEY_ID"] = f"AKIARESTORED0000000{n}"  # this environment's credentials
    for func, args, kwargs in snapshot_restore_py.get_after_restore():
        func(*args, **kwargs)
    ids = [new_id() for _ in range(3)]
    report = {
        "ids": ids,
        "random": [random.random() for _ in range(3)],
        "new_dynamodb_client": base.connection.client is not dynamodb,
        "new_session": base.connection.session is not session,
        "loader_kept": base.connection.session.get_component("data_loader") is loader,
        "access_key": base.connection.session.get_credentials().access_key,
        "table": base.connection.client.describe_table(TableName=config.TABLE_NAME)["Table"]["TableStatus"],
    }
    if own is not None:
        rebuilt = getattr(importlib.import_module(client_module), client_name)
        report["new_own_client"] = rebuilt is not own
        report["own_client_signs_with"] = rebuilt._request_signer._credentials.access_key
        if call == "get_queue_attributes":
            url = config.ORDERS_QUEUE_URL if "routes" in client_module else config.PAID_ORDERS_QUEUE_URL
            rebuilt.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        else:
            rebuilt.head_bucket(Bucket=config.BUCKET_NAME)
        report["own_client_call"] = "ok"
    return report

children = []
for n in (1, 2):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            out = json.dumps(resumed(n))
        except BaseException as error:
            out = json.dumps({"error": repr(error)})
        with os.fdopen(write, "w") as pipe:
            pipe.write(out)
        os._exit(0)
    os.close(write)
    children.append((pid, read))
reports = []
for pid, read in children:
    with os.fdopen(read) as pipe:
        reports.append(json.loads(pipe.read()))
    os.waitpid(pid, 0)
print(json.dumps({"registered": registered, "environments": reports}))
"""


def snapshot_and_restore_twice(entry: str, env: dict[str, str]) -> dict:
    client = ENTRIES[entry] or ("-", "-", "-")
    done = subprocess.run(
        [sys.executable, "-c", _SNAPSHOT_THEN_RESTORE_TWICE, entry, *client],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("entry", ENTRIES)
def test_two_environments_restored_from_one_snapshot_make_different_ids_and_reconnect(entry):
    # GIVEN a function initialised for a SnapStart snapshot, its before-snapshot hooks run
    env = dict(os.environ, AWS_LAMBDA_INITIALIZATION_TYPE="snap-start")

    # WHEN two environments resume from that one image, each with its own credentials, and run the
    # after-restore hooks
    result = snapshot_and_restore_twice(entry, env)
    first, second = result["environments"]

    # THEN the entry module registered exactly the project's two hooks
    assert result["registered"] == {
        "before": ["domain.snapstart.before_snapshot"],
        "after": ["domain.snapstart.after_restore"],
    }
    for n, report in enumerate((first, second), start=1):
        assert "error" not in report, report
        # AND each reconnected: a new botocore session (its credentials resolved after the restore), a new
        # DynamoDB client on it, the parsed service models kept, and both work
        assert report["new_session"] and report["new_dynamodb_client"] and report["loader_kept"], report
        assert report["access_key"] == f"AKIARESTORED0000000{n}"
        assert report["table"] == "ACTIVE"
        if ENTRIES[entry]:
            # AND the client the function keeps for S3 or SQS is a new one too, signing with those credentials
            assert report["new_own_client"] is True
            assert report["own_client_signs_with"] == f"AKIARESTORED0000000{n}"
            assert report["own_client_call"] == "ok"
    # AND the two environments share no id and no random sequence, though they resumed with the same state
    assert not set(first["ids"]) & set(second["ids"])
    assert len(set(first["ids"] + second["ids"])) == 6
    assert first["random"] != second["random"]


def test_without_snapstart_the_hooks_are_neither_imported_nor_registered():
    """On-demand environments (and the local stack) pay nothing: `snapshot_restore_py` is not imported."""
    env = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_INITIALIZATION_TYPE"}
    env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand"
    script = (
        "import importlib, json, sys\n"
        "for entry in sys.argv[1:]: importlib.import_module(entry)\n"
        "print(json.dumps('snapshot_restore_py' in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *ENTRIES], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) is False
