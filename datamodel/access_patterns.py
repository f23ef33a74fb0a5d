"""The minimum AWS calls of every operation: the "calls" column of the access-pattern table (keys.py).

`shop bench` (section calls) counts the calls each handler really makes with a botocore hook and compares
them with these; a count above its minimum is a bug (a redundant read, a write that could share a
transaction). `transact_items` is the number of items of each TransactWriteItems, in order; `batch_get_items`
the number of keys of each BatchGetItem (each key is billed as one read).

Not counted, as an execution environment's set-up is not: the list routes' one GetSecretValue of the cursor
key on their first cursor, then served from cache for 15 minutes (datamodel/cursor.py; the bench reads it
before counting).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from datamodel import keys


@dataclass(frozen=True)
class Minimum:
    calls: dict[str, int]  # "service.Operation" -> calls
    why: str
    transact_items: tuple[int, ...] = field(default=())
    batch_get_items: tuple[int, ...] = field(default=())

    @property
    def total(self) -> int:
        return sum(self.calls.values())


_IDEMPOTENT = "Powertools' record: PutItem INPROGRESS before, UpdateItem COMPLETED after"

MINIMUM_CALLS: dict[str, Minimum] = {
    "GET /health": Minimum({}, "no data: the probe answers from the function alone"),
    "POST /clients": Minimum(
        {"dynamodb.TransactWriteItems": 1},
        "profile, email guard (unique email) and open-orders item in one transaction",
        (3,),
    ),
    "POST /clients (Idempotency-Key)": Minimum(
        {"dynamodb.PutItem": 1, "dynamodb.TransactWriteItems": 1, "dynamodb.UpdateItem": 1},
        f"{_IDEMPOTENT}; the key is also written in the creating transaction",
        (4,),
    ),
    "GET /clients": Minimum({"dynamodb.Query": 1}, "one Query on GSI1 CLIENTS, a key condition only"),
    "GET /clients/{clientId}": Minimum({"dynamodb.GetItem": 1}, "the profile by its key"),
    "PUT /clients/{clientId}": Minimum(
        {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1},
        "read the version (If-Match, stored admin-only fields), then write conditionally on it",
        (1,),
    ),
    "DELETE /clients/{clientId}": Minimum(
        {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1},
        "read the email (the guard's key), then delete profile, guard and open-orders item in one transaction",
        (3,),
    ),
    "POST /clients/{clientId}/orders": Minimum(
        {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1, "sqs.SendMessage": 1},
        "no currency sent: read the client's; order + open count in one transaction; enqueue",
        (2,),
    ),
    "POST /clients/{clientId}/orders (currency sent)": Minimum(
        {"dynamodb.TransactWriteItems": 1, "sqs.SendMessage": 1},
        "the transaction's condition proves the client exists with that currency: no read",
        (2,),
    ),
    "POST /clients/{clientId}/orders (Idempotency-Key)": Minimum(
        {
            "dynamodb.PutItem": 1,
            "dynamodb.GetItem": 1,
            "dynamodb.TransactWriteItems": 1,
            "sqs.SendMessage": 1,
            "dynamodb.UpdateItem": 1,
        },
        f"{_IDEMPOTENT}; as without a key, the key also in the transaction",
        (3,),
    ),
    "POST /clients/{clientId}/orders (Idempotency-Key, replay)": Minimum(
        {"dynamodb.PutItem": 1},
        "the conditional PutItem fails and returns the stored response (ReturnValuesOnConditionCheckFailure)",
    ),
    "GET /clients/{clientId}/orders": Minimum({"dynamodb.Query": 1}, "one Query, begins_with(SK, ORDER#)"),
    "GET /clients/{clientId}/orders/{orderId}": Minimum({"dynamodb.GetItem": 1}, "the order by its key"),
    "GET /clients/{clientId}/invoices": Minimum(
        {"dynamodb.Query": 1}, "one Query, begins_with(SK, INVOICE#), descending"
    ),
    "GET /clients/{clientId}/invoices/{invoiceId}": Minimum(
        {"dynamodb.GetItem": 1}, "the index entry by its key; presigning makes no call"
    ),
    "GET /clients/{clientId}/invoices/{invoiceId}/pdf": Minimum(
        {"dynamodb.GetItem": 1}, "the index entry by its key; presigning makes no call"
    ),
    "approval: approve": Minimum(
        {"dynamodb.BatchGetItem": 1, "dynamodb.UpdateItem": 1, "sqs.SendMessage": 1},
        "order (the message names it only) and client (limit, currency) in one BatchGetItem, both keys being "
        "in the message; conditional PENDING -> APPROVED; paid message",
        batch_get_items=(2,),
    ),
    "approval: reject": Minimum(
        {"dynamodb.BatchGetItem": 1, "dynamodb.TransactWriteItems": 1},
        "order and client in one BatchGetItem; PENDING -> REJECTED and the client's open count in one "
        "transaction",
        (2,),
        batch_get_items=(2,),
    ),
    "paid-order: invoice": Minimum(
        {"dynamodb.BatchGetItem": 1, "dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1, "s3.PutObject": 1},
        "order and client (bill-to) in one BatchGetItem; the counter in its own strongly consistent GetItem "
        "(re-read by each attempt of the issuing loop); number + index entry + INVOICED + open count in one "
        "transaction; the PDF",
        (4,),
        batch_get_items=(2,),
    ),
}


def redrive_minimum(pending: int, approved: int, shards: int = keys.OPEN_SHARDS) -> Minimum:
    """A sweep that finds fewer than a page of open orders: one Query per open-orders shard (GSI2, key
    conditions only), then one SendMessageBatch per ten orders per target queue."""
    calls = {"dynamodb.Query": shards}
    batches = math.ceil(pending / 10) + math.ceil(approved / 10)
    if batches:
        calls["sqs.SendMessageBatch"] = batches
    return Minimum(calls, "one Query per open-orders shard; SendMessageBatch per 10 orders per queue")
