"""Table states the API cannot produce, written directly through the data layer's entities."""

from __future__ import annotations

from datamodel import keys, orders
from datamodel.entities import LineItem, OrderRecord
from domain.clock import now_rfc3339
from domain.ids import new_id


def orphan_order() -> tuple[str, str]:
    """A PENDING order, indexed as a placed one is, whose client does not exist: (client id, order id)."""
    client_id, order_id, now = new_id(), new_id(), now_rfc3339()
    OrderRecord(
        keys.client_pk(client_id),
        keys.order_sk(order_id),
        order_id=order_id,
        client_id=client_id,
        status=orders.PENDING,
        items=[LineItem(sku="W-1", description="Blue widget", quantity=1, unit_price=1)],
        total=1,
        currency="USD",
        created_at=now,
        updated_at=now,
        gsi1pk=keys.client_pk(client_id),
        gsi1sk=keys.order_status_sk(orders.PENDING, order_id),
        gsi2pk=keys.open_order_pk(order_id),
        gsi2sk=keys.open_order_sk(now, order_id),
    ).save()
    return client_id, order_id
