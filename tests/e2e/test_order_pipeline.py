"""The whole order pipeline on the local stack over HTTP: API → orders queue → approval worker →
paid-orders queue → paid-order worker → PDF in S3 → invoice routes, with the pollers in between.

The API is driven through the SDK (`shop_sdk`, over the `shop_client` generated from openapi.yaml) and read as
its typed models, and every answer is checked against the contract (the `shop` fixture's consumer check), so
a contract break fails here; only the presigned S3 URL, which is not the shop's API, is fetched with plain
httpx, to compare it with what the SDK downloads."""

import concurrent.futures
import io
import re
import time
import uuid

import boto3
import httpx
import pytest
from pypdf import PdfReader
from shop_client.api.invoices import get_invoice_pdf
from shop_client.types import UNSET
from shop_sdk import Order, OrderItem, OrderStatus, RejectionReason

WIDGET = OrderItem(sku="W-1", description="Blue widget", quantity=3, unit_price=1250)
GADGET = OrderItem(sku="G-22", description="Gadget deluxe", quantity=2, unit_price=99_999)


@pytest.fixture(scope="module")
def sqs(local_stack_info):
    return boto3.client(
        "sqs",
        endpoint_url=local_stack_info["moto"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def new_client(shop, credit_limit=1_000_000) -> str:
    email = f"pipe-{uuid.uuid4().hex[:10]}@example.com"
    return shop.clients.create(name="Pipeline Ltd", email=email, document="99-1", credit_limit=credit_limit).client_id


def place(shop, client_id, items) -> Order:
    return shop.orders.create(client_id, items=items)


def wait_terminal(shop, client_id, order_id, timeout=30) -> Order:
    return shop.orders.wait(client_id, order_id, timeout=timeout, poll_interval=0.2)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_order_within_credit_is_invoiced_and_its_pdf_downloads(shop, tmp_path):
    # GIVEN a client, and an order within its credit limit
    client_id = new_client(shop)
    order = place(shop, client_id, [WIDGET, GADGET])
    assert order.status == OrderStatus.PENDING and order.total == 3 * 1250 + 2 * 99_999
    assert order.items == [WIDGET, GADGET] and order.client_id == client_id
    # WHEN the workers have run
    done = wait_terminal(shop, client_id, order.order_id)
    # THEN it is invoiced, the invoice is listed, and its PDF says what was ordered
    assert done.status == OrderStatus.INVOICED and done.approved_at and re.match(r"INV-\d{4}-\d{6}$", done.invoice_id)
    listed = list(shop.invoices.list(client_id))
    assert [i.invoice_id for i in listed] == [done.invoice_id] and listed[0].total == order.total
    invoice = shop.invoices.get(client_id, done.invoice_id)
    assert invoice.order_id == order.order_id and invoice.expires_at > invoice.issued_at
    assert "X-Amz-Expires=300" in invoice.download_url
    pdf = shop.invoices.download_pdf(client_id, done.invoice_id, tmp_path).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for expected in [done.invoice_id, order.order_id, "W-1", "Blue widget", "G-22", "Gadget deluxe", "2,037.48 USD"]:
        assert expected in text
    # and the invoice's presigned URL (not the shop's API: no token) serves the same object
    assert httpx.get(invoice.download_url).content == pdf
    # and the /pdf route answers 302 with its Location (the generated call under the SDK, to see the redirect)
    redirected = get_invoice_pdf.sync_detailed(client_id, done.invoice_id, client=shop.api)
    assert redirected.status_code == 302 and "X-Amz-Expires=300" in redirected.headers["location"]
    # and the order is listed under its status
    assert [o.order_id for o in shop.orders.list(client_id, status=OrderStatus.INVOICED)] == [order.order_id]


def test_order_over_the_credit_limit_is_rejected(shop):
    client_id = new_client(shop, credit_limit=1000)
    order = place(shop, client_id, [WIDGET])
    done = wait_terminal(shop, client_id, order.order_id)
    assert done.status == OrderStatus.REJECTED and done.rejection_reason == RejectionReason.CREDIT_LIMIT_EXCEEDED
    assert done.invoice_id is UNSET
    assert list(shop.invoices.list(client_id)) == []
    # rejected is terminal: the client may now be deleted
    shop.clients.delete(client_id)


def test_twenty_concurrent_orders_all_end_terminal_with_unique_gapless_invoice_numbers(shop):
    # GIVEN 20 orders placed at once by 20 clients
    clients = [new_client(shop) for _ in range(20)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        orders = list(pool.map(lambda c: place(shop, c, [WIDGET]), clients))
    # WHEN they have all been processed
    finished = [wait_terminal(shop, o.client_id, o.order_id, timeout=60) for o in orders]
    # THEN each is invoiced once, and this stack's invoice numbers run 1..N without a gap
    assert all(o.status == OrderStatus.INVOICED for o in finished)
    ours = [o.invoice_id for o in finished]
    assert len(set(ours)) == 20
    everyone = [i.invoice_id for client in shop.clients.list() for i in shop.invoices.list(client.client_id)]
    numbers = sorted(int(i.rsplit("-", 1)[1]) for i in everyone)
    assert numbers == list(range(1, len(numbers) + 1))
    assert set(ours) <= set(everyone)


def test_poison_message_lands_in_the_dlq_without_blocking_its_batch(shop, sqs, local_stack_info):
    resources = local_stack_info["resources"]
    queue, dlq = resources["OrdersQueue"], resources["OrdersDeadLetterQueue"]
    # GIVEN a poison message in the orders queue, next to a real order
    poison = f"poison-{uuid.uuid4().hex}"
    sqs.send_message(QueueUrl=queue, MessageBody=poison)
    client_id = new_client(shop)
    order = place(shop, client_id, [WIDGET])
    # THEN the order still goes through, and the poison message ends in the DLQ (maxReceiveCount 2 locally)
    assert wait_terminal(shop, client_id, order.order_id).status == OrderStatus.INVOICED
    deadline, bodies = time.monotonic() + 30, set()
    while poison not in bodies and time.monotonic() < deadline:
        received = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=1)
        bodies |= {m["Body"] for m in received.get("Messages", [])}
    assert poison in bodies
    # other tests of the session may have left their own poison there; the good order's message is not dead
    assert not any(order.order_id in body for body in bodies)
