"""The hand-written SDK layer (`shop_sdk`, sdk/) against the local stack: the whole flow of a client through it
(create a client, place an order, wait until it is invoiced, iterate the invoices, download the PDF), and the
problems it answers as typed exceptions. Every answer is checked against the contract (tests/consumer_contract.py,
through the `shop` and `new_shop` fixtures of conftest.py)."""

from __future__ import annotations

import io
import uuid

import pytest
from pypdf import PdfReader

from shop_sdk import NotFound, OrderItem, OrderStatus, PermissionDenied, ValidationError

WIDGET = OrderItem(sku="W-1", description="Blue widget", quantity=3, unit_price=1250)


def test_the_whole_flow_of_an_order_through_the_sdk(shop, new_shop, issuer, tmp_path, contract_check):
    # GIVEN a new client
    client = shop.clients.create(name="SDK Ltd", email=f"sdk-{uuid.uuid4().hex[:10]}@example.com")
    assert shop.clients.get(client.client_id).email == client.email
    # WHEN it places an order (the client's own token) and the workers process it
    with new_shop(issuer.client_token(client.client_id)) as own:
        order = own.orders.create(
            client.client_id, items=[WIDGET, {"sku": "G-2", "description": "Gadget", "quantity": 1, "unitPrice": 999}]
        )
        assert order.status is OrderStatus.PENDING and order.total == 3 * 1250 + 999
        done = own.orders.wait(client.client_id, order.order_id, timeout=60, poll_interval=0.2)
        # a client token may not list clients
        with pytest.raises(PermissionDenied):
            next(iter(own.clients.list()))
    # THEN it is invoiced, listed under its status, and its invoice's PDF downloads
    assert done.status is OrderStatus.INVOICED
    assert [o.order_id for o in shop.orders.list(client.client_id, status=OrderStatus.INVOICED)] == [order.order_id]
    assert list(shop.orders.list(client.client_id, status="PENDING")) == []
    invoices = list(shop.invoices.list(client.client_id, page_size=1))
    assert [i.invoice_id for i in invoices] == [done.invoice_id] and invoices[0].total == order.total
    path = shop.invoices.download_pdf(client.client_id, done.invoice_id, tmp_path)
    assert path == tmp_path / f"{done.invoice_id}.pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert done.invoice_id in text and order.order_id in text and "Blue widget" in text
    # and the client is among every client the paginator yields
    assert client.client_id in {c.client_id for c in shop.clients.list(page_size=100)}
    # and every answer was one the contract declares (the fixtures' consumer check ran on each)
    assert contract_check.checked >= 10


def test_problems_arrive_as_typed_exceptions(shop):
    client = shop.clients.create(name="SDK Errors", email=f"sdk-{uuid.uuid4().hex[:10]}@example.com")
    # a 404, with the problem's type and the answer's correlation id
    with pytest.raises(NotFound) as missing:
        shop.orders.get(client.client_id, "01KJYMA81MNP3YPF4K85EW1AY1")
    assert missing.value.status == 404 and missing.value.type == "urn:shop:problem:order-not-found"
    assert missing.value.correlation_id and missing.value.detail
    # a 400 of the API function, with its field-level errors and correlation id
    with pytest.raises(ValidationError) as mismatch:
        shop.orders.create(client.client_id, items=[WIDGET], currency="EUR")  # the client's currency is USD
    error = mismatch.value
    assert (error.status, error.type) == (400, "urn:shop:problem:currency-mismatch") and error.correlation_id
    assert [(e.in_, e.pointer) for e in error.errors] == [("body", "/currency")]
    # and one of the request validator (API Gateway's own answer: no correlation id, says the contract)
    bad = OrderItem(sku="W-1", description="Blue widget", quantity=0, unit_price=1250)
    with pytest.raises(ValidationError) as invalid:
        shop.orders.create(client.client_id, items=[bad])
    assert invalid.value.status == 400 and invalid.value.correlation_id is None
    assert [(e.in_, e.pointer) for e in invalid.value.errors] == [("body", "/items/0/quantity")]
    assert list(shop.orders.list(client.client_id)) == []  # neither was placed
