"""Paid-order worker: consumes the paid-orders queue and issues each APPROVED order's invoice: a gapless
number, the index entry and APPROVED → INVOICED in one transaction (`datamodel.invoices.issue`), then the
PDF in S3 at a key derived from the order.

Crash safety, step by step (the SQS message is deleted only after the record handler returns):
1. read the order (and its client, the bill-to, in the same call); APPROVED → `invoices.issue` (one
   transaction: number, index entry, INVOICED, client's open-orders count). It is all or nothing, and a
   second call for the same order returns the first invoice.
2. render the PDF from the stored invoice and order (deterministic bytes) and put it at `pdf_key(order)`.
A crash before 1 commits changes nothing; a crash between 1 and 2 leaves the order INVOICED and the
message redelivered, and a message that finds the order INVOICED re-renders the same bytes from the same
stored data and puts them at the same key. So duplicates and retries never consume a second number nor
write a second object (a versioned bucket keeps identical versions at that one key).

A paid message for a PENDING order cannot be sent by the approval worker; it raises so the record is
retried (and ends in the DLQ if it never resolves). For a REJECTED order it is logged and dropped.
Poison (bad body, unknown order) raises. Logs carry ids only, never client data.

Each record's correlation id (its `correlationId` message attribute) labels its log lines and is kept as
the PDF object's `correlation-id` metadata; nothing new is stored in the table. Metrics: OrdersInvoiced,
WorkerFailures.
"""

from __future__ import annotations

from domain.coldstart import init_phase

with init_phase():  # imports and set-up without the garbage collector's passes (domain/coldstart.py)
    from datetime import datetime

    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.metrics import MetricUnit
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from botocore.exceptions import ClientError

    from datamodel import invoices, orders
    from datamodel.base import aws_client, connect
    from datamodel.entities import InvoiceRecord, OrderRecord
    from datamodel.errors import ClientNotFoundError
    from domain import config, messages, observability
    from domain.logs import keep_payloads_out_of_logs
    from domain.observability import allow_empty_metrics, count_worker_failures, traced
    from workers.invoice_pdf import InvoiceDocument, InvoiceLine, render_invoice

    logger = Logger()
    metrics = Metrics()
    keep_payloads_out_of_logs()  # no message bodies or client data in any log line (domain/logs.py)
    allow_empty_metrics()  # a batch of replays invoices nothing
    processor = BatchProcessor(event_type=EventType.SQS, logger=logger)
    s3 = aws_client("s3")
    connect()


# S3 answers 412 when the object exists, 409 when a concurrent conditional write is in progress.
_ALREADY_STORED = {"PreconditionFailed", "ConditionalRequestConflict"}


class OrderNotApprovedError(Exception):
    """A paid message arrived for an order still PENDING: retried, it should never happen."""


def record_handler(record: SQSRecord) -> None:
    # Kept until the next record, so the batch processor's failure log names this message too.
    logger.append_keys(messageId=record.message_id, orderId=None, clientId=None)
    correlation_id = messages.correlation_id(record.raw_event.get("messageAttributes"))
    logger.set_correlation_id(correlation_id)  # None: the record has none, and no other record's shows
    ref = messages.parse(record.body)  # MalformedMessageError: poison
    logger.append_keys(orderId=ref.order_id, clientId=ref.client_id)
    # The client (bill-to) comes with the order in one BatchGetItem; only an APPROVED order needs it.
    order, client = orders.with_client(ref.client_id, ref.order_id)  # OrderNotFoundError: poison
    if order.status == orders.PENDING:
        raise OrderNotApprovedError(order.order_id)
    if order.status == orders.REJECTED:
        logger.warning("paid message for a rejected order; dropped")
        return
    if order.status == orders.APPROVED:
        # The client cannot be deleted while this order is open (its openOrders counts it): gone, the
        # record fails and is retried (then dead-lettered), as a missing order is.
        if client is None:
            raise ClientNotFoundError(order.client_id)
        bill_to = invoices.BillTo(name=client.name, email=client.email, document=client.document)
        invoice, issued = invoices.issue(order, bill_to, invoices.pdf_key(order.client_id, order.order_id))
        if issued:  # not a concurrent duplicate delivery that found the order invoiced by another
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
    )


@traced
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    try:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    finally:  # every record failed raises (BatchProcessingError): counted too
        count_worker_failures("paid-order", len(processor.fail_messages))
