"""The package smoke test: each function's deployment package, built by the Makefile's build-* target (what
`sam build` runs) for this machine's architecture, runs its handler in a clean python3.12 that holds only the
package and the Lambda runtime's boto3 (requirements/lambda-runtime.in), with the environment the local stack
gives the function (template.yaml's, resolved against a stack of its own on this process's moto server) and
one representative event: the order pipeline's, each caused by the step before (an order placed through the
API, its message approved, the paid message invoiced, the invoice listed, the scheduled sweep). A dependency
missing from a package fails it with the ImportError, before a deploy would.

Without a python3.12 on this machine it does not run: every test here is SKIPPED, the reason saying where it
looked (`make smoke` runs this file alone; `make test` runs it with the rest).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from shoplocal.lambdas import FunctionError, FunctionRunner, Packaged
from shoplocal.packaging import build, find_lambda_python, machine_arch, makefile_functions, runtime_sdk
from shoplocal.provision import Stack, function_environment, provision
from shoplocal.template import Function, Template
from tests.events import api_event, client_claims
from tests.unit.test_machine_tokens import event as pre_token_event
from tests.sqs_events import delete, queue_arn, receive, sqs_event

# One xdist worker builds the packages once for every test of this file.
pytestmark = pytest.mark.xdist_group("package-smoke")

FUNCTIONS = makefile_functions()
sqs = boto3.client("sqs")
dynamodb = boto3.client("dynamodb")


@pytest.fixture(scope="module")
def lambda_python() -> str:
    search = find_lambda_python()
    if search.python is None:
        pytest.skip(f"package smoke test not run: no python3.12 found ({search.reason()}); "
                    "install one (pyenv install 3.12, or your distribution's python3.12) or set LAMBDA_PYTHON")
    return search.python


@pytest.fixture(scope="module")
def packages(lambda_python, tmp_path_factory) -> Packaged:
    """Every function's package and the runtime's boto3, built for this machine."""
    root = tmp_path_factory.mktemp("packages")
    arch = machine_arch()
    started = time.perf_counter()
    built = {}
    for logical_id in FUNCTIONS:
        built[logical_id] = root / logical_id
        build(logical_id, built[logical_id], arch=arch, python=lambda_python)
    runtime_sdk(root / "runtime", arch=arch, python=lambda_python)
    print(f"package smoke test: {len(built)} packages and the runtime's SDK built for {arch} in "
          f"{time.perf_counter() - started:.1f} s under {root}", file=sys.stderr)
    return Packaged(lambda_python, built, root / "runtime", logs=root / "logs")


def runner_for(packaged: Packaged, template: Template, stack: Stack) -> FunctionRunner:
    functions = template.functions()
    environments = {logical_id: function_environment(template, stack, logical_id) for logical_id in packaged.packages}
    return FunctionRunner(
        {logical_id: functions[logical_id] for logical_id in packaged.packages},
        environments,
        concurrency={logical_id: 1 for logical_id in packaged.packages},
        report=False,
        packaged=packaged,
    )


def smoke(runner: FunctionRunner, logical_id: str, event: Any, succeeded: Callable[[Any], bool]) -> Any:
    """The function's answer to `event`. When the invocation fails, or the answer is not a success, an
    AssertionError with the errors the function logged: a missing module's ImportError names it."""
    log_file = runner.packaged.log_file(logical_id)
    start = log_file.stat().st_size if log_file.exists() else 0
    try:
        answer = runner.invoke(logical_id, event)
    except FunctionError as error:
        failure = f"{error.error_type}: {error.error_message}"
    else:
        if succeeded(answer):
            return answer
        failure = f"answered {answer}"
    logged = logged_errors(log_file, start)
    raise AssertionError(f"{logical_id}'s package failed: {failure}\n  logged: {'; '.join(logged) or 'nothing'}"
                         f"\n  (its whole output: {log_file})")


def logged_errors(log_file: Path, start: int) -> list[str]:
    """`Type: message` of each exception the function logged after `start`: Powertools' JSON log lines with an
    exception, and the tracebacks the runtime writes (an init failure)."""
    with open(log_file, "rb") as output:
        output.seek(start)
        lines = output.read().decode(errors="replace").splitlines()
    errors = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            if re.match(r"^[A-Za-z_][\w.]*(Error|Exception): ", line):  # a traceback's last line
                errors.append(line)
            continue
        if isinstance(record, dict) and record.get("exception_name"):
            value = (record.get("stack_trace") or {}).get("value", "")
            errors.append(f"{record['exception_name']}: {value}")
    return errors


# ---- one representative event per function: the order pipeline, each event the one the step before caused ----


@pytest.fixture(scope="module")
def smoke_stack(emulator, template) -> Stack:
    """A stack of its own from template.yaml on this process's moto server: what the functions send and sweep
    stays out of the queues and table the other tests share."""
    return provision(emulator.url, template, stack_name=f"smoke-{uuid.uuid4().hex[:8]}")


def answered(status: int) -> Callable[[Any], bool]:
    return lambda answer: answer["statusCode"] == status


def no_batch_item_failures(answer: Any) -> bool:
    return answer == {"batchItemFailures": []}


def post_client(runner: FunctionRunner, stack: Stack, state: dict[str, Any]) -> None:
    body = {"name": "Smoke Test Ltd", "email": f"smoke-{uuid.uuid4().hex[:12]}@example.com", "creditLimit": 500_000}
    answer = smoke(runner, "ClientsFunction", api_event("POST", "/clients", body=body), answered(201))
    state["client_id"] = json.loads(answer["body"])["clientId"]


def post_order(runner: FunctionRunner, stack: Stack, state: dict[str, Any]) -> None:
    client_id = state["client_id"]
    body = {"items": [{"sku": "W-1", "description": "Widget", "quantity": 3, "unitPrice": 1250}]}
    event = api_event("POST", f"/clients/{client_id}/orders", body=body, claims=client_claims(client_id))
    answer = smoke(runner, "OrdersFunction", event, answered(202))
    state["order_id"] = json.loads(answer["body"])["orderId"]


def the_order_message(stack: Stack, queue: str, state: dict[str, Any]) -> tuple[str, list[dict]]:
    """The message the step before sent about the order, received from the stack's queue as Lambda would."""
    url = stack.physical_ids[queue]
    wanted = {"clientId": state["client_id"], "orderId": state["order_id"]}
    return url, receive(sqs, url, lambda message: json.loads(message["Body"]) == wanted, 1)


def approve(runner: FunctionRunner, stack: Stack, state: dict[str, Any]) -> None:
    url, received = the_order_message(stack, "OrdersQueue", state)
    smoke(runner, "ApprovalFunction", sqs_event(received, queue_arn(sqs, url)), no_batch_item_failures)
    delete(sqs, url, received)  # as the event source mapping does with the records that succeeded


def invoice(runner: FunctionRunner, stack: Stack, state: dict[str, Any]) -> None:
    # The one package that ships its own SDK, and reportlab: it renders the PDF and writes it to the bucket.
    url, received = the_order_message(stack, "PaidOrdersQueue", state)
    smoke(runner, "PaidOrderFunction", sqs_event(received, queue_arn(sqs, url)), no_batch_item_failures)
    delete(sqs, url, received)


def list_invoices(runner: FunctionRunner, stack: Stack, state: dict[str, Any]) -> None:
    # A list signs its cursor with the secret read through Powertools' parameters utility (Secrets Manager).
    client_id = state["client_id"]
    event = api_event("GET", f"/clients/{client_id}/invoices", claims=client_claims(client_id))
    answer = smoke(runner, "InvoicesFunction", event, answered(200))
    state["invoiced_orders"] = [invoice["orderId"] for invoice in json.loads(answer["body"])["items"]]


def sweep(runner: FunctionRunner, stack: Stack, state: dict[str, Any]) -> None:
    event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
             "account": "123456789012", "time": "2026-01-01T00:00:00Z", "region": "us-east-1",
             "resources": ["arn:aws:events:us-east-1:123456789012:rule/Sweep"], "detail": {}}
    state["sweep"] = smoke(runner, "RedriveFunction", event, lambda answer: answer["failed"] == 0)


def issue_machine_token(runner: FunctionRunner, stack: Stack, state: dict[str, Any]) -> None:
    # A customer's system asks for a token: its app client is recorded (on this stack's table, in the data layer's
    # own serialisation) as acting for the client, and the trigger reads that item into the token's claim.
    from datamodel.machine_clients import MachineClientRecord
    from datamodel import keys
    from domain.machine_tokens import MACHINE_CLIENT_CLAIM

    app_client_id, client_id = uuid.uuid4().hex[:26], state["client_id"]
    record = MachineClientRecord(pk=keys.machine_client_pk(app_client_id), sk=keys.MACHINE_SK,
                                 app_client_id=app_client_id, client_id=client_id, created_at="2026-01-01T00:00:00Z")
    dynamodb.put_item(TableName=stack.physical_ids["Table"], Item=record.serialize())
    event = pre_token_event(app=app_client_id, scopes=("shop/orders.read",))
    smoke(runner, "PreTokenFunction", event, lambda answer: answer["response"]["claimsAndScopeOverrideDetails"][
        "accessTokenGeneration"]["claimsToAddOrOverride"] == {MACHINE_CLIENT_CLAIM: client_id})


PIPELINE = [  # in order: each step's event comes from what the steps before it did
    ("ClientsFunction", post_client),
    ("OrdersFunction", post_order),
    ("ApprovalFunction", approve),
    ("PaidOrderFunction", invoice),
    ("InvoicesFunction", list_invoices),
    ("RedriveFunction", sweep),
    ("PreTokenFunction", issue_machine_token),
]


@pytest.fixture(scope="module")
def pipeline(packages, template, smoke_stack) -> dict[str, Any]:
    """Runs every step once; what each function did (`outcomes`: None, or why it failed) and what they made."""
    state: dict[str, Any] = {"outcomes": {}}
    with runner_for(packages, template, smoke_stack) as runner:
        for logical_id, step in PIPELINE:
            try:
                step(runner, smoke_stack, state)
            except KeyError as missing:  # what an earlier step should have made
                state["outcomes"][logical_id] = f"not run: no {missing} from the step before (it failed)"
            except AssertionError as failure:
                state["outcomes"][logical_id] = str(failure)
            else:
                state["outcomes"][logical_id] = None
    return state


def test_every_function_built_by_the_makefile_has_a_representative_event() -> None:
    assert sorted(FUNCTIONS) == sorted(logical_id for logical_id, _ in PIPELINE), "a function's step is missing"


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_the_package_answers_its_representative_event_in_a_clean_python312(pipeline, logical_id) -> None:
    outcome = pipeline["outcomes"][logical_id]
    assert outcome is None, outcome


def test_the_packaged_pipeline_takes_an_order_to_its_invoice(pipeline) -> None:
    # Each answer was a success; this is what they did together: the order was approved and invoiced
    assert pipeline["invoiced_orders"] == [pipeline["order_id"]]
    assert pipeline["sweep"]["found"] == 0  # nothing left stuck


def test_a_package_missing_a_dependency_fails_the_smoke_test_naming_it(
    packages, template, smoke_stack, tmp_path
) -> None:
    # GIVEN the clients function's package without python-ulid (its ids), as a build that lost it would be
    broken = tmp_path / "ClientsFunction"
    shutil.copytree(packages.packages["ClientsFunction"], broken, symlinks=True)
    for path in [broken / "ulid", *broken.glob("python_ulid-*.dist-info")]:
        shutil.rmtree(path)
    assert not (broken / "ulid").exists()
    packaged = Packaged(packages.python, {"ClientsFunction": broken}, packages.runtime_dir, logs=tmp_path / "logs")

    # WHEN the smoke test runs it
    with runner_for(packaged, template, smoke_stack) as runner, pytest.raises(AssertionError) as failed:
        post_client(runner, smoke_stack, {})

    # THEN it fails with the ImportError, naming the module (imported when the first id is made, so the handler
    # answered a 500 and logged the exception)
    assert "ClientsFunction's package failed" in str(failed.value)
    assert "ModuleNotFoundError: No module named 'ulid'" in str(failed.value)


def test_a_function_process_imports_only_from_its_package_the_runtimes_sdk_and_the_standard_library(
    packages, tmp_path
) -> None:
    # GIVEN a package whose handler reports where its process imports from
    package = tmp_path / "Probe"
    package.mkdir()
    (package / "probe.py").write_text(
        "import sys, sysconfig\n"
        "def handler(event, context):\n"
        "    import boto3\n"
        "    return {'path': sys.path, 'boto3': boto3.__file__, 'version': boto3.__version__,\n"
        "            'site': sysconfig.get_paths()['purelib'], 'prefix': sys.base_prefix,\n"
        "            'flags': [sys.flags.isolated, sys.flags.no_site]}\n"
    )
    probe = Function("Probe", "probe.handler", {}, 30)
    packaged = Packaged(packages.python, {"Probe": package}, packages.runtime_dir, logs=tmp_path / "logs")

    # WHEN it runs as the smoke test runs a function
    with FunctionRunner({"Probe": probe}, {"Probe": {}}, report=False, packaged=packaged) as runner:
        seen = runner.invoke("Probe", {})

    # THEN its path is the package, then the runtime's SDK, then the standard library: not the interpreter's
    # site-packages, nor PYTHONPATH, nor the current directory; and boto3 is the runtime's
    assert seen["path"][:2] == [str(package), str(packages.runtime_dir)]
    assert seen["site"] not in seen["path"] and "" not in seen["path"]
    assert all(entry.startswith(seen["prefix"]) for entry in seen["path"][2:])
    assert seen["flags"] == [1, 1]
    assert seen["boto3"].startswith(str(packages.runtime_dir)) and seen["version"] == "1.38.36"


# ---- finding a python3.12 ----


def _fake_python(path: Path, version: str) -> Path:
    """An executable that answers the version check as a Python `version` would (or refuses, as a pyenv shim
    does when no version is selected: version "")."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if version:
        major, minor = version.split(".")[:2]
        script = f"#!/bin/sh\nexec {sys.executable} -c 'import sys; sys.exit(({major}, {minor}) != (3, 12))'\n"
    else:
        script = "#!/bin/sh\necho 'pyenv: python3.12: command not found' >&2\nexit 127\n"
    path.write_text(script)
    path.chmod(0o755)
    return path


def test_a_refusing_python312_on_path_falls_back_to_pyenvs_installed_version(tmp_path) -> None:
    # GIVEN a pyenv shim on PATH that refuses to run, and pyenv's versions 3.12.1 and 3.12.10 installed
    shims = tmp_path / "shims"
    _fake_python(shims / "python3.12", "")
    root = tmp_path / "pyenv"
    _fake_python(root / "versions" / "3.12.1" / "bin" / "python3.12", "3.12.1")
    newest = _fake_python(root / "versions" / "3.12.10" / "bin" / "python3.12", "3.12.10")

    # WHEN a python3.12 is looked for
    search = find_lambda_python({"PATH": str(shims), "PYENV_ROOT": str(root), "HOME": str(tmp_path)})

    # THEN the newest installed one is found
    assert search.python == str(newest)


def test_without_any_python312_the_search_says_where_it_looked(tmp_path) -> None:
    # GIVEN a PATH whose python3.12 refuses, no pyenv command, and an empty pyenv root
    shims = tmp_path / "shims"
    _fake_python(shims / "python3.12", "")
    search = find_lambda_python({"PATH": str(shims), "PYENV_ROOT": str(tmp_path / "none"), "HOME": str(tmp_path)})

    # THEN none is found, and the reason names each place
    assert search.python is None
    assert f"python3.12 on PATH: {shims / 'python3.12'} does not run a Python 3.12" in search.reason()
    assert f"{tmp_path / 'none' / 'versions'}: no 3.12.x" in search.reason()


def test_lambda_python_when_set_is_the_only_one_tried(tmp_path) -> None:
    # GIVEN LAMBDA_PYTHON naming a Python 3.11, and a working python3.12 on PATH
    wrong = _fake_python(tmp_path / "py311" / "python3", "3.11")
    _fake_python(tmp_path / "bin" / "python3.12", "3.12")

    # WHEN a python3.12 is looked for, THEN LAMBDA_PYTHON is refused, and nothing else tried
    search = find_lambda_python({"LAMBDA_PYTHON": str(wrong), "PATH": str(tmp_path / "bin")})
    assert search.python is None
    assert search.reason() == f"LAMBDA_PYTHON: {wrong} does not run a Python 3.12"
