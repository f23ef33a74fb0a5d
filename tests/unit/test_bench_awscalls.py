"""shoplocal.bench.awscalls: what the botocore hook records per call, on a client whose requests are answered
in process (a `before-send` handler), so nothing leaves the machine."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse

from shoplocal.bench import awscalls


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any):
        yield self.data


@pytest.fixture
def dynamodb():
    """A hooked DynamoDB client whose every request gets an empty, successful answer."""

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, {}, _Body(json.dumps({}).encode()))

    client = botocore.session.Session().create_client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    awscalls.hook_client(client)
    client.meta.events.register("before-send", answer)
    return client


def keys(*names: str) -> list[dict[str, Any]]:
    return [{"PK": {"S": name}, "SK": {"S": "#PROFILE"}} for name in names]


def test_each_batch_get_records_the_keys_it_asked_for(dynamodb):
    # WHEN a batch get of two keys, then (as for UnprocessedKeys) one of one key
    with awscalls.recording() as recording:
        dynamodb.batch_get_item(RequestItems={"T": {"Keys": keys("a", "b")}})
        dynamodb.batch_get_item(RequestItems={"T": {"Keys": keys("b")}})

    # THEN both calls are counted, with their key counts in order, as results.json's detail holds them
    assert recording.as_detail() == {"calls": {"dynamodb.BatchGetItem": 2}, "batchGetItems": [2, 1]}


def test_transactions_record_their_items_and_plain_calls_add_no_sizes(dynamodb):
    put = {"Put": {"TableName": "T", "Item": keys("a")[0]}}

    with awscalls.recording() as recording:
        dynamodb.get_item(TableName="T", Key=keys("a")[0])
        dynamodb.transact_write_items(TransactItems=[put, put, put])

    assert recording.as_detail() == {
        "calls": {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1},
        "transactWriteItems": [3],
    }


def test_calls_outside_a_recording_are_not_counted(dynamodb):
    dynamodb.batch_get_item(RequestItems={"T": {"Keys": keys("a")}})

    with awscalls.recording() as recording:
        pass

    assert recording.as_detail() == {"calls": {}} and recording.total == 0
