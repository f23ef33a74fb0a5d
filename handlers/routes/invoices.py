"""Invoice routes: the client's invoices, newest first, and short-lived presigned PDF URLs."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from botocore.config import Config

from datamodel import clients, invoices
from datamodel.base import aws_client
from datamodel.entities import InvoiceRecord
from domain import config
from domain.clock import utc_now
from domain.ids import CURSOR_PATTERN, INVOICE_ID_PATTERN, ULID_PATTERN
from domain.models import Invoice
from handlers.api import allow_query, json_response, page_response

router = Router()
# SigV4 explicitly: botocore may otherwise presign with SigV2, whose URLs ignore the expiry we set.
s3 = aws_client("s3", config=Config(signature_version="s3v4"))

DOWNLOAD_SECONDS = 300

ClientId = Annotated[str, Path(pattern=ULID_PATTERN)]
InvoiceId = Annotated[str, Path(pattern=INVOICE_ID_PATTERN)]


@router.get("/clients/<client_id>/invoices", middlewares=[allow_query("limit", "cursor")])
def list_invoices(
    client_id: ClientId,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(min_length=1, max_length=1024, pattern=CURSOR_PATTERN)] = None,
):
    page = invoices.page(client_id, limit, cursor)
    if not page.items and cursor is None:
        clients.get(client_id)  # an empty first page of an unknown client is a 404
    return page_response([invoice_view(i) for i in page.items], page.next_cursor)


@router.get("/clients/<client_id>/invoices/<invoice_id>", middlewares=[allow_query()])
def get_invoice(client_id: ClientId, invoice_id: InvoiceId):
    invoice = invoices.get(client_id, invoice_id)
    expires_at = utc_now() + timedelta(seconds=DOWNLOAD_SECONDS)
    view = invoice_view(invoice).model_copy(update={"download_url": presign(invoice), "expires_at": expires_at})
    return json_response(HTTPStatus.OK, view)


@router.get("/clients/<client_id>/invoices/<invoice_id>/pdf", middlewares=[allow_query()])
def get_invoice_pdf(client_id: ClientId, invoice_id: InvoiceId):
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
    return Invoice(
        invoice_id=invoice.invoice_id,
        order_id=invoice.order_id,
        client_id=invoice.client_id,
        total=int(invoice.total),
        currency=invoice.currency,
        issued_at=invoice.issued_at,
    )
