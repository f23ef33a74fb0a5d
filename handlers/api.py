"""The Powertools resolver every API function shares: validation and problem+json errors; and `resolve`, which
runs the request gate (handlers/gate.py) before the resolver and gives each request its correlation id."""

from __future__ import annotations

import json
from http import HTTPStatus

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from pydantic import BaseModel

from datamodel.errors import ContentionError, DataError
from domain.logs import keep_payloads_out_of_logs
from domain.messages import valid_correlation_id
from handlers import gate, problems

logger = Logger()
keep_payloads_out_of_logs()  # no request or response payloads in any log line (domain/logs.py)

CORRELATION_HEADER = "X-Correlation-Id"


def create_app(*routers: Router) -> APIGatewayRestResolver:
    # debug=False whatever POWERTOOLS_DEV says: a debug resolver prints every event, token and body included.
    app = APIGatewayRestResolver(enable_validation=True, debug=False)
    for router in routers:
        app.include_router(router)

    @app.exception_handler([RequestValidationError])
    def invalid_request(error: RequestValidationError) -> Response:
        return problems.validation_problem(error.errors())

    @app.exception_handler([RequestUnsupportedContentType])
    def unsupported_content_type(error: RequestUnsupportedContentType) -> Response:
        # The gate refuses what the contract does not declare first; this is an event that named no operation.
        return problems.problem(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json.")

    @app.exception_handler([problems.RequestError])
    def refused_request(error: problems.RequestError) -> Response:
        return problems.for_request_error(error)

    @app.exception_handler([DataError])
    def domain_error(error: DataError) -> Response:
        return problems.for_domain_error(error) or unexpected(error)

    @app.not_found
    def not_found(error: Exception) -> Response:
        return problems.problem(HTTPStatus.NOT_FOUND, "No route matches this method and path.")

    @app.exception_handler([ContentionError])
    def busy(error: Exception) -> Response:
        # Throttling past the SDK's retries, or transactions that kept conflicting: transient, so 429 as API
        # Gateway's own throttling. Raised, never returned, from the route: Powertools' idempotency then
        # deletes its record, so the retry runs the route again instead of replaying this answer.
        cause = problems.transient_cause(error)  # an AWS error code or an error class name: no request data
        logger.warning("busy: answered 429", extra={"cause": cause, "error": type(error).__name__})
        return problems.too_many_requests()

    @app.exception_handler([Exception])
    def unexpected(error: Exception) -> Response:
        if problems.transient_cause(error):
            return busy(error)
        logger.exception("unhandled error")
        return problems.problem(HTTPStatus.INTERNAL_SERVER_ERROR, "An unexpected error occurred.")

    return app


def resolve(app: APIGatewayRestResolver, event: dict, context) -> dict:
    """`app.resolve`, under the request's correlation id, which the response returns in `X-Correlation-Id`.

    Call it inside `@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)`,
    which sets API Gateway's request id; a caller's own `X-Correlation-Id` replaces it when well formed
    (domain/messages.py) and is ignored otherwise. Every response carries it, errors included."""
    headers = event.get("headers") or {}
    sent = next((value for name, value in headers.items() if name.lower() == CORRELATION_HEADER.lower()), None)
    if valid_correlation_id(sent):
        logger.set_correlation_id(sent)
    refusal, admitted = gate.admit(event)
    response = gate.proxy_result(refusal) if refusal else app.resolve(admitted, context)
    correlation_id = logger.get_correlation_id()
    if correlation_id:
        if isinstance(response.get("multiValueHeaders"), dict):  # the REST resolver's form
            response["multiValueHeaders"][CORRELATION_HEADER] = [correlation_id]
        else:
            response["headers"] = {**(response.get("headers") or {}), CORRELATION_HEADER: correlation_id}
    return response


def json_response(status: HTTPStatus, model: BaseModel, headers: dict[str, str] | None = None) -> Response:
    """A contract model as JSON; absent optional fields are omitted, not `null`."""
    return Response(status, "application/json", model.model_dump_json(by_alias=True, exclude_none=True), headers=headers)


def page_response(items: list[BaseModel], next_cursor: str | None) -> Response:
    """A Page: `nextCursor` is required, so it stays even when null."""
    body = {"items": [item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in items]}
    body["nextCursor"] = next_cursor
    return Response(HTTPStatus.OK, "application/json", json.dumps(body))
