"""Query on the embedded moto server with shoplocal.emulator_query's per-partition index.

The index only narrows which items moto's own query code looks at. These tests prove the answers are the
ones unpatched moto gives (`emulator_query.bypassed()`), page by page, over key conditions, both scan
directions, several limits with ExclusiveStartKey, filters, projections, a GSI with tied sort values and
a numeric sort key; that writes between pages are seen; and that a page hands moto a page's worth of
items, not the partition.
"""

from __future__ import annotations

import random
import uuid

import boto3
import pytest

from shoplocal import emulator_query


@pytest.fixture(scope="module")
def ddb(emulator):
    return boto3.client("dynamodb", endpoint_url=emulator.url)


@pytest.fixture(scope="module")
def table(ddb):
    """PK/SK strings, a GSI (GK/GS) whose sort values tie, an LSI on a number (N)."""
    name = f"query-{uuid.uuid4().hex[:8]}"
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": name_, "AttributeType": type_}
            for name_, type_ in (("PK", "S"), ("SK", "S"), ("GK", "S"), ("GS", "S"), ("N", "N"))
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI",
                "KeySchema": [{"AttributeName": "GK", "KeyType": "HASH"}, {"AttributeName": "GS", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "LSI",
                "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "N", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    rng = random.Random(7)
    prefixes = ["#PROFILE", "INVOICE#", "ORDER#", "REQUEST#", "ORDER", "ORDEQ#"]
    items = []
    # Sort keys that the conditions below name exactly, so every boundary (< vs <=, > vs >=) is exercised.
    boundaries = ["ORDER#", "ORDER#5", "INVOICE#3", "ORDEQ#5", "ORDER"]
    for partition, size in (("P#big", 80), ("P#small", 9), ("P#other", 30)):
        for i in range(size):
            prefix = rng.choice(prefixes)
            sort_key = boundaries[i] if i < len(boundaries) else f"{prefix}{rng.randrange(10**6):06d}-{i}"
            item = {
                "PK": {"S": partition},
                "SK": {"S": sort_key},
                "N": {"N": str(rng.randrange(-50, 50))},
                "v": {"N": str(i)},
            }
            if rng.random() < 0.8:  # sparse: some items are not in the GSI
                item["GK"] = {"S": rng.choice(["G#a", "G#b"])}
                item["GS"] = {"S": f"S#{rng.randrange(8)}"}  # few values: ties broken by the table keys
            items.append(item)
    for start in range(0, len(items), 25):
        ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]})
    yield name
    ddb.delete_table(TableName=name)


def pages(ddb, **request) -> list[dict]:
    """Every page of a query, following LastEvaluatedKey; each page without its ResponseMetadata."""
    found, start = [], None
    for _ in range(500):
        response = ddb.query(**request, **({"ExclusiveStartKey": start} if start else {}))
        response.pop("ResponseMetadata")
        found.append(response)
        start = response.get("LastEvaluatedKey")
        if not start:
            return found
    raise AssertionError("the query did not end")


def same_as_moto(ddb, **request) -> list[dict]:
    """The pages through the index, after checking they equal unpatched moto's and that the index served them."""
    before = emulator_query.stats["indexed"]
    indexed = pages(ddb, **request)
    served = emulator_query.stats["indexed"] - before
    with emulator_query.bypassed():
        reference = pages(ddb, **request)
    assert indexed == reference, request
    assert served == len(indexed), f"the index served {served} of {len(indexed)} pages: {request}"
    return indexed


STRING_CONDITIONS = [
    ("", {}),
    ("AND begins_with(#s, :a)", {":a": {"S": "ORDER#"}}),
    ("AND begins_with(#s, :a)", {":a": {"S": "ORDER"}}),
    ("AND begins_with(#s, :a)", {":a": {"S": "ZZZ"}}),
    ("AND #s BETWEEN :a AND :b", {":a": {"S": "INVOICE#3"}, ":b": {"S": "ORDER#5"}}),
    ("AND #s < :a", {":a": {"S": "ORDER#"}}),
    ("AND #s <= :a", {":a": {"S": "ORDER#"}}),
    ("AND #s > :a", {":a": {"S": "ORDER#"}}),
    ("AND #s >= :a", {":a": {"S": "ORDEQ#5"}}),
    ("AND #s = :a", {":a": {"S": "S#3"}}),
    ("AND #s = :a", {":a": {"S": "ORDER#5"}}),
]


@pytest.mark.parametrize("forward", [True, False], ids=["ascending", "descending"])
@pytest.mark.parametrize("limit", [None, 2, 7])
@pytest.mark.parametrize("condition,values", STRING_CONDITIONS, ids=[c or "no-sort-condition" for c, _ in STRING_CONDITIONS])
def test_table_query_pages_equal_unpatched_moto(ddb, table, condition, values, limit, forward):
    for partition in ("P#big", "P#small", "P#missing"):
        # GIVEN a partition, a key condition, a Limit and a direction
        request = {
            "TableName": table,
            "KeyConditionExpression": f"PK = :p {condition}",
            "ExpressionAttributeNames": {"#s": "SK"} if condition else None,
            "ExpressionAttributeValues": {":p": {"S": partition}, **values},
            "ScanIndexForward": forward,
            **({"Limit": limit} if limit else {}),
        }
        request = {k: v for k, v in request.items() if v is not None}
        # WHEN every page is read / THEN each equals unpatched moto's
        same_as_moto(ddb, **request)


@pytest.mark.parametrize("forward", [True, False], ids=["ascending", "descending"])
@pytest.mark.parametrize("limit", [None, 2, 7])
@pytest.mark.parametrize("condition,values", STRING_CONDITIONS, ids=[c or "no-sort-condition" for c, _ in STRING_CONDITIONS])
def test_gsi_query_with_tied_sort_values_equals_unpatched_moto(ddb, table, condition, values, limit, forward):
    for partition in ("G#a", "G#b"):
        request = {
            "TableName": table,
            "IndexName": "GSI",
            "KeyConditionExpression": f"GK = :p {condition}",
            "ExpressionAttributeNames": {"#s": "GS"} if condition else None,
            "ExpressionAttributeValues": {":p": {"S": partition}, **values},
            "ScanIndexForward": forward,
            **({"Limit": limit} if limit else {}),
        }
        request = {k: v for k, v in request.items() if v is not None}
        same_as_moto(ddb, **request)


@pytest.mark.parametrize("forward", [True, False], ids=["ascending", "descending"])
@pytest.mark.parametrize(
    "condition,values",
    [
        ("", {}),
        ("AND #n BETWEEN :a AND :b", {":a": {"N": "-10"}, ":b": {"N": "20"}}),
        ("AND #n < :a", {":a": {"N": "0"}}),
        ("AND #n >= :a", {":a": {"N": "7"}}),
        ("AND #n = :a", {":a": {"N": "3"}}),
    ],
)
def test_numeric_lsi_query_equals_unpatched_moto(ddb, table, condition, values, forward):
    request = {
        "TableName": table,
        "IndexName": "LSI",
        "KeyConditionExpression": f"PK = :p {condition}",
        "ExpressionAttributeNames": {"#n": "N"} if condition else None,
        "ExpressionAttributeValues": {":p": {"S": "P#big"}, **values},
        "ScanIndexForward": forward,
        "Limit": 6,
    }
    same_as_moto(ddb, **{k: v for k, v in request.items() if v is not None})


def test_filter_projection_and_select_count_equal_unpatched_moto(ddb, table):
    base = {
        "TableName": table,
        "KeyConditionExpression": "PK = :p AND begins_with(SK, :o)",
        "ExpressionAttributeValues": {":p": {"S": "P#big"}, ":o": {"S": "ORDER"}, ":half": {"N": "60"}},
        "Limit": 5,
    }
    same_as_moto(ddb, **base, FilterExpression="v < :half")
    same_as_moto(ddb, **base, FilterExpression="v < :half", ProjectionExpression="SK, v")
    same_as_moto(ddb, **base, FilterExpression="v < :half", Select="COUNT")


def test_a_write_between_pages_is_seen(ddb, table):
    # GIVEN a first page read through the index
    request = {
        "TableName": table,
        "KeyConditionExpression": "PK = :p AND begins_with(SK, :o)",
        "ExpressionAttributeValues": {":p": {"S": "P#small"}, ":o": {"S": "NEW#"}},
    }
    assert same_as_moto(ddb, **request)[0]["Items"] == []
    # WHEN an item is written to the partition, and another is deleted
    ddb.put_item(TableName=table, Item={"PK": {"S": "P#small"}, "SK": {"S": "NEW#1"}, "N": {"N": "1"}})
    # THEN the next query sees it
    assert [i["SK"]["S"] for i in same_as_moto(ddb, **request)[0]["Items"]] == ["NEW#1"]
    ddb.delete_item(TableName=table, Key={"PK": {"S": "P#small"}, "SK": {"S": "NEW#1"}})
    assert same_as_moto(ddb, **request)[0]["Items"] == []


def test_a_page_from_the_middle_of_a_large_partition_hands_moto_one_page_of_items(ddb, table):
    # GIVEN a partition of 1,000 items
    partition = f"P#large-{uuid.uuid4().hex[:6]}"
    for start in range(0, 1000, 25):
        ddb.batch_write_item(
            RequestItems={
                table: [
                    {"PutRequest": {"Item": {"PK": {"S": partition}, "SK": {"S": f"ORDER#{i:05d}"}, "N": {"N": "0"}}}}
                    for i in range(start, start + 25)
                ]
            }
        )
    middle = {"PK": {"S": partition}, "SK": {"S": "ORDER#00500"}}
    # WHEN a page of 5 is read from its middle, in each direction
    for forward, expected in ((True, range(501, 506)), (False, range(499, 494, -1))):
        page = ddb.query(
            TableName=table,
            KeyConditionExpression="PK = :p AND begins_with(SK, :o)",
            ExpressionAttributeValues={":p": {"S": partition}, ":o": {"S": "ORDER#"}},
            ExclusiveStartKey=middle,
            ScanIndexForward=forward,
            Limit=5,
        )
        # THEN it holds the 5 items after the start key, and moto saw those and the next one only
        assert [item["SK"]["S"] for item in page["Items"]] == [f"ORDER#{i:05d}" for i in expected]
        assert page["LastEvaluatedKey"]["SK"]["S"] == f"ORDER#{expected[-1]:05d}"
        assert emulator_query.stats["last_window"] == 6
