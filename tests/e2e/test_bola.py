"""Broken object level authorization (OWASP API1) over HTTP, through the SDK, on the local stack: tokens from
the stack's own key (`shop token`), verified by its gateway, claims read by the functions.

Clients A and B each have an invoiced order. A's token reaches A's data on every route with a `clientId`, and
nothing of B's: B's profile, orders, order by id, invoices, invoice by id and PDF answer 404, exactly what an
unknown client id answers (existence does not leak); B's order and invoice ids under A's own path are 404 too.
A client token cannot list, create or delete clients, nor change its credit limit or currency (403). Without
a token, or with a bad one, every protected route is 401.

Machines (issue 15) the same way, on the machine API (the second listener): an access token of A's app client
(`shop token --machine`, through the pre-token trigger's code and the table) reaches A's data and answers B's as
an unknown client's (404); a token without one of an operation's scopes is 401, as API Gateway answers; an
expired, foreign or ID token there is 401, and a machine token on the people's API is 401.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from http import HTTPStatus
from typing import Any

import httpx
import pytest
from shop_client import AuthenticatedClient, Client
from shop_client.api.clients import create_client, delete_client, get_client, list_clients, replace_client
from shop_client.api.invoices import get_invoice, get_invoice_pdf, list_invoices
from shop_client.api.orders import create_order, get_order, list_orders
from shop_client.models import (
    ClientInput,
    ClientRecord,
    Currency,
    Invoice,
    InvoicePage,
    Order,
    OrderCreate,
    OrderItem,
    OrderPage,
    OrderStatus,
    Problem,
)
from shop_client.types import UNSET, Response

from shoplocal.template import ROOT

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
UNKNOWN_INVOICE = "INV-1999-000001"
WIDGET = OrderItem(sku="W-1", description="Widget", quantity=1, unit_price=500)


def sdk(base_url: str, token: str) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=base_url, token=token, timeout=httpx.Timeout(10), raise_on_unexpected_status=True
    )


@pytest.fixture(scope="module")
def admin(local_stack, admin_token):
    with sdk(local_stack, admin_token) as client:
        yield client


def expect(response: Response[Any], status: HTTPStatus, model: type) -> Any:
    assert response.status_code == status, response.content
    assert isinstance(response.parsed, model), response.parsed
    return response.parsed


def problem(response: Response[Any] | httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response.headers["content-type"].startswith("application/problem+json")
    body = json.loads(response.content)
    assert Problem.from_dict(body).status == status
    return body


def invoiced_client(admin: AuthenticatedClient, tag: str) -> dict[str, str]:
    body = ClientInput(name=f"Bola {tag}", email=f"bola-{tag}-{uuid.uuid4().hex[:8]}@example.com", credit_limit=10**6)
    client = expect(create_client.sync_detailed(client=admin, body=body), HTTPStatus.CREATED, ClientRecord)
    order = expect(
        create_order.sync_detailed(client.client_id, client=admin, body=OrderCreate(items=[WIDGET])),
        HTTPStatus.ACCEPTED,
        Order,
    )
    return {"client": client.client_id, "order": order.order_id}


@pytest.fixture(scope="module")
def world(admin, issuer, local_stack):
    """Clients A and B, each with an invoiced order, and a token for A (and one for B)."""
    a, b = invoiced_client(admin, "a"), invoiced_client(admin, "b")
    deadline = time.monotonic() + 60
    for party in (a, b):
        while True:
            order = expect(get_order.sync_detailed(party["client"], party["order"], client=admin), HTTPStatus.OK, Order)
            if order.status in (OrderStatus.INVOICED, OrderStatus.REJECTED):
                break
            assert time.monotonic() < deadline, f"order {party['order']} still {order.status}"
            time.sleep(0.2)
        assert order.status == OrderStatus.INVOICED
        party["invoice"] = str(order.invoice_id)
    with (
        sdk(local_stack, issuer.client_token(a["client"])) as as_a,
        sdk(local_stack, issuer.client_token(b["client"])) as as_b,
    ):
        yield {"a": a, "b": b, "as_a": as_a, "as_b": as_b}


def reads(client_id: str, order_id: str, invoice_id: str) -> dict[str, Any]:
    """Every read under /clients/{clientId}, as SDK calls."""
    return {
        "profile": lambda api: get_client.sync_detailed(client_id, client=api),
        "orders": lambda api: list_orders.sync_detailed(client_id, client=api),
        "order by id": lambda api: get_order.sync_detailed(client_id, order_id, client=api),
        "invoices": lambda api: list_invoices.sync_detailed(client_id, client=api),
        "invoice by id": lambda api: get_invoice.sync_detailed(client_id, invoice_id, client=api),
        "invoice PDF": lambda api: get_invoice_pdf.sync_detailed(client_id, invoice_id, client=api),
    }


def writes(client_id: str) -> dict[str, Any]:
    """The writes under /clients/{clientId} a client may make on itself."""
    replacement = ClientInput(name="Taken over", email=f"evil-{uuid.uuid4().hex[:8]}@example.com")
    return {
        "replace profile": lambda api: replace_client.sync_detailed(client_id, client=api, body=replacement),
        "place order": lambda api: create_order.sync_detailed(client_id, client=api, body=OrderCreate(items=[WIDGET])),
    }


# ---- a client on its own data: everything works ----


def test_a_client_token_reaches_its_own_data_on_every_route(world):
    a, as_a = world["a"], world["as_a"]
    calls = reads(a["client"], a["order"], a["invoice"])
    assert expect(calls["profile"](as_a), HTTPStatus.OK, ClientRecord).client_id == a["client"]
    assert [o.order_id for o in expect(calls["orders"](as_a), HTTPStatus.OK, OrderPage).items] == [a["order"]]
    assert expect(calls["order by id"](as_a), HTTPStatus.OK, Order).invoice_id == a["invoice"]
    assert [i.invoice_id for i in expect(calls["invoices"](as_a), HTTPStatus.OK, InvoicePage).items] == [a["invoice"]]
    invoice = expect(calls["invoice by id"](as_a), HTTPStatus.OK, Invoice)
    assert invoice.client_id == a["client"] and httpx.get(invoice.download_url).content.startswith(b"%PDF")
    assert calls["invoice PDF"](as_a).status_code == HTTPStatus.FOUND
    placed = expect(
        create_order.sync_detailed(a["client"], client=as_a, body=OrderCreate(items=[WIDGET])),
        HTTPStatus.ACCEPTED,
        Order,
    )
    assert placed.client_id == a["client"]


# ---- a client on another client's data: 404, as for an unknown client ----


@pytest.mark.parametrize("route", ["profile", "orders", "order by id", "invoices", "invoice by id", "invoice PDF"])
def test_a_client_token_cannot_read_another_clients_data(world, route):
    b, as_a = world["b"], world["as_a"]
    refused = problem(reads(b["client"], b["order"], b["invoice"])[route](as_a), 404)
    # the very answer an unknown client id gets: A cannot tell whether B exists
    unknown = problem(reads(UNKNOWN_ID, b["order"], b["invoice"])[route](as_a), 404)
    assert refused == unknown and refused["type"] == "urn:shop:problem:client-not-found"
    # and B itself still reads it
    assert reads(b["client"], b["order"], b["invoice"])[route](world["as_b"]).status_code in (200, 302)


@pytest.mark.parametrize("route", ["replace profile", "place order"])
def test_a_client_token_cannot_write_another_clients_data(world, admin, route):
    b = world["b"]
    problem(writes(b["client"])[route](world["as_a"]), 404)
    # and nothing of B's changed
    profile = expect(get_client.sync_detailed(b["client"], client=admin), HTTPStatus.OK, ClientRecord)
    assert profile.name == "Bola b"
    assert len(expect(list_orders.sync_detailed(b["client"], client=admin), HTTPStatus.OK, OrderPage).items) == 1


@pytest.mark.parametrize("route", ["order by id", "invoice by id", "invoice PDF"])
def test_another_clients_order_and_invoice_ids_are_not_found_under_ones_own_path(world, route):
    a, b = world["a"], world["b"]
    # A's own client id, B's order and invoice ids: no way round through one's own path
    problem(reads(a["client"], b["order"], b["invoice"])[route](world["as_a"]), 404)


def test_guessed_invoice_numbers_are_not_found_under_ones_own_path(world):
    a, as_a = world["a"], world["as_a"]
    own = expect(list_invoices.sync_detailed(a["client"], client=as_a), HTTPStatus.OK, InvoicePage).items
    number = int(a["invoice"].rsplit("-", 1)[1])
    year = a["invoice"].split("-")[1]
    guesses = {f"INV-{year}-{n:06d}" for n in range(max(1, number - 3), number + 4)}
    for guess in guesses - {invoice.invoice_id for invoice in own}:
        problem(get_invoice.sync_detailed(a["client"], guess, client=as_a), 404)
        problem(get_invoice_pdf.sync_detailed(a["client"], guess, client=as_a), 404)


# ---- what a client token may never do: 403 ----


def test_a_client_token_cannot_list_create_or_delete_clients(world, admin):
    a, b, as_a = world["a"], world["b"], world["as_a"]
    problem(list_clients.sync_detailed(client=as_a), 403)
    body = ClientInput(name="Sneaky", email=f"sneaky-{uuid.uuid4().hex[:8]}@example.com")
    problem(create_client.sync_detailed(client=as_a, body=body), 403)
    for target in (a["client"], b["client"], UNKNOWN_ID):  # the same answer whatever the id
        problem(delete_client.sync_detailed(target, client=as_a), 403)
    for party in (a, b):
        assert get_client.sync_detailed(party["client"], client=admin).status_code == HTTPStatus.OK


def test_a_client_token_cannot_change_its_credit_limit_or_currency(world, admin):
    a, as_a = world["a"], world["as_a"]
    current = expect(get_client.sync_detailed(a["client"], client=admin), HTTPStatus.OK, ClientRecord)
    for change in ({"credit_limit": current.credit_limit * 10}, {"currency": Currency.EUR}):
        body = ClientInput(name=current.name, email=current.email, **change)
        problem(replace_client.sync_detailed(a["client"], client=as_a, body=body), 403)
    after = expect(get_client.sync_detailed(a["client"], client=admin), HTTPStatus.OK, ClientRecord)
    assert after == current
    # its other fields are its own to change. Omitted (UNSET: otherwise the SDK sends the schema's defaults),
    # the credit limit and currency stay; sent unchanged, they are accepted
    body = ClientInput(name="A renamed", email=current.email, credit_limit=UNSET, currency=UNSET)
    kept = expect(replace_client.sync_detailed(a["client"], client=as_a, body=body), HTTPStatus.OK, ClientRecord)
    assert (kept.name, kept.credit_limit, kept.currency) == ("A renamed", current.credit_limit, current.currency)
    body = ClientInput(
        name="A again", email=current.email, credit_limit=current.credit_limit, currency=current.currency
    )
    assert replace_client.sync_detailed(a["client"], client=as_a, body=body).status_code == HTTPStatus.OK


# ---- no token, or a bad one: 401 on every protected route ----


def protected_requests(a: dict[str, str]) -> list[tuple[str, str, dict]]:
    client_body = {"json": {"name": "X", "email": "x@example.com"}}
    return [
        ("GET", "/clients", {}),
        ("POST", "/clients", client_body),
        ("GET", f"/clients/{a['client']}", {}),
        ("PUT", f"/clients/{a['client']}", client_body),
        ("DELETE", f"/clients/{a['client']}", {}),
        ("POST", f"/clients/{a['client']}/orders", {"json": {"items": [WIDGET.to_dict()]}}),
        ("GET", f"/clients/{a['client']}/orders", {}),
        ("GET", f"/clients/{a['client']}/orders/{a['order']}", {}),
        ("GET", f"/clients/{a['client']}/invoices", {}),
        ("GET", f"/clients/{a['client']}/invoices/{a['invoice']}", {}),
        ("GET", f"/clients/{a['client']}/invoices/{a['invoice']}/pdf", {}),
    ]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-jwt", "Basic YWRtaW46YWRtaW4="],
    ids=["no header", "scheme only", "not a JWT", "basic"],
)
def test_every_protected_route_without_a_valid_token_is_401(world, admin, local_stack, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    with httpx.Client(base_url=local_stack, headers=headers, timeout=10) as anonymous:
        for method, path, kwargs in protected_requests(world["a"]):
            response = anonymous.request(method, path, **kwargs)
            problem(response, 401)
            assert response.headers["www-authenticate"] == "Bearer", f"{method} {path}"
    assert get_client.sync_detailed(world["a"]["client"], client=admin).status_code == HTTPStatus.OK


def test_the_sdk_without_credentials_is_refused_and_the_health_probe_is_open(world, local_stack):
    with Client(base_url=local_stack, timeout=httpx.Timeout(10)) as anonymous:
        problem(get_client.sync_detailed(world["a"]["client"], client=anonymous), 401)
        problem(list_clients.sync_detailed(client=anonymous), 401)
    assert httpx.get(f"{local_stack}/health").status_code == 200


def test_an_expired_token_or_one_signed_by_another_key_is_401(world, issuer, local_stack):
    from shoplocal.auth import LocalIssuer

    a = world["a"]["client"]
    for token in (issuer.token("client", a, now=time.time() - 7200), LocalIssuer.generate().client_token(a)):
        with sdk(local_stack, token) as stale:
            problem(get_client.sync_detailed(a, client=stale), 401)


# ---- the tokens `shop run` prints and `shop token` makes ----


def test_shop_token_prints_tokens_the_stack_accepts(world, local_stack, local_stack_info):
    def shop_token(*argv: str) -> str:
        command = [
            sys.executable,
            "-m",
            "shoplocal.cli",
            "token",
            *argv,
            "--stack-file",
            local_stack_info["stack_file"],
        ]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    a, b = world["a"], world["b"]
    with sdk(local_stack, shop_token("--admin")) as admin:
        assert list_clients.sync_detailed(client=admin).status_code == HTTPStatus.OK
    with sdk(local_stack, shop_token("--client", a["client"])) as as_a:
        assert get_client.sync_detailed(a["client"], client=as_a).status_code == HTTPStatus.OK
        problem(get_client.sync_detailed(b["client"], client=as_a), 404)


def test_the_admin_token_shop_run_prints_at_start_works(local_stack, local_stack_info):
    output = open(local_stack_info["log"], encoding="utf-8", errors="replace").read()
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if "Admin token" in line)
    token = lines[start + 1].strip()
    response = httpx.get(f"{local_stack}/clients", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    # and the bare token, as API Gateway's Cognito authorizer also takes it
    assert httpx.get(f"{local_stack}/clients", headers={"Authorization": token}, timeout=10).status_code == 200


# ---- machines: access tokens of A's app client, on the machine API ----

CLIENT_SCOPES = ("shop/profile", "shop/orders.read", "shop/orders.write")


def shop_machine_token(stack_file: str, *argv: str) -> str:
    command = [sys.executable, "-m", "shoplocal.cli", "token", "--machine", *argv, "--stack-file", stack_file]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def machines(world, local_stack_info):
    """SDK clients of the machine API: A's system with every client scope, A's with shop/orders.read only, and
    a back-office system."""
    api, stack_file = local_stack_info["machine_api"], local_stack_info["stack_file"]
    a = world["a"]["client"]
    tokens = {
        "a": shop_machine_token(stack_file, "--client", a, "--scopes", *CLIENT_SCOPES),
        "a read-only": shop_machine_token(stack_file, "--client", a, "--scopes", "shop/orders.read"),
        "back office": shop_machine_token(stack_file, "--admin"),
    }
    with sdk(api, tokens["a"]) as as_a, sdk(api, tokens["a read-only"]) as reader, sdk(api, tokens["back office"]) as bo:
        yield {"api": api, "tokens": tokens, "as_a": as_a, "reader": reader, "back office": bo}


def test_a_machine_token_reaches_its_clients_data_on_the_machine_api(world, machines):
    a, as_a = world["a"], machines["as_a"]
    calls = reads(a["client"], a["order"], a["invoice"])
    assert expect(calls["profile"](as_a), HTTPStatus.OK, ClientRecord).client_id == a["client"]
    assert expect(calls["order by id"](as_a), HTTPStatus.OK, Order).invoice_id == a["invoice"]
    assert calls["invoice PDF"](as_a).status_code == HTTPStatus.FOUND
    placed = create_order.sync_detailed(a["client"], client=as_a, body=OrderCreate(items=[WIDGET]))
    assert expect(placed, HTTPStatus.ACCEPTED, Order).client_id == a["client"]


@pytest.mark.parametrize("route", ["profile", "orders", "order by id", "invoices", "invoice by id", "invoice PDF"])
def test_a_machine_token_for_a_cannot_read_bs_data(world, machines, route):
    b, as_a = world["b"], machines["as_a"]
    refused = problem(reads(b["client"], b["order"], b["invoice"])[route](as_a), 404)
    unknown = problem(reads(UNKNOWN_ID, b["order"], b["invoice"])[route](as_a), 404)
    assert refused == unknown and refused["type"] == "urn:shop:problem:client-not-found"


@pytest.mark.parametrize("route", ["replace profile", "place order"])
def test_a_machine_token_for_a_cannot_alter_bs_data(world, machines, admin, route):
    b = world["b"]
    problem(writes(b["client"])[route](machines["as_a"]), 404)
    profile = expect(get_client.sync_detailed(b["client"], client=admin), HTTPStatus.OK, ClientRecord)
    assert profile.name == "Bola b"
    assert len(expect(list_orders.sync_detailed(b["client"], client=admin), HTTPStatus.OK, OrderPage).items) == 1


def test_a_machine_token_without_the_operations_scope_is_401_from_the_gateway(world, machines, admin):
    a, reader = world["a"], machines["reader"]
    # shop/orders.read reads orders, and nothing else
    assert list_orders.sync_detailed(a["client"], client=reader).status_code == HTTPStatus.OK
    before = len(expect(list_orders.sync_detailed(a["client"], client=admin), HTTPStatus.OK, OrderPage).items)
    for response in (
        get_client.sync_detailed(a["client"], client=reader),
        create_order.sync_detailed(a["client"], client=reader, body=OrderCreate(items=[WIDGET])),
        list_clients.sync_detailed(client=machines["as_a"]),  # back office only
        delete_client.sync_detailed(world["b"]["client"], client=machines["as_a"]),
    ):
        body = problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer" and "scope" in body["detail"]
    after = len(expect(list_orders.sync_detailed(a["client"], client=admin), HTTPStatus.OK, OrderPage).items)
    assert after == before
    assert get_client.sync_detailed(world["b"]["client"], client=admin).status_code == HTTPStatus.OK


def test_a_back_office_machine_token_does_what_an_admin_does(world, machines):
    listed = list_clients.sync_detailed(client=machines["back office"])
    assert listed.status_code == HTTPStatus.OK
    assert get_client.sync_detailed(world["b"]["client"], client=machines["back office"]).status_code == HTTPStatus.OK


def test_expired_foreign_and_id_tokens_are_401_on_the_machine_api_and_machine_tokens_on_the_peoples(
    world, machines, issuer, local_stack
):
    from shoplocal.auth import LocalIssuer

    a = world["a"]["client"]
    claims = {"shop:clientId": a}
    for token in (
        issuer.access_token("appclient", list(CLIENT_SCOPES), claims, now=time.time() - 7200),
        LocalIssuer.generate().access_token("appclient", list(CLIENT_SCOPES), claims),
        issuer.client_token(a),
        issuer.admin_token(),
    ):
        with sdk(machines["api"], token) as refused:
            problem(get_client.sync_detailed(a, client=refused), 401)
    with sdk(local_stack, machines["tokens"]["a"]) as wrong_api:
        problem(get_client.sync_detailed(a, client=wrong_api), 401)
    assert httpx.get(f"{machines['api']}/health").status_code == 200
