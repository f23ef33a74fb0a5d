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
    if expected == 400:  # every 400 names each violation: where it is and what is wrong
        assert body["errors"] and all(e["in"] in {"body", "path", "query", "header"} and e["detail"] for e in body["errors"])
    return body


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


def test_create_applies_the_contracts_defaults_on_create_to_omitted_fields():
    created, _ = new_client()
    assert (created["creditLimit"], created["currency"]) == (100_000, "USD")


def test_put_keeps_the_stored_credit_limit_and_currency_when_omitted():
    created, _ = new_client(creditLimit=500_000, currency="EUR")
    _, _, body = call("PUT", f"/clients/{created['clientId']}", body={"name": "Renamed", "email": created["email"]})
    assert (body["name"], body["creditLimit"], body["currency"]) == ("Renamed", 500_000, "EUR")


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


@pytest.mark.parametrize("content_type", ["Application/JSON", "application/json; charset=utf-8", "APPLICATION/JSON;charset=UTF-8"])
def test_a_declared_media_type_is_accepted_whatever_its_case_or_parameters(content_type):
    # Media types compare case-insensitively (RFC 9110); the gate hands Powertools the body as plain JSON.
    body = json.dumps({"name": "Acme", "email": f"m-{uuid.uuid4().hex[:10]}@example.com"})
    status, _, created = call("POST", "/clients", raw_body=body, headers={"Content-Type": content_type})
    assert status == 201 and created["name"] == "Acme"


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


# ---- PATCH: JSON Merge Patch (RFC 7396) ----


def patch(client_id, document, **kwargs):
    headers = {"Content-Type": "application/merge-patch+json", **kwargs.pop("headers", {})}
    return call("PATCH", f"/clients/{client_id}", raw_body=json.dumps(document), headers=headers, **kwargs)


def test_patch_changes_only_the_fields_it_names_and_bumps_the_etag():
    created, _ = new_client(document="DOC-1", creditLimit=500_000, currency="EUR")
    status, headers, body = patch(created["clientId"], {"creditLimit": 900_000}, headers={"If-Match": '"1"'})
    assert status == 200 and headers["etag"] == '"2"'
    assert body == created | {"creditLimit": 900_000, "updatedAt": body["updatedAt"]}


def test_patch_with_null_removes_the_document():
    created, _ = new_client(document="DOC-1")
    status, _, body = patch(created["clientId"], {"document": None, "name": "Acme Two"})
    assert status == 200 and "document" not in body and body["name"] == "Acme Two"


@pytest.mark.parametrize("field", ["name", "email", "creditLimit", "currency"])
def test_patch_cannot_remove_a_required_field_and_changes_nothing(field):
    created, _ = new_client()
    problem = assert_problem(*patch(created["clientId"], {field: None}), 400)
    assert problem["errors"] == [{"in": "body", "pointer": f"/{field}", "detail": problem["errors"][0]["detail"]}]
    assert call("GET", f"/clients/{created['clientId']}")[2] == created


@pytest.mark.parametrize(
    "document", [{"nickname": "x"}, {"creditLimit": -1}, {"currency": "ABC"}, {"email": "nope"}, [], "x"], ids=str
)
def test_an_invalid_patch_is_400_and_changes_nothing(document):
    created, _ = new_client()
    assert_problem(*patch(created["clientId"], document), 400)
    assert call("GET", f"/clients/{created['clientId']}")[2] == created


def test_patch_sent_as_plain_json_is_415():
    created, _ = new_client()
    response = call("PATCH", f"/clients/{created['clientId']}", body={"name": "x"})
    assert "application/merge-patch+json" in assert_problem(*response, 415)["detail"]


def test_patch_with_a_stale_if_match_is_412_and_to_a_taken_email_409():
    first, _ = new_client()
    second, _ = new_client()
    assert_problem(*patch(second["clientId"], {"name": "x"}, headers={"If-Match": '"7"'}), 412)
    assert_problem(*patch(second["clientId"], {"email": first["email"]}), 409)
    assert call("GET", f"/clients/{second['clientId']}")[2] == second


def test_patch_of_an_unknown_client_is_404():
    assert_problem(*patch(UNKNOWN_ID, {"name": "x"}), 404)


# ---- field-level errors ----


def test_each_invalid_query_parameter_is_named():
    problem = assert_problem(*call("GET", "/clients", query={"limit": "0", "cursor": "***"}), 400)
    assert {(e["in"], e["name"]) for e in problem["errors"]} == {("query", "limit"), ("query", "cursor")}


def test_each_unknown_query_parameter_is_named_before_values_are_validated():
    problem = assert_problem(*call("GET", "/clients", query={"limit": "0", "sort": "name", "order": "x"}), 400)
    assert {(e["in"], e["name"]) for e in problem["errors"]} == {("query", "sort"), ("query", "order")}


def test_each_body_violation_is_named_by_its_json_pointer_without_the_value_sent():
    payload = {"name": "", "email": "secret-person@@example", "creditLimit": -5}
    problem = assert_problem(*call("POST", "/clients", body=payload), 400)
    assert {e["pointer"] for e in problem["errors"]} == {"/name", "/email", "/creditLimit"}
    assert "secret-person" not in json.dumps(problem)


def test_a_header_violation_names_the_header():
    created, _ = new_client()
    headers = {"If-Match": '"' + "1" * 70 + '"'}
    problem = assert_problem(*call("PUT", f"/clients/{created['clientId']}", body={"name": "x", "email": created["email"]}, headers=headers), 400)
    assert [(e["in"], e["name"].lower()) for e in problem["errors"]] == [("header", "if-match")]


def test_a_malformed_path_parameter_is_named():
    problem = assert_problem(*call("GET", "/clients/not-a-ulid"), 400)
    assert [(e["in"], e["name"]) for e in problem["errors"]] == [("path", "clientId")]


def test_a_cursor_this_listing_did_not_issue_names_the_cursor():
    problem = assert_problem(*call("GET", "/clients", query={"cursor": "bm90LWEtY3Vyc29y"}), 400)
    assert [(e["in"], e["name"]) for e in problem["errors"]] == [("query", "cursor")]
