"""The two queue messages of the order pipeline. Both carry only references: the table is the source of truth.

- orders queue (sent by the orders API, read by the approval worker):   `{"clientId": "...", "orderId": "..."}`
- paid-orders queue (sent by the approval worker, read by the paid-order worker): the same shape.

Each message also carries the order's correlation id as the String message attribute `correlationId`
(the API request's, forwarded by the approval worker; a redriven message gets its sweep's). It only
labels log lines: a message without a valid one is processed all the same.

A body that is not that (not JSON, not an object, a missing id, an id that is not a ULID) raises
`MalformedMessageError`: the record fails and, after the queue's `maxReceiveCount`, lands in its DLQ.
Error messages never quote the body (it may hold anything, personal data included).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from domain.ids import ULID_PATTERN

_ULID = re.compile(ULID_PATTERN)
# What a correlation id may be: bounded, and characters that are safe in a log line and an HTTP header
# (API Gateway's request ids are UUIDs). Anything else a caller sends is ignored, never logged.
CORRELATION_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
_CORRELATION_ID = re.compile(CORRELATION_ID_PATTERN)
CORRELATION_ATTRIBUTE = "correlationId"


class MalformedMessageError(ValueError):
    """The body is not an order reference; retrying cannot help (poison)."""


@dataclass(frozen=True)
class OrderRef:
    client_id: str
    order_id: str


def parse(body: str) -> OrderRef:
    """The order a message body refers to; `MalformedMessageError` for anything else."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        raise MalformedMessageError("body is not JSON") from None
    if not isinstance(data, dict):
        raise MalformedMessageError("body must be a JSON object")
    # Other fields are ignored (tolerant reader): a sender may add some before every reader knows them.
    client_id, order_id = data.get("clientId"), data.get("orderId")
    if not all(isinstance(value, str) and _ULID.fullmatch(value) for value in (client_id, order_id)):
        raise MalformedMessageError("clientId and orderId must be ULIDs")
    return OrderRef(client_id=client_id, order_id=order_id)


def body(client_id: str, order_id: str) -> str:
    """The body of an orders or paid-orders message for one order."""
    return json.dumps({"clientId": client_id, "orderId": order_id}, separators=(",", ":"))


def valid_correlation_id(value: object) -> str | None:
    """`value` if it is a well-formed correlation id, else None."""
    return value if isinstance(value, str) and _CORRELATION_ID.fullmatch(value) else None


def attributes(correlation_id: str | None) -> dict[str, dict[str, str]]:
    """The `MessageAttributes` of an orders or paid-orders message (none without a valid correlation id)."""
    if valid_correlation_id(correlation_id) is None:
        return {}
    return {CORRELATION_ATTRIBUTE: {"DataType": "String", "StringValue": correlation_id}}


def correlation_id(message_attributes: dict | None) -> str | None:
    """The correlation id of a received record (`messageAttributes` in the Lambda event shape), if valid."""
    attribute = (message_attributes or {}).get(CORRELATION_ATTRIBUTE) or {}
    return valid_correlation_id(attribute.get("stringValue"))
