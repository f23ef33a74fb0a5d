"""Client CRUD through the local stack over HTTP: gateway, handler, table, and every refusal.

Requests go through the SDK (`shop_sdk`, over the `shop_client` generated from openapi.yaml): answers are read
as its typed models, problems arrive as its typed exceptions, and every answer is checked against the contract
(the `shop` fixture's consumer check), so a contract break fails here. Where a test reads a header (Location,
ETag) it calls the generated operation under the SDK (`client=shop.api`: same token, retries and check). Only
the bad-input tests send raw HTTP, on purpose: a body that is not JSON or not UTF-8, a missing field, an
unknown field, a wrong type, an unknown query parameter or an undeclared method are what the SDK cannot send.
"""

import json
import uuid

import httpx
import pytest
from shop_client.api.clients import create_client, get_client, list_clients, update_client
from shop_client.models import ClientInput, ClientPatch, ClientRecord, Currency, Problem, ValidationProblem
from shop_client.types import UNSET
from shop_sdk import APIError, Conflict, NotFound, PreconditionFailed, ValidationError

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


@pytest.fixture(scope="module")
def raw(local_stack, admin_token):
    """Plain httpx with an admin's token, for what the SDK cannot send (never for what it can)."""
    with httpx.Client(base_url=local_stack, headers={"Authorization": f"Bearer {admin_token}"}, timeout=10) as client:
        yield client


def email() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}@example.com"


def assert_problem(response: httpx.Response, status: int) -> None:
    """A raw answer is a problem document (RFC 9457) with `status`."""
    assert response.status_code == status, response.content
    assert response.headers["content-type"].startswith("application/problem+json")
    # A 400 is the contract's ValidationProblem: a Problem naming each violation in `errors`.
    model = ValidationProblem if status == 400 else Problem
    problem = model.from_dict(json.loads(response.content))
    assert problem.status == status and problem.title and problem.type_ and problem.detail
    if status == 400:
        assert problem.errors and all(error.in_ and error.detail for error in problem.errors)


def assert_problem_error(error: APIError, status: int) -> None:
    """The SDK's exception carries the problem: its status, type, title and detail (and field errors for a 400)."""
    assert error.status == status and error.type and error.title and error.detail, error
    if status == 400:
        assert isinstance(error, ValidationError)
        assert error.errors and all(e.in_ and e.detail for e in error.errors)


def test_client_crud_round_trip(shop):
    # create (through the generated operation: its Location header)
    created = create_client.sync_detailed(client=shop.api, body=ClientInput(name="Acme", email=email(), document="12-345"))
    assert created.status_code == 201 and isinstance(created.parsed, ClientRecord)
    client = created.parsed
    assert created.headers["location"].endswith(f"/clients/{client.client_id}")
    assert (client.document, client.credit_limit, client.currency) == ("12-345", 100_000, "USD")
    # read, with its ETag
    read = get_client.sync_detailed(client.client_id, client=shop.api)
    assert read.parsed == client == shop.clients.get(client.client_id) and read.headers["etag"] == '"1"'
    # replace, then a stale replace
    body = ClientInput(name="Acme Two", email=client.email, credit_limit=5)
    etag = read.headers["etag"]
    updated = shop.clients.replace(client.client_id, body, if_match=etag)
    assert updated.name == "Acme Two" and updated.credit_limit == 5 and updated.document is UNSET
    with pytest.raises(PreconditionFailed) as stale:
        shop.clients.replace(client.client_id, body, if_match=etag)
    assert_problem_error(stale.value, 412)
    # list: every client, across the pages
    assert client.client_id in {c.client_id for c in shop.clients.list(page_size=10)}
    # delete
    shop.clients.delete(client.client_id)
    with pytest.raises(NotFound) as gone:
        shop.clients.get(client.client_id)
    assert_problem_error(gone.value, 404)


def test_duplicate_email_is_409(shop):
    address = email()
    shop.clients.create(name="A", email=address)
    with pytest.raises(Conflict) as taken:
        shop.clients.create(name="B", email=address.upper())
    assert_problem_error(taken.value, 409)


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "Acme", "email": "not-an-email"},
        {"name": "x" * 201, "email": "a@example.com"},
        {"name": "Acme", "email": "a@example.com", "document": "d" * 65},
        {"name": "Acme", "email": ("a" * 250) + "@example.com"},
        {"name": "Acme", "email": "a@example.com", "credit_limit": -1},
    ],
    ids=lambda f: str(f)[:40],
)
def test_invalid_client_body_is_400_problem(shop, fields):
    with pytest.raises(ValidationError) as invalid:
        shop.clients.create(**fields)
    assert_problem_error(invalid.value, 400)


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


def test_a_garbled_cursor_is_400_problem(shop):
    with pytest.raises(ValidationError) as garbled:
        list(shop.clients.list(cursor="garbled-cursor"))
    assert_problem_error(garbled.value, 400)


# The SDK's paginator refuses a page size outside 1..100 itself; the generated call under it sends one.
@pytest.mark.parametrize("limit", [0, 101])
def test_a_page_size_out_of_range_is_400_problem(shop, limit):
    refused = list_clients.sync_detailed(client=shop.api, limit=limit)
    assert refused.status_code == 400 and isinstance(refused.parsed, ValidationProblem)
    assert [(e.in_, e.name) for e in refused.parsed.errors] == [("query", "limit")]


# Raw on purpose: the SDK's `limit` is an int, and it has no parameter the spec does not declare.
@pytest.mark.parametrize("params", [{"limit": "many"}, {"sort": "name"}])
def test_malformed_listing_query_is_400_problem(raw, params):
    assert_problem(raw.get("/clients", params=params), 400)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_client_is_404_problem(shop, method):
    with pytest.raises(NotFound) as missing:
        if method == "GET":
            shop.clients.get(UNKNOWN_ID)
        elif method == "PUT":
            shop.clients.replace(UNKNOWN_ID, ClientInput(name="x", email=email()))
        else:
            shop.clients.delete(UNKNOWN_ID)
    assert_problem_error(missing.value, 404)


def test_malformed_client_id_is_400_problem(shop):
    with pytest.raises(ValidationError) as malformed:
        shop.clients.get("not-a-ulid")
    assert_problem_error(malformed.value, 400)


# Raw on purpose: PATCH is no operation of the spec, so the SDK has no call for it.
def test_wrong_method_is_405_with_every_allowed_method(raw):
    response = raw.post(f"/clients/{UNKNOWN_ID}", json={})
    assert_problem(response, 405)
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "PUT", "PATCH", "DELETE"}


# ---- updates as a consumer makes them, through the SDK ----


def test_a_client_replaces_its_own_profile_through_the_sdk_and_keeps_its_credit_terms(shop, new_shop, issuer):
    # GIVEN a client the back office created with a credit limit of 500000 EUR
    created = shop.clients.create(name="Acme", email=email(), credit_limit=500_000, currency="EUR")
    # WHEN the client itself replaces its profile through the SDK, naming neither creditLimit nor currency
    with new_shop(issuer.client_token(created.client_id)) as own:
        body = ClientInput(name="Acme Limited", email=created.email, document="12-345")
        updated = own.clients.replace(created.client_id, body)
    # THEN the SDK sent neither, and the client keeps its credit terms
    assert (updated.name, updated.document, updated.credit_limit, updated.currency) == (
        "Acme Limited",
        "12-345",
        500_000,
        Currency.EUR,
    )


def test_the_back_office_raises_a_credit_limit_with_a_merge_patch_through_the_sdk(shop):
    created = shop.clients.create(name="Acme", email=email(), document="DOC-1")
    etag = get_client.sync_detailed(created.client_id, client=shop.api).headers["etag"]
    # WHEN the back office patches the credit limit alone, with the ETag it read
    updated = shop.clients.update(created.client_id, credit_limit=900_000, if_match=etag)
    # THEN only the credit limit changed, and the version moved on
    assert (updated.name, updated.document, updated.credit_limit) == ("Acme", "DOC-1", 900_000)
    assert get_client.sync_detailed(created.client_id, client=shop.api).headers["etag"] == '"2"'
    # AND a patch with the stale ETag is refused, and a null removes the document
    with pytest.raises(PreconditionFailed):
        shop.clients.update(created.client_id, credit_limit=900_000, if_match=etag)
    assert shop.clients.update(created.client_id, document=None).document is UNSET


def test_the_etag_of_a_patch_answer_is_the_new_version(shop):
    created = shop.clients.create(name="Acme", email=email())
    patched = update_client.sync_detailed(created.client_id, client=shop.api, body=ClientPatch(name="Acme Two"))
    assert patched.status_code == 200 and patched.headers["etag"] == '"2"'


def test_a_400_through_the_sdk_carries_typed_field_errors(shop):
    # The SDK validates nothing itself: a merge patch removing the name reaches the API, which refuses it.
    created = shop.clients.create(name="Acme", email=email())
    with pytest.raises(ValidationError) as refused:
        shop.clients.update(created.client_id, name=None)
    assert [(e.in_, e.pointer) for e in refused.value.errors] == [("body", "/name")]
