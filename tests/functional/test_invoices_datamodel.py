"""Invoice access patterns against the moto server: issue (gapless, idempotent), get, page newest first.

The invoice counter is one item per year shared by every test of this process: numbers are checked
relative to the counter's value read before each test acts.
"""

from __future__ import annotations

import uuid

import pytest

from datamodel import clients, invoices, keys, orders
from datamodel.clients import ClientFields
from datamodel.entities import InvoiceCounter, OrderRecord
from datamodel.errors import InvalidCursorError, InvoiceNotFoundError
from datamodel.errors import OrderNotInvoiceableError
from datamodel.invoices import BillTo
from datamodel.orders import Line
from domain.clock import utc_now
from domain.ids import new_id

BILL_TO = BillTo(name="Acme", email="billing@example.com", document="12-345")


def new_client() -> str:
    email = f"i-{uuid.uuid4().hex[:12]}@example.com"
    return clients.create(ClientFields(name="Acme", email=email, credit_limit=10**9, currency="USD")).client_id


def approved_order(client_id: str, quantity: int = 2) -> OrderRecord:
    order_id = new_id()
    orders.place(client_id, order_id, [Line("W-1", "Widget", quantity, 500)], "USD", quantity * 500)
    order = orders.get(client_id, order_id)
    assert orders.approve(order)
    return order


def counter() -> int:
    try:
        return int(InvoiceCounter.get(keys.INVOICE_COUNTER, keys.counter_sk(utc_now().year)).value)
    except InvoiceCounter.DoesNotExist:
        return 0


def issue(order: OrderRecord):
    invoice, _ = invoices.issue(order, BILL_TO, invoices.pdf_key(order.client_id, order.order_id))
    return invoice


def test_issue_takes_the_next_number_and_invoices_the_order_in_one_step():
    # GIVEN an APPROVED order, open on its client
    client_id = new_client()
    order = approved_order(client_id)
    start = counter()

    # WHEN invoiced
    invoice = issue(order)

    # THEN it has the next number of the year, and the order, index entry and client moved together
    year = utc_now().year
    assert invoice.invoice_id == f"INV-{year}-{start + 1:06d}" and counter() == start + 1
    stored = invoices.get(client_id, invoice.invoice_id)
    assert (stored.order_id, stored.total, stored.currency) == (order.order_id, 1000, "USD")
    assert (stored.bill_to_name, stored.bill_to_email, stored.bill_to_document) == (
        "Acme",
        "billing@example.com",
        "12-345",
    )
    assert stored.s3_key == f"invoices/{client_id}/{order.order_id}.pdf" and stored.issued_at.endswith("Z")
    invoiced = orders.get(client_id, order.order_id)
    assert (invoiced.status, invoiced.invoice_id) == (orders.INVOICED, invoice.invoice_id)
    assert invoiced.gsi1sk == keys.order_status_sk(orders.INVOICED, order.order_id)
    assert invoiced.gsi2pk is None and invoiced.gsi2sk is None
    assert clients.open_orders(client_id) == 0


def test_issuing_an_invoiced_order_again_returns_its_invoice_takes_no_number_and_says_it_did_not_issue():
    client_id = new_client()
    order = approved_order(client_id)
    first, first_issued = invoices.issue(order, BILL_TO, invoices.pdf_key(order.client_id, order.order_id))
    start = counter()

    # the stale APPROVED copy, as a duplicate message would hold
    again, again_issued = invoices.issue(order, BILL_TO, invoices.pdf_key(order.client_id, order.order_id))

    assert (first_issued, again_issued) == (True, False)
    assert again.invoice_id == first.invoice_id and again.issued_at == first.issued_at
    assert counter() == start
    assert clients.open_orders(client_id) == 0


def test_pending_order_cannot_be_invoiced_and_takes_no_number():
    client_id = new_client()
    order_id = new_id()
    orders.place(client_id, order_id, [Line("W-1", "Widget", 1, 1)], "USD", 1)
    start = counter()

    with pytest.raises(OrderNotInvoiceableError):
        issue(orders.get(client_id, order_id))

    assert counter() == start and orders.get(client_id, order_id).status == orders.PENDING


def test_lost_counter_race_is_retried_with_the_next_number(monkeypatch):
    # GIVEN another issuer takes a number between this issuer's read and its commit
    client_id = new_client()
    order = approved_order(client_id)
    real_read = invoices._counter_value
    reads = []

    def racing_read(year):
        value = real_read(year)
        reads.append(value)
        if len(reads) == 1:
            InvoiceCounter(keys.INVOICE_COUNTER, keys.counter_sk(year)).update(
                actions=[InvoiceCounter.value.set((value or 0) + 1)]
            )
        return value

    monkeypatch.setattr(invoices, "_counter_value", racing_read)

    # WHEN issuing
    invoice = issue(order)

    # THEN the first commit lost, the second read saw the other issuer's number, and took the one after
    assert len(reads) == 2 and reads[1] == (reads[0] or 0) + 1
    assert invoice.invoice_id.endswith(f"-{reads[1] + 1:06d}") and counter() == reads[1] + 1


def test_a_lost_race_against_the_same_clients_other_order_is_retried_too(monkeypatch):
    # GIVEN another order of the same client is invoiced, with the number this issuer will try, between
    # this issuer's read and its commit (two PaidOrderFunction processes at once): the commit then fails
    # on the counter and on the invoice's own key, which that number already holds under this client
    client_id = new_client()
    order, other = approved_order(client_id), approved_order(client_id)
    real_read = invoices._counter_value
    reads = []

    def racing_read(year):
        value = real_read(year)
        reads.append(value)
        if len(reads) == 1:
            monkeypatch.setattr(invoices, "_counter_value", real_read)
            issue(other)
            monkeypatch.setattr(invoices, "_counter_value", racing_read)
        return value

    monkeypatch.setattr(invoices, "_counter_value", racing_read)

    # WHEN issuing
    invoice = issue(order)

    # THEN it took the number after the other order's
    taken = invoices.get(client_id, orders.get(client_id, other.order_id).invoice_id)
    assert len(reads) == 2 and reads[1] == (reads[0] or 0) + 1
    assert invoice.invoice_id.endswith(f"-{reads[1] + 1:06d}") and taken.invoice_id.endswith(f"-{reads[1]:06d}")


def test_get_unknown_invoice_is_not_found():
    with pytest.raises(InvoiceNotFoundError):
        invoices.get(new_client(), f"INV-{utc_now().year}-999999")


def test_page_lists_a_clients_invoices_newest_first_across_pages():
    # GIVEN five invoices of one client, and one of another client
    client_id = new_client()
    issued = [issue(approved_order(client_id)).invoice_id for _ in range(5)]
    issue(approved_order(new_client()))

    # WHEN paged two at a time
    seen, cursor, pages = [], None, 0
    while True:
        page = invoices.page(client_id, limit=2, cursor=cursor)
        seen += [invoice.invoice_id for invoice in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break

    # THEN every invoice of that client appears once, newest first, and only that client's
    assert seen == list(reversed(issued))
    assert pages == 3


def test_page_only_holds_invoices_not_the_profile_or_orders():
    client_id = new_client()
    issue(approved_order(client_id))
    approved_order(client_id)  # another order, not invoiced

    page = invoices.page(client_id, limit=10)

    assert len(page.items) == 1 and page.next_cursor is None


def test_cursor_of_another_clients_listing_is_refused():
    first, second = new_client(), new_client()
    for _ in range(2):
        issue(approved_order(first))
    cursor = invoices.page(first, limit=1).next_cursor
    assert cursor is not None

    with pytest.raises(InvalidCursorError):
        invoices.page(second, limit=1, cursor=cursor)


def test_cursor_of_the_clients_orders_listing_is_refused_for_its_invoices():
    client_id = new_client()
    for _ in range(2):
        approved_order(client_id)
    cursor = orders.page(client_id, limit=1).next_cursor

    with pytest.raises(InvalidCursorError):
        invoices.page(client_id, limit=1, cursor=cursor)


def test_pdf_key_is_derived_from_the_order_only():
    assert invoices.pdf_key("C1", "O1") == "invoices/C1/O1.pdf" == invoices.pdf_key("C1", "O1")
