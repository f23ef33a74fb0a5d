"""The exceptions of `shop_sdk`: every problem answer (RFC 9457, `application/problem+json`) becomes the
exception of its status, carrying the problem's `status`, `type`, `title`, `detail` and the answer's
`X-Correlation-Id` (quote it when you report a problem: the shop's logs carry it).

    ShopError
    ├── APIConnectionError         the request never got an answer (after the retries)
    ├── WaitTimeout                an order did not reach a terminal state in time
    └── APIError                   an answer with a problem (any status >= 400)
        ├── ValidationError        400, with `errors`: the field-level errors
        ├── AuthenticationError    401
        ├── PermissionDenied       403
        ├── NotFound               404
        ├── Conflict               409
        ├── PreconditionFailed     412 (a stale If-Match)
        ├── PayloadTooLarge        413
        ├── UnsupportedMediaType   415
        ├── IdempotencyKeyReused   422
        ├── Throttled              429, with `retry_after` (seconds)
        └── ServerError            5xx
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from shop_client.models import FieldError

__all__ = [
    "APIConnectionError",
    "APIError",
    "AuthenticationError",
    "Conflict",
    "IdempotencyKeyReused",
    "NotFound",
    "PayloadTooLarge",
    "PermissionDenied",
    "PreconditionFailed",
    "ServerError",
    "ShopError",
    "Throttled",
    "UnsupportedMediaType",
    "ValidationError",
    "WaitTimeout",
    "error_from_response",
]


class ShopError(Exception):
    """Base of every exception this package raises."""


class APIConnectionError(ShopError):
    """No answer: the connection failed or timed out on every attempt. `__cause__` is httpx's exception."""


class WaitTimeout(ShopError):
    """`orders.wait` gave up: `order` is the last state read (not terminal)."""

    def __init__(self, message: str, order: Any) -> None:
        super().__init__(message)
        self.order = order


class APIError(ShopError):
    """The API answered a problem. `type` is the problem type's URI (e.g. `urn:shop:problem:email-taken`, or
    `about:blank` for API Gateway's own answers); `code` is its last segment (`email-taken`)."""

    def __init__(
        self,
        *,
        status: int,
        type: str = "about:blank",  # noqa: A002 - RFC 9457's member name
        title: str = "",
        detail: str | None = None,
        instance: str | None = None,
        correlation_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.instance = instance
        self.correlation_id = correlation_id
        self.headers: Mapping[str, str] = headers or {}
        self.body: Mapping[str, Any] = body or {}
        super().__init__(self._message())

    @property
    def code(self) -> str:
        return self.type.rsplit(":", 1)[-1].rsplit("/", 1)[-1]

    def _message(self) -> str:
        text = f"{self.status} {self.title}".strip()
        if self.detail:
            text += f": {self.detail}"
        if self.type != "about:blank":
            text += f" [{self.type}]"
        if self.correlation_id:
            text += f" (correlation id {self.correlation_id})"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, type={self.type!r}, detail={self.detail!r}, correlation_id={self.correlation_id!r})"


class ValidationError(APIError):
    """400: `errors` lists each violation as a `FieldError` (`in_`, `name` or `pointer`, `detail`)."""

    def __init__(self, *, errors: list[FieldError] | None = None, **problem: Any) -> None:
        self.errors: list[FieldError] = errors or []
        super().__init__(**problem)

    def _message(self) -> str:
        text = super()._message()
        for error in self.errors:
            where = error.pointer if error.in_ == "body" and isinstance(error.pointer, str) else error.name
            label = f"{error.in_} {where}" if where else error.in_
            text += f"\n  {label}: {error.detail}"
        return text


class AuthenticationError(APIError):
    """401: no token, or one that is not valid (a token provider was asked for a new one first)."""


class PermissionDenied(APIError):
    """403: a valid token without the right (a client token on a back-office operation)."""


class NotFound(APIError):
    """404: no such client, order or invoice (or another client's, with a client token)."""


class Conflict(APIError):
    """409: a duplicate email, a delete while orders are open, or the same Idempotency-Key still in flight."""


class PreconditionFailed(APIError):
    """412: `If-Match` names an older version: read the client again."""


class PayloadTooLarge(APIError):
    """413: a body above 256 KiB."""


class UnsupportedMediaType(APIError):
    """415: a body that is not JSON."""


class IdempotencyKeyReused(APIError):
    """422: the Idempotency-Key was used before with another payload."""


class Throttled(APIError):
    """429, after the retries: `retry_after` is the server's `Retry-After` in seconds (None without one)."""

    def __init__(self, *, retry_after: float | None = None, **problem: Any) -> None:
        self.retry_after = retry_after
        super().__init__(**problem)


class ServerError(APIError):
    """5xx, after the retries (502, 503 and 504 are retried; 500 is not)."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: IdempotencyKeyReused,
    429: Throttled,
}


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """`Retry-After` in seconds: the contract's integer, or an HTTP date (RFC 9110); None if absent or unreadable."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from datetime import UTC, datetime
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def problem_of(response: httpx.Response) -> dict[str, Any]:
    """The answer's problem document, or one made from its status when the body is not a JSON object."""
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return {"type": "about:blank", "title": response.reason_phrase, "status": response.status_code}
    return body


def error_from_response(response: httpx.Response) -> APIError:
    """The exception for an answer with status >= 400."""
    body = problem_of(response)
    status = response.status_code
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else APIError)
    problem: dict[str, Any] = {
        "status": status,
        "type": str(body.get("type") or "about:blank"),
        "title": str(body.get("title") or response.reason_phrase),
        "detail": body.get("detail") if isinstance(body.get("detail"), str) else None,
        "instance": body.get("instance") if isinstance(body.get("instance"), str) else None,
        "correlation_id": response.headers.get("x-correlation-id"),
        "headers": response.headers,
        "body": body,
    }
    if kind is ValidationError:
        entries = body.get("errors") if isinstance(body.get("errors"), list) else []
        errors = [FieldError.from_dict(e) for e in entries if isinstance(e, dict) and "in" in e and "detail" in e]
        return ValidationError(errors=errors, **problem)
    if kind is Throttled:
        return Throttled(retry_after=retry_after_seconds(response.headers), **problem)
    return kind(**problem)
