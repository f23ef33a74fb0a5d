"""Opaque, tamper-evident pagination cursors bound to the listing that issued them.

A cursor is base64url(MAC || JSON of the last evaluated key). The MAC (HMAC-SHA256 with
`CURSOR_SECRET`, truncated) covers the listing's scope too, so a cursor from one client's orders is
refused on another's instead of reaching DynamoDB, which would fail on a foreign ExclusiveStartKey.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

from datamodel.errors import InvalidCursorError
from domain import config

_MAC_BYTES = 16


def _mac(scope: str, payload: bytes) -> bytes:
    return hmac.new(config.CURSOR_SECRET, scope.encode() + b"\0" + payload, hashlib.sha256).digest()[:_MAC_BYTES]


def encode(scope: str, last_key: dict[str, dict[str, str]] | None) -> str | None:
    """The cursor of the next page, or None when the listing is complete."""
    if not last_key:
        return None
    plain = {name: value["S"] for name, value in sorted(last_key.items())}
    payload = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(_mac(scope, payload) + payload).rstrip(b"=").decode()


def decode(scope: str, cursor: str | None, key_names: frozenset[str]) -> dict[str, dict[str, str]] | None:
    """The ExclusiveStartKey a cursor stands for; InvalidCursorError for anything this table did not issue."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidCursorError("cursor is not valid base64url") from error
    mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
    if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, _mac(scope, payload)):
        raise InvalidCursorError("cursor was not issued for this listing")
    try:
        plain = json.loads(payload)
    except ValueError as error:  # only reachable with a leaked secret; kept so nothing here can 500
        raise InvalidCursorError("cursor payload is not JSON") from error
    if not isinstance(plain, dict) or set(plain) != key_names or not all(isinstance(v, str) for v in plain.values()):
        raise InvalidCursorError("cursor does not hold a key of this listing")
    return {name: {"S": value} for name, value in plain.items()}
