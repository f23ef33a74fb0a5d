"""Invoice access patterns: issue (gapless number), get, list a client's invoices newest first.

Gapless numbers (DESIGN.md §5). The counter item `COUNTER#INVOICE / <year>` holds the last number issued
in that UTC year. `issue` reads it (consistent read), then in ONE transaction:

- moves the counter `value = n → n + 1` (or creates it at 1 when absent), conditional on `n`;
- puts the invoice index entry `CLIENT#<id> / INVOICE#INV-<year>-<n+1>`, conditional on its absence;
- moves the order APPROVED → INVOICED (sets `invoiceId`, leaves the open-orders index GSI2);
- counts one order less open on the client (`orders.close_on_client`).

So a number is consumed exactly when an order is invoiced: a crash before the commit consumes nothing, a
crash after it leaves everything done. A lost counter race (another issuer took `n + 1`) re-reads and
retries; a failed order condition means the order was invoiced already (a replay, or a concurrent
delivery), and that invoice is returned instead of a second one.

Numbers are `INV-<year>-<6 digits>`, so a client's invoices sort by issue order within a year and across
years (up to 999,999 invoices a year: beyond, the width grows, string order breaks and the contract's
`InvoiceId` pattern no longer matches). Known ceiling: the counter is one item, so every issuer serialises
on it (one partition, about 1,000 writes/s at best; concurrent issuers lose races and retry). The year is
the UTC year of `issuedAt`, both taken from the same clock reading.

The PDF lives at `pdf_key(client_id, order_id)`: derived from the order, not the number, so a retried
upload overwrites the same object.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from datamodel import keys, orders
from datamodel.base import PRIMARY_KEY
from datamodel.entities import InvoiceCounter, InvoiceRecord, OrderRecord
from datamodel.errors import InvoiceNotFoundError, InvoiceNumberContentionError, OrderNotInvoiceableError
from datamodel.paging import Page, paginate
from datamodel.transaction import ConditionsFailedError, Transaction
from domain.clock import rfc3339, utc_now

# A lost counter race is retried this often, after a short, growing, jittered pause.
_ATTEMPTS = 10
_BACKOFF_BASE_S = 0.01
_BACKOFF_CAP_S = 0.25


@dataclass(frozen=True)
class BillTo:
    """The client as printed on the invoice, snapshotted when it is issued."""

    name: str
    email: str
    document: str | None = None


def invoice_id(year: int, number: int) -> str:
    return f"INV-{year:04d}-{number:06d}"


def pdf_key(client_id: str, order_id: str) -> str:
    """The S3 key of an order's invoice PDF (one per order, whatever its number)."""
    return f"invoices/{client_id}/{order_id}.pdf"


def issue(order: OrderRecord, bill_to: BillTo, s3_key: str) -> tuple[InvoiceRecord, bool]:
    """Invoice an APPROVED order with the next gapless number of the current UTC year; answers the invoice
    and whether this call issued it.

    Idempotent: an order already INVOICED gets its existing invoice back (False), and no number is consumed.
    Raises `OrderNotInvoiceableError` for an order that is not APPROVED/INVOICED, and
    `InvoiceNumberContentionError` after `_ATTEMPTS` lost counter races.
    """
    for attempt in range(_ATTEMPTS):
        now = utc_now()
        year = now.year
        last = _counter_value(year)
        invoice = InvoiceRecord(
            keys.client_pk(order.client_id),
            keys.invoice_sk(invoice_id(year, (last or 0) + 1)),
            invoice_id=invoice_id(year, (last or 0) + 1),
            order_id=order.order_id,
            client_id=order.client_id,
            total=order.total,
            currency=order.currency,
            issued_at=rfc3339(now),
            s3_key=s3_key,
            bill_to_name=bill_to.name,
            bill_to_email=bill_to.email,
            bill_to_document=bill_to.document,
        )
        transaction = Transaction()
        if last is None:
            transaction.put(
                "counter",
                InvoiceCounter(keys.INVOICE_COUNTER, keys.counter_sk(year), value=1),
                condition=InvoiceCounter.pk.does_not_exist(),
            )
        else:
            transaction.update(
                "counter",
                InvoiceCounter(keys.INVOICE_COUNTER, keys.counter_sk(year)),
                [InvoiceCounter.value.set(last + 1)],
                condition=InvoiceCounter.value == last,
            )
        transaction.put("invoice", invoice, condition=InvoiceRecord.pk.does_not_exist())
        transaction.update(
            "order",
            OrderRecord(keys.client_pk(order.client_id), keys.order_sk(order.order_id)),
            [
                OrderRecord.status.set(orders.INVOICED),
                OrderRecord.invoice_id.set(invoice.invoice_id),
                OrderRecord.updated_at.set(invoice.issued_at),
                OrderRecord.gsi1sk.set(keys.order_status_sk(orders.INVOICED, order.order_id)),
                OrderRecord.gsi2pk.remove(),
                OrderRecord.gsi2sk.remove(),
            ],
            condition=OrderRecord.status == orders.APPROVED,
        )
        transaction.update("client", *orders.close_on_client(order.client_id))
        try:
            transaction.commit()
        except ConditionsFailedError as error:
            if "order" in error.names:
                return _existing_invoice(order), False
            if "counter" in error.names and error.names <= {"counter", "invoice"}:
                # Lost the number to another issuer; when that one invoiced another order of this same
                # client, the number's invoice key under this client is taken too. Either way: the next one.
                _pause(attempt)
                continue
            raise  # the index entry exists or the client is gone: an invariant is broken, never guess
        return invoice, True
    raise InvoiceNumberContentionError(order.order_id)


def get(client_id: str, invoice_id: str) -> InvoiceRecord:
    try:
        return InvoiceRecord.get(keys.client_pk(client_id), keys.invoice_sk(invoice_id))
    except InvoiceRecord.DoesNotExist as error:
        raise InvoiceNotFoundError(invoice_id) from error


def page(client_id: str, limit: int, cursor: str | None = None) -> Page[InvoiceRecord]:
    """A client's invoices, newest first (one Query: `begins_with(SK, "INVOICE#")`, descending)."""

    def query(**kwargs):
        return InvoiceRecord.key_query(
            keys.client_pk(client_id),
            InvoiceRecord.sk.startswith(keys.INVOICE_PREFIX),
            scan_index_forward=False,
            **kwargs,
        )

    return paginate(query, f"invoices:{client_id}", PRIMARY_KEY, limit, cursor)


def _counter_value(year: int) -> int | None:
    """The last number issued in `year`, None before the year's first invoice."""
    try:
        counter = InvoiceCounter.get(keys.INVOICE_COUNTER, keys.counter_sk(year), consistent_read=True)
    except InvoiceCounter.DoesNotExist:
        return None
    return int(counter.value)


def _existing_invoice(order: OrderRecord) -> InvoiceRecord:
    current = orders.get(order.client_id, order.order_id)
    if current.status != orders.INVOICED or not current.invoice_id:
        raise OrderNotInvoiceableError(f"order {order.order_id} is {current.status}")
    return get(current.client_id, current.invoice_id)


def _pause(attempt: int) -> None:
    """Full jitter: concurrent issuers that collided spread out instead of colliding again."""
    time.sleep(random.uniform(0, min(_BACKOFF_CAP_S, _BACKOFF_BASE_S * 2**attempt)))
