"""Order access patterns: place, read, list (all or by status), and the approval transitions.

Every transition is a conditional write on the current status, so a replayed or late message can
never move an order backwards. The client's `openOrders` count moves in the same transactions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError

from datamodel import keys
from datamodel.base import GSI1_KEY, PRIMARY_KEY
from datamodel.entities import ClientRecord, LineItem, OrderRecord, OrderRequest
from datamodel.errors import (
    ClientNotFoundError,
    CurrencyMismatchError,
    IdempotencyKeyReusedError,
    OrderNotFoundError,
)
from datamodel.paging import Page, paginate
from datamodel.transaction import ConditionsFailedError, Transaction
from domain.clock import now_rfc3339

PENDING, APPROVED, REJECTED, INVOICED = "PENDING", "APPROVED", "REJECTED", "INVOICED"
TERMINAL = frozenset({REJECTED, INVOICED})


@dataclass(frozen=True)
class Line:
    sku: str
    description: str
    quantity: int
    unit_price: int


@dataclass(frozen=True)
class Request:
    """An idempotent placement: the caller's key and a hash of what it asked for."""

    key: str
    payload_hash: str


REQUEST_TTL_SECONDS = 24 * 3600


def place(
    client_id: str, order_id: str, lines: list[Line], currency: str, total: int, request: Request | None = None
) -> tuple[OrderRecord, bool]:
    """Write the order PENDING and count it open on the client, in one transaction that also proves
    the client still exists with the currency the order was priced in, and records the request's
    idempotency key. Returns the order and whether this call created it (False: a retry of `request`)."""
    now = now_rfc3339()
    order = OrderRecord(
        keys.client_pk(client_id),
        keys.order_sk(order_id),
        order_id=order_id,
        client_id=client_id,
        status=PENDING,
        items=[LineItem(sku=l.sku, description=l.description, quantity=l.quantity, unit_price=l.unit_price) for l in lines],
        total=total,
        currency=currency,
        created_at=now,
        updated_at=now,
        gsi1pk=keys.client_pk(client_id),
        gsi1sk=keys.order_status_sk(PENDING, order_id),
        gsi2pk=keys.open_order_pk(order_id),
        gsi2sk=keys.open_order_sk(now, order_id),
    )
    transaction = Transaction()
    transaction.put("order", order, condition=OrderRecord.pk.does_not_exist())
    transaction.update(
        "client",
        ClientRecord(keys.client_pk(client_id), keys.PROFILE),
        [ClientRecord.open_orders.add(1)],
        condition=ClientRecord.pk.exists() & (ClientRecord.currency == currency),
    )
    if request is not None:
        transaction.put(
            "request",
            OrderRequest(
                keys.client_pk(client_id),
                keys.order_request_sk(request.key),
                order_id=order_id,
                payload_hash=request.payload_hash,
                expiration=int(time.time()) + REQUEST_TTL_SECONDS,
            ),
            condition=OrderRequest.pk.does_not_exist(),
        )
    try:
        transaction.commit()
    except ConditionsFailedError as error:
        if request is not None and "request" in error.names:
            return _replayed(client_id, request), False
        if "client" in error.names:
            if _client_exists(client_id):
                raise CurrencyMismatchError(client_id) from error
            raise ClientNotFoundError(client_id) from error
        raise
    return order, True


def _replayed(client_id: str, request: Request) -> OrderRecord:
    previous = OrderRequest.get(keys.client_pk(client_id), keys.order_request_sk(request.key), consistent_read=True)
    if previous.payload_hash != request.payload_hash:
        raise IdempotencyKeyReusedError(request.key)
    return get(client_id, previous.order_id)


def get(client_id: str, order_id: str) -> OrderRecord:
    try:
        return OrderRecord.get(keys.client_pk(client_id), keys.order_sk(order_id))
    except OrderRecord.DoesNotExist as error:
        raise OrderNotFoundError(order_id) from error


def find(client_id: str, order_id: str) -> OrderRecord | None:
    try:
        return get(client_id, order_id)
    except OrderNotFoundError:
        return None


def page(client_id: str, limit: int, cursor: str | None = None, status: str | None = None) -> Page[OrderRecord]:
    """A client's orders, oldest first; with `status`, only those in it (GSI1, one key condition)."""
    scope = f"orders:{client_id}:{status or '*'}"
    if status is None:

        def query(**kwargs):
            return OrderRecord.query(
                keys.client_pk(client_id), OrderRecord.sk.startswith(keys.ORDER_PREFIX), **kwargs
            )

        return paginate(query, scope, PRIMARY_KEY, limit, cursor)

    def by_status(**kwargs):
        return OrderRecord.gsi1.query(
            keys.client_pk(client_id), OrderRecord.gsi1sk.startswith(keys.status_prefix(status)), **kwargs
        )

    return paginate(by_status, scope, GSI1_KEY, limit, cursor)


def approve(order: OrderRecord) -> bool:
    """PENDING → APPROVED. False when the order had already left PENDING (a replay)."""
    now = now_rfc3339()
    try:
        order.update(
            actions=[
                OrderRecord.status.set(APPROVED),
                OrderRecord.approved_at.set(now),
                OrderRecord.updated_at.set(now),
                OrderRecord.gsi1sk.set(keys.order_status_sk(APPROVED, order.order_id)),
                OrderRecord.gsi2sk.set(keys.open_order_sk(now, order.order_id)),
            ],
            condition=OrderRecord.status == PENDING,
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def reject(order: OrderRecord, reason: str, client_exists: bool = True) -> bool:
    """PENDING → REJECTED (terminal), closing the order on its client unless the client is gone."""
    now = now_rfc3339()
    transaction = Transaction()
    transaction.update(
        "order",
        order,
        [
            OrderRecord.status.set(REJECTED),
            OrderRecord.rejection_reason.set(reason),
            OrderRecord.updated_at.set(now),
            OrderRecord.gsi1sk.set(keys.order_status_sk(REJECTED, order.order_id)),
            OrderRecord.gsi2pk.remove(),
            OrderRecord.gsi2sk.remove(),
        ],
        condition=OrderRecord.status == PENDING,
    )
    if client_exists:
        transaction.update("client", *close_on_client(order.client_id))
    try:
        transaction.commit()
    except ConditionsFailedError as error:
        if error.names == {"order"}:
            return False
        raise
    return True


def close_on_client(client_id: str):
    """The client update that counts one order less open, for a terminal transition's transaction."""
    return (
        ClientRecord(keys.client_pk(client_id), keys.PROFILE),
        [ClientRecord.open_orders.add(-1)],
        ClientRecord.pk.exists(),
    )


def _client_exists(client_id: str) -> bool:
    try:
        ClientRecord.get(keys.client_pk(client_id), keys.PROFILE)
    except ClientRecord.DoesNotExist:
        return False
    return True
