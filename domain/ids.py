"""Opaque ids: ULIDs (80 random bits, time-sortable). The pattern is the contract's `Ulid` schema."""

from ulid import ULID

ULID_PATTERN = "^[0-9A-HJKMNP-TV-Z]{26}$"
CURSOR_PATTERN = "^[A-Za-z0-9_-]+$"


def new_id() -> str:
    return str(ULID())
IDEMPOTENCY_KEY_PATTERN = "^[A-Za-z0-9_-]+$"
INVOICE_ID_PATTERN = "^INV-[0-9]{4}-[0-9]{6}$"
