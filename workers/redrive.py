"""Stuck-order recovery: re-send the queue message of every order left open for too long.

An order can stay PENDING or APPROVED with no message to move it on: the orders API died between its write
and its enqueue, or the message was exhausted into a DLQ. Every open order sits in the sparse open-orders
index (GSI2) keyed by its last update, so the sweep finds those not updated for `STUCK_ORDER_AGE_SECONDS`
(template Globals, default 300 s, well above normal processing) with key conditions only, and re-sends:

- PENDING  -> the orders queue (the approval worker decides it);
- APPROVED -> the paid-orders queue (the paid-order worker invoices it).

Each re-sent message carries a fresh correlation id, the sweep's (the scheduled run's Lambda request id,
which its own log lines carry too; a new UUID per `shop orders redrive`), not the order's original one,
which is not stored: the sweep's log line names each order it re-sent, so both ids can be joined.

Both workers are idempotent per order state, so a message re-sent for an order that was in fact still being
processed (a slow retry, a message still in flight) is harmless: at worst one extra no-op delivery.

`redrive_stuck_orders` is the one implementation: the scheduled `RedriveFunction` calls it through
`lambda_handler`, and `shop orders redrive` calls it directly with its own SQS client and queue URLs.
Logs carry ids only, never message bodies or client data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from datamodel import orders
from datamodel.orders import StuckOrder
from domain import config, messages, snapstart
from domain.clock import rfc3339, utc_now
from domain.observability import traced

# This function's configuration, checked once at init (the threshold too, below): a missing or empty variable
# fails the init, naming it (domain/config.py). `shop orders redrive` sets the same three before importing this.
config.require("TABLE_NAME", "ORDERS_QUEUE_URL", "PAID_ORDERS_QUEUE_URL")

AGE_VARIABLE = "STUCK_ORDER_AGE_SECONDS"
DEFAULT_AGE_SECONDS = 300
PAGE_SIZE = 100  # orders per sweep page (one Query per open-orders shard)
SEND_BATCH = 10  # SendMessageBatch's maximum
# The scheduled run stops sweeping with this much time left, so it always returns (and logs) its counts.
TIME_RESERVE_MS = 10_000

ORDERS, PAID_ORDERS = "orders", "paid-orders"
TARGETS = {orders.PENDING: ORDERS, orders.APPROVED: PAID_ORDERS}

logger = Logger()
_sqs: Any = None  # built by the first sweep (`_client`)


@snapstart.on_restore
def _forget_client() -> None:
    global _sqs
    _sqs = None  # the next sweep builds it on the restored session


snapstart.register()  # SnapStart's hooks, when Lambda snapshots this init (domain/snapstart.py)


class RedriveError(RuntimeError):
    """Some stuck orders could not be re-sent; the next sweep tries them again."""


@dataclass(frozen=True)
class Queues:
    """Where re-sent messages go: the queue URL of each target."""

    orders: str
    paid_orders: str

    def url(self, target: str) -> str:
        return self.orders if target == ORDERS else self.paid_orders


@dataclass(frozen=True)
class Redriven:
    order: StuckOrder
    target: str  # ORDERS or PAID_ORDERS


@dataclass
class RedriveResult:
    threshold: str
    dry_run: bool
    redriven: list[Redriven] = field(default_factory=list)  # sent (or, in a dry run, to send)
    failed: list[Redriven] = field(default_factory=list)
    skipped: list[StuckOrder] = field(default_factory=list)  # a status the sweep does not re-drive
    complete: bool = True  # False: stopped before the end of the index (time budget)

    def counts(self) -> dict[str, Any]:
        sent = {target: sum(1 for r in self.redriven if r.target == target) for target in (ORDERS, PAID_ORDERS)}
        return {
            "threshold": self.threshold,
            "dryRun": self.dry_run,
            "found": len(self.redriven) + len(self.failed) + len(self.skipped),
            "sent": sent,
            "failed": len(self.failed),
            "skipped": len(self.skipped),
            "complete": self.complete,
        }


def redrive_stuck_orders(
    older_than_s: float,
    *,
    sqs: Any,
    queues: Queues,
    now: datetime | None = None,
    dry_run: bool = False,
    page_size: int = PAGE_SIZE,
    should_stop: Callable[[], bool] = lambda: False,
    correlation_id: str | None = None,
) -> RedriveResult:
    """Re-send the message of every open order last updated more than `older_than_s` seconds before `now`.

    Reads the open-orders index page by page (oldest first) until its end or until `should_stop()`; a send
    that fails is counted, not raised, so one bad order never stops the sweep of the others. Every message
    sent carries `correlation_id` (a new one if None)."""
    if older_than_s < 0:
        raise ValueError("older_than_s must not be negative")
    threshold = rfc3339((now or utc_now()) - timedelta(seconds=older_than_s))
    result = RedriveResult(threshold=threshold, dry_run=dry_run)
    correlation_id = correlation_id or str(uuid.uuid4())
    cursor = None
    while True:
        page = orders.stuck(threshold, page_size, cursor)
        batch = []
        for order in page.orders:
            target = TARGETS.get(order.status)
            if target is None:
                result.skipped.append(order)
            else:
                batch.append(Redriven(order, target))
        if dry_run:
            result.redriven.extend(batch)
        else:
            _send(sqs, queues, batch, result, correlation_id)
        cursor = page.cursor
        if cursor is None:
            return result
        if should_stop():
            result.complete = False
            return result


def _send(sqs: Any, queues: Queues, batch: list[Redriven], result: RedriveResult, correlation_id: str) -> None:
    attributes = messages.attributes(correlation_id)
    for target in (ORDERS, PAID_ORDERS):
        pending = [r for r in batch if r.target == target]
        for start in range(0, len(pending), SEND_BATCH):
            chunk = pending[start : start + SEND_BATCH]
            entries = [
                {
                    "Id": str(i),
                    "MessageBody": messages.body(r.order.client_id, r.order.order_id),
                    "MessageAttributes": attributes,
                }
                for i, r in enumerate(chunk)
            ]
            try:
                response = sqs.send_message_batch(QueueUrl=queues.url(target), Entries=entries)
            except Exception:  # throttled, denied, unreachable: every order of the chunk waits for the next sweep
                logger.exception("redrive send failed", extra={"target": target, "orders": len(chunk)})
                result.failed.extend(chunk)
                continue
            failed = {entry["Id"] for entry in response.get("Failed", [])}
            for i, redriven in enumerate(chunk):
                (result.failed if str(i) in failed else result.redriven).append(redriven)


def age_from_environment() -> float:
    """`STUCK_ORDER_AGE_SECONDS`, a non-negative number of seconds (default 300); ConfigurationError (a
    ValueError) naming it otherwise."""
    value = os.environ.get(AGE_VARIABLE, "").strip()
    if not value:
        return DEFAULT_AGE_SECONDS
    try:
        age = float(value)
    except ValueError:
        raise config.ConfigurationError(f"{AGE_VARIABLE} is not a number of seconds: {value!r}") from None
    if not age >= 0:  # negative, or NaN
        raise config.ConfigurationError(f"{AGE_VARIABLE} must not be negative")
    return age


age_from_environment()  # at init too: a bad threshold fails the INIT, not the first sweep


def _client() -> Any:
    global _sqs
    if _sqs is None:
        from datamodel.base import aws_client

        _sqs = aws_client("sqs")
    return _sqs


@traced
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    """The scheduled sweep. Raises when some order could not be re-sent, so the Errors metric shows it
    (EventBridge's retry of the whole sweep is harmless: re-sends are idempotent)."""
    logger.set_correlation_id(context.aws_request_id)  # the sweep's: every message it re-sends carries it
    result = redrive_stuck_orders(
        age_from_environment(),
        sqs=_client(),
        queues=Queues(config.ORDERS_QUEUE_URL, config.PAID_ORDERS_QUEUE_URL),
        should_stop=lambda: context.get_remaining_time_in_millis() < TIME_RESERVE_MS,
        correlation_id=logger.get_correlation_id(),
    )
    for redriven in result.redriven:
        logger.info(
            "stuck order re-driven",
            extra={
                "orderId": redriven.order.order_id,
                "clientId": redriven.order.client_id,
                "status": redriven.order.status,
                "updatedAt": redriven.order.updated_at,
                "target": redriven.target,
            },
        )
    for redriven in result.failed:
        logger.error(
            "stuck order not re-driven",
            extra={"orderId": redriven.order.order_id, "clientId": redriven.order.client_id},
        )
    counts = result.counts()
    logger.info("stuck-order sweep", extra=counts)
    if not result.complete:
        logger.warning("stuck-order sweep stopped early; the next run continues")
    if result.failed:
        raise RedriveError(f"{len(result.failed)} stuck orders could not be re-sent")
    return counts
