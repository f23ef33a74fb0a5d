"""Paid-order worker: consumes the paid-orders queue and invoices the batch's APPROVED orders together:
consecutive gapless numbers, the index entries and APPROVED → INVOICED in one transaction per batch
(`datamodel.invoices.issue_all`: the counter item takes one write per batch, not per order), then each
order's PDF in S3 at a key derived from the order.

Crash safety, step by step (an SQS message is deleted only after its record handler returns):
1. read every order of the batch and its client (the bill-to) in one BatchGetItem; the APPROVED ones →
   `invoices.issue_all` (one transaction: numbers, index entries, INVOICED, clients' open-orders counts). It
   is all or nothing, and an order found invoiced already keeps its first invoice.
2. per record, render the PDF from the stored invoice and order (deterministic bytes) and put it at
   `pdf_key(order)`.
A crash before 1 commits changes nothing; a crash between 1 and 2 leaves the order INVOICED and the
message redelivered, and a message that finds the order INVOICED re-renders the same bytes from the same
stored data and puts them at the same key. So duplicates and retries never consume a second number nor
write a second object (a versioned bucket keeps identical versions at that one key).

A paid message for a PENDING order cannot be sent by the approval worker; it raises so the record is
retried (and ends in the DLQ if it never resolves). For a REJECTED order it is logged and dropped.
Poison (bad body, unknown order) raises for its record alone; the rest of the batch is invoiced. Logs carry
ids only, never client data.

Each record's correlation id (its `correlationId` message attribute) labels its log lines and is kept as
the PDF object's `correlation-id` metadata; nothing new is stored in the table. Metrics: OrdersInvoiced,
WorkerFailures.
"""

from __future__ import annotations

from domain import config
from domain.coldstart import init_phase

# This function's configuration, checked once before anything else: a missing or bad value fails the init,
# naming the variable (domain/config.py).
config.require("TABLE_NAME", "BUCKET_NAME")
SELLER = config.seller()  # the issuer printed on every invoice

with init_phase():  # imports and set-up without the garbage collector's passes (domain/coldstart.py)
    from datetime import datetime
    from functools import partial
    from typing import NamedTuple

    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.metrics import MetricUnit
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from botocore.exceptions import ClientError

    from datamodel import invoices, orders
    from datamodel.base import aws_client, connect
    from datamodel.entities import InvoiceRecord, OrderRecord
    from datamodel.errors import ClientNotFoundError, OrderNotFoundError
    from domain import messages, observability, snapstart
    from domain.logs import keep_payloads_out_of_logs
    from domain.observability import allow_empty_metrics, count_worker_failures, traced
    from workers import seller_logo
    from workers.invoice_pdf import InvoiceDocument, InvoiceLine, render_invoice

    logger = Logger()
    metrics = Metrics()
    keep_payloads_out_of_logs()  # no message bodies or client data in any log line (domain/logs.py)
    allow_empty_metrics()  # a batch of replays invoices nothing
    processor = BatchProcessor(event_type=EventType.SQS, logger=logger)
    s3 = aws_client("s3")
    SELLER_LOGO = seller_logo.load(s3, config.BUCKET_NAME, config.seller_logo_key())  # optional
    connect()

    @snapstart.on_restore
    def _reconnect() -> None:
        global s3
        s3 = aws_client("s3")

    snapstart.register()  # SnapStart's hooks, when Lambda snapshots this init (domain/snapstart.py)


# S3 answers 412 when the object exists, 409 when a concurrent conditional write is in progress.
_ALREADY_STORED = {"PreconditionFailed", "ConditionalRequestConflict"}


class OrderNotApprovedError(Exception):
    """A paid message arrived for an order still PENDING: retried, it should never happen."""


class Prepared(NamedTuple):
    """What the batch's numbering step found for one record: its order and invoice, nothing to do (a rejected
    order: `order` only), or the error its record fails with."""

    order: OrderRecord | None = None
    invoice: InvoiceRecord | None = None
    issued: bool = False
    error: Exception | None = None


def number_batch(records: list[SQSRecord]) -> dict[str, Prepared]:
    """Read every record's order and client in one BatchGetItem and invoice the APPROVED orders in one
    transaction (per `invoices.MAX_PER_TRANSACTION`). Never raises: what goes wrong is its records' error."""
    prepared: dict[str, Prepared] = {}
    refs = {}
    for record in records:
        try:
            refs[record.message_id] = messages.parse(record.body)  # MalformedMessageError: poison
        except Exception as error:
            prepared[record.message_id] = Prepared(error=error)
    try:
        found = orders.with_clients([(ref.client_id, ref.order_id) for ref in refs.values()])
        requests: dict[str, invoices.Issue] = {}
        for message_id, ref in refs.items():
            order, client = found.get((ref.client_id, ref.order_id), (None, None))
            prepared[message_id] = _prepare(ref, order, client)
            if order is not None and order.status == orders.APPROVED and prepared[message_id].error is None:
                bill_to = invoices.BillTo(name=client.name, email=client.email, document=client.document)
                requests[message_id] = invoices.Issue(order, bill_to, invoices.pdf_key(ref.client_id, ref.order_id))
        for (message_id, request), issued in zip(requests.items(), invoices.issue_all(list(requests.values()))):
            prepared[message_id] = Prepared(request.order, issued.invoice, issued.issued, issued.error)
    except Exception as error:  # throttling, a broken invariant: every record not settled yet fails and retries
        for message_id in refs:
            if prepared.get(message_id) is None or prepared[message_id].error is None:
                prepared[message_id] = Prepared(error=error)
    return prepared


def _prepare(ref: messages.OrderRef, order: OrderRecord | None, client) -> Prepared:
    if order is None:
        return Prepared(error=OrderNotFoundError(ref.order_id))  # poison
    if order.status == orders.PENDING:
        return Prepared(order, error=OrderNotApprovedError(order.order_id))
    if order.status == orders.APPROVED and client is None:
        # The client cannot be deleted while this order is open (its openOrders counts it): gone, the record
        # fails and is retried (then dead-lettered), as a missing order is.
        return Prepared(order, error=ClientNotFoundError(order.client_id))
    return Prepared(order)


def record_handler(record: SQSRecord, batch: dict[str, Prepared]) -> None:
    # Kept until the next record, so the batch processor's failure log names this message too.
    logger.append_keys(messageId=record.message_id, orderId=None, clientId=None)
    correlation_id = messages.correlation_id(record.raw_event.get("messageAttributes"))
    logger.set_correlation_id(correlation_id)  # None: the record has none, and no other record's shows
    prepared = batch[record.message_id]
    if prepared.order is not None:
        logger.append_keys(orderId=prepared.order.order_id, clientId=prepared.order.client_id)
    if prepared.error is not None:
        raise prepared.error
    order = prepared.order
    if order.status == orders.REJECTED:
        logger.warning("paid message for a rejected order; dropped")
        return
    if prepared.invoice is not None:  # numbered by this batch, or found invoiced by it
        invoice = prepared.invoice
        if prepared.issued:  # not a duplicate delivery that found the order invoiced by another
            logger.info("invoice issued", extra={"invoiceId": invoice.invoice_id})
            metrics.add_metric(name=observability.ORDERS_INVOICED, unit=MetricUnit.Count, value=1)
    else:  # INVOICED: a replay, or the retry of a crash before the upload
        invoice = invoices.get(order.client_id, order.invoice_id)
    try:
        # If-None-Match: a duplicate delivery finds the PDF stored and adds no version to the versioned bucket.
        s3.put_object(
            Bucket=config.BUCKET_NAME,
            Key=invoice.s3_key,
            Body=render_invoice(document(invoice, order)),
            ContentType="application/pdf",
            ServerSideEncryption="AES256",
            IfNoneMatch="*",
            Metadata={"correlation-id": correlation_id} if correlation_id else {},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] not in _ALREADY_STORED:
            raise
        logger.info("invoice pdf already stored", extra={"invoiceId": invoice.invoice_id})
        return
    logger.info("invoice pdf stored", extra={"invoiceId": invoice.invoice_id})


def document(invoice: InvoiceRecord, order: OrderRecord) -> InvoiceDocument:
    """What the PDF prints, from stored data only (bill-to snapshot on the invoice, items on the order)."""
    return InvoiceDocument(
        invoice_id=invoice.invoice_id,
        issued_at=datetime.fromisoformat(invoice.issued_at),
        order_id=invoice.order_id,
        client_name=invoice.bill_to_name,
        client_email=invoice.bill_to_email,
        client_document=invoice.bill_to_document,
        currency=invoice.currency,
        items=[
            InvoiceLine(sku=i.sku, description=i.description, quantity=int(i.quantity), unit_price=int(i.unit_price))
            for i in order.items
        ],
        total=int(invoice.total),
        seller_name=SELLER.name,
        seller_address=SELLER.address,
        seller_tax_id=SELLER.tax_id,
        seller_logo=SELLER_LOGO,
    )


@traced
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    try:
        batch = number_batch([SQSRecord(record) for record in event.get("Records") or []])
        return process_partial_response(
            event=event, record_handler=partial(record_handler, batch=batch), processor=processor, context=context
        )
    finally:  # every record failed raises (BatchProcessingError): counted too
        count_worker_failures("paid-order", len(processor.fail_messages))
