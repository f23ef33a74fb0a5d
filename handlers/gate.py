"""The request gate: what is decided about a request before Powertools' resolver sees it, once and in order.

1. **413** a body above `MAX_BODY_BYTES` (declared or actual), before anything parses it (handlers/limits.py);
2. **401** no caller on an operation that is not public (handlers/auth.py), as API Gateway's authorizer runs
   before its request validator;
3. **415** a body operation sent without one of the media types the contract declares for its body;
4. **403** a machine's access token without one of the operation's scopes (API Gateway refuses it first);
   **403 / 404** the caller lacks the operation's right (`auth.RIGHTS`, keyed by operationId) on the path's
   client;
5. **400** a query parameter the operation does not declare (API Gateway passes any).

The operation is found from the event's `httpMethod` and `resource` (the OpenAPI path template, as API
Gateway sends it) in the generated `contract.OPERATIONS`. An event that names no operation of the contract
(a direct invocation) needs an admin, and the resolver then answers 404.

The resolver validates the rest (parameters and body against the generated routes) and answers 400.
Powertools parses a body as JSON only under a content type that starts with `application/json`, exactly; a
body the gate accepted (`Application/JSON; charset=utf-8`, or `application/merge-patch+json`, which RFC 7396
defines as JSON) is handed to it labelled `application/json`.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from datamodel.errors import DataError
from handlers import auth, contract, limits, problems

JSON = "application/json"
_CLIENT_ID = "clientId"  # the contract's path parameter naming the client a request acts on


def admit(event: dict[str, Any]) -> tuple[Response | None, dict[str, Any]]:
    """The problem answering `event` before the resolver runs (None to let it through), and the event to give
    the resolver: with a body of a media type the operation declares, labelled `application/json`, the one
    Powertools parses (media types compare case-insensitively, and a merge patch is JSON)."""
    request = APIGatewayProxyEvent(event)
    operation = contract.OPERATIONS.get((request.http_method, request.resource))
    try:
        if limits.too_large(request):
            raise limits.PayloadTooLargeError()
        if operation is not None and operation.public:
            return None, event
        caller = auth.caller_of(request)
        if operation is not None and operation.media_types and media_type(request) not in operation.media_types:
            raise problems.UnsupportedMediaTypeError(_send_as(operation.media_types))
        if caller.scopes is not None:  # a machine: the gateway checked its scopes already; again, failing closed
            auth.check_scopes(caller, operation.scopes if operation else frozenset())
        right = auth.RIGHTS.get(operation.operation_id, auth.Right.ADMIN) if operation else auth.Right.ADMIN
        auth.check(caller, right, (request.path_parameters or {}).get(_CLIENT_ID))
        if operation is not None:
            unknown = sorted(set(request.query_string_parameters or {}) - operation.query)
            if unknown:
                raise problems.RequestError(
                    "; ".join(f"query {name}: unknown query parameter" for name in unknown),
                    errors=[problems.field_error("query", "unknown query parameter", name=name) for name in unknown],
                )
    except problems.RequestError as error:
        return problems.for_request_error(error), event
    except DataError as error:
        return problems.for_domain_error(error), event
    if operation is not None and operation.media_types:
        return None, _labelled_json(event)
    return None, event


def _labelled_json(event: dict[str, Any]) -> dict[str, Any]:
    headers = {k: (JSON if k.lower() == "content-type" else v) for k, v in (event.get("headers") or {}).items()}
    multi = event.get("multiValueHeaders")
    if isinstance(multi, dict):
        multi = {k: ([JSON] if k.lower() == "content-type" else v) for k, v in multi.items()}
    return {**event, "headers": headers, "multiValueHeaders": multi}


def media_type(request: APIGatewayProxyEvent) -> str:
    """The request's media type, lower case, without parameters (`application/json; charset=utf-8`)."""
    return (request.headers.get("content-type") or "").split(";")[0].strip().lower()


def _send_as(media_types: frozenset[str]) -> str:
    return f"Send the body as {' or '.join(sorted(media_types))}."


def proxy_result(response: Response) -> dict[str, Any]:
    """A problem `Response` as the Lambda proxy result the REST resolver would make of it."""
    headers = {"Content-Type": [problems.PROBLEM_JSON]}
    headers.update({name: [value] for name, value in (response.headers or {}).items()})
    return {
        "statusCode": int(response.status_code),
        "multiValueHeaders": headers,
        "body": response.body,
        "isBase64Encoded": False,
    }

