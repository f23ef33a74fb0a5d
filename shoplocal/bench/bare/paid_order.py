"""Bare PaidOrderFunction: the same calls as workers/paid_order.py for an APPROVED order (no PDF rendering:
a fixed body stands in for it)."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

import boto3

from shoplocal.bench.bare._shared import (
    TABLE,
    message_attributes,
    now,
    order_and_client,
)

dynamodb = boto3.client("dynamodb")
s3 = boto3.client("s3")
BUCKET = os.environ["BUCKET_NAME"]
PDF = b"%PDF-1.4\n% bare baseline\n%%EOF\n"


def lambda_handler(event: dict, context: object) -> dict:
    for record in event["Records"]:
        ref = json.loads(record["body"])
        client_id, order_id = ref["clientId"], ref["orderId"]
        order_key, order, client = order_and_client(dynamodb, client_id, order_id)
        client_key = {"PK": client["PK"], "SK": {"S": "#OPEN"}}  # the client's open-orders item
        year = f"{datetime.now(timezone.utc).year:04d}"
        counter_key = {"PK": {"S": "COUNTER#INVOICE"}, "SK": {"S": year}}
        counter = dynamodb.get_item(TableName=TABLE, Key=counter_key, ConsistentRead=True).get("Item")
        last = int(counter["value"]["N"]) if counter else 0
        invoice_id = f"INV-{year}-{last + 1:06d}"
        stamp = now()
        s3_key = f"invoices/{client_id}/{order_id}.pdf"
        invoice = {
            "PK": {"S": f"CLIENT#{client_id}"},
            "SK": {"S": f"INVOICE#{invoice_id}"},
            "kind": {"S": "Invoice"},
            "invoiceId": {"S": invoice_id},
            "orderId": {"S": order_id},
            "clientId": {"S": client_id},
            "total": order["total"],
            "currency": order["currency"],
            "issuedAt": {"S": stamp},
            "s3Key": {"S": s3_key},
            "billToName": client["name"],
            "billToEmail": client["email"],
        }
        counter_write = (
            {"Update": {"TableName": TABLE, "Key": counter_key, "UpdateExpression": "SET #v = :n",
                        "ConditionExpression": "#v = :last", "ExpressionAttributeNames": {"#v": "value"},
                        "ExpressionAttributeValues": {":n": {"N": str(last + 1)}, ":last": {"N": str(last)}}}}
            if counter
            else {"Put": {"TableName": TABLE, "Item": {**counter_key, "kind": {"S": "InvoiceCounter"},
                                                        "value": {"N": "1"}},
                          "ConditionExpression": "attribute_not_exists(PK)"}}
        )
        dynamodb.transact_write_items(
            TransactItems=[
                counter_write,
                {"Put": {"TableName": TABLE, "Item": invoice, "ConditionExpression": "attribute_not_exists(PK)"}},
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": order_key,
                        "UpdateExpression": "SET #s = :i, invoiceId = :id, updatedAt = :t, GSI1SK = :g "
                        "REMOVE GSI2PK, GSI2SK",
                        "ConditionExpression": "#s = :a",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":i": {"S": "INVOICED"}, ":id": {"S": invoice_id},
                                                      ":t": {"S": stamp}, ":a": {"S": "APPROVED"},
                                                      ":g": {"S": f"STATUS#INVOICED#{order_id}"}},
                    }
                },
                {"Update": {"TableName": TABLE, "Key": client_key, "UpdateExpression": "ADD openOrders :m",
                            "ConditionExpression": "attribute_exists(PK)",
                            "ExpressionAttributeValues": {":m": {"N": "-1"}}}},
            ]
        )
        s3.put_object(Bucket=BUCKET, Key=s3_key, Body=PDF, ContentType="application/pdf",
                      ServerSideEncryption="AES256", IfNoneMatch="*",
                      Metadata={"correlation-id": message_attributes()["correlationId"]["StringValue"]})
    return {"batchItemFailures": []}
