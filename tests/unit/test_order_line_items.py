"""An order's line items are PynamoDB's own `ListAttribute(of=LineItem)`: stored as a list of maps, read back
as `LineItem`s with the values written, each order's list its own."""

from __future__ import annotations

from pynamodb.attributes import ListAttribute

from datamodel import keys, orders
from datamodel.entities import LineItem, OrderRecord


def order(order_id: str, *lines: LineItem) -> OrderRecord:
    return OrderRecord(
        keys.client_pk("C1"), keys.order_sk(order_id), order_id=order_id, client_id="C1", status=orders.PENDING,
        items=list(lines), total=sum(line.quantity * line.unit_price for line in lines), currency="USD",
        created_at="t", updated_at="t",
    )


def test_the_line_items_are_pynamodbs_list_of_line_item_maps():
    assert type(OrderRecord.items) is ListAttribute and OrderRecord.items.element_type is LineItem


def test_an_order_read_from_its_stored_form_has_its_line_items_back():
    stored = order(
        "O1",
        LineItem(sku="W-1", description="Widget", quantity=2, unit_price=150),
        LineItem(sku="G-7", description="Gadget", quantity=1, unit_price=999),
    ).serialize()

    read = OrderRecord.from_raw_data(stored)

    assert stored["items"]["L"][0] == {
        "M": {"sku": {"S": "W-1"}, "description": {"S": "Widget"}, "quantity": {"N": "2"}, "unitPrice": {"N": "150"}}
    }
    assert all(type(line) is LineItem for line in read.items)
    assert [(line.sku, line.description, line.quantity, line.unit_price) for line in read.items] == [
        ("W-1", "Widget", 2, 150),
        ("G-7", "Gadget", 1, 999),
    ]
    assert read.serialize() == stored


def test_two_orders_read_one_after_the_other_keep_their_own_line_items():
    stored = [
        order("O1", LineItem(sku="A", description="a", quantity=1, unit_price=1)).serialize(),
        order("O2", LineItem(sku="B", description="b", quantity=3, unit_price=2)).serialize(),
    ]

    first, second = (OrderRecord.from_raw_data(item) for item in stored)

    assert [line.sku for line in first.items] == ["A"] and [line.sku for line in second.items] == ["B"]
    assert first.items[0] is not second.items[0]
