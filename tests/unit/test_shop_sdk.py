"""The hand-written SDK layer (sdk/shop_sdk) over httpx's MockTransport: each problem status as its exception,
the paginators, the retries (Retry-After, one Idempotency-Key per POST), the token provider, the order waiter
and the PDF download. No server: each test answers the requests it expects."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import shop_sdk
import shop_sdk._transport
import shop_sdk.client
import yaml
from shop_sdk import (
    APIConnectionError,
    AuthenticationError,
    Conflict,
    IdempotencyKeyReused,
    NotFound,
    OrderItem,
    OrderStatus,
    PermissionDenied,
    PreconditionFailed,
    RetryPolicy,
    ServerError,
    Shop,
    Throttled,
    ValidationError,
    WaitTimeout,
)

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://shop.test"
CLIENT_ID, ORDER_ID = "01KJQDVYM3XCGN4JZ6XYXTN06T", "01KJYMA81MNP3YPF4K85EW1AY1"
WIDGET = OrderItem(sku="W-1", description="Blue widget", quantity=3, unit_price=1250)
PROBLEM = "application/problem+json"


def a_client(n: int = 0, **fields) -> dict:
    return {
        "clientId": f"01KJQDVYM3XCGN4JZ6XYXTN{n:03d}",
        "name": f"Client {n}",
        "email": f"c{n}@example.com",
        "creditLimit": 100000,
        "currency": "USD",
        "createdAt": "2026-03-05T09:12:30.004Z",
        "updatedAt": "2026-03-05T09:12:30.004Z",
        **fields,
    }


def an_order(order_id: str = ORDER_ID, status: str = "PENDING", **fields) -> dict:
    return {
        "orderId": order_id,
        "clientId": CLIENT_ID,
        "status": status,
        "items": [{"sku": "W-1", "description": "Blue widget", "quantity": 3, "unitPrice": 1250}],
        "total": 3750,
        "currency": "USD",
        "createdAt": "2026-03-05T09:12:30.004Z",
        "updatedAt": "2026-03-05T09:12:30.004Z",
        **fields,
    }


def an_invoice(number: int) -> dict:
    return {
        "invoiceId": f"INV-2026-{number:06d}",
        "orderId": ORDER_ID,
        "clientId": CLIENT_ID,
        "total": 3750,
        "currency": "USD",
        "issuedAt": "2026-03-05T09:12:31.000Z",
    }


def problem(status: int, type_: str, detail: str, *, correlation_id: str | None = "corr-1", **extra) -> httpx.Response:
    title = {
        400: "Bad Request",
        404: "Not Found",
        409: "Conflict",
        412: "Precondition Failed",
        429: "Too Many Requests",
    }
    body = {"type": type_, "title": title.get(status, "Error"), "status": status, "detail": detail, **extra}
    headers = {"Content-Type": PROBLEM}
    if correlation_id:
        headers["X-Correlation-Id"] = correlation_id
    return httpx.Response(status, json=body, headers=headers)


class Server:
    """Answers each request with the next of `answers` (a response, an exception to raise, or a function of the
    request), and keeps every request it saw."""

    def __init__(self, *answers: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        # a copy: the auth flow sends the same request object again with a new Authorization header
        self.requests.append(
            httpx.Request(request.method, request.url, headers=request.headers.copy(), content=request.read())
        )
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer(request) if callable(answer) else answer


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """The waits the retries and the waiter asked for, on a fake clock that they advance (nothing sleeps)."""
    waited: list[float] = []
    clock = [1000.0]

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(shop_sdk._transport, "sleep", sleep)
    monkeypatch.setattr(shop_sdk.client, "sleep", sleep)
    monkeypatch.setattr(shop_sdk.client, "monotonic", lambda: clock[0])
    return waited


def shop_on(server: Server, **options) -> Shop:
    options.setdefault("token", "tok")
    return Shop(BASE, transport=httpx.MockTransport(server), **options)


# --- typed exceptions -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "type_", "exception"),
    [
        (404, "urn:shop:problem:client-not-found", NotFound),
        (409, "urn:shop:problem:email-taken", Conflict),
        (412, "urn:shop:problem:stale-version", PreconditionFailed),
        (403, "urn:shop:problem:forbidden", PermissionDenied),
        (422, "urn:shop:problem:idempotency-key-reused", IdempotencyKeyReused),
    ],
)
def test_each_problem_status_raises_its_exception_with_the_problem_and_correlation_id(status, type_, exception, sleeps):
    server = Server(problem(status, type_, "what went wrong", correlation_id="req-42"))
    with pytest.raises(exception) as raised:
        shop_on(server).clients.get(CLIENT_ID)
    error = raised.value
    assert (error.status, error.type, error.detail, error.correlation_id) == (
        status,
        type_,
        "what went wrong",
        "req-42",
    )
    assert error.code == type_.rsplit(":", 1)[1]
    assert isinstance(error, shop_sdk.APIError) and isinstance(error, shop_sdk.ShopError)
    assert "req-42" in str(error) and "what went wrong" in str(error)
    assert len(server.requests) == 1 and sleeps == []  # a 4xx other than 429 is not retried


def test_a_400_raises_validation_error_with_its_field_errors(sleeps):
    errors = [
        {"in": "body", "pointer": "/items/0/quantity", "detail": "Input should be greater than or equal to 1"},
        {"in": "query", "name": "limit", "detail": "Input should be less than or equal to 100"},
    ]
    server = Server(problem(400, "about:blank", "2 violations", correlation_id="req-7", errors=errors))
    with pytest.raises(ValidationError) as raised:
        shop_on(server).orders.create(CLIENT_ID, items=[WIDGET])
    error = raised.value
    assert (error.status, error.type, error.detail, error.correlation_id) == (
        400,
        "about:blank",
        "2 violations",
        "req-7",
    )
    assert [(e.in_, e.pointer, e.detail) for e in error.errors[:1]] == [
        ("body", "/items/0/quantity", errors[0]["detail"])
    ]
    assert (error.errors[1].in_, error.errors[1].name) == ("query", "limit")
    assert "body /items/0/quantity: Input should be greater" in str(error)
    assert len(server.requests) == 1


def test_a_429_after_the_retries_raises_throttled_with_retry_after(sleeps):
    busy = problem(429, "urn:shop:problem:service-busy", "busy")
    busy.headers["Retry-After"] = "2"
    server = Server(busy, busy)
    with pytest.raises(Throttled) as raised:
        shop_on(server, retry=RetryPolicy(max_attempts=2)).clients.get(CLIENT_ID)
    assert (raised.value.status, raised.value.retry_after, raised.value.type) == (
        429,
        2.0,
        "urn:shop:problem:service-busy",
    )
    assert len(server.requests) == 2 and sleeps == [2.0]


def test_an_answer_without_a_problem_body_still_raises_by_status(sleeps):
    server = Server(httpx.Response(500, text="<html>oops</html>"))
    with pytest.raises(ServerError) as raised:
        shop_on(server).clients.get(CLIENT_ID)
    assert (raised.value.status, raised.value.type, raised.value.correlation_id) == (500, "about:blank", None)
    assert len(server.requests) == 1  # 500 is not retried


# --- retries ----------------------------------------------------------------------------------------------------


def test_a_post_is_retried_on_429_after_retry_after_with_the_same_idempotency_key(sleeps):
    busy = problem(429, "urn:shop:problem:service-busy", "busy")
    busy.headers["Retry-After"] = "3"
    server = Server(busy, httpx.Response(503), httpx.ConnectError("reset"), httpx.Response(202, json=an_order()))
    order = shop_on(server).orders.create(CLIENT_ID, items=[WIDGET])
    assert order.order_id == ORDER_ID and order.status is OrderStatus.PENDING
    keys = {r.headers["Idempotency-Key"] for r in server.requests}
    assert len(server.requests) == 4 and len(keys) == 1
    (key,) = keys
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,128}", key)
    assert sleeps[0] >= 3.0  # Retry-After honoured
    assert all(json.loads(r.content) == json.loads(server.requests[0].content) for r in server.requests)


def test_each_call_gets_its_own_key_and_a_given_key_is_used_as_is(sleeps):
    server = Server(*(httpx.Response(201, json=a_client(n)) for n in range(3)))
    shop = shop_on(server)
    shop.clients.create(name="A", email="a@example.com")
    shop.clients.create(name="B", email="b@example.com")
    shop.clients.create(name="C", email="c@example.com", idempotency_key="my-own-key-0001")
    keys = [r.headers["Idempotency-Key"] for r in server.requests]
    assert len(set(keys)) == 3 and keys[2] == "my-own-key-0001"


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_get_is_retried_on_a_gateway_error_with_growing_jittered_backoff(status, sleeps, monkeypatch):
    monkeypatch.setattr(shop_sdk._transport.random, "uniform", lambda low, high: high)  # the longest wait
    server = Server(httpx.Response(status), httpx.Response(status), httpx.Response(200, json=a_client()))
    shop = shop_on(server, retry=RetryPolicy(initial_backoff=0.5, max_backoff=20))
    assert shop.clients.get(CLIENT_ID).name == "Client 0"
    assert sleeps == [0.5, 1.0] and len(server.requests) == 3
    assert "Idempotency-Key" not in server.requests[0].headers


def test_connection_errors_exhaust_the_attempts_then_raise_api_connection_error(sleeps):
    server = Server(*(httpx.ConnectError("refused") for _ in range(3)))
    with pytest.raises(APIConnectionError) as raised:
        shop_on(server, retry=RetryPolicy(max_attempts=3)).clients.get(CLIENT_ID)
    assert isinstance(raised.value.__cause__, httpx.ConnectError)
    assert len(server.requests) == 3 and len(sleeps) == 2


def test_a_transport_error_that_no_retry_can_mend_is_raised_at_once(sleeps):
    server = Server(httpx.UnsupportedProtocol("no such scheme"))
    with pytest.raises(APIConnectionError):
        shop_on(server).clients.get(CLIENT_ID)
    assert len(server.requests) == 1 and sleeps == []


def test_a_timeout_of_a_post_is_retried_with_the_same_key(sleeps):
    server = Server(
        httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped"), httpx.Response(202, json=an_order())
    )
    shop_on(server).orders.create(CLIENT_ID, items=[WIDGET])
    assert len({r.headers["Idempotency-Key"] for r in server.requests}) == 1 and len(server.requests) == 3


def test_a_409_in_flight_is_retried_but_another_409_is_not(sleeps):
    in_flight = problem(409, "urn:shop:problem:idempotent-request-in-flight", "still in progress")
    server = Server(in_flight, httpx.Response(202, json=an_order()))
    shop_on(server).orders.create(CLIENT_ID, items=[WIDGET], idempotency_key="order-0001")
    assert [r.headers["Idempotency-Key"] for r in server.requests] == ["order-0001", "order-0001"]
    taken = Server(problem(409, "urn:shop:problem:email-taken", "taken"))
    with pytest.raises(Conflict):
        shop_on(taken).clients.create(name="A", email="a@example.com")
    assert len(taken.requests) == 1


def test_retries_can_be_turned_off(sleeps):
    server = Server(httpx.Response(503))
    with pytest.raises(ServerError):
        shop_on(server, retry=RetryPolicy(max_attempts=1)).clients.get(CLIENT_ID)
    assert len(server.requests) == 1 and sleeps == []


def test_a_retry_after_beyond_the_cap_waits_the_cap_and_an_http_date_is_read(sleeps):
    busy = problem(429, "urn:shop:problem:service-busy", "busy")
    busy.headers["Retry-After"] = "600"
    server = Server(busy, httpx.Response(200, json=a_client()))
    shop_on(server, retry=RetryPolicy(max_retry_after=5, initial_backoff=0.01)).clients.get(CLIENT_ID)
    assert sleeps == [5]
    past = httpx.Headers({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert shop_sdk.errors.retry_after_seconds(past) == 0
    assert shop_sdk.errors.retry_after_seconds(httpx.Headers({})) is None


def test_on_attempt_sees_every_attempt_the_retries_absorbed_with_its_wait(sleeps):
    busy = problem(429, "urn:shop:problem:service-busy", "busy")
    busy.headers["Retry-After"] = "2"
    server = Server(busy, httpx.ConnectError("reset"), httpx.Response(202, json=an_order()))
    seen: list[shop_sdk.Attempt] = []
    order = shop_on(server, on_attempt=seen.append).orders.create(CLIENT_ID, items=[WIDGET])
    assert order.order_id == ORDER_ID
    assert [(a.number, a.response and a.response.status_code, type(a.error).__name__) for a in seen] == [
        (1, 429, "NoneType"),
        (2, None, "ConnectError"),
        (3, 202, "NoneType"),
    ]
    assert [a.retried for a in seen] == [True, True, False] and seen[0].retry_in == sleeps[0] >= 2.0
    assert seen[0].response.json()["type"] == "urn:shop:problem:service-busy"  # its body is readable
    assert len({a.request.headers["Idempotency-Key"] for a in seen}) == 1


def test_on_attempt_sees_the_last_answer_and_the_last_error_that_end_a_call(sleeps):
    seen: list[shop_sdk.Attempt] = []
    server = Server(httpx.Response(503), httpx.Response(503))
    with pytest.raises(ServerError):
        shop_on(server, retry=RetryPolicy(max_attempts=2), on_attempt=seen.append).clients.get(CLIENT_ID)
    assert [(a.number, a.response.status_code, a.retried) for a in seen] == [(1, 503, True), (2, 503, False)]
    seen.clear()
    with pytest.raises(APIConnectionError):
        shop_on(Server(httpx.UnsupportedProtocol("no")), on_attempt=seen.append).clients.get(CLIENT_ID)
    assert [(a.number, type(a.error).__name__, a.retried) for a in seen] == [(1, "UnsupportedProtocol", False)]


def test_what_on_attempt_raises_ends_the_call_without_a_retry(sleeps):
    class Stop(Exception):
        pass

    def stop(attempt: shop_sdk.Attempt) -> None:
        raise Stop(attempt.response.status_code)

    server = Server(httpx.Response(503), httpx.Response(200, json=a_client()))
    with pytest.raises(Stop):
        shop_on(server, on_attempt=stop).clients.get(CLIENT_ID)
    assert len(server.requests) == 1 and sleeps == []


# --- token ------------------------------------------------------------------------------------------------------


def test_a_static_token_is_sent_as_bearer_and_a_401_is_raised(sleeps):
    server = Server(problem(401, "about:blank", "Send a valid token", correlation_id=None))
    with pytest.raises(AuthenticationError):
        shop_on(server, token="static").clients.get(CLIENT_ID)
    assert server.requests[0].headers["Authorization"] == "Bearer static"
    assert "shop-sdk-python/" in server.requests[0].headers["User-Agent"]


def test_a_token_provider_is_asked_once_and_again_after_a_401(sleeps):
    tokens = iter(["first", "second"])
    calls = []

    def provider() -> str:
        calls.append(1)
        return next(tokens)

    expired = problem(401, "about:blank", "expired", correlation_id=None)
    server = Server(httpx.Response(200, json=a_client()), expired, httpx.Response(200, json=a_client()))
    shop = Shop(BASE, token_provider=provider, transport=httpx.MockTransport(server))
    shop.clients.get(CLIENT_ID)
    shop.clients.get(CLIENT_ID)
    assert [r.headers["Authorization"] for r in server.requests] == ["Bearer first", "Bearer first", "Bearer second"]
    assert len(calls) == 2


def test_the_health_probe_sends_no_token_and_never_asks_the_provider(sleeps):
    def provider() -> str:
        raise AssertionError("the health probe asked for a token")

    server = Server(httpx.Response(503), httpx.Response(200, json={"status": "ok"}))
    health = Shop(BASE, token_provider=provider, transport=httpx.MockTransport(server)).health()
    assert health.status == "ok" and len(server.requests) == 2  # retried like any call
    assert all("Authorization" not in r.headers for r in server.requests)


def test_token_and_provider_are_exclusive():
    with pytest.raises(ValueError, match="either"):
        Shop(BASE)
    with pytest.raises(ValueError, match="either"):
        Shop(BASE, token="a", token_provider=lambda: "b")


# --- paginators -------------------------------------------------------------------------------------------------


def pages_of(make: Callable[[int], dict], total: int, size: int) -> Callable[[httpx.Request], httpx.Response]:
    """A listing of `total` items, `size` a page, whose cursor is the next item's index."""

    def answer(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("cursor", "0").removeprefix("c"))
        end = min(start + size, total)
        next_cursor = f"c{end}" if end < total else None
        return httpx.Response(200, json={"items": [make(n) for n in range(start, end)], "nextCursor": next_cursor})

    return answer


def test_the_clients_paginator_yields_every_client_across_cursors(sleeps):
    answer = pages_of(a_client, total=7, size=3)
    server = Server(answer, answer, answer)
    clients = list(shop_on(server).clients.list(page_size=3))
    assert [c.name for c in clients] == [f"Client {n}" for n in range(7)]
    assert [r.url.params.get("cursor") for r in server.requests] == [None, "c3", "c6"]
    assert {r.url.params["limit"] for r in server.requests} == {"3"}


def test_the_orders_paginator_filters_by_status_on_every_page(sleeps):
    answer = pages_of(lambda n: an_order(f"01KJYMA81MNP3YPF4K85EW1{n:03d}", "INVOICED"), total=5, size=2)
    server = Server(answer, answer, answer)
    orders = shop_on(server).orders.list(CLIENT_ID, status="INVOICED", page_size=2)
    assert [o.order_id[-3:] for o in orders] == ["000", "001", "002", "003", "004"]
    assert all(r.url.params["status"] == "INVOICED" for r in server.requests) and len(server.requests) == 3
    assert all(r.url.path == f"/clients/{CLIENT_ID}/orders" for r in server.requests)


def test_the_invoices_paginator_restarts_on_each_iteration_and_yields_pages(sleeps):
    answer = pages_of(lambda n: an_invoice(n + 1), total=4, size=2)
    server = Server(*[answer] * 4)
    invoices = shop_on(server).invoices.list(CLIENT_ID, page_size=2)
    assert [i.invoice_id for i in invoices] == [
        "INV-2026-000001",
        "INV-2026-000002",
        "INV-2026-000003",
        "INV-2026-000004",
    ]
    pages = list(invoices.pages())
    assert [len(p.items) for p in pages] == [2, 2] and [p.next_cursor for p in pages] == ["c2", None]


def test_an_empty_listing_and_a_repeated_cursor(sleeps):
    empty = Server(httpx.Response(200, json={"items": [], "nextCursor": None}))
    assert list(shop_on(empty).invoices.list(CLIENT_ID)) == []
    looping = Server(*[httpx.Response(200, json={"items": [], "nextCursor": "same"})] * 3)
    with pytest.raises(shop_sdk.ShopError, match="twice"):
        list(shop_on(looping).invoices.list(CLIENT_ID))


def test_a_problem_mid_listing_raises(sleeps):
    answer = pages_of(a_client, total=4, size=2)
    server = Server(answer, problem(400, "urn:shop:problem:invalid-cursor", "bad cursor", errors=[]))
    with pytest.raises(ValidationError):
        list(shop_on(server).clients.list(page_size=2))


# --- waiter -----------------------------------------------------------------------------------------------------


def test_wait_polls_until_the_order_is_terminal(sleeps):
    server = Server(
        httpx.Response(200, json=an_order(status="PENDING")),
        httpx.Response(200, json=an_order(status="APPROVED")),
        httpx.Response(200, json=an_order(status="INVOICED", invoiceId="INV-2026-000001")),
    )
    order = shop_on(server).orders.wait(CLIENT_ID, ORDER_ID, poll_interval=0.5)
    assert order.status is OrderStatus.INVOICED and order.invoice_id == "INV-2026-000001"
    assert len(server.requests) == 3 and sleeps == [0.5, 0.5]


def test_wait_gives_up_after_its_timeout_with_the_last_state(sleeps):
    server = Server(*[httpx.Response(200, json=an_order(status="ON_HOLD"))] * 10)  # a status it does not know
    with pytest.raises(WaitTimeout) as raised:
        shop_on(server).orders.wait(CLIENT_ID, ORDER_ID, timeout=2, poll_interval=1)
    assert raised.value.order.status == "ON_HOLD" and "ON_HOLD" in str(raised.value)
    assert len(server.requests) == 3 and sum(sleeps) == 2


def test_a_rejected_order_is_terminal(sleeps):
    server = Server(httpx.Response(200, json=an_order(status="REJECTED", rejectionReason="CREDIT_LIMIT_EXCEEDED")))
    assert shop_on(server).orders.wait(CLIENT_ID, ORDER_ID).status is OrderStatus.REJECTED


# --- PDF download -----------------------------------------------------------------------------------------------


PDF = b"%PDF-1.4 a tiny invoice"
PRESIGNED = "http://s3.test/invoices/INV-2026-000001.pdf?X-Amz-Signature=abc"


def test_download_pdf_follows_the_302_to_the_presigned_url_and_writes_the_file(tmp_path, sleeps):
    server = Server(httpx.Response(302, headers={"Location": PRESIGNED}), httpx.Response(200, content=PDF))
    path = shop_on(server).invoices.download_pdf(CLIENT_ID, "INV-2026-000001", tmp_path / "invoice.pdf")
    assert path == tmp_path / "invoice.pdf" and path.read_bytes() == PDF
    api, s3 = server.requests
    assert api.url.path == f"/clients/{CLIENT_ID}/invoices/INV-2026-000001/pdf" and api.headers["Authorization"]
    assert str(s3.url) == PRESIGNED and "Authorization" not in s3.headers  # never the token to S3
    assert [p.name for p in tmp_path.iterdir()] == ["invoice.pdf"]  # no partial file left


def test_download_pdf_into_a_directory_and_retries_the_presigned_fetch(tmp_path, sleeps):
    server = Server(
        httpx.Response(302, headers={"Location": PRESIGNED}), httpx.Response(503), httpx.Response(200, content=PDF)
    )
    path = shop_on(server).invoices.download_pdf(CLIENT_ID, "INV-2026-000001", f"{tmp_path}/new/")
    assert path == tmp_path / "new" / "INV-2026-000001.pdf" and path.read_bytes() == PDF


def test_download_pdf_of_an_unknown_invoice_raises_not_found_and_writes_nothing(tmp_path, sleeps):
    server = Server(problem(404, "urn:shop:problem:invoice-not-found", "no such invoice"))
    with pytest.raises(NotFound):
        shop_on(server).invoices.download_pdf(CLIENT_ID, "INV-2026-000009", tmp_path / "x.pdf")
    assert list(tmp_path.iterdir()) == []


def test_download_pdf_when_the_presigned_url_refuses(tmp_path, sleeps):
    server = Server(httpx.Response(302, headers={"Location": PRESIGNED}), httpx.Response(403, text="expired"))
    with pytest.raises(shop_sdk.APIError) as raised:
        shop_on(server).invoices.download_pdf(CLIENT_ID, "INV-2026-000001", tmp_path / "x.pdf")
    assert raised.value.status == 403 and list(tmp_path.iterdir()) == []


# --- version and the rest ---------------------------------------------------------------------------------------


def test_the_version_is_the_contracts_info_version():
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    assert shop_sdk.__version__ == spec["info"]["version"]


def test_create_and_update_send_the_contracts_json(sleeps):
    server = Server(httpx.Response(201, json=a_client()), httpx.Response(200, json=a_client()))
    shop = shop_on(server)
    shop.clients.create(name="Acme", email="ap@acme.example", credit_limit=500000, currency="EUR")
    shop.clients.update(CLIENT_ID, document=None, if_match='"v1"')
    assert json.loads(server.requests[0].content) == {
        "name": "Acme",
        "email": "ap@acme.example",
        "creditLimit": 500000,
        "currency": "EUR",
    }
    assert json.loads(server.requests[1].content) == {"document": None}
    assert server.requests[1].method == "PATCH" and server.requests[1].headers["If-Match"] == '"v1"'
    with pytest.raises(TypeError, match="unknown"):
        shop.clients.update(CLIENT_ID, nmae="typo")


def test_the_generated_client_underneath_carries_the_token_and_retries(sleeps):
    from shop_client.api.orders import get_order

    server = Server(httpx.Response(503), httpx.Response(200, json=an_order()))
    with shop_on(server) as shop:
        response = get_order.sync_detailed(CLIENT_ID, ORDER_ID, client=shop.api)
    assert response.status_code == 200 and len(server.requests) == 2
    assert server.requests[1].headers["Authorization"] == "Bearer tok"


def test_an_etag_read_through_the_generated_client_guards_an_update(sleeps):
    from shop_client.api.clients import get_client

    stale = problem(412, "urn:shop:problem:stale-version", "read the client again")
    server = Server(httpx.Response(200, json=a_client(), headers={"ETag": '"v1"'}), stale)
    shop = shop_on(server)
    etag = get_client.sync_detailed(CLIENT_ID, client=shop.api).headers["ETag"]
    with pytest.raises(PreconditionFailed):
        shop.clients.update(CLIENT_ID, credit_limit=900_000, if_match=etag)
    assert server.requests[1].headers["If-Match"] == '"v1"'


def test_make_sdk_leaves_the_hand_written_files_alone():
    import importlib.util

    spec = importlib.util.spec_from_file_location("sdk_generate", ROOT / "sdk" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    compared = generate.generated_files(ROOT / "sdk")
    assert not [p for p in compared if p.parts[0] == "shop_sdk" or p.name == "README.md"]
    assert Path("shop_client/client.py") in compared  # the generated package still is
