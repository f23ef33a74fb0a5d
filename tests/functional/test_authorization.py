"""Authorization in the API functions (handlers/auth.py), with proxy events carrying Cognito claims as API
Gateway passes them, against the moto server: what an admin, a client, and a caller without claims get."""

import json
import uuid

import pytest

from datamodel import clients, invoices, orders
from datamodel.clients import ClientFields
from domain.ids import new_id
from handlers.clients import lambda_handler as clients_handler
from handlers.invoices import lambda_handler as invoices_handler
from handlers.orders import lambda_handler as orders_handler
from tests.events import ADMIN_CLAIMS, NO_AUTHORIZER, LambdaContext, api_event, client_claims, machine_claims

WIDGET = {"sku": "W-1", "description": "Widget", "quantity": 1, "unitPrice": 100}
UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def call(handler, method, path, **kwargs):
    response = handler(api_event(method, path, **kwargs), LambdaContext())
    headers = {k.lower(): v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    headers |= {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    body = json.loads(response["body"]) if response.get("body") else None
    return response["statusCode"], headers, body


def new_client(credit_limit: int = 500_000, currency: str = "EUR") -> str:
    email = f"authz-{uuid.uuid4().hex[:10]}@example.com"
    return clients.create(ClientFields("Acme", email, credit_limit, currency, "DOC-1")).client_id


def invoiced_order(client_id: str) -> tuple[str, str]:
    order, _ = orders.place(client_id, new_id(), [orders.Line("W-1", "Widget", 1, 500)], "EUR", 500)
    orders.approve(order)
    invoice, _ = invoices.issue(
        orders.get(client_id, order.order_id), invoices.BillTo("Acme", "a@example.com"), f"k/{order.order_id}"
    )
    return order.order_id, invoice.invoice_id


@pytest.fixture(scope="module")
def two_clients():
    """Clients A and B, each with an invoiced order."""
    a, b = new_client(), new_client()
    return {"a": a, "b": b, "a_docs": invoiced_order(a), "b_docs": invoiced_order(b)}


def routes(client_id: str, order_id: str, invoice_id: str) -> list[tuple]:
    """(handler, method, path, kwargs) of every route under /clients/{clientId}."""
    replacement = {"name": "Renamed", "email": f"r-{uuid.uuid4().hex[:8]}@example.com"}
    return [
        (clients_handler, "GET", f"/clients/{client_id}", {}),
        (clients_handler, "PUT", f"/clients/{client_id}", {"body": replacement}),
        (clients_handler, "DELETE", f"/clients/{client_id}", {}),
        (orders_handler, "POST", f"/clients/{client_id}/orders", {"body": {"items": [WIDGET]}}),
        (orders_handler, "GET", f"/clients/{client_id}/orders", {}),
        (orders_handler, "GET", f"/clients/{client_id}/orders/{order_id}", {}),
        (invoices_handler, "GET", f"/clients/{client_id}/invoices", {}),
        (invoices_handler, "GET", f"/clients/{client_id}/invoices/{invoice_id}", {}),
        (invoices_handler, "GET", f"/clients/{client_id}/invoices/{invoice_id}/pdf", {}),
    ]


def assert_problem(response, status):
    code, headers, body = response
    assert code == status, body
    assert headers["content-type"] == "application/problem+json" and body["status"] == status and body["detail"]
    return body


# ---- 401: no caller ----

NO_CALLER = {
    "no authorizer": NO_AUTHORIZER,
    "empty claims": {},
    "null claims": None,
    "no subject": {"custom:role": "admin"},
}


@pytest.mark.parametrize("claims", NO_CALLER.values(), ids=NO_CALLER.keys())
def test_every_protected_route_without_a_caller_is_401_and_changes_nothing(two_clients, claims):
    a = two_clients["a"]
    order_id, invoice_id = two_clients["a_docs"]
    protected = routes(a, order_id, invoice_id) + [
        (clients_handler, "GET", "/clients", {}),
        (clients_handler, "POST", "/clients", {"body": {"name": "X", "email": "x@example.com"}}),
    ]
    for handler, method, path, kwargs in protected:
        code, headers, _ = response = call(handler, method, path, claims=claims, **kwargs)
        assert_problem(response, 401)
        assert headers["www-authenticate"] == "Bearer", f"{method} {path}"
    assert clients.get(a).name == "Acme" and len(orders.page(a, 100).items) == 1


def test_without_a_caller_an_invalid_request_is_401_before_400(two_clients):
    # As on API Gateway, whose authorizer runs before its request validator.
    assert_problem(call(clients_handler, "POST", "/clients", body={"nope": 1}, claims={}), 401)
    assert_problem(call(clients_handler, "GET", "/clients/not-a-ulid", claims={}), 401)
    assert_problem(call(clients_handler, "GET", "/clients", query={"limit": "0"}, claims={}), 401)
    form = {"raw_body": "name=x", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
    assert_problem(call(clients_handler, "POST", "/clients", claims={}, **form), 401)


def test_the_health_probe_needs_no_caller():
    assert call(clients_handler, "GET", "/health", claims=NO_AUTHORIZER)[0] == 200


# ---- 403: a valid token without the right ----


def test_a_client_may_not_list_create_or_delete_clients(two_clients):
    a = two_clients["a"]
    claims = client_claims(a)
    assert_problem(call(clients_handler, "GET", "/clients", claims=claims), 403)
    body = {"name": "X", "email": f"x-{uuid.uuid4().hex[:8]}@example.com"}
    assert_problem(call(clients_handler, "POST", "/clients", body=body, claims=claims), 403)
    assert_problem(call(clients_handler, "DELETE", f"/clients/{a}", claims=claims), 403)
    # the same 403 on another client's id or an unknown one: it says nothing about them
    assert_problem(call(clients_handler, "DELETE", f"/clients/{two_clients['b']}", claims=claims), 403)
    assert_problem(call(clients_handler, "DELETE", f"/clients/{UNKNOWN_ID}", claims=claims), 403)
    assert clients.get(a)


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "s", "custom:role": "auditor"},
        {"sub": "s", "custom:role": "client"},
        {"sub": "s"},
    ],
    ids=["unknown role", "client without id", "no role"],
)
def test_a_token_granting_no_role_is_403(two_clients, claims):
    assert_problem(call(clients_handler, "GET", f"/clients/{two_clients['a']}", claims=claims), 403)


# ---- a client on its own resources ----


def test_a_client_reads_its_profile_orders_and_invoices(two_clients):
    a, (order_id, invoice_id) = two_clients["a"], two_clients["a_docs"]
    claims = client_claims(a)
    profile = call(clients_handler, "GET", f"/clients/{a}", claims=claims)
    listed_orders = call(orders_handler, "GET", f"/clients/{a}/orders", claims=claims)
    order = call(orders_handler, "GET", f"/clients/{a}/orders/{order_id}", claims=claims)
    listed_invoices = call(invoices_handler, "GET", f"/clients/{a}/invoices", claims=claims)
    invoice = call(invoices_handler, "GET", f"/clients/{a}/invoices/{invoice_id}", claims=claims)
    pdf = call(invoices_handler, "GET", f"/clients/{a}/invoices/{invoice_id}/pdf", claims=claims)
    assert profile[0] == 200 and profile[2]["clientId"] == a
    assert listed_orders[0] == 200 and [o["orderId"] for o in listed_orders[2]["items"]] == [order_id]
    assert order[0] == 200 and order[2]["orderId"] == order_id
    assert listed_invoices[0] == 200 and [i["invoiceId"] for i in listed_invoices[2]["items"]] == [invoice_id]
    assert invoice[0] == 200 and invoice[2]["invoiceId"] == invoice_id
    assert pdf[0] == 302 and pdf[1]["location"]


def test_a_client_places_its_own_orders(orders_queue):
    a = new_client()
    status, _, order = call(
        orders_handler, "POST", f"/clients/{a}/orders", body={"items": [WIDGET]}, claims=client_claims(a)
    )
    assert status == 202 and order["clientId"] == a and order["currency"] == "EUR"


@pytest.fixture
def orders_queue(monkeypatch):
    import boto3

    from domain import config

    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=f"authz-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    monkeypatch.setattr(config, "ORDERS_QUEUE_URL", url)
    yield url
    sqs.delete_queue(QueueUrl=url)


def test_a_client_replaces_its_profile_keeping_its_credit_limit_and_currency():
    a = new_client(credit_limit=500_000, currency="EUR")
    claims = client_claims(a)
    # omitted: kept (not reset to the defaults, 100000 USD)
    body = {"name": "New name", "email": f"n-{uuid.uuid4().hex[:8]}@example.com"}
    status, _, replaced = call(clients_handler, "PUT", f"/clients/{a}", body=body, claims=claims)
    assert status == 200 and replaced["name"] == "New name" and "document" not in replaced
    assert (replaced["creditLimit"], replaced["currency"]) == (500_000, "EUR")
    # sent unchanged: accepted
    same = body | {"creditLimit": 500_000, "currency": "EUR"}
    assert (
        call(clients_handler, "PUT", f"/clients/{a}", body=same, claims=claims, headers={"If-Match": '"2"'})[0] == 200
    )


@pytest.mark.parametrize("change", [{"creditLimit": 9_999_999}, {"creditLimit": 100_000}, {"currency": "USD"}])
def test_a_client_changing_its_credit_limit_or_currency_is_403_and_changes_nothing(change):
    a = new_client(credit_limit=500_000, currency="EUR")
    body = {"name": "Greedy", "email": f"g-{uuid.uuid4().hex[:8]}@example.com"} | change
    body_403 = assert_problem(call(clients_handler, "PUT", f"/clients/{a}", body=body, claims=client_claims(a)), 403)
    assert body_403["type"] == "urn:shop:problem:forbidden"
    stored = clients.get(a)
    assert (stored.name, int(stored.credit_limit), stored.currency, stored.version) == ("Acme", 500_000, "EUR", 1)


def test_an_admin_sets_credit_limit_and_currency_and_omitting_them_keeps_them():
    a = new_client(credit_limit=500_000, currency="EUR")
    body = {"name": "Acme", "email": f"x-{uuid.uuid4().hex[:8]}@example.com"}
    assert call(clients_handler, "PUT", f"/clients/{a}", body=body | {"creditLimit": 7})[2]["creditLimit"] == 7
    kept = call(clients_handler, "PUT", f"/clients/{a}", body=body)[2]
    assert (kept["creditLimit"], kept["currency"]) == (7, "EUR")


def merge_patch(client_id, patch, claims):
    headers = {"Content-Type": "application/merge-patch+json"}
    return call(clients_handler, "PATCH", f"/clients/{client_id}", raw_body=json.dumps(patch), headers=headers, claims=claims)


@pytest.mark.parametrize("change", [{"creditLimit": 9_999_999}, {"currency": "USD"}])
def test_a_client_patching_its_credit_limit_or_currency_is_403_and_changes_nothing(change):
    a = new_client(credit_limit=500_000, currency="EUR")
    assert_problem(merge_patch(a, {"name": "Greedy", **change}, client_claims(a)), 403)
    stored = clients.get(a)
    assert (stored.name, int(stored.credit_limit), stored.currency, stored.version) == ("Acme", 500_000, "EUR", 1)


def test_a_client_patches_its_own_name_and_an_admin_its_credit_limit():
    a = new_client(credit_limit=500_000, currency="EUR")
    assert merge_patch(a, {"name": "Acme Two"}, client_claims(a))[2]["name"] == "Acme Two"
    raised = merge_patch(a, {"creditLimit": 900_000}, ADMIN_CLAIMS)[2]
    assert (raised["name"], raised["creditLimit"], raised["currency"]) == ("Acme Two", 900_000, "EUR")


def test_a_client_patching_another_client_gets_404_and_changes_nothing(two_clients):
    a, b = two_clients["a"], two_clients["b"]
    assert assert_problem(merge_patch(b, {"name": "Mine now"}, client_claims(a)), 404)["type"].endswith("client-not-found")
    assert clients.get(b).name == "Acme"


# ---- a client on another client's resources: 404, as for an unknown client ----


def test_a_client_on_another_clients_resources_gets_what_it_gets_on_an_unknown_client(two_clients):
    a, b = two_clients["a"], two_clients["b"]
    claims = client_claims(a)
    for handler, method, path, kwargs in routes(b, *two_clients["b_docs"]):
        if method == "DELETE":
            continue  # 403 for any id: the role has no such right (above)
        other = call(handler, method, path, claims=claims, **kwargs)
        unknown = call(handler, method, path.replace(b, UNKNOWN_ID), claims=claims, **kwargs)
        assert assert_problem(other, 404) == assert_problem(unknown, 404), path
        assert other[2]["type"] == "urn:shop:problem:client-not-found"
    # and nothing of B changed
    assert clients.get(b).name == "Acme" and len(orders.page(b, 100).items) == 1


def test_another_clients_order_and_invoice_ids_are_not_found_under_ones_own_path(two_clients):
    a, (b_order, b_invoice) = two_clients["a"], two_clients["b_docs"]
    claims = client_claims(a)
    assert_problem(call(orders_handler, "GET", f"/clients/{a}/orders/{b_order}", claims=claims), 404)
    assert_problem(call(invoices_handler, "GET", f"/clients/{a}/invoices/{b_invoice}", claims=claims), 404)
    assert_problem(call(invoices_handler, "GET", f"/clients/{a}/invoices/{b_invoice}/pdf", claims=claims), 404)


# ---- machines (issue 15): access tokens acting for one client, as the machine API passes their claims ----

ALL_CLIENT_SCOPES = "shop/profile shop/orders.read shop/orders.write"


def test_a_machine_token_reads_and_writes_its_own_clients_data(two_clients, orders_queue):
    a, (order_id, invoice_id) = two_clients["a"], two_clients["a_docs"]
    claims = machine_claims(a, ALL_CLIENT_SCOPES)
    assert call(clients_handler, "GET", f"/clients/{a}", claims=claims)[0] == 200
    assert call(orders_handler, "GET", f"/clients/{a}/orders/{order_id}", claims=claims)[0] == 200
    assert call(invoices_handler, "GET", f"/clients/{a}/invoices/{invoice_id}/pdf", claims=claims)[0] == 302
    status, _, order = call(orders_handler, "POST", f"/clients/{a}/orders", body={"items": [WIDGET]}, claims=claims)
    assert status == 202 and order["clientId"] == a


def test_a_machine_token_for_a_on_bs_resources_gets_what_it_gets_on_an_unknown_client(two_clients):
    a, b = two_clients["a"], two_clients["b"]
    claims = machine_claims(a, ALL_CLIENT_SCOPES)
    for handler, method, path, kwargs in routes(b, *two_clients["b_docs"]):
        if method == "DELETE":
            continue  # back office only: 403 (below)
        other = call(handler, method, path, claims=claims, **kwargs)
        unknown = call(handler, method, path.replace(b, UNKNOWN_ID), claims=claims, **kwargs)
        assert assert_problem(other, 404) == assert_problem(unknown, 404), path
    assert merge_patch(b, {"name": "Mine now"}, claims)[0] == 404
    assert clients.get(b).name == "Acme" and len(orders.page(b, 100).items) == 1


def test_a_machine_token_for_a_client_may_not_list_create_or_delete_clients(two_clients):
    a = two_clients["a"]
    # even with shop/backoffice in its scope (the trigger suppresses it for a client's app client): the client claim wins
    for scopes in (ALL_CLIENT_SCOPES, "shop/backoffice"):
        claims = machine_claims(a, scopes)
        assert_problem(call(clients_handler, "GET", "/clients", claims=claims), 403)
        assert_problem(call(clients_handler, "DELETE", f"/clients/{two_clients['b']}", claims=claims), 403)
    assert clients.get(two_clients["b"])


def test_a_machine_token_may_not_change_its_credit_limit(two_clients):
    a = new_client(credit_limit=500_000, currency="EUR")
    claims = machine_claims(a, "shop/profile")
    assert_problem(merge_patch(a, {"creditLimit": 9_999_999}, claims), 403)
    assert int(clients.get(a).credit_limit) == 500_000


@pytest.mark.parametrize(
    ("handler", "method", "suffix", "scopes"),
    [
        (clients_handler, "GET", "", "shop/orders.read"),
        (orders_handler, "POST", "/orders", "shop/orders.read shop/profile"),
        (invoices_handler, "GET", "/invoices", "shop/orders.write"),
    ],
    ids=["profile without shop/profile", "order without shop/orders.write", "invoices without shop/orders.read"],
)
def test_a_machine_token_without_the_operations_scope_is_403_in_the_function_too(two_clients, handler, method, suffix, scopes):
    # The gateway refuses it first (401); behind it, the gate fails closed on its own.
    a = two_clients["a"]
    kwargs = {"body": {"items": [WIDGET]}} if method == "POST" else {}
    assert_problem(call(handler, method, f"/clients/{a}{suffix}", claims=machine_claims(a, scopes), **kwargs), 403)
    assert len(orders.page(a, 100).items) >= 1


def test_a_back_office_machine_token_acts_as_an_admin(two_clients):
    claims = machine_claims(None, "shop/backoffice")
    status, _, page = call(clients_handler, "GET", "/clients", claims=claims)
    assert status == 200 and page["items"]
    assert call(clients_handler, "GET", f"/clients/{two_clients['b']}", claims=claims)[0] == 200


def test_a_machine_token_naming_no_client_without_the_back_office_scope_is_403(two_clients):
    assert_problem(call(clients_handler, "GET", f"/clients/{two_clients['a']}", claims=machine_claims(None, "shop/profile")), 403)
