"""`shop load` calls the API through the SDK, whose retries must hide nothing from its statistics: every
attempt is counted by kind and every retry by reason (through the SDK's on_attempt hook), a call reports how
many attempts it took, and past the run's deadline no retry starts. No server: httpx's MockTransport answers."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from shoplocal import load

ORDER = {
    "orderId": "01KJYMA81MNP3YPF4K85EW1AY1",
    "clientId": "01KJQDVYM3XCGN4JZ6XYXTN06T",
    "status": "PENDING",
    "items": [{"sku": "W-1", "description": "Widget", "quantity": 1, "unitPrice": 100}],
    "total": 100,
    "currency": "USD",
    "createdAt": "2026-03-05T09:12:30.004Z",
    "updatedAt": "2026-03-05T09:12:30.004Z",
}
BUSY = {"type": "urn:shop:problem:service-busy", "title": "Too Many Requests", "status": 429, "detail": "busy"}


def api_answering(*answers: httpx.Response | Exception) -> tuple[load.Api, list[httpx.Request]]:
    queue, seen = list(answers), []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        next_answer = queue.pop(0)
        if isinstance(next_answer, Exception):
            raise next_answer
        return next_answer

    return load.Api("http://127.0.0.1:9", "tok", 2, load.Traffic(), transport=httpx.MockTransport(answer)), seen


def place(api: load.Api, deadline: float) -> tuple[dict, int]:
    async def go():
        return await api.place_order("place_order", ORDER["clientId"], ORDER["items"], "load-key-000001", deadline)

    try:
        return asyncio.run(go())
    finally:
        api.close()


def test_a_429_and_a_dropped_connection_the_sdk_retried_are_counted_with_the_attempts_of_the_call():
    throttled = httpx.Response(429, json=BUSY, headers={"Retry-After": "0"})
    api, seen = api_answering(throttled, httpx.ConnectError("reset"), httpx.Response(202, json=ORDER))
    order, attempts = place(api, time.monotonic() + 60)
    assert order["orderId"] == ORDER["orderId"] and attempts == 3
    assert api.traffic.as_dict() == {
        "requests": {"place_order": 3},
        "requests_total": 3,
        "retries": {"429": 1, "transport": 1},
        "retries_total": 2,
    }
    assert {r.headers["Idempotency-Key"] for r in seen} == {"load-key-000001"}  # one key, every attempt


def test_a_refusal_no_retry_mends_fails_the_call_with_its_problem():
    invalid = {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": "1 violation", "errors": []}
    api, seen = api_answering(httpx.Response(400, json=invalid))
    with pytest.raises(load.RequestFailed, match=r"POST /clients/\w+/orders: 400: Bad Request 1 violation$"):
        place(api, time.monotonic() + 60)
    assert len(seen) == 1 and api.traffic.as_dict()["retries_total"] == 0


def test_past_the_deadline_no_retry_starts_and_the_attempt_is_still_counted():
    api, seen = api_answering(httpx.Response(503), httpx.Response(202, json=ORDER))
    with pytest.raises(load.RequestFailed, match="no answer before the timeout"):
        place(api, time.monotonic() - 1)
    assert len(seen) == 1
    assert api.traffic.as_dict()["requests"] == {"place_order": 1} and api.traffic.as_dict()["retries_total"] == 0
