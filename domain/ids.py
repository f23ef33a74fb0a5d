"""Opaque ids: ULIDs (80 random bits, time-sortable). The pattern is the contract's `Ulid` schema."""

ULID_PATTERN = "^[0-9A-HJKMNP-TV-Z]{26}$"
CURSOR_PATTERN = "^[A-Za-z0-9_-]+$"


def new_id() -> str:
    # Imported on first use: python-ulid (with typing_extensions) costs a cold start that reads nothing new.
    from ulid import ULID

    return str(ULID())
IDEMPOTENCY_KEY_PATTERN = "^[A-Za-z0-9_-]+$"
INVOICE_ID_PATTERN = "^INV-[0-9]{4}-[0-9]{6}$"
