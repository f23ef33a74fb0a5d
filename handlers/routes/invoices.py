"""Invoice routes: the client's invoices, newest first, and short-lived presigned PDF URLs."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from botocore.config import Config

from datamodel import clients, invoices
from datamodel.base import aws_client
from datamodel.entities import InvoiceRecord
from domain import config, snapstart
from domain.clock import utc_now
from domain.models import Invoice
from handlers import contract
from handlers.api import json_response, page_response

router = Router()
# SigV4 explicitly: botocore may otherwise presign with SigV2, whose URLs ignore the expiry we set.
s3 = aws_client("s3", config=Config(signature_version="s3v4"))


@snapstart.on_restore
def _reconnect() -> None:
    global s3
    s3 = aws_client("s3", config=Config(signature_version="s3v4"))

DOWNLOAD_SECONDS = 300


@contract.list_invoices(router)
def list_invoices(client_id: str, limit: int, cursor: str | None) -> Response:
    page = invoices.page(client_id, limit, cursor)
    if not page.items and cursor is None:
        clients.get(client_id)  # an empty first page of an unknown client is a 404
    return page_response([invoice_view(i) for i in page.items], page.next_cursor)


@contract.get_invoice(router)
def get_invoice(client_id: str, invoice_id: str) -> Response:
    invoice = invoices.get(client_id, invoice_id)
    expires_at = utc_now() + timedelta(seconds=DOWNLOAD_SECONDS)
    view = invoice_view(invoice).model_copy(update={"download_url": presign(invoice), "expires_at": expires_at})
    return json_response(HTTPStatus.OK, view)


@contract.get_invoice_pdf(router)
def get_invoice_pdf(client_id: str, invoice_id: str) -> Response:
    return Response(HTTPStatus.FOUND, headers={"Location": presign(invoices.get(client_id, invoice_id))})


def presign(invoice: InvoiceRecord) -> str:
    return s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": config.BUCKET_NAME,
            "Key": invoice.s3_key,
            "ResponseContentType": "application/pdf",
            "ResponseContentDisposition": f'attachment; filename="{invoice.invoice_id}.pdf"',
        },
        ExpiresIn=DOWNLOAD_SECONDS,
    )


def invoice_view(invoice: InvoiceRecord) -> Invoice:
    return Invoice.model_validate(invoice, from_attributes=True)
