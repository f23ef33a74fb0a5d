"""datamodel.pynamodb_adapter holds the data layer's uses of PynamoDB private members (`Model._get_connection`,
overridden so that every entity shares one connection and client; `Connection._local` and `_client`, which
`renew_session` resets after a SnapStart restore). These tests fail on a PynamoDB upgrade that breaks what the
adapter relies on, and when another data-layer module starts using a PynamoDB private member.
No I/O: `Connection.dispatch` (the public method every PynamoDB request goes through) is replaced by a recorder."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import typing
from datetime import UTC, datetime
from pathlib import Path

import pynamodb
import pytest
from pynamodb.attributes import ListAttribute, MapAttribute
from pynamodb.connection import Connection, TableConnection
from pynamodb.models import Model
from pynamodb.transactions import TransactGet, TransactWrite

from datamodel import base, keys, orders, pynamodb_adapter
from datamodel.base import TableItem
from datamodel.entities import ClientRecord, InvoiceCounter, LineItem, OrderRecord
from datamodel.transaction import Transaction

DATAMODEL = Path(base.__file__).parent
ADAPTER = DATAMODEL / "pynamodb_adapter.py"


def entity_classes() -> list[type[TableItem]]:
    found, pending = [], [TableItem]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


# ---- what the override relies on ----


def test_pynamodb_still_asks_an_argumentless_classmethod_for_a_models_table_connection():
    hook = Model.__dict__.get("_get_connection")

    assert isinstance(hook, classmethod)
    assert list(inspect.signature(Model._get_connection).parameters) == []
    assert typing.get_type_hints(Model._get_connection)["return"] is TableConnection


def test_a_table_connection_still_sends_through_its_replaceable_connection_attribute():
    table = TableConnection("a-table")
    replacement = Connection(region="eu-west-1")

    table.connection = replacement

    assert table.table_name == "a-table" and table.connection is replacement
    for operation in ("get_item", "put_item", "update_item", "delete_item", "query", "batch_get_item",
                      "get_operation_kwargs", "get_meta_table"):
        assert "self.connection." in inspect.getsource(getattr(TableConnection, operation)), operation


def test_every_entity_class_ends_up_on_the_one_shared_connection_and_client():
    entities = entity_classes()
    assert len(entities) > 2  # the base and its entities

    # what PynamoDB's model operations ask for, and what the data layer's own queries use
    assert all(entity._get_connection().connection is base.connection for entity in entities)
    assert all(entity.table_connection().connection is base.connection for entity in entities)
    assert len({id(entity._get_connection().connection.client) for entity in entities}) == 1
    assert base.connection.get_meta_table(TableItem.Meta.table_name).hash_keyname == "PK"


# ---- every model operation the data layer uses sends its request on the shared connection ----


def stored_client() -> dict:
    return ClientRecord(
        keys.client_pk("C1"), keys.PROFILE, client_id="C1", name="Acme", email="a@acme.example",
        credit_limit=100, currency="USD", created_at="t", updated_at="t",
    ).serialize()


def stored_order() -> dict:
    return OrderRecord(
        keys.client_pk("C1"), keys.order_sk("O1"), order_id="O1", client_id="C1", status=orders.PENDING,
        items=[LineItem(sku="W-1", description="Widget", quantity=1, unit_price=5)], total=5, currency="USD",
        created_at="t", updated_at="t",
    ).serialize()


def answer(operation: str, request: dict) -> dict:
    """What DynamoDB would answer, enough for PynamoDB to build its result."""
    table = TableItem.Meta.table_name
    if operation == "GetItem":
        return {"Item": stored_order() if request["Key"]["SK"]["S"].startswith("ORDER") else stored_client()}
    if operation == "UpdateItem":
        return {"Attributes": stored_order()}
    if operation == "BatchGetItem":
        return {"Responses": {table: [stored_order(), stored_client()]}, "UnprocessedKeys": {}}
    if operation == "BatchWriteItem":
        return {"UnprocessedItems": {}}
    if operation == "Query":
        # GSI1 here: the clients' listing; GSI2: no stuck order; the table: a client's orders
        items = {"GSI1": [stored_client()], "GSI2": []}.get(request.get("IndexName"), [stored_order()])
        return {"Items": items, "Count": len(items), "ScannedCount": len(items)}
    return {}


@pytest.fixture
def sent(monkeypatch) -> list[tuple[Connection, str, dict]]:
    """Every request PynamoDB sends, with the connection that sent it, answered without I/O."""
    requests: list[tuple[Connection, str, dict]] = []

    def dispatch(self, operation_name: str, operation_kwargs: dict) -> dict:
        requests.append((self, operation_name, dict(operation_kwargs)))
        return answer(operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "dispatch", dispatch)  # base.connection's own dispatch calls this one
    return requests


def test_each_model_operation_the_data_layer_uses_sends_its_request_on_the_shared_connection(sent):
    ClientRecord.get(keys.client_pk("C1"), keys.PROFILE, consistent_read=True)
    order = OrderRecord.get(keys.client_pk("C1"), keys.order_sk("O1"))
    order.update(actions=[OrderRecord.status.set(orders.APPROVED)], condition=OrderRecord.status == orders.PENDING)
    order.save()
    order.delete()
    list(TableItem.batch_get([(keys.client_pk("C1"), keys.PROFILE), (keys.client_pk("C1"), keys.order_sk("O1"))]))
    with InvoiceCounter.batch_write() as batch:
        batch.save(InvoiceCounter(keys.INVOICE_COUNTER, keys.counter_sk(2026), value=1))
    list(ClientRecord.key_query(keys.CLIENTS, index_name="GSI1"))
    ClientRecord.count(keys.CLIENTS, index_name="GSI1")
    orders.stuck(datetime.now(UTC), 10)
    transaction = Transaction()
    transaction.update("client", ClientRecord(keys.client_pk("C1"), keys.PROFILE), [ClientRecord.version.add(1)])
    transaction.commit()

    assert {operation for _, operation, _ in sent} == {
        "GetItem", "UpdateItem", "PutItem", "DeleteItem", "BatchGetItem", "BatchWriteItem", "Query",
        "TransactWriteItems",
    }
    assert all(connection is base.connection for connection, _, _ in sent), [
        (operation, connection) for connection, operation, _ in sent if connection is not base.connection
    ]
    # and through its dispatch, which asks for no consumed capacity
    assert all(request["ReturnConsumedCapacity"] == "NONE" for _, _, request in sent)


def test_the_data_layers_queries_carry_a_key_condition_only(sent):
    list(ClientRecord.key_query(keys.CLIENTS, index_name="GSI1"))
    list(OrderRecord.key_query(keys.client_pk("C1"), OrderRecord.sk.startswith(keys.ORDER_PREFIX)))
    orders.stuck(datetime.now(UTC), 10)

    queries = [request for _, operation, request in sent if operation == "Query"]
    assert len(queries) == 2 + len(keys.open_order_shards())
    assert all("KeyConditionExpression" in query and "FilterExpression" not in query for query in queries)


# ---- a new session after a SnapStart restore ----


def test_a_renewed_connection_builds_a_new_session_and_client_and_keeps_the_parsed_models():
    # GIVEN a connection whose session and client are built (no request: building sends nothing)
    connection = Connection(region="eu-west-1")
    session, client = connection.session, connection.client
    loader = session.get_component("data_loader")

    # WHEN it is renewed, as after a SnapStart restore
    had_client = pynamodb_adapter.renew_session(connection)

    # THEN its next use builds a new session and a new client, on the loader that has the models parsed
    assert had_client is True
    assert connection.session is not session
    assert connection.client is not client
    assert connection.client.meta.service_model.service_name == "dynamodb"
    assert connection.session.get_component("data_loader") is loader


# ---- the adapter is the only place ----


def pynamodb_private_names() -> set[str]:
    """Every single-underscore name PynamoDB defines: module globals, class members (inherited from PynamoDB
    classes too), and the instance attributes its connection, transaction and attribute objects set."""
    names: set[str] = set()
    classes: list[type] = []
    for info in pkgutil.walk_packages(pynamodb.__path__, "pynamodb."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            names.add(name)
            if inspect.isclass(value) and value.__module__.startswith("pynamodb"):
                classes.append(value)
    for cls in classes:
        for klass in cls.__mro__:
            if klass.__module__.startswith("pynamodb"):
                names.update(vars(klass))
    connection = Connection(region="eu-west-1")
    for instance in (
        connection, TableConnection("a-table"), TransactWrite(connection=connection),
        TransactGet(connection=connection), MapAttribute(), ListAttribute(of=LineItem),
    ):
        names.update(vars(instance))
    return {name for name in names if name.startswith("_") and not name.startswith("__")}


def test_no_data_layer_module_but_the_adapter_uses_a_pynamodb_private_member():
    private = pynamodb_private_names()
    assert {"_get_connection", "_commit", "_make_attribute", "_client", "_tables"} <= private  # the scan sees them

    uses = []
    for path in sorted(DATAMODEL.glob("*.py")):
        if path == ADAPTER:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr in private:
                uses.append(f"{path.name}:{node.lineno} .{node.attr}")
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pynamodb"):
                module_parts = (node.module or "").split(".")
                names = [alias.name for alias in node.names]
                if any(part.startswith("_") for part in module_parts + names):
                    uses.append(f"{path.name}:{node.lineno} from {node.module} import {', '.join(names)}")

    assert uses == []
