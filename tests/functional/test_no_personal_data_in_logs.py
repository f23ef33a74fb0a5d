"""No personal data and no token in any log line (issue 5, item 6).

One full flow, at DEBUG, through the local gateway and the real functions (the clients, orders and
invoices API functions and both workers, on real SQS events): a client with a distinctive name, email and
tax document, its replacement, orders approved and invoiced, the invoice read and its PDF downloaded by
the presigned URL, and the error paths (a duplicate email, an invalid email, a name too long, a body that
is not JSON, an oversized body, a poison queue message quoting the email), every request carrying a
distinctive `Authorization: Bearer` token. Everything written meanwhile is captured: stdout and stderr
(file descriptors and `sys` streams), every Python log record (root at DEBUG, as Lambda's log level
control sets it), and the Powertools JSON loggers' own output (at DEBUG, as `POWERTOOLS_LOG_LEVEL` sets
it). None of the values may appear, in any case or URL encoding.

What this found, and where it is fixed: botocore and PynamoDB log every request and response at DEBUG
(domain/logs.py caps them at INFO in every function that handles client data); connexion logs each 4xx
problem with its detail, which quoted the rejected value (shoplocal/gateway.py's details name the field
and the rule only); a resolver made debug by `POWERTOOLS_DEV` prints every event (handlers/api.py builds
it with `debug=False`).

Powertools' package logger (`aws_lambda_powertools`, internal debug lines, route arguments included) is
discarded unless `POWERTOOLS_DEBUG` is set: the template must not set it, nor `POWERTOOLS_LOGGER_LOG_EVENT`,
and no function may pass `log_event`.
"""

from __future__ import annotations

import io
import json
import logging
import re
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import boto3
import pytest

from domain import config
from domain.limits import MAX_BODY_BYTES
from shoplocal.gateway import create_app, load_spec
from tests.events import LambdaContext, api_event
from tests.functional.test_body_limits import without_security
from tests.inprocess import InProcessRunner
from tests.sqs_events import delete, queue_arn, receive, sqs_event

ROOT = Path(__file__).resolve().parents[2]
RUN = uuid.uuid4().hex[:8]
NAME = f"Quorrazyx Leakcheck {RUN}"
EMAIL = f"quorra.leak.{RUN}@pii-check.example"
DOCUMENT = f"PII-DOC-{RUN}-9123"
NEW_NAME = f"Quorrazyx Renamed {RUN}"
NEW_EMAIL = f"renamed.leak.{RUN}@pii-check.example"
NEW_DOCUMENT = f"PII-DOC-{RUN}-4471"
BAD_EMAIL = f"broken.leak.{RUN}@@pii-check"
TOKEN = f"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJsZWFrLWNoZWNrIn0.SIG{RUN}LeakCheckSignature"
SECRETS = {
    "name": NAME,
    "email": EMAIL,
    "document": DOCUMENT,
    "new name": NEW_NAME,
    "new email": NEW_EMAIL,
    "new document": NEW_DOCUMENT,
    "rejected email": BAD_EMAIL,
    "token": TOKEN,
    "token signature": f"SIG{RUN}LeakCheckSignature",
}
ADMIN = {"sub": f"admin-{RUN}", "custom:role": "admin"}
BEARER = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Content-Type": "application/json"}
ITEMS = [{"sku": "W-1", "description": "Widget", "quantity": 2, "unitPrice": 1250}]
API_MODULES = ["handlers.clients", "handlers.orders", "handlers.invoices"]
WORKER_MODULES = ["workers.approval", "workers.paid_order"]
FLAGS_THAT_LOG_EVENTS = (
    "POWERTOOLS_LOGGER_LOG_EVENT",
    "POWERTOOLS_DEBUG",
    "POWERTOOLS_DEV",
    "POWERTOOLS_EVENT_HANDLER_DEBUG",
)


def forms(value: str) -> set[str]:
    """How a value may show up in a log line."""
    return {f.lower() for f in (value, quote(value), quote_plus(value), json.dumps(value)[1:-1])}


def leak_report(captured) -> str:
    """Where the secrets leaked: per logger (Python logging), Powertools JSON output, or raw stdout/stderr."""
    text = captured()
    if not leaks(text):
        return ""
    sources: dict[str, dict[str, list[str]]] = {}
    for record, line in zip(captured.handler.records, captured.handler.lines):
        found = leaks(line)
        for label, lines in found.items():
            sources.setdefault(f"logger {record.name} ({record.levelname})", {}).setdefault(label, lines[:1])
    for label, lines in leaks(captured.json_output.getvalue()).items():
        sources.setdefault("Powertools JSON output", {})[label] = lines[:2]
    for label, lines in leaks("\n".join(captured.parts)).items():
        sources.setdefault("stdout/stderr", {})[label] = lines[:2]
    return json.dumps(sources, indent=2)


def leaks(text: str) -> dict[str, list[str]]:
    """For each secret found in `text`, the lines it is on (shortened)."""
    lowered = text.lower()
    found = {}
    for label, value in SECRETS.items():
        hits = [form for form in forms(value) if form in lowered]
        if hits:
            lines = [line[:300] for line in text.splitlines() if any(h in line.lower() for h in hits)]
            found[label] = lines[:5]
    return found


# ---- capture ----


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s [%(threadName)s] %(message)s"))
        self.lines: list[str] = []
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


def _powertools_loggers() -> list:
    import importlib

    loggers = []
    for name in [*API_MODULES, *WORKER_MODULES, "handlers.api", "handlers.routes.orders"]:
        module = importlib.import_module(name)
        loggers.append(module.logger)
        if hasattr(module, "processor") and getattr(module.processor, "logger", None) is not None:
            loggers.append(module.processor.logger)
    return loggers


@pytest.fixture
def captured(capfd) -> Iterator[callable]:
    """Everything written while the test runs; call it for the text so far."""
    root = logging.getLogger()
    everything = _Everything()
    saved_root_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(everything)
    # The functions' Powertools loggers write JSON to the stream they were built with: send it here too.
    json_output = io.StringIO()
    saved = []
    for powertools_logger in _powertools_loggers():
        stdlib_logger = powertools_logger._logger if hasattr(powertools_logger, "_logger") else powertools_logger
        for handler in stdlib_logger.handlers:
            if isinstance(handler, logging.StreamHandler):
                saved.append((handler, handler.stream))
                handler.setStream(json_output)
        saved.append((stdlib_logger, stdlib_logger.level))
        powertools_logger.setLevel(logging.DEBUG)

    def text() -> str:
        out, err = capfd.readouterr()
        text.parts += [out, err]
        return "\n".join([*text.parts, json_output.getvalue(), *everything.lines])

    text.parts = []
    text.handler = everything
    text.json_output = json_output
    try:
        yield text
    finally:
        root.removeHandler(everything)
        root.setLevel(saved_root_level)
        for target, value in reversed(saved):
            if isinstance(target, logging.Handler):
                target.setStream(value)
            else:
                target.setLevel(value)


# ---- the flow ----


@pytest.fixture(scope="module")
def runner(template):
    # In this process: the test reads the functions' log records through its own handlers.
    return InProcessRunner(template.functions())


@pytest.fixture(scope="module")
def gateway(runner):
    # The caller's claims as an authorizer would pass them; the bearer token itself rides along in the
    # headers of every request, as on AWS, where the function receives the Authorization header too.
    app = create_app(
        runner, validate_responses=True, spec=without_security(load_spec()), authorizer=lambda *_: {"claims": ADMIN}
    )
    with app.test_client() as client:
        yield client


def _ok(response, *expected: int):
    assert response.status_code in expected, (response.status_code, response.text)
    return response


def _run_worker(runner, logical_id: str, queue_url: str, order_ids: set[str], extra_bodies: list[str] = ()) -> dict:
    sqs = boto3.client("sqs")
    for body in extra_bodies:
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    wanted = set(order_ids) | set(extra_bodies)

    def mine(message) -> bool:
        return message["Body"] in extra_bodies or any(order_id in message["Body"] for order_id in order_ids)

    messages = receive(sqs, queue_url, mine, len(wanted))
    result = runner.invoke(logical_id, sqs_event(messages, queue_arn(sqs, queue_url)))
    failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
    delete(sqs, queue_url, messages)  # poison included: this test has no use for redelivery
    return {"failed": failed, "messages": messages}


def _direct(module: str, method: str, path: str, **kwargs) -> dict:
    """One event straight into an API function, as API Gateway invokes it."""
    import importlib

    handler = importlib.import_module(module).lambda_handler
    headers = BEARER | JSON | kwargs.pop("headers", {})
    return handler(api_event(method, path, headers=headers, claims=ADMIN, **kwargs), LambdaContext())


def test_a_full_flow_logs_no_personal_data_and_no_token(gateway, runner, captured):
    # A client, through the gateway, with an idempotency key, and its replay.
    created = _ok(
        gateway.post(
            "/clients",
            json={"name": NAME, "email": EMAIL, "document": DOCUMENT, "creditLimit": 10_000_000},
            headers=BEARER | {"Idempotency-Key": f"leak-check-{RUN}"},
        ),
        201,
    ).json()
    client_id = created["clientId"]
    replay = gateway.post(
        "/clients",
        json={"name": NAME, "email": EMAIL, "document": DOCUMENT, "creditLimit": 10_000_000},
        headers=BEARER | {"Idempotency-Key": f"leak-check-{RUN}"},
    )
    assert replay.status_code == 201 and replay.json()["clientId"] == client_id
    _ok(gateway.get(f"/clients/{client_id}", headers=BEARER), 200)
    _ok(gateway.get("/clients", params={"limit": 100}, headers=BEARER), 200)

    # Replaced with a new identity; a stale If-Match.
    replacement = {"name": NEW_NAME, "email": NEW_EMAIL, "document": NEW_DOCUMENT, "creditLimit": 10_000_000}
    _ok(gateway.put(f"/clients/{client_id}", json=replacement, headers=BEARER | {"If-Match": '"1"'}), 200)
    _ok(gateway.put(f"/clients/{client_id}", json=replacement, headers=BEARER | {"If-Match": '"1"'}), 412)

    # Orders, approved and invoiced by the workers on real SQS events.
    order_ids = set()
    for n in range(2):
        order = _ok(
            gateway.post(
                f"/clients/{client_id}/orders",
                json={"items": ITEMS},
                headers=BEARER | {"Idempotency-Key": f"o{n}-{RUN}-key"},
            ),
            202,
        ).json()
        order_ids.add(order["orderId"])
    poison = json.dumps({"clientId": client_id, "email": NEW_EMAIL, "name": NEW_NAME, "token": TOKEN})
    approved = _run_worker(runner, "ApprovalFunction", config.ORDERS_QUEUE_URL, order_ids, [poison])
    assert len(approved["failed"]) == 1  # the poison message only
    invoiced = _run_worker(runner, "PaidOrderFunction", config.PAID_ORDERS_QUEUE_URL, order_ids, [poison])
    assert len(invoiced["failed"]) == 1
    _ok(gateway.get(f"/clients/{client_id}/orders", headers=BEARER), 200)

    # Invoices: listed, read, and the PDF fetched by its presigned URL and through the redirect.
    invoices = _ok(gateway.get(f"/clients/{client_id}/invoices", headers=BEARER), 200).json()["items"]
    assert len(invoices) == 2
    invoice = _ok(gateway.get(f"/clients/{client_id}/invoices/{invoices[0]['invoiceId']}", headers=BEARER), 200).json()
    with urllib.request.urlopen(invoice["downloadUrl"]) as pdf:
        assert pdf.read(5) == b"%PDF-"
    pdf_path = f"/clients/{client_id}/invoices/{invoices[0]['invoiceId']}/pdf"
    redirect = gateway.get(pdf_path, headers=BEARER, follow_redirects=False)
    assert redirect.status_code == 302

    # Error paths, through the gateway.
    _ok(gateway.post("/clients", json={"name": NAME, "email": NEW_EMAIL.upper()}, headers=BEARER), 409)
    _ok(gateway.post("/clients", json={"name": NAME, "email": BAD_EMAIL, "document": DOCUMENT}, headers=BEARER), 400)
    _ok(gateway.post("/clients", json={"name": NAME * 20, "email": EMAIL}, headers=BEARER), 400)
    _ok(gateway.post("/clients", json={"name": NAME, "email": EMAIL, "creditLimit": DOCUMENT}, headers=BEARER), 400)
    _ok(gateway.post("/clients", json={"name": NAME, "email": EMAIL, "nickname": DOCUMENT}, headers=BEARER), 400)
    _ok(gateway.post("/clients", content=f"{{name: {NAME}, email: {EMAIL}".encode(), headers=BEARER | JSON), 400)
    form = f"name={NAME}&email={EMAIL}".encode()
    _ok(gateway.post("/clients", content=form, headers=BEARER | {"Content-Type": "text/plain"}), 415)
    oversized = json.dumps({"name": NAME, "email": EMAIL, "document": DOCUMENT}) + " " * MAX_BODY_BYTES
    _ok(gateway.post("/clients", content=oversized.encode(), headers=BEARER | JSON), 413)

    # The same error paths straight into the functions (API Gateway's validator lets most of them through).
    assert _direct("handlers.clients", "POST", "/clients", body={"name": NAME, "email": NEW_EMAIL})["statusCode"] == 409
    for bad in (
        {"name": NAME, "email": BAD_EMAIL, "document": DOCUMENT},
        {"name": NAME * 20, "email": EMAIL},
        {"name": NAME, "email": EMAIL, "creditLimit": DOCUMENT},
        {"name": NAME, "email": EMAIL, "nickname": DOCUMENT},
    ):
        assert _direct("handlers.clients", "POST", "/clients", body=bad)["statusCode"] == 400
    raw = f"{{name: {NAME}, email: {EMAIL}"
    assert _direct("handlers.clients", "POST", "/clients", raw_body=raw)["statusCode"] == 400
    assert _direct("handlers.clients", "PUT", f"/clients/{client_id}", raw_body=oversized)["statusCode"] == 413
    bad_order = _direct("handlers.orders", "POST", f"/clients/{client_id}/orders", body={"items": [{"sku": NAME}]})
    assert bad_order["statusCode"] == 400
    bad_cursor = _direct("handlers.invoices", "GET", f"/clients/{client_id}/invoices", query={"cursor": DOCUMENT})
    assert bad_cursor["statusCode"] == 400

    _ok(gateway.delete(f"/clients/{client_id}", headers=BEARER), 204)

    output = captured()
    # The capture worked: each function logged (Powertools JSON), and so did the gateway's stack.
    json_lines = [json.loads(line) for line in captured.json_output.getvalue().splitlines() if line.startswith("{")]
    function_names = {line.get("function_name") for line in json_lines}
    assert {"ApprovalFunction", "PaidOrderFunction"} <= function_names, function_names
    assert captured.handler.records, "no log record was captured"
    assert not leaks(output), leak_report(captured)


def test_an_api_function_logs_neither_the_event_nor_the_token_when_it_fails(captured, monkeypatch):
    # An unexpected error is logged with its traceback (handlers/api.py): the event must not ride along.
    from datamodel import clients

    def boom(*args, **kwargs):
        raise RuntimeError("the table is on fire")

    monkeypatch.setattr(clients, "create", boom)
    body = {"name": NAME, "email": EMAIL, "document": DOCUMENT}
    response = _direct("handlers.clients", "POST", "/clients", body=body)
    assert response["statusCode"] == 500
    output = captured()
    assert "the table is on fire" in output  # the failure itself is logged
    assert not leaks(output), leak_report(captured)


def test_no_deployed_setting_makes_powertools_log_events():
    from shoplocal.template import Template

    for function in Template().functions().values():
        for flag in FLAGS_THAT_LOG_EVENTS:
            value = str(function.environment.get(flag, "false")).lower()
            assert value in ("false", "0", ""), f"{function.logical_id} sets {flag}={value}"
    sources = [*ROOT.glob("handlers/**/*.py"), *ROOT.glob("workers/**/*.py")]
    for source in sources:
        assert not re.search(r"log_event\s*=\s*True", source.read_text()), f"{source} enables log_event"


def test_powertools_dev_mode_does_not_make_the_resolver_print_events(monkeypatch, capfd):
    # POWERTOOLS_DEV=true (a local convenience) turns a resolver's debug on, and a debug resolver prints
    # every event, Authorization header and body included, to stdout.
    from handlers.api import create_app as create_api
    from handlers.routes import clients, health

    monkeypatch.setenv("POWERTOOLS_DEV", "true")
    app = create_api(clients.router, health.router)
    app.resolve(api_event("GET", "/health", headers=BEARER, claims=ADMIN), LambdaContext())
    out, err = capfd.readouterr()
    assert not leaks(out + err), out + err


def test_the_local_authorizer_logs_no_token(runner, captured):
    # shoplocal/auth.py verifies tokens in the local gateway: a refused token is logged by connexion as a
    # 401 problem, whose detail must not quote it.
    auth = pytest.importorskip("shoplocal.auth")
    spec = load_spec()
    issuer = auth.LocalIssuer.generate()
    authorizer = auth.JwtAuthorizer(issuer.verifier(), spec)
    valid = issuer.admin_token()
    forged = valid.rsplit(".", 1)[0] + ".Zm9yZ2VkLXNpZ25hdHVyZS1sZWFrLWNoZWNr"
    app = create_app(runner, spec=without_security(spec), authorizer=authorizer)
    with app.test_client() as client:
        assert client.get("/clients", headers={"Authorization": f"Bearer {valid}"}).status_code == 200
        for refused in (TOKEN, forged, valid + "x"):
            assert client.get("/clients", headers={"Authorization": f"Bearer {refused}"}).status_code == 401
    output = captured()
    for token in (valid, forged, TOKEN):
        for part in (token, token.rsplit(".", 1)[1]):
            assert part not in output, [line[:200] for line in output.splitlines() if part in line][:3]
