"""Bare OrdersFunction: the same DynamoDB and SQS calls as handlers/orders.py, by hand."""

from __future__ import annotations

import json
import os

import boto3

from shoplocal.bench.bare._shared import (
    TABLE,
    idempotency_finish,
    idempotency_start,
    message_attributes,
    new_id,
    now,
    plain,
    request_item,
    response,
)

dynamodb = boto3.client("dynamodb")
sqs = boto3.client("sqs")
QUEUE = os.environ["ORDERS_QUEUE_URL"]


def place(client_id: str, event: dict) -> dict:
    started, replay = idempotency_start(dynamodb, event, "createOrder")
    if replay is not None:
        return replay
    body = json.loads(event["body"])
    currency = body.get("currency")
    if currency is None:  # the product reads the client only for its currency
        client = dynamodb.get_item(
            TableName=TABLE, Key={"PK": {"S": f"CLIENT#{client_id}"}, "SK": {"S": "#PROFILE"}}
        )["Item"]
        currency = client["currency"]["S"]
    order_id, stamp = new_id(), now()
    lines = [
        {"M": {"sku": {"S": i["sku"]}, "description": {"S": i["description"]}, "quantity": {"N": str(i["quantity"])},
               "unitPrice": {"N": str(i["unitPrice"])}}}
        for i in body["items"]
    ]
    total = sum(i["quantity"] * i["unitPrice"] for i in body["items"])
    order = {
        "PK": {"S": f"CLIENT#{client_id}"},
        "SK": {"S": f"ORDER#{order_id}"},
        "kind": {"S": "Order"},
        "orderId": {"S": order_id},
        "clientId": {"S": client_id},
        "status": {"S": "PENDING"},
        "items": {"L": lines},
        "total": {"N": str(total)},
        "currency": {"S": currency},
        "createdAt": {"S": stamp},
        "updatedAt": {"S": stamp},
        "GSI1PK": {"S": f"CLIENT#{client_id}"},
        "GSI1SK": {"S": f"STATUS#PENDING#{order_id}"},
        "GSI2PK": {"S": f"OPEN#{ord(order_id[-1]) % 8}"},
        "GSI2SK": {"S": f"{stamp}#{order_id}"},
    }
    items = [
        {"Put": {"TableName": TABLE, "Item": order, "ConditionExpression": "attribute_not_exists(PK)"}},
        {
            "Update": {
                "TableName": TABLE,
                "Key": {"PK": {"S": f"CLIENT#{client_id}"}, "SK": {"S": "#OPEN"}},
                "UpdateExpression": "ADD openOrders :one",
                "ConditionExpression": "attribute_exists(PK) AND currency = :c",
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":c": {"S": currency}},
            }
        },
    ]
    if started is not None:
        key = {"PK": {"S": f"CLIENT#{client_id}"}, "SK": {"S": f"REQUEST#{started}"}}
        items.append(request_item(key, "OrderRequest", "orderId", order_id, started))
    dynamodb.transact_write_items(TransactItems=items)
    sqs.send_message(QueueUrl=QUEUE, MessageBody=json.dumps({"clientId": client_id, "orderId": order_id}),
                     MessageAttributes=message_attributes())
    return idempotency_finish(dynamodb, started, response(202, plain(order)))


def listing(client_id: str, event: dict) -> dict:
    limit = int((event.get("queryStringParameters") or {}).get("limit", 20))
    result = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
        ExpressionAttributeValues={":pk": {"S": f"CLIENT#{client_id}"}, ":sk": {"S": "ORDER#"}},
        Limit=limit,
    )
    return response(200, {"items": [plain(i) for i in result["Items"]], "nextCursor": None})


def get(client_id: str, order_id: str) -> dict:
    key = {"PK": {"S": f"CLIENT#{client_id}"}, "SK": {"S": f"ORDER#{order_id}"}}
    item = dynamodb.get_item(TableName=TABLE, Key=key).get("Item")
    return response(200, plain(item)) if item else response(404)


def lambda_handler(event: dict, context: object) -> dict:
    path = event.get("pathParameters") or {}
    if "orderId" in path:
        return get(path["clientId"], path["orderId"])
    if event["httpMethod"] == "POST":
        return place(path["clientId"], event)
    return listing(path["clientId"], event)
