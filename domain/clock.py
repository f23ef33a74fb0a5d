"""UTC time as the API and the table store it: RFC 3339 with milliseconds and `Z`."""

from datetime import datetime, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def rfc3339(moment: datetime) -> str:
    """`2026-11-25T21:48:39.123Z`: fixed width, so strings sort as the moments they name."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_rfc3339() -> str:
    return rfc3339(utc_now())
