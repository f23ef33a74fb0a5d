"""The Powertools resolver every API function shares: validation, problem+json errors, request guards."""

from __future__ import annotations

import json
from http import HTTPStatus

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from pydantic import BaseModel

from datamodel.errors import DataError
from handlers import problems

logger = Logger()

_BODY_METHODS = {"POST", "PUT", "PATCH"}


def _declares_json(app: APIGatewayRestResolver) -> bool:
    event = app.current_event
    if event.http_method not in _BODY_METHODS:
        return True
    return (event.headers.get("content-type") or "").split(";")[0].strip().lower() == "application/json"


def require_json(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
    """415 for a body that is not declared JSON: API Gateway passes any content type to a proxy integration."""
    if not _declares_json(app):
        raise problems.UnsupportedMediaTypeError("Send the body as application/json.")
    return next_middleware(app)


def allow_query(*names: str):
    """Refuse query parameters the contract does not declare for the route (API Gateway passes them)."""
    allowed = set(names)

    def middleware(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Response:
        unknown = sorted(set(app.current_event.query_string_parameters or {}) - allowed)
        if unknown:
            raise problems.UnknownQueryParameterError(f"Unknown query parameter(s): {', '.join(unknown)}.")
        return next_middleware(app)

    return middleware


def create_app(*routers: Router) -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True)
    app.use(middlewares=[require_json])
    for router in routers:
        app.include_router(router)

    @app.exception_handler([RequestValidationError])
    def invalid_request(error: RequestValidationError) -> Response:
        # Powertools validates before any middleware runs: a form or an undeclared body fails here first.
        if not _declares_json(app):
            return problems.problem(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json.")
        return problems.problem(HTTPStatus.BAD_REQUEST, problems.describe_validation_errors(error.errors()))

    @app.exception_handler([RequestUnsupportedContentType])
    def unsupported_content_type(error: RequestUnsupportedContentType) -> Response:
        return problems.problem(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json.")

    @app.exception_handler([problems.RequestError])
    def refused_request(error: problems.RequestError) -> Response:
        return problems.problem(error.status, str(error), error.slug)

    @app.exception_handler([DataError])
    def domain_error(error: DataError) -> Response:
        return problems.for_domain_error(error) or unexpected(error)

    @app.not_found
    def not_found(error: Exception) -> Response:
        return problems.problem(HTTPStatus.NOT_FOUND, "No route matches this method and path.")

    @app.exception_handler([Exception])
    def unexpected(error: Exception) -> Response:
        logger.exception("unhandled error")
        return problems.problem(HTTPStatus.INTERNAL_SERVER_ERROR, "An unexpected error occurred.")

    return app


def json_response(status: HTTPStatus, model: BaseModel, headers: dict[str, str] | None = None) -> Response:
    """A contract model as JSON; absent optional fields are omitted, not `null`."""
    return Response(status, "application/json", model.model_dump_json(by_alias=True, exclude_none=True), headers=headers)


def page_response(items: list[BaseModel], next_cursor: str | None) -> Response:
    """A Page: `nextCursor` is required, so it stays even when null."""
    body = {"items": [item.model_dump(mode="json", by_alias=True, exclude_none=True) for item in items]}
    body["nextCursor"] = next_cursor
    return Response(HTTPStatus.OK, "application/json", json.dumps(body))
