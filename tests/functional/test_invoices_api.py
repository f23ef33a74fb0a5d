"""InvoicesFunction's handler against the moto server: listings, presigned URLs that really download."""

import json
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse
from urllib.request import urlopen

import boto3
import pytest

from datamodel import clients, invoices, orders
from datamodel.clients import ClientFields
from domain import config
from domain.ids import new_id
from handlers.invoices import lambda_handler
from tests.events import LambdaContext, api_event

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def call(method, path, **kwargs):
    response = lambda_handler(api_event(method, path, **kwargs), LambdaContext())
    headers = {k.lower(): v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    body = json.loads(response["body"]) if response.get("body") else None
    return response["statusCode"], headers, body


def new_client() -> str:
    email = f"i-{uuid.uuid4().hex[:10]}@example.com"
    return clients.create(ClientFields("Acme", email, 100_000, "USD")).client_id


def invoiced_order(client_id: str, pdf: bytes = b"%PDF-1.4 test") -> str:
    """An order taken through approval and invoicing by the data layer, with its PDF in the bucket."""
    order, _ = orders.place(client_id, new_id(), [orders.Line("W-1", "Widget", 1, 500)], "USD", 500)
    orders.approve(order)
    key = invoices.pdf_key(client_id, order.order_id)
    invoice, _ = invoices.issue(orders.get(client_id, order.order_id), invoices.BillTo("Acme", "a@example.com"), key)
    boto3.client("s3").put_object(Bucket=config.BUCKET_NAME, Key=key, Body=pdf, ContentType="application/pdf")
    return invoice.invoice_id


def assert_problem(status, headers, body, expected):
    assert status == expected
    assert headers["content-type"] == "application/problem+json" and body["status"] == expected


def test_invoices_are_listed_newest_first_across_pages():
    client_id = new_client()
    issued = [invoiced_order(client_id) for _ in range(3)]
    status, _, first = call("GET", f"/clients/{client_id}/invoices", query={"limit": "2"})
    _, _, rest = call("GET", f"/clients/{client_id}/invoices", query={"limit": "2", "cursor": first["nextCursor"]})
    assert status == 200
    assert [i["invoiceId"] for i in first["items"] + rest["items"]] == issued[::-1]
    assert first["items"][0]["total"] == 500 and "downloadUrl" not in first["items"][0]


def test_client_without_invoices_gets_an_empty_page():
    assert call("GET", f"/clients/{new_client()}/invoices")[::2] == (200, {"items": [], "nextCursor": None})


def test_invoices_of_unknown_client_are_404():
    assert_problem(*call("GET", f"/clients/{UNKNOWN_ID}/invoices"), 404)


def test_invoice_carries_a_presigned_url_valid_at_most_300_seconds_that_downloads_the_pdf():
    # GIVEN an invoiced order with its PDF stored
    client_id = new_client()
    invoice_id = invoiced_order(client_id, pdf=b"%PDF-1.4 exact bytes")
    # WHEN the invoice is read
    before = datetime.now(timezone.utc)
    status, _, invoice = call("GET", f"/clients/{client_id}/invoices/{invoice_id}")
    # THEN its URL is SigV4-presigned for 300 s, expiresAt says so, and it downloads the bytes
    assert status == 200 and invoice["invoiceId"] == invoice_id
    query = parse_qs(urlparse(invoice["downloadUrl"]).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Expires"] == ["300"]
    expires_at = datetime.fromisoformat(invoice["expiresAt"].replace("Z", "+00:00"))
    assert before + timedelta(seconds=295) <= expires_at <= before + timedelta(seconds=305)
    with urlopen(invoice["downloadUrl"]) as download:
        assert download.read() == b"%PDF-1.4 exact bytes"


def test_pdf_route_redirects_to_a_presigned_url():
    client_id = new_client()
    invoice_id = invoiced_order(client_id)
    status, headers, body = call("GET", f"/clients/{client_id}/invoices/{invoice_id}/pdf")
    assert status == 302 and body is None
    assert parse_qs(urlparse(headers["location"]).query)["X-Amz-Expires"] == ["300"]


@pytest.mark.parametrize("suffix", ["", "/pdf"])
def test_unknown_or_foreign_invoice_is_404(suffix):
    owner, other = new_client(), new_client()
    invoice_id = invoiced_order(owner)
    assert_problem(*call("GET", f"/clients/{other}/invoices/{invoice_id}{suffix}"), 404)
    assert_problem(*call("GET", f"/clients/{owner}/invoices/INV-1999-000001{suffix}"), 404)


@pytest.mark.parametrize("invoice_id", ["INV-26-1", "inv-2026-000001", "INV-2026-0000001"])
def test_malformed_invoice_id_is_400(invoice_id):
    assert_problem(*call("GET", f"/clients/{new_client()}/invoices/{invoice_id}"), 400)


def test_unknown_query_parameter_on_invoices_is_400():
    assert_problem(*call("GET", f"/clients/{new_client()}/invoices", query={"year": "2026"}), 400)
