"""Approval worker: consumes the orders queue, approves or rejects each PENDING order, and sends the
"paid" message of an approved order to the paid-orders queue.

Crash safety, step by step (the SQS message is deleted only after the record handler returns):
1. read the order and its client in one call (the table is the source of truth; the message only names them);
2. PENDING → APPROVED or REJECTED, a conditional write on PENDING (`datamodel.orders`);
3. for APPROVED, send the paid message.
A crash before 2 changes nothing; a crash between 2 and 3 leaves the order APPROVED and the message
redelivered, and a message that finds the order APPROVED sends the paid message again. So a paid message
may be sent more than once: the paid-order worker tolerates duplicates. A message that finds the order
REJECTED or INVOICED does nothing.

Each record's correlation id (its `correlationId` message attribute, domain/messages.py) labels its log
lines and rides on the paid message it sends. Metrics: OrdersApproved, OrdersRejected, WorkerFailures.

Poison (a body that is not an order reference, or an order that does not exist) raises: the record is
reported failed and reaches the DLQ after `maxReceiveCount`, never blocking the rest of its batch.
Logs carry ids only, never message bodies or client data.
"""

from __future__ import annotations

from domain import config
from domain.coldstart import init_phase

# This function's configuration, checked once before anything else: a missing or empty variable fails the
# init, naming it (domain/config.py).
config.require("TABLE_NAME", "PAID_ORDERS_QUEUE_URL")

with init_phase():  # imports and set-up without the garbage collector's passes (domain/coldstart.py)
    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.metrics import MetricUnit
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from datamodel import orders
    from datamodel.base import aws_client, connect
    from datamodel.entities import ClientRecord, OrderRecord
    from domain import config, messages, observability, snapstart
    from domain.logs import keep_payloads_out_of_logs
    from domain.observability import allow_empty_metrics, count_worker_failures, traced
    from workers import approval_rules

    logger = Logger()
    metrics = Metrics()
    keep_payloads_out_of_logs()  # no message bodies or client data in any log line (domain/logs.py)
    allow_empty_metrics()  # a batch of replays decides nothing
    processor = BatchProcessor(event_type=EventType.SQS, logger=logger)
    sqs = aws_client("sqs")
    connect()

    @snapstart.on_restore
    def _reconnect() -> None:
        global sqs
        sqs = aws_client("sqs")

    snapstart.register()  # SnapStart's hooks, when Lambda snapshots this init (domain/snapstart.py)


def record_handler(record: SQSRecord) -> None:
    # Kept until the next record, so the batch processor's failure log names this message too.
    logger.append_keys(messageId=record.message_id, orderId=None, clientId=None)
    correlation_id = messages.correlation_id(record.raw_event.get("messageAttributes"))
    logger.set_correlation_id(correlation_id)  # None: the record has none, and no other record's shows
    ref = messages.parse(record.body)  # MalformedMessageError: poison
    logger.append_keys(orderId=ref.order_id, clientId=ref.client_id)
    # The client is read with the order (one BatchGetItem), though a replay does not need it: same one call.
    order, client = orders.with_client(ref.client_id, ref.order_id)  # OrderNotFoundError: poison
    if order.status == orders.PENDING:
        status = _decide(order, client)
    else:
        status = order.status  # a replay: APPROVED re-sends the paid message, terminal does nothing
        logger.info("order already decided", extra={"status": status})
    if status == orders.APPROVED:
        sqs.send_message(
            QueueUrl=config.PAID_ORDERS_QUEUE_URL,
            MessageBody=messages.body(order.client_id, order.order_id),
            MessageAttributes=messages.attributes(correlation_id),
        )
        logger.info("paid message sent")


def _decide(order: OrderRecord, client: ClientRecord | None) -> str:
    """Apply the rules to a PENDING order of `client` (None: gone), write the outcome, and answer the order's
    status afterwards."""
    decision = approval_rules.decide(order.total, order.currency, client)
    if decision.approved:
        moved, status = orders.approve(order), orders.APPROVED
    else:
        moved, status = orders.reject(order, decision.reason, client_exists=client is not None), orders.REJECTED
    if not moved:
        # A concurrent delivery of the same order decided first: go on from what it wrote.
        return orders.get(order.client_id, order.order_id).status
    logger.info("order decided", extra={"status": status, "reason": decision.reason})
    # Counted only by the delivery whose write moved the order, so a replay is not counted twice.
    decided = observability.ORDERS_APPROVED if decision.approved else observability.ORDERS_REJECTED
    metrics.add_metric(name=decided, unit=MetricUnit.Count, value=1)
    return status


@traced
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    try:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    finally:  # every record failed raises (BatchProcessingError): counted too
        count_worker_failures("approval", len(processor.fail_messages))
