"""The whole order pipeline on the local stack over HTTP: API → orders queue → approval worker →
paid-orders queue → paid-order worker → PDF in S3 → invoice routes, with the pollers in between."""

import concurrent.futures
import io
import json
import re
import time
import uuid

import boto3
import httpx
import pytest
from pypdf import PdfReader

TERMINAL = {"INVOICED", "REJECTED"}
WIDGET = {"sku": "W-1", "description": "Blue widget", "quantity": 3, "unitPrice": 1250}
GADGET = {"sku": "G-22", "description": "Gadget deluxe", "quantity": 2, "unitPrice": 99_999}


@pytest.fixture(scope="module")
def api(local_stack):
    with httpx.Client(base_url=local_stack, timeout=10) as client:
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


def new_client(api, credit_limit=1_000_000) -> str:
    body = {"name": "Pipeline Ltd", "email": f"pipe-{uuid.uuid4().hex[:10]}@example.com", "document": "99-1"}
    response = api.post("/clients", json=body | {"creditLimit": credit_limit})
    assert response.status_code == 201
    return response.json()["clientId"]


def place(api, client_id, items) -> dict:
    response = api.post(f"/clients/{client_id}/orders", json={"items": items})
    assert response.status_code == 202, response.text
    return response.json()


def wait_terminal(api, client_id, order_id, timeout=30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        order = api.get(f"/clients/{client_id}/orders/{order_id}").json()
        if order["status"] in TERMINAL:
            return order
        time.sleep(0.2)
    pytest.fail(f"order {order_id} still {order['status']} after {timeout} s")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_order_within_credit_is_invoiced_and_its_pdf_downloads(api):
    # GIVEN a client, and an order within its credit limit
    client_id = new_client(api)
    order = place(api, client_id, [WIDGET, GADGET])
    assert order["status"] == "PENDING" and order["total"] == 3 * 1250 + 2 * 99_999
    # WHEN the workers have run
    done = wait_terminal(api, client_id, order["orderId"])
    # THEN it is invoiced, the invoice is listed, and its PDF says what was ordered
    assert done["status"] == "INVOICED" and done["approvedAt"] and re.match(r"INV-\d{4}-\d{6}$", done["invoiceId"])
    listed = api.get(f"/clients/{client_id}/invoices").json()["items"]
    assert [i["invoiceId"] for i in listed] == [done["invoiceId"]] and listed[0]["total"] == order["total"]
    invoice = api.get(f"/clients/{client_id}/invoices/{done['invoiceId']}").json()
    assert "X-Amz-Expires=300" in invoice["downloadUrl"]
    pdf = httpx.get(invoice["downloadUrl"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    for expected in [done["invoiceId"], order["orderId"], "W-1", "Blue widget", "G-22", "Gadget deluxe", "2,037.48 USD"]:
        assert expected in text
    # and the /pdf route redirects to the same object
    redirected = api.get(f"/clients/{client_id}/invoices/{done['invoiceId']}/pdf")
    assert redirected.status_code == 302
    assert httpx.get(redirected.headers["location"]).content == pdf.content


def test_order_over_the_credit_limit_is_rejected(api):
    client_id = new_client(api, credit_limit=1000)
    order = place(api, client_id, [WIDGET])
    done = wait_terminal(api, client_id, order["orderId"])
    assert done["status"] == "REJECTED" and done["rejectionReason"] == "credit_limit_exceeded"
    assert "invoiceId" not in done
    assert api.get(f"/clients/{client_id}/invoices").json()["items"] == []
    # rejected is terminal: the client may now be deleted
    assert api.delete(f"/clients/{client_id}").status_code == 204


def test_twenty_concurrent_orders_all_end_terminal_with_unique_gapless_invoice_numbers(api):
    # GIVEN 20 orders placed at once by 20 clients
    clients = [new_client(api) for _ in range(20)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        orders = list(pool.map(lambda c: place(api, c, [WIDGET]), clients))
    # WHEN they have all been processed
    finished = [wait_terminal(api, o["clientId"], o["orderId"], timeout=60) for o in orders]
    # THEN each is invoiced once, and this stack's invoice numbers run 1..N without a gap
    assert all(o["status"] == "INVOICED" for o in finished)
    ours = [o["invoiceId"] for o in finished]
    assert len(set(ours)) == 20
    everyone = all_invoice_ids(api)
    numbers = sorted(int(i.rsplit("-", 1)[1]) for i in everyone)
    assert numbers == list(range(1, len(numbers) + 1))
    assert set(ours) <= set(everyone)


def all_invoice_ids(api) -> list[str]:
    ids, cursor = [], None
    while True:
        page = api.get("/clients", params={"limit": 100} | ({"cursor": cursor} if cursor else {})).json()
        for client in page["items"]:
            ids += [i["invoiceId"] for i in api.get(f"/clients/{client['clientId']}/invoices", params={"limit": 100}).json()["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            return ids


def test_poison_message_lands_in_the_dlq_without_blocking_its_batch(api, sqs, local_stack_info):
    resources = local_stack_info["resources"]
    queue, dlq = resources["OrdersQueue"], resources["OrdersDeadLetterQueue"]
    # GIVEN a poison message in the orders queue, next to a real order
    poison = f"poison-{uuid.uuid4().hex}"
    sqs.send_message(QueueUrl=queue, MessageBody=poison)
    client_id = new_client(api)
    order = place(api, client_id, [WIDGET])
    # THEN the order still goes through, and the poison message ends in the DLQ (maxReceiveCount 2 locally)
    assert wait_terminal(api, client_id, order["orderId"])["status"] == "INVOICED"
    deadline, bodies = time.monotonic() + 30, []
    while poison not in bodies and time.monotonic() < deadline:
        received = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=1)
        bodies = [m["Body"] for m in received.get("Messages", [])]
    assert poison in bodies
    assert bodies == [poison], "only the poison message is dead"
