"""Section `render`: ms per invoice and bytes per PDF for 1, 10 and 100 line items (workers/invoice_pdf.py).

Baseline, measured in the same run and interleaved with the product (A/B/A/B): the same text lines drawn
with reportlab's bare canvas (`drawString`, Helvetica, a new page when the column is full) and no platypus
layout at all: no tables, paragraphs, wrapping, styles, repeated header row or footer. So the ratio is the
price of the invoice's layout, not of reportlab itself. No target: the design sets none for rendering.

The 100-line invoice (the contract's maximum) is also read back with pypdf to check that it paginates
correctly: every SKU exactly once, the header row and a consecutive page footer on every page, the total
on the last page only. The result goes into the figure's `detail["pagination"]`; a failure is a real bug.
"""

from __future__ import annotations

import io
import time
from datetime import datetime, timezone
from typing import Any

from shoplocal.bench.common import BenchContext, Figure

SECTION = "render"
LINE_COUNTS = (1, 10, 100)
BASELINE_LABEL = "same text on a bare reportlab canvas (no tables, wrapping or styles)"
_ISSUED = datetime(2026, 3, 4, 15, 30, tzinfo=timezone.utc)


def make_invoice(lines: int, *, worst_case: bool = False):
    """An invoice of `lines` items; `worst_case` uses the contract's longest SKU and description."""
    from domain.config import ADDRESS_SEPARATOR
    from shoplocal.provision import LOCAL_PARAMETERS
    from workers.invoice_pdf import InvoiceDocument, InvoiceLine

    items = [
        InvoiceLine(
            sku=(f"SKU-{i:04d}-" + "X" * 55) if worst_case else f"SKU-{i:04d}",
            description=(f"Item {i:04d} " + "long description " * 12)[:200] if worst_case else f"Widget model {i}, blue",
            quantity=10_000 if worst_case else i + 1,
            unit_price=10**9 if worst_case else 1_250 + i,
        )
        for i in range(lines)
    ]
    return InvoiceDocument(
        invoice_id="INV-2026-000001",
        issued_at=_ISSUED,
        order_id="01JNZ8Q4S6T7V8W9XAYBZC0D1E",
        client_name="Acme Industrial Supplies Ltd.",
        client_email="billing@acme.example",
        client_document="12.345.678/0001-90",
        currency="USD",
        items=items,
        total=sum(item.quantity * item.unit_price for item in items),
        # The local stack's example seller (template.yaml Seller* parameters, shoplocal/provision.py).
        seller_name=LOCAL_PARAMETERS["SellerName"],
        seller_address=tuple(LOCAL_PARAMETERS["SellerAddress"].split(ADDRESS_SEPARATOR)),
        seller_tax_id=LOCAL_PARAMETERS["SellerTaxId"],
    )


def text_lines(invoice) -> list[str]:
    """The lines the invoice prints, as plain strings (what the baseline draws)."""
    from domain.money import format_amount, line_total

    lines = [invoice.seller_name, *invoice.seller_address, f"Tax id: {invoice.seller_tax_id}"]
    lines += [f"Invoice {invoice.invoice_id}", f"Issue date: {invoice.issued_at:%Y-%m-%d}", f"Order: {invoice.order_id}"]
    lines += ["Bill to", invoice.client_name, invoice.client_email]
    if invoice.client_document:
        lines.append(f"Document: {invoice.client_document}")
    lines.append("SKU  Description  Qty  Unit price  Line total")
    for item in invoice.items:
        amount = format_amount(line_total(item.quantity, item.unit_price), invoice.currency)
        price = format_amount(item.unit_price, invoice.currency)
        lines.append(f"{item.sku}  {item.description}  {item.quantity:,}  {price}  {amount}")
    lines.append(f"Total: {format_amount(invoice.total, invoice.currency)}")
    return lines


def render_baseline(invoice) -> bytes:
    """The same text on reportlab's canvas, one string per line, new page when the column is full."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    margin, leading = 18 * mm, 12
    y = A4[1] - margin
    canvas.setFont("Helvetica", 8.5)
    for line in text_lines(invoice):
        if y < margin:
            canvas.showPage()
            canvas.setFont("Helvetica", 8.5)
            y = A4[1] - margin
        canvas.drawString(margin, y, line)
        y -= leading
    canvas.save()
    return buffer.getvalue()


def check_pagination(pdf: bytes, invoice) -> dict[str, Any]:
    """Read the PDF back: pages, and every way the multi-page layout could go wrong (empty = correct)."""
    try:
        from pypdf import PdfReader
    except ImportError:  # a dev dependency; the benchmark runs in the dev environment
        return {"checked": False, "reason": "pypdf not installed"}
    from domain.money import format_amount

    pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]
    # A long SKU wraps inside its cell: compare without whitespace.
    compact = ["".join(text.split()) for text in pages]
    problems = []
    for item in invoice.items:
        seen = sum(page.count(item.sku) for page in compact)
        if seen != 1:
            problems.append(f"{item.sku} printed {seen} times")
    for number, text in enumerate(pages, start=1):
        if f"{invoice.invoice_id} - page {number}" not in text:
            problems.append(f"page {number}: footer missing or out of order")
        if "SKU" not in text.split():
            problems.append(f"page {number}: header row not repeated")
    total = f"Total: {format_amount(invoice.total, invoice.currency)}"
    on_pages = [number for number, text in enumerate(pages, start=1) if total in " ".join(text.split())]
    if on_pages != [len(pages)]:
        problems.append(f"total on pages {on_pages}, expected only on page {len(pages)}")
    return {"checked": True, "pages": len(pages), "ok": not problems, "problems": problems}


def _ms(function, *args) -> tuple[float, bytes]:
    started = time.perf_counter()
    result = function(*args)
    return (time.perf_counter() - started) * 1000, result


def measure(ctx: BenchContext) -> list[Figure]:
    from workers.invoice_pdf import render_invoice

    # Warm both paths once: the first render loads fonts and reportlab's lazy modules.
    render_invoice(make_invoice(1))
    render_baseline(make_invoice(1))
    repetitions = max(ctx.repetitions, 3)
    figures = []
    for lines in LINE_COUNTS:
        invoice = make_invoice(lines)
        product_ms, baseline_ms, product_bytes, baseline_bytes = [], [], [], []
        for _ in range(repetitions):  # A/B/A/B, so background noise hits both alike
            elapsed, pdf = _ms(render_invoice, invoice)
            product_ms.append(elapsed)
            product_bytes.append(float(len(pdf)))
            elapsed, plain = _ms(render_baseline, invoice)
            baseline_ms.append(elapsed)
            baseline_bytes.append(float(len(plain)))
        pagination = check_pagination(pdf, invoice)
        detail: dict[str, Any] = {"line_items": lines, "pages": pagination.get("pages")}
        if lines == max(LINE_COUNTS):
            detail["pagination"] = pagination
            worst = make_invoice(lines, worst_case=True)
            detail["pagination_longest_fields"] = check_pagination(render_invoice(worst), worst)
        note = ""
        for key in ("pagination", "pagination_longest_fields"):
            if detail.get(key, {}).get("ok") is False:
                note = f"PAGINATION BUG: {detail[key]['problems'][:5]}"
        figures.append(
            Figure(SECTION, f"{lines} line items: time", "ms", product_ms, baseline_ms, BASELINE_LABEL, note=note, detail=detail)
        )
        figures.append(
            Figure(SECTION, f"{lines} line items: size", "bytes", product_bytes, baseline_bytes, BASELINE_LABEL, detail={"line_items": lines})
        )
    return figures
