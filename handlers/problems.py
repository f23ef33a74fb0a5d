"""RFC 9457 problem responses, and the one table mapping domain errors to HTTP."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from datamodel import errors

PROBLEM_JSON = "application/problem+json"

# What a 429 asks the caller to wait, in seconds: throttling and contention pass within moments.
RETRY_AFTER_SECONDS = 1
BUSY_DETAIL = (
    "The service is busy; retry after Retry-After seconds (a POST with the same Idempotency-Key, so it is "
    "not placed twice)."
)

# AWS error codes that mean "throttled, retry later" once the SDK's own retries are spent: botocore's list
# for its standard retry mode (botocore/retries/standard.py), and DynamoDB's cancellation reasons for it.
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
    }
)
THROTTLING_CANCELLATION_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded"})


class RequestError(Exception):
    """A request the handler refuses before reaching the data layer; a 400 names its `errors`."""

    status = HTTPStatus.BAD_REQUEST
    slug: str | None = None
    headers: dict[str, str] | None = None

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors


class UnsupportedMediaTypeError(RequestError):
    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE


class IdempotentRequestInFlightError(RequestError):
    """A request with the same `Idempotency-Key` is still being processed (Powertools' record INPROGRESS)."""

    status = HTTPStatus.CONFLICT
    slug = "idempotent-request-in-flight"

    def __init__(self, detail: str = "A request with this Idempotency-Key is still in progress; retry later.") -> None:
        super().__init__(detail)


# Domain refusal -> (status, problem type slug). The detail never echoes personal data.
STATUS_OF: dict[type[Exception], tuple[HTTPStatus, str]] = {
    errors.ClientNotFoundError: (HTTPStatus.NOT_FOUND, "client-not-found"),
    errors.OrderNotFoundError: (HTTPStatus.NOT_FOUND, "order-not-found"),
    errors.InvoiceNotFoundError: (HTTPStatus.NOT_FOUND, "invoice-not-found"),
    errors.EmailTakenError: (HTTPStatus.CONFLICT, "email-taken"),
    errors.ClientHasOpenOrdersError: (HTTPStatus.CONFLICT, "client-has-open-orders"),
    errors.StaleVersionError: (HTTPStatus.PRECONDITION_FAILED, "stale-version"),
    errors.InvalidCursorError: (HTTPStatus.BAD_REQUEST, "invalid-cursor"),
    errors.CurrencyMismatchError: (HTTPStatus.BAD_REQUEST, "currency-mismatch"),
    errors.IdempotencyKeyReusedError: (HTTPStatus.UNPROCESSABLE_ENTITY, "idempotency-key-reused"),
}

# The field a domain 400 is about: (location, parameter name or body JSON pointer).
FIELD_OF: dict[type[Exception], tuple[str, str]] = {
    errors.InvalidCursorError: ("query", "cursor"),
    errors.CurrencyMismatchError: ("body", "/currency"),
}

DETAIL_OF: dict[type[Exception], str] = {
    errors.ClientNotFoundError: "No client has this id.",
    errors.OrderNotFoundError: "The client has no order with this id.",
    errors.InvoiceNotFoundError: "The client has no invoice with this id.",
    errors.EmailTakenError: "Another client already uses this email address.",
    errors.ClientHasOpenOrdersError: "The client has orders that are not yet invoiced or rejected.",
    errors.StaleVersionError: "If-Match does not match the current ETag; read the client again.",
    errors.InvalidCursorError: "The cursor is not one this listing issued.",
    errors.CurrencyMismatchError: "The order's currency must be the client's currency.",
    errors.IdempotencyKeyReusedError: "This Idempotency-Key was already used with a different payload.",
}


def problem(
    status: HTTPStatus,
    detail: str,
    slug: str | None = None,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, str]] | None = None,
) -> Response:
    body: dict[str, object] = {
        "type": f"urn:shop:problem:{slug}" if slug else "about:blank",
        "title": status.phrase,
        "status": int(status),
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return Response(status_code=int(status), content_type=PROBLEM_JSON, body=json.dumps(body), headers=headers)


def field_error(location: str, detail: str, *, name: str | None = None, pointer: str | None = None) -> dict[str, str]:
    """One entry of a 400's `errors`: where (`in`, and a parameter's `name` or a body's JSON `pointer`), and what."""
    entry = {"in": location}
    if name is not None:
        entry["name"] = name
    if pointer is not None:
        entry["pointer"] = pointer
    entry["detail"] = detail
    return entry


def for_request_error(error: RequestError) -> Response:
    errors = error.errors
    if error.status == HTTPStatus.BAD_REQUEST and not errors:
        errors = [field_error("body", str(error), pointer="")]  # every 400 names where: the request as a whole
    return problem(error.status, str(error), error.slug, headers=error.headers, errors=errors)


def for_domain_error(error: Exception) -> Response | None:
    """The problem for a domain refusal, or None when no route is meant to meet this one."""
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            status, slug = STATUS_OF[cls]
            errors = None
            if cls in FIELD_OF:
                location, where = FIELD_OF[cls]
                key = "pointer" if location == "body" else "name"
                errors = [field_error(location, DETAIL_OF[cls], **{key: where})]
            return problem(status, DETAIL_OF[cls], slug, errors=errors)
    return None


def transient_cause(error: BaseException) -> str | None:
    """Why `error` is worth retrying a moment later, or None: a `ContentionError`, or an AWS throttling code
    anywhere in its chain (PynamoDB's `cause`, a botocore `ClientError` of DynamoDB, SQS or S3, Powertools'
    idempotency store errors raised `from` one)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, errors.ContentionError):
            return type(current).__name__
        response = getattr(current, "response", None)
        code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
        if code in THROTTLING_CODES:
            return code
        for reason in getattr(current, "cancellation_reasons", None) or ():
            if reason is not None and reason.code in THROTTLING_CANCELLATION_REASONS:
                return reason.code
        cause = getattr(current, "cause", None)  # PynamoDB keeps botocore's error there, not in __cause__
        current = cause if isinstance(cause, BaseException) else current.__cause__
    return None


def too_many_requests() -> Response:
    """429, as API Gateway's own throttling answers: the caller retries after `Retry-After` seconds."""
    return problem(
        HTTPStatus.TOO_MANY_REQUESTS, BUSY_DETAIL, "service-busy", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


# A body can hold many violations (100 order lines); a problem names the first ones.
MAX_FIELD_ERRORS = 50


def validation_problem(validation_errors: list[dict[str, Any]]) -> Response:
    """400 for the resolver's (or a model's) validation errors: one `errors` entry per violation, with its
    location and message, never the input value (which may be personal data)."""
    entries = [_field_error_of(error) for error in validation_errors[:MAX_FIELD_ERRORS]]
    detail = "; ".join(f"{e['in']} {e.get('name', e.get('pointer')) or '(whole)'}: {e['detail']}" for e in entries)
    return problem(HTTPStatus.BAD_REQUEST, detail[:1000], errors=entries)


def _field_error_of(error: dict[str, Any]) -> dict[str, str]:
    location, *rest = tuple(error.get("loc") or ("body",))
    message = str(error.get("msg") or error.get("type") or "invalid")
    if error.get("type") == "json_invalid":
        return field_error("body", f"{message}: {error.get('ctx', {}).get('error', 'not JSON')}", pointer="")
    if location == "body":
        return field_error("body", message, pointer=json_pointer(rest))
    if location in ("path", "query", "header"):
        return field_error(location, message, name=str(rest[0]) if rest else "")
    # A model validated outside the resolver (no location part): its locations are the body's.
    return field_error("body", message, pointer=json_pointer([location, *rest]))


def json_pointer(parts: list[Any]) -> str:
    """RFC 6901: `["items", 0, "quantity"]` -> `/items/0/quantity`."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)
