"""Client CRUD through the local stack over HTTP: gateway, handler, table, and every refusal.

Requests go through the SDK generated from openapi.yaml (`shop_client`, sdk/) and answers are read as its
typed models, so a contract break fails here. Only the bad-input tests send raw HTTP, on purpose: a body
that is not JSON or not UTF-8, a missing field, an unknown field, a wrong type, an unknown query parameter
or an undeclared method are what the SDK cannot send.
"""

import json
import uuid
from http import HTTPStatus
from typing import Any, TypeVar

import httpx
import pytest
from shop_client import AuthenticatedClient
from shop_client.api.clients import (
    create_client,
    delete_client,
    get_client,
    list_clients,
    replace_client,
    update_client,
)
from shop_client.models import ClientInput, ClientPage, ClientPatch, ClientRecord, Currency, Problem, ValidationProblem
from shop_client.types import UNSET, Response

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
T = TypeVar("T")


@pytest.fixture(scope="module")
def api(local_stack, admin_token):
    """The SDK's client for the local stack, the one place this module builds it, with an admin's token.
    An undocumented status code fails the call (`UnexpectedStatus`)."""
    with AuthenticatedClient(
        base_url=local_stack, token=admin_token, timeout=httpx.Timeout(10), raise_on_unexpected_status=True
    ) as client:
        yield client


@pytest.fixture
def raw(api) -> httpx.Client:
    """The SDK client's own httpx client (same base URL and headers), for what the SDK cannot send."""
    return api.get_httpx_client()


def email() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}@example.com"


def expect(response: Response[Any], status: HTTPStatus, model: type[T]) -> T:
    """The answer's typed body, after checking its status and type."""
    assert response.status_code == status, response.content
    assert isinstance(response.parsed, model), response.parsed
    return response.parsed


def assert_problem(response: Response[Any] | httpx.Response, status: int) -> None:
    """A problem document (RFC 9457) with `status`, from the SDK or from a raw request."""
    assert response.status_code == status, response.content
    assert response.headers["content-type"].startswith("application/problem+json")
    # A 400 is the contract's ValidationProblem: a Problem naming each violation in `errors`.
    model = ValidationProblem if status == 400 else Problem
    problem = model.from_dict(json.loads(response.content))
    if isinstance(response, Response):
        assert response.parsed == problem
    assert problem.status == status and problem.title and problem.type_ and problem.detail
    if status == 400:
        assert problem.errors and all(error.in_ and error.detail for error in problem.errors)


def test_client_crud_round_trip(api):
    # create
    created = create_client.sync_detailed(client=api, body=ClientInput(name="Acme", email=email(), document="12-345"))
    client = expect(created, HTTPStatus.CREATED, ClientRecord)
    assert created.headers["location"].endswith(f"/clients/{client.client_id}")
    assert (client.document, client.credit_limit, client.currency) == ("12-345", 100_000, "USD")
    # read
    read = get_client.sync_detailed(client.client_id, client=api)
    assert expect(read, HTTPStatus.OK, ClientRecord) == client and read.headers["etag"] == '"1"'
    # replace, then a stale replace
    body = ClientInput(name="Acme Two", email=client.email, credit_limit=5)
    etag = read.headers["etag"]
    replaced = replace_client.sync_detailed(client.client_id, client=api, body=body, if_match=etag)
    updated = expect(replaced, HTTPStatus.OK, ClientRecord)
    assert updated.name == "Acme Two" and updated.credit_limit == 5 and updated.document is UNSET
    stale = replace_client.sync_detailed(client.client_id, client=api, body=body, if_match=etag)
    assert_problem(stale, 412)
    # list
    page = expect(list_clients.sync_detailed(client=api, limit=100), HTTPStatus.OK, ClientPage)
    assert all(isinstance(item, ClientRecord) for item in page.items)
    # delete
    assert delete_client.sync_detailed(client.client_id, client=api).status_code == HTTPStatus.NO_CONTENT
    assert_problem(get_client.sync_detailed(client.client_id, client=api), 404)


def test_duplicate_email_is_409(api):
    address = email()
    first = create_client.sync_detailed(client=api, body=ClientInput(name="A", email=address))
    expect(first, HTTPStatus.CREATED, ClientRecord)
    assert_problem(create_client.sync_detailed(client=api, body=ClientInput(name="B", email=address.upper())), 409)


@pytest.mark.parametrize(
    "body",
    [
        ClientInput(name="Acme", email="not-an-email"),
        ClientInput(name="x" * 201, email="a@example.com"),
        ClientInput(name="Acme", email="a@example.com", document="d" * 65),
        ClientInput(name="Acme", email=("a" * 250) + "@example.com"),
        ClientInput(name="Acme", email="a@example.com", credit_limit=-1),
    ],
    ids=lambda b: str(b.to_dict())[:40],
)
def test_invalid_client_body_is_400_problem(api, body):
    assert_problem(create_client.sync_detailed(client=api, body=body), 400)


# Raw on purpose: the SDK's ClientInput cannot leave out a required field, carry an unknown one or hold a
# value of the wrong type.
@pytest.mark.parametrize(
    "body",
    [
        {"email": "a@example.com"},
        {"name": "Acme"},
        {"name": "Acme", "email": "a@example.com", "role": "admin"},
        {"name": "Acme", "email": "a@example.com", "creditLimit": "100"},
        {"name": "Acme", "email": "a@example.com", "creditLimit": 10.5},
        {"name": None, "email": "a@example.com"},
    ],
    ids=lambda b: str(b)[:40],
)
def test_malformed_client_body_is_400_problem(raw, body):
    assert_problem(raw.post("/clients", json=body), 400)


# Raw on purpose: the SDK always sends its model as JSON.
def test_body_that_is_not_json_is_400_problem(raw):
    response = raw.post("/clients", content=b"{nope", headers={"content-type": "application/json"})
    assert_problem(response, 400)


# Raw on purpose: the SDK always sends valid UTF-8.
def test_body_that_is_not_utf8_is_400_problem(raw):
    response = raw.post("/clients", content=b'{"name": "\xff"}', headers={"content-type": "application/json"})
    assert_problem(response, 400)


# Raw on purpose: the SDK only sends application/json.
def test_body_of_another_media_type_is_415_problem(raw):
    response = raw.post("/clients", content=b"name=Acme", headers={"content-type": "application/x-www-form-urlencoded"})
    assert_problem(response, 415)


@pytest.mark.parametrize("params", [{"cursor": "garbled-cursor"}, {"limit": 0}, {"limit": 101}])
def test_bad_listing_query_is_400_problem(api, params):
    assert_problem(list_clients.sync_detailed(client=api, **params), 400)


# Raw on purpose: the SDK's `limit` is an int, and it has no parameter the spec does not declare.
@pytest.mark.parametrize("params", [{"limit": "many"}, {"sort": "name"}])
def test_malformed_listing_query_is_400_problem(raw, params):
    assert_problem(raw.get("/clients", params=params), 400)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_client_is_404_problem(api, method):
    if method == "GET":
        response = get_client.sync_detailed(UNKNOWN_ID, client=api)
    elif method == "PUT":
        response = replace_client.sync_detailed(UNKNOWN_ID, client=api, body=ClientInput(name="x", email=email()))
    else:
        response = delete_client.sync_detailed(UNKNOWN_ID, client=api)
    assert_problem(response, 404)


def test_malformed_client_id_is_400_problem(api):
    assert_problem(get_client.sync_detailed("not-a-ulid", client=api), 400)


# Raw on purpose: PATCH is no operation of the spec, so the SDK has no call for it.
def test_wrong_method_is_405_with_every_allowed_method(raw):
    response = raw.post(f"/clients/{UNKNOWN_ID}", json={})
    assert_problem(response, 405)
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "PUT", "PATCH", "DELETE"}


# ---- updates as a consumer makes them, through the SDK ----


def test_a_client_replaces_its_own_profile_through_the_sdk_and_keeps_its_credit_terms(api, local_stack, issuer):
    # GIVEN a client the back office created with a credit limit of 500000 EUR
    created = expect(
        create_client.sync_detailed(
            client=api, body=ClientInput(name="Acme", email=email(), credit_limit=500_000, currency=Currency.EUR)
        ),
        HTTPStatus.CREATED,
        ClientRecord,
    )
    # WHEN the client itself replaces its profile through the SDK, naming neither creditLimit nor currency
    with AuthenticatedClient(base_url=local_stack, token=issuer.client_token(created.client_id)) as own:
        body = ClientInput(name="Acme Limited", email=created.email, document="12-345")
        replaced = replace_client.sync_detailed(created.client_id, client=own, body=body)
    # THEN the SDK sent neither, and the client keeps its credit terms
    updated = expect(replaced, HTTPStatus.OK, ClientRecord)
    assert (updated.name, updated.document, updated.credit_limit, updated.currency) == (
        "Acme Limited",
        "12-345",
        500_000,
        Currency.EUR,
    )


def test_the_back_office_raises_a_credit_limit_with_a_merge_patch_through_the_sdk(api):
    created = expect(
        create_client.sync_detailed(client=api, body=ClientInput(name="Acme", email=email(), document="DOC-1")),
        HTTPStatus.CREATED,
        ClientRecord,
    )
    read = get_client.sync_detailed(created.client_id, client=api)
    # WHEN the back office patches the credit limit alone, with the ETag it read
    patch = ClientPatch(credit_limit=900_000)
    patched = update_client.sync_detailed(created.client_id, client=api, body=patch, if_match=read.headers["etag"])
    # THEN only the credit limit changed
    updated = expect(patched, HTTPStatus.OK, ClientRecord)
    assert (updated.name, updated.document, updated.credit_limit) == ("Acme", "DOC-1", 900_000)
    assert patched.headers["etag"] == '"2"'
    # AND a patch with the stale ETag is refused, and a null removes the document
    assert_problem(update_client.sync_detailed(created.client_id, client=api, body=patch, if_match=read.headers["etag"]), 412)
    removed = update_client.sync_detailed(created.client_id, client=api, body=ClientPatch(document=None))
    assert expect(removed, HTTPStatus.OK, ClientRecord).document is UNSET


def test_a_400_through_the_sdk_carries_typed_field_errors(api):
    # The SDK validates nothing itself: a merge patch removing the name reaches the API, which refuses it.
    created = expect(create_client.sync_detailed(client=api, body=ClientInput(name="Acme", email=email())), HTTPStatus.CREATED, ClientRecord)
    refused = update_client.sync_detailed(created.client_id, client=api, body=ClientPatch(name=None))  # type: ignore[arg-type]
    assert refused.status_code == 400
    assert isinstance(refused.parsed, ValidationProblem)
    assert [(e.in_, e.pointer) for e in refused.parsed.errors] == [("body", "/name")]
