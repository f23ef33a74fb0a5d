"""What the bare handlers share: the table, ids, timestamps and the proxy response."""

from __future__ import annotations

import json
import os
import time
import uuid
from datetime import datetime, timezone

TABLE = os.environ["TABLE_NAME"]
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    """A ULID: 48 bits of milliseconds, 80 random bits, Crockford base32."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def now() -> str:
    moment = datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def batch_get(dynamodb, *keys: dict) -> dict[tuple[str, str], dict]:
    """The items at `keys` in one BatchGetItem (eventually consistent), by (PK, SK), absent ones left out;
    UnprocessedKeys are asked for again, as PynamoDB's `batch_get` does for the product."""
    found: dict[tuple[str, str], dict] = {}
    request = {TABLE: {"Keys": list(keys)}}
    while request:
        answer = dynamodb.batch_get_item(RequestItems=request)
        for item in answer["Responses"].get(TABLE, []):
            found[item["PK"]["S"], item["SK"]["S"]] = item
        request = answer.get("UnprocessedKeys") or {}
    return found



def order_and_client(dynamodb, client_id: str, order_id: str) -> tuple[dict, dict, dict | None]:
    """The workers' read: the order's key, the order and its client's profile, in one BatchGetItem."""
    order_key = {"PK": {"S": f"CLIENT#{client_id}"}, "SK": {"S": f"ORDER#{order_id}"}}
    client_key = {"PK": {"S": f"CLIENT#{client_id}"}, "SK": {"S": "#PROFILE"}}
    found = batch_get(dynamodb, order_key, client_key)
    return order_key, found[f"CLIENT#{client_id}", f"ORDER#{order_id}"], found.get((f"CLIENT#{client_id}", "#PROFILE"))

def response(status: int, body: object = None, headers: dict | None = None) -> dict:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(body) if body is not None else "",
    }


def plain(item: dict) -> dict:
    """A DynamoDB item's S and N attributes as plain values (enough for a response body)."""
    return {name: value.get("S", value.get("N")) for name, value in item.items() if "S" in value or "N" in value}


def idempotency_start(dynamodb, event: dict, operation: str) -> tuple[str | None, dict | None]:
    """The INPROGRESS record of an `Idempotency-Key` request, as Powertools writes it (one PutItem); for a
    key already used, the stored response the failed condition returns instead."""
    key = (event.get("headers") or {}).get("Idempotency-Key")
    if key is None:
        return None, None
    import hashlib

    sk = f"{operation}#{hashlib.sha256(key.encode()).hexdigest()}"
    expiry = int(time.time()) + 86400
    try:
        dynamodb.put_item(
            TableName=TABLE,
            Item={
                "PK": {"S": _partition(sk)},
                "SK": {"S": sk},
                "expiration": {"N": str(expiry)},
                "in_progress_expiration": {"N": str(int(time.time() * 1000) + 15000)},
                "status": {"S": "INPROGRESS"},
                "validation": {"S": hashlib.sha256((event.get("body") or "").encode()).hexdigest()},
            },
            # Powertools' own condition (a stale INPROGRESS may be taken over), as the product sends it.
            ConditionExpression="attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND "
            "attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)",
            ExpressionAttributeNames={"#id": "PK", "#expiry": "expiration", "#status": "status",
                                      "#in_progress_expiry": "in_progress_expiration"},
            ExpressionAttributeValues={":now": {"N": str(int(time.time()))},
                                       ":now_in_millis": {"N": str(int(time.time() * 1000))},
                                       ":inprogress": {"S": "INPROGRESS"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except dynamodb.exceptions.ConditionalCheckFailedException as error:
        stored = error.response.get("Item", {}).get("data", {}).get("S")
        return sk, json.loads(stored) if stored else response(409)
    return sk, None


def _partition(sk: str) -> str:
    """One of 16 partitions by a hash, as the product spreads its records (datamodel/keys.py)."""
    import hashlib

    return f"IDEMPOTENCY#{int.from_bytes(hashlib.sha256(sk.encode()).digest()[:4], 'big') % 16}"


def request_item(key: dict, kind: str, id_name: str, id_value: str, sk: str) -> dict:
    """The `Idempotency-Key` item written in the creating transaction, with the attributes and the condition
    the product's data layer gives it (expiration, payload hash; an expired key may be reused)."""
    item = {**key, "kind": {"S": kind}, id_name: {"S": id_value},
            "expiration": {"N": str(int(time.time()) + 86400)}, "payloadHash": {"S": sk.rsplit("#", 1)[1]}}
    return {"Put": {"TableName": TABLE, "Item": item,
                    "ConditionExpression": "(attribute_not_exists (#0) OR #1 < :0)",
                    "ExpressionAttributeNames": {"#0": "PK", "#1": "expiration"},
                    "ExpressionAttributeValues": {":0": {"N": str(int(time.time()))}}}}


def message_attributes() -> dict:
    """The correlation id every product message carries (domain/messages.py)."""
    return {"correlationId": {"DataType": "String", "StringValue": str(uuid.uuid4())}}


def idempotency_finish(dynamodb, sk: str | None, result: dict) -> dict:
    """The COMPLETED record with the response (one UpdateItem)."""
    if sk is not None:
        dynamodb.update_item(
            TableName=TABLE,
            Key={"PK": {"S": _partition(sk)}, "SK": {"S": sk}},
            # The four attributes Powertools sets on completion (validation: a same-size stand-in hash).
            UpdateExpression="SET #d = :d, #e = :e, #s = :s, #v = :v",
            ExpressionAttributeNames={"#s": "status", "#d": "data", "#e": "expiration", "#v": "validation"},
            ExpressionAttributeValues={":s": {"S": "COMPLETED"}, ":d": {"S": json.dumps(result)},
                                       ":e": {"N": str(int(time.time()) + 86400)},
                                       ":v": {"S": sk.rsplit("#", 1)[1]}},
        )
    return result
