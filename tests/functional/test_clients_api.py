"""ClientsFunction's handler, invoked with API Gateway proxy events, against the moto server."""

import json
import uuid

import pytest

from handlers.clients import lambda_handler
from tests.events import LambdaContext, api_event

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def call(method, path, **kwargs):
    response = lambda_handler(api_event(method, path, **kwargs), LambdaContext())
    headers = {k.lower(): v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    headers |= {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    body = json.loads(response["body"]) if response.get("body") else None
    return response["statusCode"], headers, body


def new_client(**overrides):
    payload = {"name": "Acme", "email": f"c-{uuid.uuid4().hex[:10]}@example.com"} | overrides
    status, headers, body = call("POST", "/clients", body=payload)
    assert status == 201, body
    return body, headers


def assert_problem(status, headers, body, expected):
    assert status == expected
    assert headers["content-type"] == "application/problem+json"
    assert body["status"] == expected and body["title"] and body["type"] and body["detail"]


def test_health_answers_ok():
    assert call("GET", "/health")[::2] == (200, {"status": "ok"})


def test_create_answers_201_with_location_etag_and_defaults():
    body, headers = new_client(document="12-345")
    assert headers["location"] == f"/prod/clients/{body['clientId']}"
    assert headers["etag"] == '"1"'
    assert body["creditLimit"] == 100_000 and body["currency"] == "USD" and body["document"] == "12-345"
    assert body["createdAt"].endswith("Z")


def test_get_returns_the_client_with_its_etag():
    created, _ = new_client()
    status, headers, body = call("GET", f"/clients/{created['clientId']}")
    assert status == 200 and body == created and headers["etag"] == '"1"'


def test_response_omits_absent_optional_fields():
    created, _ = new_client()
    assert "document" not in created


def test_put_replaces_and_bumps_the_etag():
    created, _ = new_client(document="OLD")
    replacement = {"name": "New name", "email": created["email"], "creditLimit": 5}
    status, headers, body = call(
        "PUT", f"/clients/{created['clientId']}", body=replacement, headers={"If-Match": '"1"'}
    )
    assert status == 200 and headers["etag"] == '"2"'
    assert body["name"] == "New name" and body["creditLimit"] == 5 and "document" not in body


def test_put_with_stale_if_match_is_412_and_changes_nothing():
    created, _ = new_client()
    path = f"/clients/{created['clientId']}"
    call("PUT", path, body={"name": "One", "email": created["email"]}, headers={"If-Match": '"1"'})
    response = call("PUT", path, body={"name": "Two", "email": created["email"]}, headers={"If-Match": '"1"'})
    assert_problem(*response, 412)
    assert call("GET", path)[2]["name"] == "One"


def test_duplicate_email_is_409_on_create_and_on_put():
    first, _ = new_client()
    assert_problem(*call("POST", "/clients", body={"name": "Other", "email": first["email"].upper()}), 409)
    second, _ = new_client()
    response = call("PUT", f"/clients/{second['clientId']}", body={"name": "x", "email": first["email"]})
    assert_problem(*response, 409)


def test_delete_answers_204_then_the_client_is_gone():
    created, _ = new_client()
    path = f"/clients/{created['clientId']}"
    status, _, body = call("DELETE", path)
    assert status == 204 and body is None
    assert_problem(*call("GET", path), 404)
    assert_problem(*call("DELETE", path), 404)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_client_id_is_404(method):
    body = {"name": "x", "email": "x@example.com"} if method == "PUT" else None
    assert_problem(*call(method, f"/clients/{UNKNOWN_ID}", body=body), 404)


@pytest.mark.parametrize("client_id", ["bad", "01arz3ndektsv4rrffq69g5fav", "0" * 27, "01ARZ3NDEKTSV4RRFFQ69G5FAU!"])
def test_malformed_client_id_is_400(client_id):
    assert_problem(*call("GET", f"/clients/{client_id}"), 400)


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "a@example.com"},
        {"name": "Acme"},
        {"name": "Acme", "email": "a@example.com", "nickname": "x"},
        {"name": "Acme", "email": "a@example.com", "creditLimit": "100"},
        {"name": "Acme", "email": "a@example.com", "creditLimit": 1.5},
        {"name": "Acme", "email": "a@example.com", "creditLimit": -1},
        {"name": "Acme", "email": "a@example.com", "currency": "ABC"},
        {"name": "Acme", "email": "not-an-email"},
        {"name": "x" * 201, "email": "a@example.com"},
        {"name": "Acme", "email": "a@example.com", "document": "d" * 65},
        {"name": 7, "email": "a@example.com"},
        [],
        "just a string",
    ],
    ids=lambda p: json.dumps(p)[:40],
)
def test_invalid_body_is_400_and_creates_nothing(payload):
    before = call("GET", "/clients", query={"limit": "100"})[2]["items"]
    assert_problem(*call("POST", "/clients", body=payload), 400)
    assert call("GET", "/clients", query={"limit": "100"})[2]["items"] == before


def test_non_json_body_is_400():
    response = call("POST", "/clients", raw_body="{not json", headers={"Content-Type": "application/json"})
    assert_problem(*response, 400)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_body_that_is_not_declared_json_is_415(content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = call("POST", "/clients", raw_body='{"name":"A","email":"a@example.com"}', headers=headers)
    assert_problem(*response, 415)


@pytest.mark.parametrize(
    "query", [{"limit": "0"}, {"limit": "101"}, {"limit": "ten"}, {"cursor": "***"}, {"sort": "name"}]
)
def test_invalid_or_unknown_query_parameter_is_400(query):
    assert_problem(*call("GET", "/clients", query=query), 400)


def test_garbled_cursor_is_400():
    assert_problem(*call("GET", "/clients", query={"cursor": "bm90LWEtY3Vyc29y"}), 400)


def test_listing_pages_through_with_next_cursor():
    for _ in range(3):
        new_client()
    status, _, first = call("GET", "/clients", query={"limit": "2"})
    assert status == 200 and len(first["items"]) == 2 and first["nextCursor"]
    _, _, second = call("GET", "/clients", query={"limit": "2", "cursor": first["nextCursor"]})
    assert {c["clientId"] for c in first["items"]}.isdisjoint({c["clientId"] for c in second["items"]})


def test_unknown_route_is_404_problem():
    assert_problem(*call("GET", "/nowhere"), 404)
