"""Render an invoice as a PDF with reportlab.

reportlab is heavy: it is imported here only, and only the paid-order worker imports this module.
Rendering is deterministic (`invariant=1`: fixed timestamps and document id), so a retry that
re-renders the same invoice uploads identical bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timezone
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from domain.money import format_amount, line_total, minor_units, order_total


@dataclass(frozen=True)
class InvoiceLine:
    sku: str
    description: str
    quantity: int
    unit_price: int  # minor units of the invoice currency


@dataclass(frozen=True)
class InvoiceDocument:
    """Everything printed on an invoice. `total` must equal the sum of the lines (checked)."""

    invoice_id: str  # e.g. "INV-2026-000001"
    issued_at: datetime  # timezone-aware; printed as its UTC date
    order_id: str
    client_name: str
    client_email: str
    client_document: str | None
    currency: str
    items: list[InvoiceLine]
    total: int  # minor units
    # The issuer: configuration, not data (template parameters SellerName, SellerAddress, SellerTaxId, read
    # and validated once at the paid-order worker's init by domain.config.seller()). No default: an invoice
    # never prints a made-up seller.
    seller_name: str
    seller_address: tuple[str, ...]  # one printed line each
    seller_tax_id: str
    seller_logo: bytes | None = None  # PNG or JPEG (SellerLogoKey, workers/seller_logo.py), above the name

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware")
        minor_units(self.currency)  # ValueError on an unsupported currency
        if not self.items:
            raise ValueError("an invoice needs at least one line")
        computed = order_total(self.items)
        if self.total != computed:
            raise ValueError(f"total {self.total} != sum of lines {computed}")
        if not (self.seller_name and self.seller_address and self.seller_tax_id):
            raise ValueError("an invoice needs its seller's name, address and tax id")


_PAGE_MARGIN = 18 * mm
# SKU, Description, Qty, Unit price, Line total; the description takes what is left of A4's width.
# Sized for the contract's largest values on one line: unit price 10**9 ("10,000,000.00 USD"),
# line total 10**9 * 10,000 ("100,000,000,000.00 USD"); anything longer wraps inside its cell.
_COL_WIDTHS = [30 * mm, None, 14 * mm, 32 * mm, 40 * mm]


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "InvBody", parent=base["Normal"], fontName="Helvetica", fontSize=9.5, leading=12
    )
    cell = ParagraphStyle("InvCell", parent=body, fontSize=8.5, leading=10.5)
    return {
        "body": body,
        "small": ParagraphStyle(
            "InvSmall",
            parent=body,
            fontSize=8.5,
            leading=11,
            textColor=colors.HexColor("#444444"),
        ),
        "seller": ParagraphStyle(
            "InvSeller", parent=body, fontName="Helvetica-Bold", fontSize=12, leading=15
        ),
        "title": ParagraphStyle(
            "InvTitle",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=18,
            leading=22,
            alignment=TA_RIGHT,
        ),
        "meta": ParagraphStyle("InvMeta", parent=body, alignment=TA_RIGHT),
        "heading": ParagraphStyle(
            "InvHeading",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=10,
            spaceBefore=4,
        ),
        "cell": cell,
        "cell_right": ParagraphStyle("InvCellRight", parent=cell, alignment=TA_RIGHT),
        "head": ParagraphStyle("InvHead", parent=cell, fontName="Helvetica-Bold"),
        "head_right": ParagraphStyle(
            "InvHeadRight", parent=cell, fontName="Helvetica-Bold", alignment=TA_RIGHT
        ),
        "total": ParagraphStyle(
            "InvTotal",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=12,
            leading=15,
            alignment=TA_RIGHT,
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of literal text: markup characters in `text` are escaped, never interpreted."""
    return Paragraph(escape(text), style)


_LOGO_BOX = (50 * mm, 20 * mm)  # width, height: the logo is scaled to fit, keeping its aspect


def _logo(data: bytes) -> Image:
    image = Image(io.BytesIO(data), hAlign="LEFT")
    scale = min(_LOGO_BOX[0] / image.imageWidth, _LOGO_BOX[1] / image.imageHeight, 1.0)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    image.spaceAfter = 2 * mm
    return image


def render_invoice(invoice: InvoiceDocument) -> bytes:
    """The invoice as PDF bytes; the same `invoice` always renders the same bytes."""
    s = _styles()
    issued = invoice.issued_at.astimezone(timezone.utc).strftime("%Y-%m-%d")
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_PAGE_MARGIN,
        rightMargin=_PAGE_MARGIN,
        topMargin=_PAGE_MARGIN,
        bottomMargin=_PAGE_MARGIN,
        title=f"Invoice {invoice.invoice_id}",
        author=invoice.seller_name,
        subject=f"Order {invoice.order_id}",
        creator=invoice.seller_name,
        invariant=1,
    )
    width = doc.width

    seller = [_logo(invoice.seller_logo)] if invoice.seller_logo else []
    seller.append(_p(invoice.seller_name, s["seller"]))
    seller += [_p(line, s["small"]) for line in invoice.seller_address]
    seller.append(_p(f"Tax id: {invoice.seller_tax_id}", s["small"]))
    heading = [
        _p(f"Invoice {invoice.invoice_id}", s["title"]),
        _p(f"Issue date: {issued}", s["meta"]),
        _p(f"Order: {invoice.order_id}", s["meta"]),
    ]
    header = Table([[seller, heading]], colWidths=[width * 0.5, width * 0.5])
    header.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
            ]
        )
    )

    bill_to = [
        Paragraph("Bill to", s["heading"]),
        _p(invoice.client_name, s["body"]),
        _p(invoice.client_email, s["body"]),
    ]
    if invoice.client_document:
        bill_to.append(_p(f"Document: {invoice.client_document}", s["body"]))

    rows = [
        [
            Paragraph("SKU", s["head"]),
            Paragraph("Description", s["head"]),
            Paragraph("Qty", s["head_right"]),
            Paragraph("Unit price", s["head_right"]),
            Paragraph("Line total", s["head_right"]),
        ]
    ]
    for line in invoice.items:
        rows.append(
            [
                _p(line.sku, s["cell"]),
                _p(line.description, s["cell"]),
                _p(f"{line.quantity:,}", s["cell_right"]),
                _p(format_amount(line.unit_price, invoice.currency), s["cell_right"]),
                _p(
                    format_amount(
                        line_total(line.quantity, line.unit_price), invoice.currency
                    ),
                    s["cell_right"],
                ),
            ]
        )
    col_widths = list(_COL_WIDTHS)
    col_widths[1] = width - sum(w for w in col_widths if w is not None)
    items = Table(rows, colWidths=col_widths, repeatRows=1)
    items.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#BBBBBB")),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )

    total = _p(f"Total: {format_amount(invoice.total, invoice.currency)}", s["total"])

    def footer(canvas, doc_) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawRightString(
            A4[0] - _PAGE_MARGIN,
            _PAGE_MARGIN / 2,
            f"{invoice.invoice_id} - page {doc_.page}",
        )
        canvas.restoreState()

    # A frame without padding, so the tables span exactly the space between the margins.
    frame = Frame(
        doc.leftMargin, doc.bottomMargin, doc.width, doc.height, 0, 0, 0, 0, id="body"
    )
    doc.addPageTemplates([PageTemplate(id="invoice", frames=[frame], onPage=footer)])
    story = [
        header,
        Spacer(1, 8 * mm),
        *bill_to,
        Spacer(1, 6 * mm),
        items,
        Spacer(1, 4 * mm),
        total,
    ]
    doc.build(story)
    return buffer.getvalue()
