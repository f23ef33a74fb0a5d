"""The two queue messages of the order pipeline. Both carry only references: the table is the source of truth.

- orders queue (sent by the orders API, read by the approval worker):   `{"clientId": "...", "orderId": "..."}`
- paid-orders queue (sent by the approval worker, read by the paid-order worker): the same shape.

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
