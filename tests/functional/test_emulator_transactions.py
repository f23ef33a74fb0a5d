"""TransactWriteItems on the embedded moto server, with shoplocal.emulator's moto patches applied.

The emulator replaces moto's whole-table deepcopy (taken per transaction item, for rollback) with
snapshots of the touched items, and stops moto tracking every DynamoDB model instance. These tests pin
the semantics that must survive that: all-or-nothing, cancellation reasons as before, and no table copy.
"""

from __future__ import annotations

import copy
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table


@pytest.fixture(scope="module")
def ddb(emulator):
    return boto3.client("dynamodb", endpoint_url=emulator.url)


@pytest.fixture(scope="module", params=["hash", "hash_range"])
def table(request, ddb):
    name = f"tx-{request.param}-{uuid.uuid4().hex[:8]}"
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if request.param == "hash_range":
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "sk", "AttributeType": "S"})
    ddb.create_table(
        TableName=name,
        KeySchema=schema,
        AttributeDefinitions=attrs,
        BillingMode="PAY_PER_REQUEST",
    )
    yield name, request.param == "hash_range"
    ddb.delete_table(TableName=name)


def key(table, pk: str) -> dict:
    _, ranged = table
    return {"pk": {"S": pk}, "sk": {"S": "s"}} if ranged else {"pk": {"S": pk}}


def get(ddb, table, pk: str) -> dict | None:
    return ddb.get_item(TableName=table[0], Key=key(table, pk), ConsistentRead=True).get("Item")


def put(ddb, table, pk: str, n: int) -> None:
    ddb.put_item(TableName=table[0], Item={**key(table, pk), "n": {"N": str(n)}})


def test_cancelled_transaction_leaves_every_item_unchanged(ddb, table):
    a, b, c = (uuid.uuid4().hex for _ in range(3))
    put(ddb, table, a, 1)
    put(ddb, table, b, 1)
    with pytest.raises(ClientError) as caught:
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table[0],
                        "Key": key(table, a),
                        "UpdateExpression": "SET n = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}},
                    }
                },
                {
                    "Put": {
                        "TableName": table[0],
                        "Item": {**key(table, c), "n": {"N": "9"}},
                    }
                },
                {
                    "Update": {
                        "TableName": table[0],
                        "Key": key(table, b),
                        "UpdateExpression": "SET n = :two",
                        "ConditionExpression": "n = :five",
                        "ExpressionAttributeValues": {
                            ":two": {"N": "2"},
                            ":five": {"N": "5"},
                        },
                    }
                },
            ]
        )
    error = caught.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    codes = [reason["Code"] for reason in error["CancellationReasons"]]
    assert codes == ["None", "None", "ConditionalCheckFailed"]
    assert get(ddb, table, a)["n"] == {"N": "1"}  # the first item's update was rolled back
    assert get(ddb, table, b)["n"] == {"N": "1"}
    assert get(ddb, table, c) is None  # the put of a new item was rolled back


def test_cancelled_transaction_reports_all_old_on_condition_failure(ddb, table):
    a = uuid.uuid4().hex
    put(ddb, table, a, 1)
    with pytest.raises(ClientError) as caught:
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Delete": {
                        "TableName": table[0],
                        "Key": key(table, a),
                        "ConditionExpression": "n = :five",
                        "ExpressionAttributeValues": {":five": {"N": "5"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
            ]
        )
    reasons = caught.value.response["CancellationReasons"]
    assert reasons[0]["Code"] == "ConditionalCheckFailed"
    assert reasons[0]["Item"]["n"] == {"N": "1"}
    assert get(ddb, table, a)["n"] == {"N": "1"}


def test_successful_transaction_applies_every_item(ddb, table):
    a, b, c, d = (uuid.uuid4().hex for _ in range(4))
    put(ddb, table, a, 1)
    put(ddb, table, b, 1)
    put(ddb, table, d, 1)
    ddb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table[0],
                    "Key": key(table, a),
                    "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {
                "ConditionCheck": {
                    "TableName": table[0],
                    "Key": key(table, b),
                    "ConditionExpression": "n = :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {
                "Put": {
                    "TableName": table[0],
                    "Item": {**key(table, c), "n": {"N": "7"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Delete": {"TableName": table[0], "Key": key(table, d)}},
        ]
    )
    assert get(ddb, table, a)["n"] == {"N": "2"}
    assert get(ddb, table, b)["n"] == {"N": "1"}
    assert get(ddb, table, c)["n"] == {"N": "7"}
    assert get(ddb, table, d) is None


def test_transaction_on_a_large_table_does_not_copy_the_table(ddb, table, monkeypatch):
    # ~1,000 items, written 25 at a time.
    pks = [f"bulk-{uuid.uuid4().hex}" for _ in range(1000)]
    for start in range(0, len(pks), 25):
        requests = [{"PutRequest": {"Item": {**key(table, pk), "n": {"N": "1"}}}} for pk in pks[start : start + 25]]
        ddb.batch_write_item(RequestItems={table[0]: requests})

    # The moto server runs in this process (tests/conftest.py), so a patched copy.deepcopy sees its calls.
    table_copies = []
    real_deepcopy = copy.deepcopy

    def counting_deepcopy(obj, memo=None):
        if isinstance(obj, Table):
            table_copies.append(obj.name)
        return real_deepcopy(obj, memo)

    monkeypatch.setattr(copy, "deepcopy", counting_deepcopy)
    tracked_before = (len(Table.instances_tracked), len(Item.instances_tracked))

    items = [
        {
            "Update": {
                "TableName": table[0],
                "Key": key(table, pk),
                "UpdateExpression": "SET n = :two",
                "ExpressionAttributeValues": {":two": {"N": "2"}},
            }
        }
        for pk in pks[:4]
    ]
    ddb.transact_write_items(TransactItems=items)  # succeeds
    with pytest.raises(ClientError):  # cancelled: the last item's condition fails
        ddb.transact_write_items(
            TransactItems=items[:3]
            + [
                {
                    "ConditionCheck": {
                        "TableName": table[0],
                        "Key": key(table, pks[5]),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ]
        )

    assert table_copies == []
    assert (len(Table.instances_tracked), len(Item.instances_tracked)) == tracked_before == (0, 0)
    assert [get(ddb, table, pk)["n"] for pk in pks[:4]] == [{"N": "2"}] * 4
