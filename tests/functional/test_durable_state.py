"""The durable emulator (shoplocal/persistence.py): what a killed emulator acknowledged is there after a
restart on the same state directory, and a fresh state directory starts empty.

A restart needs a process of its own (moto's backends are global to a process, and this one's serve the
other functional tests), so each emulator here is a child process: an `Emulator` with a state directory,
provisioned from template.yaml as `shop run` does, killed with SIGKILL (or stopped as by Ctrl-C).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from shoplocal.emulator import free_port
from shoplocal.launch import clean_environment
from shoplocal.persistence import JOURNAL, Journal, StateInUse, classify, reset
from shoplocal.template import ROOT

CHILD = """
import json, signal, sys, time
from pathlib import Path
from shoplocal.emulator import Emulator
from shoplocal.provision import provision
port, state, out = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
emulator = Emulator(port, state_dir=state).start()
emulator.export()
stack = provision(emulator.url, state_dir=state)
def stop(*_):
    emulator.stop()
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
out.write_text(json.dumps({"ids": stack.physical_ids, "parameters": stack.parameters,
                           "replayed": emulator.journal.replayed}))
while True:
    time.sleep(60)
"""


class Child:
    def __init__(self, process: subprocess.Popen, url: str, stack: dict) -> None:
        self.process, self.url, self.stack = process, url, stack
        self.ids = stack["ids"]
        config = Config(retries={"max_attempts": 1})
        self.ddb = boto3.client("dynamodb", endpoint_url=url, config=config)
        self.s3 = boto3.client("s3", endpoint_url=url, config=config)
        self.sqs = boto3.client("sqs", endpoint_url=url, config=config)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        assert self.process.wait(30) == 0


@contextmanager
def emulator(state_dir: Path, tmp_path: Path) -> Iterator[Child]:
    port = free_port()
    out = tmp_path / f"child-{uuid.uuid4().hex[:6]}.json"
    environment = clean_environment() | {
        "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(port), str(state_dir), str(out)], cwd=ROOT, env=environment
    )
    try:
        deadline = time.monotonic() + 60
        while not out.exists():
            assert process.poll() is None, f"the emulator exited with {process.returncode}"
            assert time.monotonic() < deadline, "the emulator did not start"
            time.sleep(0.1)
        yield Child(process, f"http://127.0.0.1:{port}", json.loads(out.read_text()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _items(child: Child) -> list[dict]:
    items = child.ddb.scan(TableName=child.ids["Table"], ConsistentRead=True)["Items"]
    return sorted(items, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


def _objects(child: Child) -> dict[str, tuple[bytes, dict, str]]:
    bucket = child.ids["InvoiceBucket"]
    found = {}
    for entry in child.s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        got = child.s3.get_object(Bucket=bucket, Key=entry["Key"])
        found[entry["Key"]] = (got["Body"].read(), got["Metadata"], got["ContentType"])
    return found


def _drain(child: Child, url: str) -> dict[str, dict]:
    """Every message now visible on `url`, by id (received with a long visibility timeout, not deleted)."""
    found: dict[str, dict] = {}
    while True:
        got = child.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300,
            AttributeNames=["All"], MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not got:
            return found
        found |= {m["MessageId"]: m for m in got}


def test_items_objects_and_messages_survive_sigkill(tmp_path):
    state = tmp_path / "state"
    with emulator(state, tmp_path) as first:
        table, bucket = first.ids["Table"], first.ids["InvoiceBucket"]
        orders, dlq = first.ids["OrdersQueue"], first.ids["OrdersDeadLetterQueue"]
        # DynamoDB: puts, an atomic counter, a transaction, a delete.
        for n in range(5):
            first.ddb.put_item(TableName=table, Item={"PK": {"S": f"P#{n}"}, "SK": {"S": "#"}, "n": {"N": str(n)}})
        for _ in range(3):
            first.ddb.update_item(
                TableName=table, Key={"PK": {"S": "COUNTER"}, "SK": {"S": "2026"}},
                UpdateExpression="ADD #v :one", ExpressionAttributeNames={"#v": "value"},
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
        first.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"PK": {"S": "T"}, "SK": {"S": "1"}},
                     "ConditionExpression": "attribute_not_exists(PK)"}},
            {"Update": {"TableName": table, "Key": {"PK": {"S": "P#0"}, "SK": {"S": "#"}},
                        "UpdateExpression": "SET b = :b", "ExpressionAttributeValues": {":b": {"B": b"\x00\xff"}}}},
        ])
        first.ddb.delete_item(TableName=table, Key={"PK": {"S": "P#4"}, "SK": {"S": "#"}})
        with pytest.raises(first.ddb.exceptions.TransactionCanceledException):  # refused: changes nothing
            first.ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": table, "Item": {"PK": {"S": "T"}, "SK": {"S": "1"}, "x": {"S": "no"}},
                         "ConditionExpression": "attribute_not_exists(PK)"}},
            ])
        # S3: objects with metadata, one overwritten, one deleted.
        first.s3.put_object(Bucket=bucket, Key="a/1.pdf", Body=b"%PDF-1 \x00\xff", ContentType="application/pdf",
                            Metadata={"correlation-id": "c-1"})
        first.s3.put_object(Bucket=bucket, Key="a/2.pdf", Body=b"old")
        first.s3.put_object(Bucket=bucket, Key="a/2.pdf", Body=b"new" * 1000)
        first.s3.put_object(Bucket=bucket, Key="a/3.pdf", Body=b"gone")
        first.s3.delete_object(Bucket=bucket, Key="a/3.pdf")
        # SQS: a queue of this test's own whose messages die after one receive, so one reaches its DLQ.
        own_dlq = first.sqs.create_queue(QueueName="own-dlq")["QueueUrl"]
        own_dlq_arn = first.sqs.get_queue_attributes(QueueUrl=own_dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        own = first.sqs.create_queue(QueueName="own", Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": own_dlq_arn, "maxReceiveCount": 1})})["QueueUrl"]
        dead = first.sqs.send_message(QueueUrl=own, MessageBody="poison")["MessageId"]
        assert len(first.sqs.receive_message(QueueUrl=own, VisibilityTimeout=0)["Messages"]) == 1
        assert "Messages" not in first.sqs.receive_message(QueueUrl=own, VisibilityTimeout=0)  # moved to own-dlq
        # ... the stack's orders queue: three visible, one in flight (received, never deleted), one deleted.
        sent = [
            first.sqs.send_message(QueueUrl=orders, MessageBody=json.dumps({"n": n}), MessageAttributes={
                "correlationId": {"DataType": "String", "StringValue": f"corr-{n}"},
                "blob": {"DataType": "Binary", "BinaryValue": bytes([n, 255])},
            })["MessageId"]
            for n in range(5)
        ]
        received = first.sqs.receive_message(QueueUrl=orders, MaxNumberOfMessages=2, VisibilityTimeout=300)["Messages"]
        first.sqs.delete_message(QueueUrl=orders, ReceiptHandle=received[0]["ReceiptHandle"])
        in_flight = received[1]["MessageId"]
        # ... and the stack's own DLQ holds one.
        dead_letter = first.sqs.send_message(QueueUrl=dlq, MessageBody="dead")["MessageId"]
        items, objects = _items(first), _objects(first)
        first.kill()

    with emulator(state, tmp_path) as second:
        assert second.ids == first.ids, "the replayed stack keeps its physical names"
        assert second.stack["parameters"] == first.stack["parameters"], "and its parameter values (secrets too)"
        assert _items(second) == items
        assert {i["PK"]["S"] for i in items} == {"P#0", "P#1", "P#2", "P#3", "COUNTER", "T"}
        assert next(i for i in items if i["PK"]["S"] == "COUNTER")["value"] == {"N": "3"}
        assert _objects(second) == objects
        assert objects["a/1.pdf"] == (b"%PDF-1 \x00\xff", {"correlation-id": "c-1"}, "application/pdf")
        assert objects["a/2.pdf"][0] == b"new" * 1000 and "a/3.pdf" not in objects

        queued = _drain(second, orders)
        assert set(queued) == set(sent) - {received[0]["MessageId"]}, "visible and in-flight messages, not the deleted one"
        assert queued[in_flight]["Attributes"]["ApproximateReceiveCount"] == "2", "received once before, once now"
        for message_id in set(queued) - {in_flight}:
            assert queued[message_id]["Attributes"]["ApproximateReceiveCount"] == "1"
        n = json.loads(queued[sent[3]]["Body"])["n"]
        assert queued[sent[3]]["MessageAttributes"]["correlationId"]["StringValue"] == f"corr-{n}"
        assert queued[sent[3]]["MessageAttributes"]["blob"]["BinaryValue"] == bytes([n, 255])
        assert queued[sent[3]]["MD5OfBody"] and queued[sent[3]]["MD5OfMessageAttributes"]
        assert set(_drain(second, dlq)) == {dead_letter}
        own_url = second.sqs.get_queue_url(QueueName="own")["QueueUrl"]
        own_dlq_url = second.sqs.get_queue_url(QueueName="own-dlq")["QueueUrl"]
        assert _drain(second, own_url) == {}
        moved = _drain(second, own_dlq_url)
        assert list(moved) == [dead] and moved[dead]["Body"] == "poison"
        redrive = second.sqs.get_queue_attributes(QueueUrl=own_url, AttributeNames=["RedrivePolicy"])["Attributes"]
        assert json.loads(redrive["RedrivePolicy"])["maxReceiveCount"] == 1
        # What the second emulator acknowledges survives the next kill too.
        second.ddb.put_item(TableName=table, Item={"PK": {"S": "AFTER"}, "SK": {"S": "#"}})
        second.kill()

    with emulator(state, tmp_path) as third:
        assert "AFTER" in {i["PK"]["S"] for i in _items(third)}
        assert set(_drain(third, orders)) == set(queued), "in flight again, never lost"
        third.stop()


def test_a_clean_stop_compacts_the_journal_and_loses_nothing(tmp_path):
    state = tmp_path / "state"
    with emulator(state, tmp_path) as first:
        table, bucket, orders = first.ids["Table"], first.ids["InvoiceBucket"], first.ids["OrdersQueue"]
        for n in range(60):  # more than one BatchWriteItem's worth, every attribute type, rewritten and deleted
            first.ddb.put_item(TableName=table, Item={
                "PK": {"S": f"CLIENT#{n % 3}"}, "SK": {"S": f"ORDER#{n:03d}"},
                "GSI1PK": {"S": f"CLIENT#{n % 3}"}, "GSI1SK": {"S": f"STATUS#PENDING#{n:03d}"},
                "total": {"N": str(n * 100)}, "blob": {"B": bytes([n, 0, 255])}, "tags": {"SS": ["a", f"t{n}"]},
                "counts": {"NS": ["1", str(n + 2)]}, "lines": {"L": [{"M": {"sku": {"S": "W-1"}, "q": {"N": "3"}}}]},
                "flag": {"BOOL": n % 2 == 0}, "nothing": {"NULL": True},
            })
        for n in range(0, 60, 4):
            first.ddb.update_item(
                TableName=table, Key={"PK": {"S": f"CLIENT#{n % 3}"}, "SK": {"S": f"ORDER#{n:03d}"}},
                UpdateExpression="SET GSI1SK = :s REMOVE nothing", ExpressionAttributeValues={":s": {"S": f"STATUS#INVOICED#{n:03d}"}},
            )
        for n in range(1, 60, 10):
            first.ddb.delete_item(TableName=table, Key={"PK": {"S": f"CLIENT#{n % 3}"}, "SK": {"S": f"ORDER#{n:03d}"}})
        first.s3.put_object(Bucket=bucket, Key="k.pdf", Body=b"v1", Metadata={"correlation-id": "c"})
        first.s3.put_object(Bucket=bucket, Key="k.pdf", Body=b"v2", ContentType="application/pdf")
        for n in range(20):
            first.sqs.send_message(QueueUrl=orders, MessageBody=str(n))
        deleted = set()
        for m in first.sqs.receive_message(QueueUrl=orders, MaxNumberOfMessages=10)["Messages"]:
            first.sqs.delete_message(QueueUrl=orders, ReceiptHandle=m["ReceiptHandle"])
            deleted.add(m["Body"])
        items, objects = _items(first), _objects(first)
        lines_before = len((state / JOURNAL).read_text().splitlines())
        first.stop()
    records = [json.loads(line) for line in (state / JOURNAL).read_text().splitlines()]
    assert len(records) < lines_before - 60
    assert [r["t"] for r in records].count("sqs") == 1, "the messages still queued, as one line at the end"
    for round in range(2):  # a compacted journal compacts to one that replays the same again
        with emulator(state, tmp_path) as again:
            assert _items(again) == items
            assert _objects(again) == objects
            invoiced = again.ddb.query(
                TableName=table, IndexName="GSI1", KeyConditionExpression="GSI1PK = :p AND begins_with(GSI1SK, :s)",
                ExpressionAttributeValues={":p": {"S": "CLIENT#0"}, ":s": {"S": "STATUS#INVOICED#"}},
            )["Items"]
            assert [i["SK"]["S"] for i in invoiced] == [f"ORDER#{n:03d}" for n in range(0, 60, 12)]
            if round == 0:
                assert {m["Body"] for m in _drain(again, orders).values()} == {str(n) for n in range(20)} - deleted
                again.stop()  # the messages were received, not deleted: still there next time
            else:
                assert len(_drain(again, orders)) == 10
                again.kill()


def test_fresh_starts_from_nothing(tmp_path):
    state = tmp_path / "state"
    with emulator(state, tmp_path) as first:
        first.ddb.put_item(TableName=first.ids["Table"], Item={"PK": {"S": "X"}, "SK": {"S": "#"}})
        first.sqs.send_message(QueueUrl=first.ids["OrdersQueue"], MessageBody="m")
        first.kill()
    reset(state)
    with emulator(state, tmp_path) as fresh:
        assert fresh.stack["replayed"] == 0
        assert fresh.ids != first.ids, "a new stack"
        assert fresh.ids["CursorSecret"] != first.ids["CursorSecret"], "a new cursor secret"
        assert _items(fresh) == []
        assert _drain(fresh, fresh.ids["OrdersQueue"]) == {}
        fresh.kill()


def test_a_torn_last_line_is_dropped_and_a_damaged_journal_refused(tmp_path):
    state = tmp_path / "state"
    with emulator(state, tmp_path) as first:
        first.ddb.put_item(TableName=first.ids["Table"], Item={"PK": {"S": "X"}, "SK": {"S": "#"}})
        first.kill()
    journal = state / JOURNAL
    whole = journal.read_bytes()
    with journal.open("ab") as f:
        f.write(b'{"t":"http","seed":1,"envi')  # the process killed inside a write: never answered
    with emulator(state, tmp_path) as second:
        assert [i["PK"]["S"] for i in _items(second)] == ["X"]
        second.kill()
    assert journal.read_bytes() == whole
    journal.write_bytes(b"garbage\n" + whole)
    with pytest.raises(AssertionError, match="exited"):
        with emulator(state, tmp_path):
            pass


def test_one_state_directory_serves_one_stack(tmp_path):
    first = Journal(lambda environ, start_response: [], tmp_path)
    try:
        with pytest.raises(StateInUse):
            Journal(lambda environ, start_response: [], tmp_path)
        with pytest.raises(StateInUse):
            reset(tmp_path)
    finally:
        first.close(compact=False)
    Journal(lambda environ, start_response: [], tmp_path).close(compact=False)  # free again


@pytest.mark.parametrize(
    ("environ", "body", "kind"),
    [
        ({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem", "REQUEST_METHOD": "POST"}, b"{}", "write"),
        ({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.TransactWriteItems", "REQUEST_METHOD": "POST"}, b"{}", "write"),
        ({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.Query", "REQUEST_METHOD": "POST"}, b"{}", "read"),
        ({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.BatchGetItem", "REQUEST_METHOD": "POST"}, b"{}", "read"),
        ({"HTTP_X_AMZ_TARGET": "AmazonSQS.SendMessage", "REQUEST_METHOD": "POST"}, b"{}", "sqs"),
        ({"HTTP_X_AMZ_TARGET": "AmazonSQS.ReceiveMessage", "REQUEST_METHOD": "POST"}, b"{}", "sqs"),
        ({"HTTP_X_AMZ_TARGET": "AmazonSQS.CreateQueue", "REQUEST_METHOD": "POST"}, b"{}", "write"),
        ({"HTTP_X_AMZ_TARGET": "AmazonSQS.GetQueueAttributes", "REQUEST_METHOD": "POST"}, b"{}", "read"),
        ({"REQUEST_METHOD": "PUT", "PATH_INFO": "/bucket/key"}, b"pdf", "write"),
        ({"REQUEST_METHOD": "GET", "PATH_INFO": "/bucket/key"}, b"", "read"),
        ({"REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded"}, b"Action=CreateStack", "write"),
        ({"REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded"}, b"Action=DescribeStacks", "read"),
        (
            {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded",
             "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sqs/aws4_request"},
            b"Action=DeleteMessage&QueueUrl=x",
            "sqs",
        ),
    ],
)
def test_what_is_journaled_and_how(environ, body, kind):
    assert classify(environ, body) == kind
