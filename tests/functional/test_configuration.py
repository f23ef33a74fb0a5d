"""Issue 15: each function's configuration, on the moto server. The cursor key is the value of the stack's
Secrets Manager secret, read once and cached; a function started with a variable missing, empty or bad
fails its init (its process exits before the first event), with an error naming the variable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid

import boto3
import pytest

from datamodel import cursor
from domain import config
from handlers import api
from handlers.clients import lambda_handler as clients_handler
from shoplocal.lambdas import FunctionError, FunctionRunner
from shoplocal.provision import function_environment
from tests.events import LambdaContext, api_event

secretsmanager = boto3.client("secretsmanager")


def list_clients(**query: str) -> dict:
    response = clients_handler(api_event("GET", "/clients", query=query), LambdaContext())
    assert response["statusCode"] == 200, response
    return json.loads(response["body"])


def new_client() -> None:
    body = {"name": "Acme", "email": f"cfg-{uuid.uuid4().hex[:10]}@example.com"}
    assert clients_handler(api_event("POST", "/clients", body=body), LambdaContext())["statusCode"] == 201


@pytest.fixture
def fresh_key(monkeypatch):
    """The cursor key as a new execution environment finds it: no provider, nothing cached yet."""
    monkeypatch.setattr(cursor, "_provider", None)
    monkeypatch.setattr(cursor, "_key", None)


def get_secret_value_calls() -> list[str]:
    """Every GetSecretValue the cursor key's provider sends from now on (a botocore hook on its client)."""
    calls: list[str] = []
    cursor.provider().client.meta.events.register(
        "before-parameter-build.secrets-manager.GetSecretValue", lambda params, **_: calls.append(params["SecretId"])
    )
    return calls


# ---- the cursor key ----


def test_cursors_are_signed_with_the_stacks_secret_value(stack, fresh_key):
    # GIVEN the value CloudFormation (here: the local stack) generated for CursorSecret
    value = secretsmanager.get_secret_value(SecretId=stack.physical_ids["CursorSecret"])["SecretString"]
    assert len(value) >= 32
    for _ in range(2):
        new_client()

    # WHEN a listing hands out a cursor
    token = list_clients(limit="1")["nextCursor"]

    # THEN its MAC is HMAC-SHA256 of the listing's scope and the payload under that value
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    mac, payload = raw[:16], raw[16:]
    assert mac == hmac.new(value.encode(), b"clients\0" + payload, hashlib.sha256).digest()[:16]
    assert mac != hmac.new(b"", b"clients\0" + payload, hashlib.sha256).digest()[:16]


def test_the_secret_is_read_once_for_many_requests(stack, fresh_key):
    # GIVEN a new environment's provider, watched
    for _ in range(3):
        new_client()
    calls = get_secret_value_calls()

    # WHEN ten listings hand out and take back cursors
    token = None
    for _ in range(10):
        page = list_clients(limit="1", **({"cursor": token} if token else {}))
        token = page.get("nextCursor") or None

    # THEN the secret was read once, by its ARN (the function's CURSOR_SECRET_ARN)
    assert calls == [stack.physical_ids["CursorSecret"]]


def test_a_route_that_signs_no_cursor_reads_no_secret(fresh_key):
    calls = get_secret_value_calls()

    response = clients_handler(api_event("GET", "/health"), LambdaContext())

    assert response["statusCode"] == 200 and calls == []


# ---- failing at init, naming the variable ----


def start(template, stack, logical_id: str, changes: dict[str, str | None]) -> FunctionRunner:
    """A runner of one function whose template environment is changed: a value, or None to remove it."""
    environment = function_environment(template, stack, logical_id)
    for name, value in changes.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return FunctionRunner({logical_id: template.functions()[logical_id]}, {logical_id: environment}, report=False)


@pytest.mark.parametrize(
    ("logical_id", "changes", "named"),
    [
        ("ClientsFunction", {"CURSOR_SECRET_ARN": ""}, "CURSOR_SECRET_ARN"),
        ("OrdersFunction", {"ORDERS_QUEUE_URL": None}, "ORDERS_QUEUE_URL"),
        ("InvoicesFunction", {"BUCKET_NAME": " "}, "BUCKET_NAME"),
        ("ApprovalFunction", {"PAID_ORDERS_QUEUE_URL": None}, "PAID_ORDERS_QUEUE_URL"),
        ("PaidOrderFunction", {"SELLER_NAME": ""}, "SELLER_NAME"),
        ("PaidOrderFunction", {"SELLER_ADDRESS": None}, "SELLER_ADDRESS"),
        ("PaidOrderFunction", {"SELLER_TAX_ID": "x" * 41}, "SELLER_TAX_ID"),
        ("RedriveFunction", {"TABLE_NAME": ""}, "TABLE_NAME"),
        ("RedriveFunction", {"STUCK_ORDER_AGE_SECONDS": "-5"}, "STUCK_ORDER_AGE_SECONDS"),
    ],
)
def test_a_function_with_a_bad_variable_fails_its_init_naming_it(template, stack, logical_id, changes, named):
    with start(template, stack, logical_id, changes) as runner:
        with pytest.raises(FunctionError, match=rf"ConfigurationError .*{named}") as failed:
            runner.invoke(logical_id, {})
    assert "exited during init" not in str(failed.value)




class Kept(logging.Handler):
    """Keeps the log records of a function's Powertools logger (the stdlib logger of its service name)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def kept_logs():
    logger = logging.getLogger(api.logger.name)
    kept = Kept()
    logger.addHandler(kept)
    yield kept
    logger.removeHandler(kept)


def test_a_short_secret_value_fails_the_first_listing_naming_the_secret(monkeypatch, kept_logs, fresh_key):
    # GIVEN ClientsFunction pointed at a secret whose value is too short to sign cursors
    arn = secretsmanager.create_secret(Name=f"tiny-{uuid.uuid4().hex[:8]}", SecretString="abc123")["ARN"]
    monkeypatch.setattr(config, "CURSOR_SECRET_ARN", arn)
    for _ in range(2):
        new_client()

    # WHEN a route that signs no cursor runs, then a listing that must sign one
    health = clients_handler(api_event("GET", "/health"), LambdaContext())
    listing = clients_handler(api_event("GET", "/clients", query={"limit": "1"}), LambdaContext())

    # THEN the first is fine; the listing answers 500 (no unsigned cursor goes out) and the log names the secret,
    # never its value
    assert health["statusCode"] == 200 and listing["statusCode"] == 500
    [error] = [r.exc_info[1] for r in kept_logs.records if r.exc_info]
    assert isinstance(error, config.ConfigurationError)
    assert str(error).startswith(f"the secret CURSOR_SECRET_ARN names ({arn}) must hold a string of 32+ characters")
    assert "abc123" not in "\n".join(kept_logs.format(r) for r in kept_logs.records)
