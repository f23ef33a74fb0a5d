"""The whole order pipeline on the local stack over HTTP: API → orders queue → approval worker →
paid-orders queue → paid-order worker → PDF in S3 → invoice routes, with the pollers in between.

The API is driven through the SDK generated from openapi.yaml (`shop_client`, sdk/) and read as its typed
models, so a contract break fails here; only the presigned S3 URLs, which are not the shop's API, are
fetched with plain httpx."""

import concurrent.futures
import io
import re
import time
import uuid
from http import HTTPStatus
from typing import Any, TypeVar

import boto3
import httpx
import pytest
from pypdf import PdfReader
from shop_client import AuthenticatedClient
from shop_client.api.clients import create_client, delete_client, list_clients
from shop_client.api.invoices import get_invoice, get_invoice_pdf, list_invoices
from shop_client.api.orders import create_order, get_order, list_orders
from shop_client.models import (
    ClientInput,
    ClientPage,
    ClientRecord,
    Invoice,
    InvoicePage,
    Order,
    OrderCreate,
    OrderItem,
    OrderPage,
    OrderStatus,
    RejectionReason,
)
from shop_client.types import UNSET, Response

TERMINAL = {OrderStatus.INVOICED, OrderStatus.REJECTED}
WIDGET = OrderItem(sku="W-1", description="Blue widget", quantity=3, unit_price=1250)
GADGET = OrderItem(sku="G-22", description="Gadget deluxe", quantity=2, unit_price=99_999)
T = TypeVar("T")


@pytest.fixture(scope="module")
def api(local_stack, admin_token):
    """The SDK generated from openapi.yaml (sdk/), the one place this module builds its client, with an
    admin's token. Answers are read as its typed models, and an undocumented status fails the call."""
    with AuthenticatedClient(
        base_url=local_stack, token=admin_token, timeout=httpx.Timeout(10), raise_on_unexpected_status=True
    ) as client:
        yield client


@pytest.fixture(scope="module")
def sqs(local_stack_info):
    return boto3.client(
        "sqs",
        endpoint_url=local_stack_info["moto"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def expect(response: Response[Any], status: HTTPStatus, model: type[T]) -> T:
    """The answer's typed body, after checking its status and type."""
    assert response.status_code == status, response.content
    assert isinstance(response.parsed, model), response.parsed
    return response.parsed


def new_client(api, credit_limit=1_000_000) -> str:
    email = f"pipe-{uuid.uuid4().hex[:10]}@example.com"
    body = ClientInput(name="Pipeline Ltd", email=email, document="99-1", credit_limit=credit_limit)
    return expect(create_client.sync_detailed(client=api, body=body), HTTPStatus.CREATED, ClientRecord).client_id


def place(api, client_id, items) -> Order:
    response = create_order.sync_detailed(client_id, client=api, body=OrderCreate(items=items))
    return expect(response, HTTPStatus.ACCEPTED, Order)


def read_order(api, client_id, order_id) -> Order:
    return expect(get_order.sync_detailed(client_id, order_id, client=api), HTTPStatus.OK, Order)


def wait_terminal(api, client_id, order_id, timeout=30) -> Order:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        order = read_order(api, client_id, order_id)
        if order.status in TERMINAL:
            return order
        time.sleep(0.2)
    pytest.fail(f"order {order_id} still {order.status} after {timeout} s")


def invoices_of(api, client_id, limit=20) -> list[Invoice]:
    response = list_invoices.sync_detailed(client_id, client=api, limit=limit)
    return expect(response, HTTPStatus.OK, InvoicePage).items


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_order_within_credit_is_invoiced_and_its_pdf_downloads(api):
    # GIVEN a client, and an order within its credit limit
    client_id = new_client(api)
    order = place(api, client_id, [WIDGET, GADGET])
    assert order.status == OrderStatus.PENDING and order.total == 3 * 1250 + 2 * 99_999
    assert order.items == [WIDGET, GADGET] and order.client_id == client_id
    # WHEN the workers have run
    done = wait_terminal(api, client_id, order.order_id)
    # THEN it is invoiced, the invoice is listed, and its PDF says what was ordered
    assert done.status == OrderStatus.INVOICED and done.approved_at and re.match(r"INV-\d{4}-\d{6}$", done.invoice_id)
    listed = invoices_of(api, client_id)
    assert [i.invoice_id for i in listed] == [done.invoice_id] and listed[0].total == order.total
    invoice = expect(get_invoice.sync_detailed(client_id, done.invoice_id, client=api), HTTPStatus.OK, Invoice)
    assert invoice.order_id == order.order_id and invoice.expires_at > invoice.issued_at
    assert "X-Amz-Expires=300" in invoice.download_url
    pdf = httpx.get(invoice.download_url)  # presigned S3 URL: not the shop's API
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    for expected in [done.invoice_id, order.order_id, "W-1", "Blue widget", "G-22", "Gadget deluxe", "2,037.48 USD"]:
        assert expected in text
    # and the /pdf route redirects to the same object
    redirected = get_invoice_pdf.sync_detailed(client_id, done.invoice_id, client=api)
    assert redirected.status_code == HTTPStatus.FOUND
    assert httpx.get(redirected.headers["location"]).content == pdf.content
    # and the order is listed under its status
    page = list_orders.sync_detailed(client_id, client=api, status=OrderStatus.INVOICED)
    assert [o.order_id for o in expect(page, HTTPStatus.OK, OrderPage).items] == [order.order_id]


def test_order_over_the_credit_limit_is_rejected(api):
    client_id = new_client(api, credit_limit=1000)
    order = place(api, client_id, [WIDGET])
    done = wait_terminal(api, client_id, order.order_id)
    assert done.status == OrderStatus.REJECTED and done.rejection_reason == RejectionReason.CREDIT_LIMIT_EXCEEDED
    assert done.invoice_id is UNSET
    assert invoices_of(api, client_id) == []
    # rejected is terminal: the client may now be deleted
    assert delete_client.sync_detailed(client_id, client=api).status_code == HTTPStatus.NO_CONTENT


def test_twenty_concurrent_orders_all_end_terminal_with_unique_gapless_invoice_numbers(api):
    # GIVEN 20 orders placed at once by 20 clients
    clients = [new_client(api) for _ in range(20)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        orders = list(pool.map(lambda c: place(api, c, [WIDGET]), clients))
    # WHEN they have all been processed
    finished = [wait_terminal(api, o.client_id, o.order_id, timeout=60) for o in orders]
    # THEN each is invoiced once, and this stack's invoice numbers run 1..N without a gap
    assert all(o.status == OrderStatus.INVOICED for o in finished)
    ours = [o.invoice_id for o in finished]
    assert len(set(ours)) == 20
    everyone = all_invoice_ids(api)
    numbers = sorted(int(i.rsplit("-", 1)[1]) for i in everyone)
    assert numbers == list(range(1, len(numbers) + 1))
    assert set(ours) <= set(everyone)


def all_invoice_ids(api) -> list[str]:
    ids, cursor = [], UNSET
    while True:
        page = expect(list_clients.sync_detailed(client=api, limit=100, cursor=cursor), HTTPStatus.OK, ClientPage)
        for client in page.items:
            ids += [i.invoice_id for i in invoices_of(api, client.client_id, limit=100)]
        if not page.next_cursor:
            return ids
        cursor = page.next_cursor


def test_poison_message_lands_in_the_dlq_without_blocking_its_batch(api, sqs, local_stack_info):
    resources = local_stack_info["resources"]
    queue, dlq = resources["OrdersQueue"], resources["OrdersDeadLetterQueue"]
    # GIVEN a poison message in the orders queue, next to a real order
    poison = f"poison-{uuid.uuid4().hex}"
    sqs.send_message(QueueUrl=queue, MessageBody=poison)
    client_id = new_client(api)
    order = place(api, client_id, [WIDGET])
    # THEN the order still goes through, and the poison message ends in the DLQ (maxReceiveCount 2 locally)
    assert wait_terminal(api, client_id, order.order_id).status == OrderStatus.INVOICED
    deadline, bodies = time.monotonic() + 30, set()
    while poison not in bodies and time.monotonic() < deadline:
        received = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=1)
        bodies |= {m["Body"] for m in received.get("Messages", [])}
    assert poison in bodies
    # other tests of the session may have left their own poison there; the good order's message is not dead
    assert not any(order.order_id in body for body in bodies)
