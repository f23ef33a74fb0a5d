"""Client CRUD through the local stack over plain HTTP: gateway, handler, table, and every refusal."""

import uuid

import httpx
import pytest

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


@pytest.fixture(scope="module")
def api(local_stack):
    with httpx.Client(base_url=local_stack, timeout=10) as client:
        yield client


def email() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}@example.com"


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status and problem["title"] and problem["type"] and problem["detail"]


def test_client_crud_round_trip(api):
    # create
    created = api.post("/clients", json={"name": "Acme", "email": email(), "document": "12-345"})
    assert created.status_code == 201
    client = created.json()
    assert created.headers["location"].endswith(f"/clients/{client['clientId']}")
    # read
    read = api.get(f"/clients/{client['clientId']}")
    assert read.status_code == 200 and read.json() == client and read.headers["etag"] == '"1"'
    # replace, then a stale replace
    body = {"name": "Acme Two", "email": client["email"], "creditLimit": 5}
    replaced = api.put(f"/clients/{client['clientId']}", json=body, headers={"If-Match": read.headers["etag"]})
    assert replaced.status_code == 200 and replaced.json()["name"] == "Acme Two" and "document" not in replaced.json()
    stale = api.put(f"/clients/{client['clientId']}", json=body, headers={"If-Match": read.headers["etag"]})
    assert_problem(stale, 412)
    # list
    listed = api.get("/clients", params={"limit": 100})
    assert listed.status_code == 200 and "nextCursor" in listed.json()
    # delete
    assert api.delete(f"/clients/{client['clientId']}").status_code == 204
    assert_problem(api.get(f"/clients/{client['clientId']}"), 404)


def test_duplicate_email_is_409(api):
    address = email()
    assert api.post("/clients", json={"name": "A", "email": address}).status_code == 201
    assert_problem(api.post("/clients", json={"name": "B", "email": address.upper()}), 409)


@pytest.mark.parametrize(
    "body",
    [
        {"email": "a@example.com"},
        {"name": "Acme"},
        {"name": "Acme", "email": "a@example.com", "role": "admin"},
        {"name": "Acme", "email": "a@example.com", "creditLimit": "100"},
        {"name": "Acme", "email": "a@example.com", "creditLimit": 10.5},
        {"name": "Acme", "email": "not-an-email"},
        {"name": "x" * 201, "email": "a@example.com"},
        {"name": "Acme", "email": "a@example.com", "document": "d" * 65},
        {"name": "Acme", "email": ("a" * 250) + "@example.com"},
        {"name": None, "email": "a@example.com"},
    ],
    ids=lambda b: str(b)[:40],
)
def test_invalid_client_body_is_400_problem(api, body):
    assert_problem(api.post("/clients", json=body), 400)


def test_body_that_is_not_json_is_400_problem(api):
    response = api.post("/clients", content=b"{nope", headers={"content-type": "application/json"})
    assert_problem(response, 400)


def test_body_that_is_not_utf8_is_400_problem(api):
    response = api.post("/clients", content=b'{"name": "\xff"}', headers={"content-type": "application/json"})
    assert_problem(response, 400)


def test_body_of_another_media_type_is_415_problem(api):
    response = api.post("/clients", content=b"name=Acme", headers={"content-type": "application/x-www-form-urlencoded"})
    assert_problem(response, 415)


@pytest.mark.parametrize("params", [{"cursor": "garbled-cursor"}, {"limit": 0}, {"limit": "many"}, {"sort": "name"}])
def test_bad_listing_query_is_400_problem(api, params):
    assert_problem(api.get("/clients", params=params), 400)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_client_is_404_problem(api, method):
    body = {"name": "x", "email": email()} if method == "PUT" else None
    assert_problem(api.request(method, f"/clients/{UNKNOWN_ID}", json=body), 404)


def test_malformed_client_id_is_400_problem(api):
    assert_problem(api.get("/clients/not-a-ulid"), 400)


def test_wrong_method_is_405_with_every_allowed_method(api):
    response = api.patch(f"/clients/{UNKNOWN_ID}", json={})
    assert_problem(response, 405)
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "PUT", "DELETE"}
