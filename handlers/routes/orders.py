"""Order routes.

Placing an order writes it first and enqueues it second. The write is one transaction (order PENDING,
client's open count, and the `Idempotency-Key` if sent), so a crash after it leaves a durable PENDING
order, never a message without an order. With a key, two layers (handlers/idempotency.py): Powertools
replays the original 202 to a retry of a completed request (no second write, no second message), 409
while it runs, 422 for another payload; a retry after a crash runs again, and the key recorded in the
transaction makes it find the same order and enqueue it again (the approval worker ignores duplicates).
Without a key, the order still sits in the sparse open-orders index (GSI2) that the stuck-order sweep
re-drives. So when the enqueue fails after the write, a keyed request fails (its retry enqueues the same
order at once), while a keyless one is still answered 202: its retry could only place a second order.
"""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from datamodel import clients, orders
from datamodel.base import aws_client
from datamodel.entities import OrderRecord
from datamodel.requests import Request
from domain import config, messages, money, observability, snapstart
from domain.ids import new_id
from domain.models import Order, OrderCreate
from handlers import contract
from handlers.api import json_response, page_response
from handlers.idempotency import Replayable

logger = Logger()
metrics = Metrics()  # flushed by the entry point (handlers/orders.py)
router = Router()
placed_once = Replayable("createOrder", router)
sqs = aws_client("sqs")


@snapstart.on_restore
def _reconnect() -> None:
    global sqs
    sqs = aws_client("sqs")


@contract.create_order(router)
def create_order(client_id: str, body: OrderCreate, idempotency_key: str | None) -> Response:
    return placed_once(idempotency_key, body, lambda request: _place(client_id, body, request), clientId=client_id)


def _place(client_id: str, body: OrderCreate, request: Request | None) -> Response:
    # The order's transaction is conditional on the client existing with this currency (404 or 400 otherwise),
    # so the client is read only when the body leaves the currency to it.
    currency = body.currency or clients.get(client_id).currency
    lines = [orders.Line(i.sku, i.description, i.quantity, i.unit_price) for i in body.items]
    order, created = orders.place(client_id, new_id(), lines, currency, money.order_total(body.items), request)
    if created:  # not the re-run of a crashed keyed request (a completed one is replayed before this)
        logger.info("order accepted", extra={"orderId": order.order_id, "clientId": client_id})
        metrics.add_metric(name=observability.ORDERS_ACCEPTED, unit=MetricUnit.Count, value=1)
    if order.status == orders.PENDING:
        try:
            enqueue(order)
        except (BotoCoreError, ClientError) as error:
            if request is not None:
                raise
            logger.warning(
                "order accepted, enqueue left to the stuck-order sweep",
                extra={"orderId": order.order_id, "cause": type(error).__name__},
            )
    location = f"{router.current_event.request_context.path.rstrip('/')}/{order.order_id}"
    return json_response(HTTPStatus.ACCEPTED, order_view(order), {"Location": location})


@contract.list_orders(router)
def list_orders(client_id: str, limit: int, cursor: str | None, status: str | None) -> Response:
    page = orders.page(client_id, limit, cursor, status)
    if not page.items and cursor is None:
        clients.get(client_id)  # an empty first page of an unknown client is a 404
    return page_response([order_view(o) for o in page.items], page.next_cursor)


@contract.get_order(router)
def get_order(client_id: str, order_id: str) -> Response:
    return json_response(HTTPStatus.OK, order_view(orders.get(client_id, order_id)))


def enqueue(order: OrderRecord) -> None:
    sqs.send_message(
        QueueUrl=config.ORDERS_QUEUE_URL,
        MessageBody=messages.body(order.client_id, order.order_id),
        # The request's correlation id (handlers/api.py `resolve`) follows the order through both queues.
        MessageAttributes=messages.attributes(logger.get_correlation_id()),
    )


def order_view(order: OrderRecord) -> Order:
    return Order.model_validate(order, from_attributes=True)
