"""Bare RedriveFunction: the same calls as workers/redrive.py (one Query per open-orders shard, then one
SendMessageBatch per ten orders per queue), when the open orders fit one page."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

import boto3

from shoplocal.bench.bare._shared import TABLE

dynamodb = boto3.client("dynamodb")
sqs = boto3.client("sqs")
QUEUES = {"PENDING": os.environ["ORDERS_QUEUE_URL"], "APPROVED": os.environ["PAID_ORDERS_QUEUE_URL"]}


def lambda_handler(event: dict, context: object) -> dict:
    age = float(os.environ.get("STUCK_ORDER_AGE_SECONDS", "300"))
    moment = datetime.now(timezone.utc) - timedelta(seconds=age)
    threshold = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    found = []
    for shard in range(8):
        found += dynamodb.query(
            TableName=TABLE,
            IndexName="GSI2",
            KeyConditionExpression="GSI2PK = :pk AND GSI2SK < :before",
            ExpressionAttributeValues={":pk": {"S": f"OPEN#{shard}"}, ":before": {"S": threshold}},
            Limit=100,
        )["Items"]
    sent = 0
    for status, url in QUEUES.items():
        bodies = [json.dumps({"clientId": i["clientId"]["S"], "orderId": i["orderId"]["S"]})
                  for i in found if i["status"]["S"] == status]
        for start in range(0, len(bodies), 10):
            chunk = bodies[start : start + 10]
            sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": b} for n, b in enumerate(chunk)])
            sent += len(chunk)
    return {"found": len(found), "sent": sent}
