"""The request body size limit in the API functions (domain/limits.py says why `MAX_BODY_BYTES`).

API Gateway passes bodies up to 10 MB to a proxy integration, so the function refuses a larger one itself,
with a 413 problem (the request gate, handlers/gate.py), before Powertools parses or validates it and before
any route reaches the data layer. A declared `Content-Length` above the limit is refused without looking at
the body.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from domain.limits import MAX_BODY_BYTES
from handlers import problems


class PayloadTooLargeError(problems.RequestError):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    slug = "payload-too-large"

    def __init__(self) -> None:
        super().__init__(f"The request body exceeds {MAX_BODY_BYTES} bytes.")


def declared_length(headers: dict[str, Any] | None) -> int | None:
    """The `Content-Length` the caller declared, or None when absent or not a number."""
    for name, value in (headers or {}).items():
        if name.lower() == "content-length":
            text = str(value).strip()
            return int(text) if text.isdigit() else None
    return None


def body_length(body: str | None, base64_encoded: bool) -> int:
    """The body's size in bytes as sent, without decoding a base64 body or copying a short one."""
    if not body:
        return 0
    if base64_encoded:
        return len(body) * 3 // 4 - body[-2:].count("=")
    if len(body) > MAX_BODY_BYTES or 4 * len(body) <= MAX_BODY_BYTES:
        return len(body)  # a character is 1 to 4 bytes: the answer is on the right side of the limit either way
    return len(body.encode("utf-8", "surrogatepass"))


def too_large(event: Any) -> bool:
    declared = declared_length(event.headers)
    if declared is not None and declared > MAX_BODY_BYTES:
        return True
    return body_length(event.body, bool(event.is_base64_encoded)) > MAX_BODY_BYTES
