"""The consumer-side contract check of the e2e tests (tests/consumer_contract.py) bites: answers the generated
SDK would read without a word (a field of the wrong type, a missing required field, an undeclared status, a
429 without its Retry-After, another media type) fail the call, and the contract's own answers pass.
No server: httpx's MockTransport answers."""

from __future__ import annotations

import httpx
import pytest
from shop_sdk import RetryPolicy, Shop

from tests.consumer_contract import ContractCheck, ContractViolation

BASE = "http://shop.test"
CLIENT_ID, ORDER_ID = "01KJQDVYM3XCGN4JZ6XYXTN06T", "01KJYMA81MNP3YPF4K85EW1AY1"
CLIENT = {
    "clientId": CLIENT_ID,
    "name": "Acme",
    "email": "ap@acme.example",
    "creditLimit": 100000,
    "currency": "USD",
    "createdAt": "2026-03-05T09:12:30.004Z",
    "updatedAt": "2026-03-05T09:12:30.004Z",
}
PROBLEM = {"type": "urn:shop:problem:client-not-found", "title": "Not Found", "status": 404, "detail": "No such client."}


def checked_shop(*answers: httpx.Response, check: ContractCheck | None = None) -> Shop:
    queue = list(answers)
    return Shop(
        BASE,
        token="tok",
        transport=httpx.MockTransport(lambda request: queue.pop(0)),
        retry=RetryPolicy(max_attempts=2, initial_backoff=0, max_backoff=0),
        on_attempt=check or ContractCheck(BASE),
    )


def unchecked_shop(*answers: httpx.Response) -> Shop:
    queue = list(answers)
    return Shop(BASE, token="tok", transport=httpx.MockTransport(lambda request: queue.pop(0)))


def client_answer(body: dict, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers={"ETag": '"1"', **headers})


def test_the_contracts_own_answers_pass_and_are_counted():
    check = ContractCheck(BASE)
    created = client_answer(CLIENT, 201, Location=f"/clients/{CLIENT_ID}")
    missing = httpx.Response(404, json=PROBLEM, headers={"Content-Type": "application/problem+json"})
    shop = checked_shop(created, client_answer(CLIENT), missing, check=check)
    assert shop.clients.create(name="Acme", email="ap@acme.example").client_id == CLIENT_ID
    assert shop.clients.get(CLIENT_ID).name == "Acme"
    with pytest.raises(Exception, match="No such client"):
        shop.clients.get(CLIENT_ID)
    assert check.checked == 3


def test_a_field_of_the_wrong_type_fails_though_the_generated_model_reads_it():
    wrong = CLIENT | {"creditLimit": "100000"}
    assert unchecked_shop(client_answer(wrong)).clients.get(CLIENT_ID).credit_limit == "100000"  # lenient
    with pytest.raises(ContractViolation, match=r"body breaks the contract at /creditLimit: '100000' is not of type 'integer'"):
        checked_shop(client_answer(wrong)).clients.get(CLIENT_ID)


def test_a_missing_required_field_fails():
    incomplete = {k: v for k, v in CLIENT.items() if k != "currency"}
    with pytest.raises(ContractViolation, match="'currency' is a required property"):
        checked_shop(client_answer(incomplete)).clients.get(CLIENT_ID)


def test_an_undeclared_status_fails_though_the_generated_client_passes_it_as_none():
    assert unchecked_shop(httpx.Response(200, json=CLIENT)).clients.create(name="A", email="a@example.com") is None
    with pytest.raises(ContractViolation, match=r"POST /clients answered 200: a status the contract does not declare"):
        checked_shop(httpx.Response(200, json=CLIENT)).clients.create(name="A", email="a@example.com")


def test_a_429_without_its_retry_after_fails_even_when_a_retry_absorbs_it():
    busy = {"type": "about:blank", "title": "Too Many Requests", "status": 429, "detail": "Too Many Requests"}
    throttled = httpx.Response(429, json=busy, headers={"Content-Type": "application/problem+json"})
    with pytest.raises(ContractViolation, match="answered 429 without its required header Retry-After"):
        checked_shop(throttled, client_answer(CLIENT)).clients.get(CLIENT_ID)


def test_a_header_that_breaks_its_schema_fails():
    busy = {"type": "about:blank", "title": "Too Many Requests", "status": 429, "detail": "Too Many Requests"}
    throttled = httpx.Response(429, json=busy, headers={"Content-Type": "application/problem+json", "Retry-After": "600"})
    with pytest.raises(ContractViolation, match="header Retry-After breaks the contract at /: 600 is greater than the maximum of 60"):
        checked_shop(throttled).clients.get(CLIENT_ID)


def test_another_media_type_and_a_body_where_none_is_declared_fail():
    html = httpx.Response(404, text="<h1>Not Found</h1>", headers={"Content-Type": "text/html"})
    with pytest.raises(ContractViolation, match=r"as text/html, not one of \['application/problem\+json'\]"):
        checked_shop(html).clients.get(CLIENT_ID)
    with pytest.raises(ContractViolation, match="answered 204 with a body"):
        checked_shop(httpx.Response(204, json={"deleted": True})).clients.delete(CLIENT_ID)


def test_an_unknown_operation_fails_and_another_host_is_not_checked():
    check = ContractCheck(BASE)
    with pytest.raises(ContractViolation, match="GET /nowhere: no operation of the contract"):
        check.check(httpx.Request("GET", f"{BASE}/nowhere"), httpx.Response(200))
    check.check(httpx.Request("GET", "http://s3.test/bucket/invoice.pdf"), httpx.Response(200, content=b"%PDF"))
    assert check.checked == 0


def test_a_201_without_its_location_and_a_200_without_its_etag_fail():
    with pytest.raises(ContractViolation, match="POST /clients answered 201 without its required header Location"):
        checked_shop(client_answer(CLIENT, 201)).clients.create(name="Acme", email="ap@acme.example")
    with pytest.raises(ContractViolation, match="answered 200 without its required header ETag"):
        checked_shop(httpx.Response(200, json=CLIENT)).clients.get(CLIENT_ID)
