"""Opaque ids: ULIDs (80 random bits, time-sortable). The pattern is the contract's `Ulid` schema, which the
token claims (handlers/auth.py) and queue messages (domain/messages.py) are checked against too."""

ULID_PATTERN = "^[0-9A-HJKMNP-TV-Z]{26}$"


def new_id() -> str:
    # Imported on first use: python-ulid (with typing_extensions) costs a cold start that reads nothing new.
    from ulid import ULID

    return str(ULID())
