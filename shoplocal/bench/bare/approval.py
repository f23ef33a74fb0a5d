"""Bare ApprovalFunction: the same calls as workers/approval.py for a PENDING order it approves."""

from __future__ import annotations

import json
import os

import boto3

from shoplocal.bench.bare._shared import (
    TABLE,
    message_attributes,
    now,
    order_and_client,
)

dynamodb = boto3.client("dynamodb")
sqs = boto3.client("sqs")
PAID_QUEUE = os.environ["PAID_ORDERS_QUEUE_URL"]


def lambda_handler(event: dict, context: object) -> dict:
    for record in event["Records"]:
        ref = json.loads(record["body"])
        client_id, order_id = ref["clientId"], ref["orderId"]
        order_key, order, client = order_and_client(dynamodb, client_id, order_id)
        if int(order["total"]["N"]) > int(client["creditLimit"]["N"]):
            continue  # the bench's orders are all within the limit
        stamp = now()
        dynamodb.update_item(
            TableName=TABLE,
            Key=order_key,
            UpdateExpression="SET #s = :a, approvedAt = :t, updatedAt = :t, GSI1SK = :g1, GSI2SK = :g2",
            ConditionExpression="#s = :p",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":a": {"S": "APPROVED"},
                ":p": {"S": "PENDING"},
                ":t": {"S": stamp},
                ":g1": {"S": f"STATUS#APPROVED#{order_id}"},
                ":g2": {"S": f"{stamp}#{order_id}"},
            },
        )
        sqs.send_message(QueueUrl=PAID_QUEUE, MessageBody=record["body"],
                         MessageAttributes=message_attributes())
    return {"batchItemFailures": []}
