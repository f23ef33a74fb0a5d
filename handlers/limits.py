"""The request body size limit in the API functions (domain/limits.py says why `MAX_BODY_BYTES`).

API Gateway passes bodies up to 10 MB to a proxy integration, so the function refuses a larger one itself,
with a 413 problem, before Powertools parses or validates it and before any route reaches the data layer.
A declared `Content-Length` above the limit is refused without looking at the body.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

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


def limit_body(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    """413 for a body above `MAX_BODY_BYTES`, declared or actual."""
    if too_large(app.current_event):
        raise PayloadTooLargeError()
    return next_middleware(app)


def run_before_validation(app: APIGatewayRestResolver, middleware) -> None:  # type: ignore[no-untyped-def]
    """Make `middleware` run before Powertools' request validation, which comes before every middleware
    given to `app.use` and parses the whole body. Powertools has no public hook for this: it reads the
    validation middleware from `app._request_validation_middleware` when it builds a route's stack, so
    that attribute is wrapped. Without it (another Powertools version), `middleware` runs first among
    the `use` ones, and tests/functional/test_body_limits.py notices that an oversized invalid body is
    answered 400 instead of 413."""
    validation = getattr(app, "_request_validation_middleware", None)
    if validation is None:
        app.use(middlewares=[middleware])
        return

    def guarded_validation(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
        return middleware(app, lambda app: validation(app, next_middleware))

    app._request_validation_middleware = guarded_validation
