"""Invoice access patterns: issue (gapless number), get, list a client's invoices newest first.

Gapless numbers (docs/architecture.md §5). The counter item `COUNTER#INVOICE / <year>` holds the last number issued
in that UTC year. `issue_all` numbers a batch of k orders: it reads the counter (consistent read), then in ONE
transaction:

- moves the counter `value = n → n + k` (or creates it at k when absent), conditional on `n`;
- puts each invoice index entry `CLIENT#<id> / INVOICE#INV-<year>-<n+i>`, conditional on its absence;
- moves each order APPROVED → INVOICED (sets `invoiceId`, leaves the open-orders index GSI2);
- counts the orders less open on each client (`orders.close_on_client`, one update per client).

So numbers are consumed exactly when their orders are invoiced: a crash before the commit consumes nothing, a
crash after it leaves everything done. A lost counter race (another issuer took `n + 1`) re-reads and
retries; a failed order condition means that order was invoiced already (a replay, or a concurrent
delivery): it gets that invoice instead of a second one, and the rest of the batch is numbered again without
it. The counter takes one write per batch, not per order: that is what lifts the pipeline's ceiling on AWS
(BENCHMARKS.md, capacity model). `issue` is the batch of one.

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
from collections import Counter
from collections.abc import Sequence
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


@dataclass(frozen=True)
class Issue:
    """One order to invoice: the APPROVED order, its bill-to snapshot and its PDF's key."""

    order: OrderRecord
    bill_to: BillTo
    s3_key: str


@dataclass(frozen=True)
class Issued:
    """What issuing one order came to: its invoice and whether this call issued it, or why it could not be."""

    invoice: InvoiceRecord | None
    issued: bool = False
    error: Exception | None = None

    def result(self) -> tuple[InvoiceRecord, bool]:
        if self.error is not None:
            raise self.error
        assert self.invoice is not None
        return self.invoice, self.issued


# DynamoDB takes at most 100 actions in a transaction: per order an index entry and an order update, at most one
# client update each, and the counter once.
MAX_PER_TRANSACTION = 33


def issue(order: OrderRecord, bill_to: BillTo, s3_key: str) -> tuple[InvoiceRecord, bool]:
    """Invoice an APPROVED order with the next gapless number of the current UTC year; answers the invoice
    and whether this call issued it.

    Idempotent: an order already INVOICED gets its existing invoice back (False), and no number is consumed.
    Raises `OrderNotInvoiceableError` for an order that is not APPROVED/INVOICED, and
    `InvoiceNumberContentionError` after `_ATTEMPTS` lost counter races.
    """
    return issue_all([Issue(order, bill_to, s3_key)])[0].result()


def issue_all(requests: Sequence[Issue]) -> list[Issued]:
    """Invoice several APPROVED orders with consecutive numbers, up to `MAX_PER_TRANSACTION` of them in one
    transaction that moves the counter once (`n → n + k`): the counter item takes one write per batch, not one
    per order. Answers one `Issued` per request, in order.

    Per order as `issue`: an order found INVOICED (a replay, a duplicate in the batch, a concurrent delivery)
    gets its existing invoice and consumes no number; one that is neither APPROVED nor INVOICED gets its
    `OrderNotInvoiceableError`, and the others are still invoiced. A transaction that cannot commit after
    `_ATTEMPTS` lost counter races fails its orders with `InvoiceNumberContentionError`; any other failure
    raises, having issued nothing of that transaction."""
    unique: dict[str, Issue] = {}
    for request in requests:
        unique.setdefault(request.order.order_id, request)
    outcomes: dict[str, Issued] = {}
    batch = list(unique.values())
    for start in range(0, len(batch), MAX_PER_TRANSACTION):
        outcomes.update(_issue_together(batch[start : start + MAX_PER_TRANSACTION]))
    answered: set[str] = set()
    results = []
    for request in requests:
        outcome = outcomes[request.order.order_id]
        if request.order.order_id in answered and outcome.issued:  # a duplicate in the batch: issued once
            outcome = Issued(outcome.invoice, issued=False)
        answered.add(request.order.order_id)
        results.append(outcome)
    return results


def _issue_together(batch: list[Issue]) -> dict[str, Issued]:
    outcomes: dict[str, Issued] = {}
    remaining = list(batch)
    for attempt in range(_ATTEMPTS):
        if not remaining:
            return outcomes
        now = utc_now()
        year = now.year
        last = _counter_value(year)
        numbered = [
            _invoice(request, invoice_id(year, (last or 0) + 1 + offset), rfc3339(now))
            for offset, request in enumerate(remaining)
        ]
        try:
            _numbering_transaction(year, last, remaining, numbered).commit()
        except ConditionsFailedError as error:
            invoiced_meanwhile = {name.removeprefix("order ") for name in error.names if name.startswith("order ")}
            lost_race = "counter" in error.names
            # Lost the numbers to another issuer: when that one invoiced another order of a client of this batch,
            # a number's invoice key under that client is taken too. Either way: number again from the counter.
            unexplained = {
                name
                for name in error.names - {"counter"}
                if not name.startswith("order ") and not (lost_race and name.startswith("invoice "))
            }
            if unexplained:
                raise  # an index entry exists or a client is gone: an invariant is broken, never guess
            for request in [r for r in remaining if r.order.order_id in invoiced_meanwhile]:
                outcomes[request.order.order_id] = _existing_outcome(request.order)
            remaining = [r for r in remaining if r.order.order_id not in invoiced_meanwhile]
            if lost_race:
                _pause(attempt)
            continue
        outcomes.update({r.order.order_id: Issued(i, issued=True) for r, i in zip(remaining, numbered)})
        return outcomes
    for request in remaining:
        outcomes[request.order.order_id] = Issued(None, error=InvoiceNumberContentionError(request.order.order_id))
    return outcomes


def _invoice(request: Issue, number: str, issued_at: str) -> InvoiceRecord:
    order = request.order
    return InvoiceRecord(
        keys.client_pk(order.client_id),
        keys.invoice_sk(number),
        invoice_id=number,
        order_id=order.order_id,
        client_id=order.client_id,
        total=order.total,
        currency=order.currency,
        issued_at=issued_at,
        s3_key=request.s3_key,
        bill_to_name=request.bill_to.name,
        bill_to_email=request.bill_to.email,
        bill_to_document=request.bill_to.document,
    )


def _numbering_transaction(
    year: int, last: int | None, batch: list[Issue], numbered: list[InvoiceRecord]
) -> Transaction:
    """Counter `last → last + k`, each invoice's index entry and order move, and one open-orders update per
    client (DynamoDB allows one action per item in a transaction)."""
    transaction = Transaction()
    if last is None:
        transaction.put(
            "counter",
            InvoiceCounter(keys.INVOICE_COUNTER, keys.counter_sk(year), value=len(batch)),
            condition=InvoiceCounter.pk.does_not_exist(),
        )
    else:
        transaction.update(
            "counter",
            InvoiceCounter(keys.INVOICE_COUNTER, keys.counter_sk(year)),
            [InvoiceCounter.value.set(last + len(batch))],
            condition=InvoiceCounter.value == last,
        )
    for request, invoice in zip(batch, numbered):
        order = request.order
        transaction.put(f"invoice {order.order_id}", invoice, condition=InvoiceRecord.pk.does_not_exist())
        transaction.update(
            f"order {order.order_id}",
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
    for client_id, count in Counter(request.order.client_id for request in batch).items():
        transaction.update(f"client {client_id}", *orders.close_on_client(client_id, count))
    return transaction


def _existing_outcome(order: OrderRecord) -> Issued:
    try:
        return Issued(_existing_invoice(order))
    except (OrderNotInvoiceableError, InvoiceNotFoundError) as error:
        return Issued(None, error=error)


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
