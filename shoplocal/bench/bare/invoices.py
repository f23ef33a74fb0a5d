"""Bare InvoicesFunction: the same DynamoDB call and presigned URL as handlers/invoices.py, by hand."""

from __future__ import annotations

import os

import boto3
from botocore.config import Config

from shoplocal.bench.bare._shared import TABLE, plain, response

dynamodb = boto3.client("dynamodb")
s3 = boto3.client("s3", config=Config(signature_version="s3v4"))
BUCKET = os.environ["BUCKET_NAME"]


def _presign(item: dict) -> str:
    return s3.generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": item["s3Key"]["S"]}, ExpiresIn=300
    )


def lambda_handler(event: dict, context: object) -> dict:
    path = event.get("pathParameters") or {}
    client_id, invoice_id = path["clientId"], path.get("invoiceId")
    if invoice_id is None:
        result = dynamodb.query(
            TableName=TABLE,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
            ExpressionAttributeValues={":pk": {"S": f"CLIENT#{client_id}"}, ":sk": {"S": "INVOICE#"}},
            ScanIndexForward=False,
            Limit=20,
        )
        return response(200, {"items": [plain(i) for i in result["Items"]], "nextCursor": None})
    key = {"PK": {"S": f"CLIENT#{client_id}"}, "SK": {"S": f"INVOICE#{invoice_id}"}}
    item = dynamodb.get_item(TableName=TABLE, Key=key).get("Item")
    if item is None:
        return response(404)
    if event["resource"].endswith("/pdf"):
        return response(302, headers={"Location": _presign(item)})
    return response(200, {**plain(item), "downloadUrl": _presign(item)})
