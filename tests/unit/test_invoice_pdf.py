"""workers.invoice_pdf: the rendered PDF, read back with pypdf."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from workers.invoice_pdf import InvoiceDocument, InvoiceLine, render_invoice

ISSUED = datetime(2026, 3, 4, 15, 30, tzinfo=timezone.utc)


def make_invoice(
    items: list[InvoiceLine] | None = None, **overrides
) -> InvoiceDocument:
    items = items or [
        InvoiceLine("WIDGET-1", "Blue widget", 3, 1250),
        InvoiceLine("GADGET-2", "Red gadget", 2, 100_000),
        InvoiceLine("BOLT-3", "Bolt", 1_000, 5),
    ]
    fields = dict(
        invoice_id="INV-2026-000001",
        issued_at=ISSUED,
        order_id="01JNZ8Q4S6T7V8W9XAYBZC0D1E",
        client_name="Ada Lovelace",
        client_email="ada@example.com",
        client_document="123.456.789-09",
        currency="USD",
        items=items,
        total=sum(line.quantity * line.unit_price for line in items),
        seller_name="Example Seller Ltd.",
        seller_address=("1 Example Street", "Springfield"),
        seller_tax_id="EIN 12-3456789",
    )
    fields.update(overrides)
    return InvoiceDocument(**fields)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def text_lines(data: bytes) -> set[str]:
    return {line.strip() for line in pdf_text(data).splitlines()}


def test_renders_a_pdf():
    data = render_invoice(make_invoice())

    assert data.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


def test_shows_invoice_number_date_order_and_client():
    # GIVEN an invoice for a client with a tax document
    invoice = make_invoice()

    # WHEN it is rendered
    text = pdf_text(render_invoice(invoice))

    # THEN the identifying fields are printed
    assert "Invoice INV-2026-000001" in text
    assert "2026-03-04" in text
    assert "01JNZ8Q4S6T7V8W9XAYBZC0D1E" in text
    assert "Ada Lovelace" in text
    assert "ada@example.com" in text
    assert "123.456.789-09" in text


def test_shows_the_seller_block():
    text = pdf_text(
        render_invoice(
            make_invoice(
                seller_name="Acme GmbH",
                seller_address=("Hauptstr. 1", "Berlin"),
                seller_tax_id="DE123456789",
            )
        )
    )

    assert "Acme GmbH" in text
    assert "Hauptstr. 1" in text
    assert "Berlin" in text
    assert "DE123456789" in text


def test_the_seller_block_prints_each_address_line_on_its_own_line_before_the_invoice_heading():
    lines = [line.strip() for line in pdf_text(render_invoice(make_invoice())).splitlines()]

    start = lines.index("Example Seller Ltd.")
    assert lines[start : start + 5] == [
        "Example Seller Ltd.", "1 Example Street", "Springfield", "Tax id: EIN 12-3456789", "Invoice INV-2026-000001"
    ]


def test_seller_markup_is_printed_literally():
    text = pdf_text(render_invoice(make_invoice(seller_name="A&B <Trading>", seller_tax_id="<b>X</b>")))

    assert "A&B <Trading>" in text and "<b>X</b>" in text


@pytest.mark.parametrize("missing", [{"seller_name": ""}, {"seller_address": ()}, {"seller_tax_id": ""}])
def test_refuses_an_invoice_without_its_seller(missing):
    with pytest.raises(ValueError, match="seller"):
        make_invoice(**missing)


def test_omits_the_document_line_when_the_client_has_none():
    text = pdf_text(render_invoice(make_invoice(client_document=None)))

    assert "Ada Lovelace" in text
    assert "Document" not in text


def test_shows_every_line_with_its_amounts_and_the_total():
    # GIVEN three lines in USD
    invoice = make_invoice()

    # WHEN rendered
    lines = text_lines(render_invoice(invoice))

    # THEN each cell is printed, amounts with two decimals and the currency
    assert {"SKU", "Description", "Qty", "Unit price", "Line total"} <= lines
    assert {"WIDGET-1", "Blue widget", "3", "12.50 USD", "37.50 USD"} <= lines
    assert {"GADGET-2", "Red gadget", "2", "1,000.00 USD", "2,000.00 USD"} <= lines
    assert {"BOLT-3", "Bolt", "1,000", "0.05 USD", "50.00 USD"} <= lines
    assert "Total: 2,087.50 USD" in lines


def test_the_issue_date_is_the_utc_date():
    # GIVEN an invoice issued late on 31 Dec in New York, already 1 Jan in UTC
    issued = datetime(2026, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5)))

    text = pdf_text(render_invoice(make_invoice(issued_at=issued)))

    assert "2027-01-01" in text
    assert "2026-12-31" not in text


def test_a_jpy_invoice_shows_no_decimals():
    # GIVEN a yen invoice
    items = [
        InvoiceLine("TEA-1", "Green tea", 2, 1500),
        InvoiceLine("CUP-2", "Cup", 1, 800),
    ]
    invoice = make_invoice(items, currency="JPY")

    # WHEN rendered
    text = pdf_text(render_invoice(invoice))

    # THEN amounts are whole yen
    assert "1,500 JPY" in text
    assert "3,000 JPY" in text
    assert "Total: 3,800 JPY" in text
    assert not re.search(r"\d\.\d+ JPY", text)


def test_markup_in_client_supplied_text_is_printed_literally():
    # GIVEN client text that looks like reportlab paragraph markup
    items = [InvoiceLine("TJ-1", "<b>Tom & Jerry</b>", 1, 100)]
    invoice = make_invoice(
        items, client_name="<i>ACME</i> & Sons <br/>", client_document="A&B<1>"
    )

    # WHEN rendered (unescaped, this would raise or silently turn bold)
    text = pdf_text(render_invoice(invoice))

    # THEN it appears character for character
    assert "<b>Tom & Jerry</b>" in text
    assert "<i>ACME</i> & Sons <br/>" in text
    assert "A&B<1>" in text


def test_a_long_description_wraps_inside_its_cell_without_losing_words():
    description = " ".join(f"word{i}" for i in range(40))
    invoice = make_invoice([InvoiceLine("LONG-1", description, 1, 100)])

    text = pdf_text(render_invoice(invoice))

    assert " ".join(text.split()).count(description) == 1


def test_100_lines_span_several_pages_and_every_sku_is_printed():
    # GIVEN the contract's maximum of 100 lines
    items = [
        InvoiceLine(f"SKU-{i:04d}", f"Item number {i}", i + 1, 100 + i)
        for i in range(100)
    ]
    invoice = make_invoice(items)

    # WHEN rendered
    data = render_invoice(invoice)

    # THEN it takes more than one page, every SKU is there, and the total comes last
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 1
    assert {line.sku for line in items} <= text_lines(data)
    last_page = reader.pages[-1].extract_text()
    assert invoice.total == 838_300
    assert "Total: 8,383.00 USD" in last_page


def test_the_largest_amounts_the_contract_allows_are_printed_whole():
    items = [InvoiceLine("BIG-1", "Bulk", 10_000, 10**9)]

    lines = text_lines(render_invoice(make_invoice(items)))

    assert "10,000,000.00 USD" in lines
    assert "100,000,000,000.00 USD" in lines
    assert "Total: 100,000,000,000.00 USD" in lines


def test_the_same_invoice_renders_identical_bytes():
    # GIVEN the same invoice rendered twice (a retried message)
    first = render_invoice(make_invoice())
    second = render_invoice(make_invoice())

    # THEN the bytes are equal, so the S3 object does not change
    assert first == second


def test_different_invoices_render_different_bytes():
    assert render_invoice(make_invoice()) != render_invoice(
        make_invoice(invoice_id="INV-2026-000002")
    )


def test_sets_title_and_author_metadata():
    metadata = PdfReader(io.BytesIO(render_invoice(make_invoice()))).metadata

    assert metadata.title == "Invoice INV-2026-000001"
    assert metadata.author == "Example Seller Ltd."


def test_refuses_a_total_that_is_not_the_sum_of_the_lines():
    with pytest.raises(ValueError, match="total"):
        make_invoice(total=1)


def test_refuses_a_naive_issue_time():
    with pytest.raises(ValueError, match="timezone"):
        make_invoice(issued_at=datetime(2026, 3, 4, 15, 30))


def test_refuses_an_unknown_currency():
    with pytest.raises(ValueError, match="currency"):
        make_invoice(currency="XYZ")


def test_refuses_an_invoice_without_lines():
    with pytest.raises(ValueError):
        replace(make_invoice(), items=[], total=0)


def png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_without_a_logo_the_invoice_holds_no_image():
    page = PdfReader(io.BytesIO(render_invoice(make_invoice()))).pages[0]
    assert list(page.images) == []


def test_the_seller_logo_is_printed_on_the_first_page_above_the_seller_block():
    # GIVEN a 400x100 logo
    data = render_invoice(make_invoice(seller_logo=png(400, 100)))

    # THEN the first page holds that one image, at its own pixel size, and the seller block is still printed
    reader = PdfReader(io.BytesIO(data))
    images = list(reader.pages[0].images)
    assert len(images) == 1 and images[0].image.size == (400, 100)
    assert {"Example Seller Ltd.", "1 Example Street", "Tax id: EIN 12-3456789"} <= text_lines(data)
    # AND only the first page: the logo is part of the header, not of every page
    many = render_invoice(make_invoice([InvoiceLine(f"SKU-{n}", "Item", 1, 100) for n in range(100)],
                                       seller_logo=png(400, 100)))
    pages = PdfReader(io.BytesIO(many)).pages
    assert len(pages) > 1 and [len(list(page.images)) for page in pages[1:]] == [0] * (len(pages) - 1)


def test_a_logo_is_scaled_into_its_box_keeping_its_aspect():
    from workers.invoice_pdf import _LOGO_BOX, _logo

    # GIVEN a wide and a tall logo, both larger than the box
    for width, height in ((4000, 500), (300, 3000)):
        image = _logo(png(width, height))
        # THEN each fits the box and keeps its proportions
        assert image.drawWidth <= _LOGO_BOX[0] + 1e-6 and image.drawHeight <= _LOGO_BOX[1] + 1e-6
        assert image.drawWidth / image.drawHeight == pytest.approx(width / height)
    # AND a small logo is never enlarged
    small = _logo(png(40, 20))
    assert (small.drawWidth, small.drawHeight) == (40, 20)


def test_an_invoice_with_a_logo_renders_identical_bytes_twice():
    logo = png(120, 60)
    assert render_invoice(make_invoice(seller_logo=logo)) == render_invoice(make_invoice(seller_logo=logo))
