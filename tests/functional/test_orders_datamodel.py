"""`orders.with_client` against the moto server: an order and its client's profile in one BatchGetItem (the
workers' read), on the data layer's shared connection, eventually consistent, UnprocessedKeys asked for
again, throttling surfacing as it does from `orders.get`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from pynamodb.exceptions import GetError

from datamodel import base, clients, keys, orders
from datamodel.base import TableItem
from datamodel.clients import ClientFields
from datamodel.entities import ClientRecord, OrderRecord
from datamodel.errors import OrderNotFoundError
from datamodel.orders import Line
from domain.ids import new_id
from tests.faults import FaultInjector, Rule, error
from tests.records import orphan_order

_HOOK = "test-orders-datamodel"


def new_client() -> str:
    email = f"wc-{uuid.uuid4().hex[:12]}@example.com"
    return clients.create(ClientFields(name="Acme", email=email, credit_limit=10**6, currency="USD")).client_id


def placed(client_id: str) -> str:
    order_id = new_id()
    orders.place(client_id, order_id, [Line("W-1", "Widget", 2, 500)], "USD", 1_000)
    return order_id


@contextmanager
def batch_gets(unprocessed_once: bool = False) -> Iterator[list[dict[str, Any]]]:
    """The RequestItems of every BatchGetItem sent on the data layer's shared connection while inside.
    With `unprocessed_once`, the first answer holds back its client profile as UnprocessedKeys, as DynamoDB
    does with keys it could not read in time."""
    events = base.connection.client.meta.events
    requests: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        requests.append(params["RequestItems"])

    def hold_back_the_profile(parsed: dict[str, Any], **_: Any) -> None:
        if len(requests) != 1:
            return
        [(table, items)] = parsed["Responses"].items()
        profiles = [item for item in items if item["SK"]["S"] == keys.PROFILE]
        parsed["Responses"][table] = [item for item in items if item["SK"]["S"] != keys.PROFILE]
        keys_held = [{"PK": item["PK"], "SK": item["SK"]} for item in profiles]
        parsed["UnprocessedKeys"] = {table: {"Keys": keys_held}} if keys_held else {}

    events.register("before-parameter-build.dynamodb.BatchGetItem", record, unique_id=f"{_HOOK}-record")
    if unprocessed_once:
        events.register("after-call.dynamodb.BatchGetItem", hold_back_the_profile, unique_id=f"{_HOOK}-hold")
    try:
        yield requests
    finally:
        events.unregister("before-parameter-build.dynamodb.BatchGetItem", unique_id=f"{_HOOK}-record")
        events.unregister("after-call.dynamodb.BatchGetItem", unique_id=f"{_HOOK}-hold")


def test_the_order_and_its_client_come_in_one_eventually_consistent_batch_get_on_the_shared_connection():
    # GIVEN a client with an order
    client_id = new_client()
    order_id = placed(client_id)

    # WHEN both are read
    with batch_gets() as requests:
        order, client = orders.with_client(client_id, order_id)

    # THEN each is its own entity (the discriminator), as `get` reads it
    assert type(order) is OrderRecord and type(client) is ClientRecord
    assert (order.order_id, order.status, order.total) == (order_id, orders.PENDING, 1_000)
    assert order.items[0].sku == "W-1"
    assert (client.client_id, clients.open_orders(client_id)) == (client_id, 1)
    # AND it took one BatchGetItem of those two keys, not strongly consistent, on the connection every entity shares
    [request] = requests
    [(table, read)] = request.items()
    assert table == OrderRecord.Meta.table_name and "ConsistentRead" not in read
    assert sorted(key["SK"]["S"] for key in read["Keys"]) == sorted([keys.PROFILE, keys.order_sk(order_id)])
    assert TableItem._get_connection().connection is base.connection


def test_an_order_whose_client_is_gone_comes_with_none():
    client_id, order_id = orphan_order()

    order, client = orders.with_client(client_id, order_id)

    assert (order.order_id, client) == (order_id, None)


def test_a_missing_order_raises_order_not_found_whether_its_client_exists_or_not():
    # GIVEN an existing client and an unknown order id, and a client id that exists nowhere
    client_id = new_client()

    # THEN both raise as `orders.get` does
    with pytest.raises(OrderNotFoundError):
        orders.with_client(client_id, new_id())
    with pytest.raises(OrderNotFoundError):
        orders.with_client(new_id(), new_id())
    with pytest.raises(OrderNotFoundError):
        orders.get(client_id, new_id())


def test_keys_answered_as_unprocessed_are_asked_for_again():
    # GIVEN a client with an order, and DynamoDB answering the first BatchGetItem with the profile unread
    client_id = new_client()
    order_id = placed(client_id)

    # WHEN both are read
    with batch_gets(unprocessed_once=True) as requests:
        order, client = orders.with_client(client_id, order_id)

    # THEN a second BatchGetItem asked for the profile alone, and both came back
    assert len(requests) == 2
    [(_, retried)] = requests[1].items()
    assert [key["SK"]["S"] for key in retried["Keys"]] == [keys.PROFILE]
    assert (order.order_id, client.client_id) == (order_id, client_id)


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException"])
def test_throttling_surfaces_as_it_does_from_a_get(code):
    # GIVEN DynamoDB throttling every read beyond the SDK's retries
    client_id = new_client()
    order_id = placed(client_id)

    with FaultInjector() as faults, faults.armed(Rule(error(code), "dynamodb")):
        # WHEN the order is read with its client, and alone
        with pytest.raises(GetError) as batched:
            orders.with_client(client_id, order_id)
        with pytest.raises(GetError) as single:
            orders.get(client_id, order_id)

    # THEN both raise PynamoDB's GetError with the throttling code (the workers fail the record; SQS retries)
    assert batched.value.cause_response_code == single.value.cause_response_code == code
    assert [str(call) for call in faults.calls] == ["dynamodb.BatchGetItem#1", "dynamodb.GetItem#1"]
