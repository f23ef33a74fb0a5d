"""Input limits (OWASP API4): the body size limit on both layers, and every length, count and size limit
of openapi.yaml on both layers.

- the API functions (handlers/limits.py), invoked with proxy events against the moto server: API Gateway
  passes up to 10 MB, so a function refuses a body above `MAX_BODY_BYTES` itself, 413, before parsing it;
- the local gateway (shoplocal/gateway.py), with a stand-in function (tests/functional/fake_lambda.py)
  that records what reaches it: 413 before validation and before forwarding, without reading a body
  whose declared `Content-Length` is too large, and without reading more than the limit of one that is not.

domain/limits.py derives the limit from the largest valid order; the first tests pin that derivation.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from unittest import mock

import boto3
import pytest

from datamodel import clients
from domain import config
from domain.limits import MAX_BODY_BYTES
from handlers.clients import lambda_handler as clients_handler
from handlers.invoices import lambda_handler as invoices_handler
from handlers.orders import lambda_handler as orders_handler
from shoplocal.gateway import create_app, load_spec
from shoplocal.template import Function
from tests.events import LambdaContext, api_event
from tests.functional import fake_lambda
from tests.inprocess import InProcessRunner

ADMIN = {"sub": "limits-admin", "custom:role": "admin"}
PROBLEM = "application/problem+json"
CLIENT_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
API_FUNCTIONS = ("ClientsFunction", "OrdersFunction", "InvoicesFunction")
HANDLERS = {"clients": clients_handler, "orders": orders_handler, "invoices": invoices_handler}
JSON = {"Content-Type": "application/json"}


def largest_item(char: str = "x") -> dict:
    return {"sku": "S" * 64, "description": char * 200, "quantity": 10_000, "unitPrice": 1_000_000_000}


def largest_order(char: str = "x") -> dict:
    return {"items": [largest_item(char)] * 100, "currency": "USD"}


# What ordinary JSON encoders write for the largest valid order (domain/limits.py's table).
ENCODINGS = {
    "compact": {"separators": (",", ":"), "ensure_ascii": False},
    "json.dumps default": {},
    "indent=2, raw UTF-8": {"indent": 2, "ensure_ascii": False},
    "indent=4, escaped": {"indent": 4},
}
CHARACTERS = {"ASCII": "x", "Latin": "é", "CJK": "日", "emoji": "😀"}


def encoded(document, **options) -> bytes:
    return json.dumps(document, **options).encode("utf-8")


def padded(document, size: int) -> str:
    """`document` as JSON, padded with insignificant whitespace to exactly `size` bytes."""
    text = json.dumps(document, separators=(",", ":"))
    assert len(text.encode()) <= size
    return text + " " * (size - len(text.encode()))


# ---- the number ----


@pytest.mark.parametrize("char", CHARACTERS.values(), ids=CHARACTERS.keys())
@pytest.mark.parametrize("options", ENCODINGS.values(), ids=ENCODINGS.keys())
def test_the_limit_admits_the_largest_valid_order_however_an_ordinary_encoder_writes_it(options, char):
    assert len(encoded(largest_order(char), **options)) <= MAX_BODY_BYTES


def test_the_limit_is_not_needlessly_large():
    # The worst ordinary encoding of the largest order is within a few KiB of the limit.
    worst = max(len(encoded(largest_order(c), **o)) for c in CHARACTERS.values() for o in ENCODINGS.values())
    assert MAX_BODY_BYTES - worst < 4096


# ---- the API functions ----


def call(handler, method, path, *, raw_body=None, body=None, headers=None, query=None, base64_encoded=False):
    event = api_event(method, path, raw_body=raw_body, body=body, headers=headers, query=query, claims=ADMIN)
    event["isBase64Encoded"] = base64_encoded
    response = handler(event, LambdaContext())
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    headers |= {k.lower(): v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    return int(response["statusCode"]), headers, json.loads(response["body"]) if response.get("body") else None


def assert_too_large(status, headers, body):
    assert status == 413, body
    assert headers["content-type"] == PROBLEM
    assert body["status"] == 413 and body["title"] and str(MAX_BODY_BYTES) in body["detail"]


def new_client() -> str:
    payload = {"name": "Limits", "email": f"limits-{uuid.uuid4().hex[:10]}@example.com"}
    status, _, body = call(clients_handler, "POST", "/clients", body=payload)
    assert status == 201, body
    return body["clientId"]


@pytest.fixture
def orders_queue(monkeypatch):
    """A queue of this test's own, so it sees exactly the messages it caused."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=f"limits-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    monkeypatch.setattr(config, "ORDERS_QUEUE_URL", url)
    return lambda: sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])


@pytest.fixture
def data_layer_untouched():
    """Fails the test if a write of the data layer is reached."""
    names = ["datamodel.orders.place", "datamodel.clients.create", "datamodel.clients.replace"]
    patches = [mock.patch(name, side_effect=AssertionError(f"{name} reached")) for name in names]
    for patch in patches:
        patch.start()
    yield
    for patch in patches:
        patch.stop()


def test_the_largest_valid_order_in_its_largest_ordinary_encoding_is_accepted(orders_queue):
    client_id = new_client()
    raw = encoded(largest_order("😀"), indent=4).decode()
    status, _, order = call(orders_handler, "POST", f"/clients/{client_id}/orders", raw_body=raw, headers=JSON)
    assert status == 202, order
    assert len(order["items"]) == 100 and order["items"][0]["description"] == "😀" * 200
    assert len(orders_queue()) == 1


def test_an_order_of_exactly_the_limit_is_accepted(orders_queue):
    client_id = new_client()
    raw = padded(largest_order(), MAX_BODY_BYTES)
    status, _, order = call(orders_handler, "POST", f"/clients/{client_id}/orders", raw_body=raw, headers=JSON)
    assert status == 202, order
    assert len(orders_queue()) == 1


def test_an_order_one_byte_over_the_limit_is_413_and_never_reaches_the_data_layer(orders_queue):
    client_id = new_client()
    raw = padded(largest_order(), MAX_BODY_BYTES + 1)
    with mock.patch("datamodel.orders.place", side_effect=AssertionError("the data layer was reached")):
        response = call(orders_handler, "POST", f"/clients/{client_id}/orders", raw_body=raw, headers=JSON)
    assert_too_large(*response)
    assert orders_queue() == [] and clients.open_orders(client_id) == 0


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_a_client_body_at_the_limit_passes_and_one_byte_over_is_413(method):
    client_id = new_client()
    path = "/clients" if method == "POST" else f"/clients/{client_id}"
    payload = {"name": "Limits", "email": f"limits-{uuid.uuid4().hex[:10]}@example.com"}
    at_limit = call(clients_handler, method, path, raw_body=padded(payload, MAX_BODY_BYTES), headers=JSON)
    assert at_limit[0] in (200, 201), at_limit
    over = padded(payload | {"email": f"over-{uuid.uuid4().hex[:10]}@example.com"}, MAX_BODY_BYTES + 1)
    reached = AssertionError("the data layer was reached")
    with mock.patch("datamodel.clients.create", side_effect=reached), mock.patch(
        "datamodel.clients.replace", side_effect=reached
    ):
        assert_too_large(*call(clients_handler, method, path, raw_body=over, headers=JSON))
    assert clients.get(client_id).email != json.loads(over)["email"]


def test_bytes_are_counted_not_characters():
    # Under the limit in characters, over it in UTF-8 bytes (2 bytes each).
    name = "é" * (MAX_BODY_BYTES // 2)
    assert len(json.dumps({"name": name}, ensure_ascii=False)) < MAX_BODY_BYTES
    raw = json.dumps({"name": name, "email": "bytes@example.com"}, ensure_ascii=False)
    assert_too_large(*call(clients_handler, "POST", "/clients", raw_body=raw, headers=JSON))


def test_a_base64_encoded_body_is_measured_decoded(data_layer_untouched):
    raw = base64.b64encode(padded({"name": "A", "email": "b64@example.com"}, MAX_BODY_BYTES + 1).encode()).decode()
    response = call(clients_handler, "POST", "/clients", raw_body=raw, headers=JSON, base64_encoded=True)
    assert_too_large(*response)


@pytest.mark.parametrize("handler, path", [("clients", "/clients"), ("orders", f"/clients/{CLIENT_ID}/orders")])
def test_an_oversized_body_is_413_before_it_is_parsed_or_validated(data_layer_untouched, handler, path):
    # Not JSON at all: had it been parsed first, the answer would be 400.
    response = call(HANDLERS[handler], "POST", path, raw_body="{" * (MAX_BODY_BYTES + 1), headers=JSON)
    assert_too_large(*response)


@pytest.mark.parametrize("declared", [str(MAX_BODY_BYTES + 1), str(10**12)])
def test_a_declared_content_length_above_the_limit_is_413_without_looking_at_the_body(data_layer_untouched, declared):
    # The body is small and not even JSON: only the declared length can answer 413.
    headers = JSON | {"Content-Length": declared}
    assert_too_large(*call(clients_handler, "POST", "/clients", raw_body="{not json", headers=headers))


def test_a_declared_content_length_at_the_limit_is_not_refused():
    payload = {"name": "Limits", "email": f"limits-{uuid.uuid4().hex[:10]}@example.com"}
    headers = JSON | {"Content-Length": str(MAX_BODY_BYTES)}
    raw = padded(payload, MAX_BODY_BYTES)
    assert call(clients_handler, "POST", "/clients", raw_body=raw, headers=headers)[0] == 201


# ---- the local gateway ----


@pytest.fixture(scope="module")
def gateway():
    # The fake function runs in this process (it records what reaches it).
    functions = {
        name: Function(name, f"{fake_lambda.__name__}.handler", {}, 3, memory_mb=256) for name in API_FUNCTIONS
    }
    runner = InProcessRunner(functions)
    # Sizes, not tokens: the admin's claims as an authorizer passes them, and no security requirement
    # for connexion to enforce (authentication has tests of its own).
    return create_app(runner, stage="prod", spec=without_security(load_spec()), authorizer=as_admin)


def without_security(spec: dict) -> dict:
    spec = {k: v for k, v in spec.items() if k != "security"}
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict):
                operation.pop("security", None)
    return spec


def as_admin(route, method, headers) -> dict:
    return {"claims": ADMIN}


@pytest.fixture(scope="module")
def http(gateway):
    with gateway.test_client() as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def fresh_fake():
    fake_lambda.reset()
    yield
    fake_lambda.reset()


def assert_gateway_too_large(response):
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == 413 and body["title"] and str(MAX_BODY_BYTES) in body["detail"]
    assert fake_lambda.events == []


def test_gateway_forwards_a_body_of_exactly_the_limit(http):
    raw = padded(largest_order(), MAX_BODY_BYTES).encode()
    fake_lambda.reply = {"statusCode": 202, "headers": JSON, "body": "{}"}
    response = http.post(f"/clients/{CLIENT_ID}/orders", content=raw, headers=JSON)
    assert response.status_code != 413, response.text
    assert len(fake_lambda.events) == 1 and len(fake_lambda.events[0]["body"].encode()) == MAX_BODY_BYTES


def test_gateway_forwards_the_largest_valid_order_in_its_largest_ordinary_encoding(http):
    fake_lambda.reply = {"statusCode": 202, "headers": JSON, "body": "{}"}
    raw = encoded(largest_order("😀"), indent=4)
    assert http.post(f"/clients/{CLIENT_ID}/orders", content=raw, headers=JSON).status_code != 413
    assert len(fake_lambda.events) == 1


def test_gateway_refuses_one_byte_over_the_limit_with_413(http):
    raw = padded(largest_order(), MAX_BODY_BYTES + 1).encode()
    assert_gateway_too_large(http.post(f"/clients/{CLIENT_ID}/orders", content=raw, headers=JSON))


def test_gateway_refuses_an_oversized_body_before_validating_it(http):
    # Invalid JSON: validation would have answered 400.
    assert_gateway_too_large(http.post("/clients", content=b"{" * (MAX_BODY_BYTES + 1), headers=JSON))


def test_gateway_refuses_an_oversized_chunked_body(http):
    def chunks():
        for _ in range(8):
            yield b" " * 65_536

    assert_gateway_too_large(http.post("/clients", content=chunks(), headers=JSON))


def _asgi_request(app, headers: list[tuple[bytes, bytes]], receive) -> list[dict]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/clients",
        "raw_path": b"/clients",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def _status_and_body(sent: list[dict]) -> tuple[int, dict]:
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body)


@pytest.mark.parametrize("declared", [MAX_BODY_BYTES + 1, 10**12])
def test_gateway_refuses_a_declared_content_length_above_the_limit_without_reading_the_body(http, gateway, declared):
    reads = []

    async def receive():
        reads.append(1)
        raise AssertionError("the gateway read the body")

    sent = _asgi_request(gateway, [(b"content-length", str(declared).encode())], receive)
    status, body = _status_and_body(sent)
    assert status == 413 and body["status"] == 413
    assert reads == [] and fake_lambda.events == []


def test_gateway_stops_reading_an_endless_body_past_the_limit(http, gateway):
    chunk = 16 * 1024
    reads = []

    async def receive():
        reads.append(chunk)
        return {"type": "http.request", "body": b" " * chunk, "more_body": True}

    status, body = _status_and_body(_asgi_request(gateway, [], receive))
    assert status == 413 and body["status"] == 413
    assert sum(reads) <= MAX_BODY_BYTES + chunk
    assert fake_lambda.events == []


# ---- every other limit of openapi.yaml, on both layers ----


def _email(length: int) -> str:
    """A valid-shaped address of exactly `length` characters (labels of at most 63)."""
    local = "a" * 64
    labels, remaining = [], length - len(local) - 1 - len(".io")
    while remaining > 0:
        size = min(63, remaining)
        if remaining - size == 1:  # a label needs a character after the dot
            size -= 2
        labels.append("b" * size)
        remaining -= size + 1
    domain = ".".join(labels) + ".io"
    address = f"{local}@{domain}"
    assert len(address) == length, (len(address), length)
    return address


ITEM = {"sku": "W-1", "description": "Widget", "quantity": 1, "unitPrice": 100}
ORDERS = "/clients/{client}/orders"


def _client(**fields) -> dict:
    return {"name": "Limits", "email": f"lim-{uuid.uuid4().hex[:10]}@example.com"} | fields


def _order(**fields) -> dict:
    return {"items": [ITEM | fields]}


# (id, method, path, kwargs at the limit, kwargs one step over). `{client}` is a real client on the
# handler layer and a well-formed id on the gateway layer.
def _body(build, field, at, over):
    return lambda: {"body": build(**{field: at})}, lambda: {"body": build(**{field: over})}


def _key(build, at: int, over: int):
    return (
        lambda: {"body": build(), "headers": {"Idempotency-Key": (uuid.uuid4().hex * 4)[:at]}},
        lambda: {"body": build(), "headers": {"Idempotency-Key": (uuid.uuid4().hex * 5)[:over]}},
    )


def _query(name, at, over):
    return lambda: {"query": {name: at}}, lambda: {"query": {name: over}}


LISTS = [("clients", "/clients"), ("orders", ORDERS), ("invoices", "/clients/{client}/invoices")]
LIMITS = [
    ("name 200", "POST", "/clients", *_body(_client, "name", "n" * 200, "n" * 201)),
    ("document 64", "POST", "/clients", *_body(_client, "document", "d" * 64, "d" * 65)),
    ("email 254", "POST", "/clients", *_body(_client, "email", _email(254), _email(255))),
    ("creditLimit 10^15", "POST", "/clients", *_body(_client, "creditLimit", 10**15, 10**15 + 1)),
    ("PUT name 200", "PUT", "/clients/{client}", *_body(_client, "name", "n" * 200, "n" * 201)),
    ("sku 64", "POST", ORDERS, *_body(_order, "sku", "S" * 64, "S" * 65)),
    ("description 200", "POST", ORDERS, *_body(_order, "description", "d" * 200, "d" * 201)),
    ("quantity 10000", "POST", ORDERS, *_body(_order, "quantity", 10_000, 10_001)),
    ("unitPrice 10^9", "POST", ORDERS, *_body(_order, "unitPrice", 10**9, 10**9 + 1)),
    ("items 100", "POST", ORDERS, lambda: {"body": {"items": [ITEM] * 100}}, lambda: {"body": {"items": [ITEM] * 101}}),
    ("Idempotency-Key 128 (clients)", "POST", "/clients", *_key(_client, 128, 129)),
    ("Idempotency-Key 128 (orders)", "POST", ORDERS, *_key(_order, 128, 129)),
    ("Idempotency-Key 8", "POST", ORDERS, *_key(_order, 8, 7)),
    *[(f"limit 100 ({name})", "GET", path, *_query("limit", "100", "101")) for name, path in LISTS],
    *[(f"cursor 1024 ({name})", "GET", path, *_query("cursor", "c" * 1024, "c" * 1025)) for name, path in LISTS],
]
IF_MATCH = (
    "If-Match 64",
    "PUT",
    "/clients/{client}",
    lambda: {"body": _client(), "headers": {"If-Match": '"' + "1" * 62 + '"'}},
    lambda: {"body": _client(), "headers": {"If-Match": '"' + "1" * 63 + '"'}},
)
HANDLER_OF = {"/clients": "clients", "/clients/{client}": "clients", ORDERS: "orders"}


def _handler_call(method, path, kwargs):
    client_id = new_client()
    handler = HANDLERS[HANDLER_OF.get(path, "invoices")]
    headers = dict(kwargs.get("headers") or {})
    if "body" in kwargs:
        headers |= JSON
    raw = json.dumps(kwargs["body"]) if "body" in kwargs else None
    path = path.format(client=client_id)
    return call(handler, method, path, raw_body=raw, headers=headers, query=kwargs.get("query"))


def _is_validation_400(response) -> bool:
    status, headers, body = response
    return status == 400 and headers["content-type"] == PROBLEM and body["type"] == "about:blank"


@pytest.mark.parametrize("case", LIMITS, ids=[case[0] for case in LIMITS])
def test_handler_accepts_each_limit_and_refuses_one_step_beyond(orders_queue, case):
    _, method, path, at_limit, over = case
    accepted = _handler_call(method, path, at_limit())
    # A 1024-character cursor is well-formed but not one a listing issued: 400 invalid-cursor, not a
    # validation 400. Everything else at its limit succeeds.
    assert not _is_validation_400(accepted), accepted
    assert accepted[0] < 300 or accepted[2]["type"] == "urn:shop:problem:invalid-cursor", accepted
    assert _is_validation_400(_handler_call(method, path, over())), path


def test_handler_refuses_an_if_match_beyond_its_limit():
    # API Gateway's validator checks only that required parameters are present: the function checks length.
    _, method, path, _, over = IF_MATCH
    assert _is_validation_400(_handler_call(method, path, over()))


def _gateway_request(http, method, path, kwargs):
    headers = dict(kwargs.get("headers") or {})
    return http.request(
        method,
        path.format(client=CLIENT_ID),
        json=kwargs.get("body"),
        params=kwargs.get("query"),
        headers=headers,
    )


@pytest.mark.parametrize("case", [*LIMITS, IF_MATCH], ids=[case[0] for case in [*LIMITS, IF_MATCH]])
def test_gateway_forwards_each_limit_and_refuses_one_step_beyond_without_forwarding(http, case):
    _, method, path, at_limit, over = case
    fake_lambda.reply = {"statusCode": 200, "headers": JSON, "body": "{}"}
    _gateway_request(http, method, path, at_limit())
    assert len(fake_lambda.events) == 1, "the request at the limit was not forwarded"
    fake_lambda.reset()
    response = _gateway_request(http, method, path, over())
    assert response.status_code == 400 and response.headers["content-type"] == PROBLEM, response.text
    assert fake_lambda.events == []
