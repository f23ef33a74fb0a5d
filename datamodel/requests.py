"""Idempotent creation: the caller's `Idempotency-Key`, recorded in the creating transaction."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    """An idempotent creation: the caller's key and a hash of what it asked for."""

    key: str
    payload_hash: str


REQUEST_TTL_SECONDS = 24 * 3600
