"""Bare ClientsFunction: the same DynamoDB calls as handlers/clients.py, by hand."""

from __future__ import annotations

import json

import boto3

from shoplocal.bench.bare._shared import (
    TABLE,
    idempotency_finish,
    idempotency_start,
    new_id,
    now,
    plain,
    request_item,
    response,
)

dynamodb = boto3.client("dynamodb")


def _open_key(client_id: str) -> dict:
    return {"PK": {"S": f"CLIENT#{client_id}"}, "SK": {"S": "#OPEN"}}


def _profile_key(client_id: str) -> dict:
    return {"PK": {"S": f"CLIENT#{client_id}"}, "SK": {"S": "#PROFILE"}}


def create(event: dict) -> dict:
    started, replay = idempotency_start(dynamodb, event, "createClient")
    if replay is not None:
        return replay
    body = json.loads(event["body"])
    client_id, stamp = new_id(), now()
    item = {
        **_profile_key(client_id),
        "kind": {"S": "Client"},
        "clientId": {"S": client_id},
        "name": {"S": body["name"]},
        "email": {"S": body["email"]},
        "creditLimit": {"N": str(body.get("creditLimit", 100000))},
        "currency": {"S": body.get("currency", "USD")},
        "createdAt": {"S": stamp},
        "updatedAt": {"S": stamp},
        "version": {"N": "1"},
        "GSI1PK": {"S": "CLIENTS"},
        "GSI1SK": {"S": f"{stamp}#{client_id}"},
    }
    guard = {"PK": {"S": f"EMAIL#{body['email'].lower()}"}, "SK": {"S": "#EMAIL"}, "kind": {"S": "EmailGuard"},
             "clientId": {"S": client_id}}
    items = [
        {"Put": {"TableName": TABLE, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
        {"Put": {"TableName": TABLE, "Item": guard, "ConditionExpression": "attribute_not_exists(PK)"}},
        # The client's open-orders count, beside its profile (the product's `#OPEN` item).
        {"Put": {"TableName": TABLE, "ConditionExpression": "attribute_not_exists(PK)",
                 "Item": {**_open_key(client_id), "kind": {"S": "ClientOpenOrders"}, "openOrders": {"N": "0"},
                          "currency": {"S": body.get("currency", "USD")}}}},
    ]
    if started is not None:
        key = {"PK": {"S": f"REQUEST#{started}"}, "SK": {"S": "#CLIENT"}}
        items.append(request_item(key, "ClientRequest", "clientId", client_id, started))
    dynamodb.transact_write_items(TransactItems=items)
    return idempotency_finish(dynamodb, started, response(201, plain(item), {"Location": f"/clients/{client_id}"}))


def get(client_id: str) -> dict:
    item = dynamodb.get_item(TableName=TABLE, Key=_profile_key(client_id)).get("Item")
    return response(200, plain(item)) if item else response(404)


def listing(event: dict) -> dict:
    limit = int((event.get("queryStringParameters") or {}).get("limit", 20))
    result = dynamodb.query(
        TableName=TABLE,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "CLIENTS"}},
        Limit=limit,
    )
    return response(200, {"items": [plain(i) for i in result["Items"]], "nextCursor": None})


def replace(client_id: str, event: dict) -> dict:
    body = json.loads(event["body"])
    current = dynamodb.get_item(TableName=TABLE, Key=_profile_key(client_id))["Item"]
    version = int(current["version"]["N"])
    dynamodb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": _profile_key(client_id),
                    "UpdateExpression": "SET #n = :n, email = :e, creditLimit = :c, currency = :u, updatedAt = :t, "
                    "version = :v REMOVE document",
                    "ConditionExpression": "version = :old",
                    "ExpressionAttributeNames": {"#n": "name"},
                    "ExpressionAttributeValues": {
                        ":n": {"S": body["name"]},
                        ":e": {"S": body["email"]},
                        ":c": {"N": str(body.get("creditLimit", 100000))},
                        ":u": {"S": body.get("currency", "USD")},
                        ":t": {"S": now()},
                        ":v": {"N": str(version + 1)},
                        ":old": {"N": str(version)},
                    },
                }
            }
        ]
    )
    return response(200, plain(current), {"ETag": f'"{version + 1}"'})


def delete(client_id: str) -> dict:
    current = dynamodb.get_item(TableName=TABLE, Key=_profile_key(client_id))["Item"]
    dynamodb.transact_write_items(
        TransactItems=[
            {
                "Delete": {
                    "TableName": TABLE,
                    "Key": _profile_key(client_id),
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": {":v": current["version"]},
                }
            },
            {
                "Delete": {
                    "TableName": TABLE,
                    "Key": _open_key(client_id),
                    "ConditionExpression": "openOrders = :zero",
                    "ExpressionAttributeValues": {":zero": {"N": "0"}},
                }
            },
            {
                "Delete": {
                    "TableName": TABLE,
                    "Key": {"PK": {"S": f"EMAIL#{current['email']['S'].lower()}"}, "SK": {"S": "#EMAIL"}},
                    "ConditionExpression": "clientId = :c",
                    "ExpressionAttributeValues": {":c": {"S": client_id}},
                }
            },
        ]
    )
    return response(204)


def lambda_handler(event: dict, context: object) -> dict:
    method, resource = event["httpMethod"], event["resource"]
    client_id = (event.get("pathParameters") or {}).get("clientId")
    if resource == "/health":
        return response(200, {"status": "ok"})
    if resource == "/clients":
        return create(event) if method == "POST" else listing(event)
    if method == "GET":
        return get(client_id)
    if method == "PUT":
        return replace(client_id, event)
    return delete(client_id)
