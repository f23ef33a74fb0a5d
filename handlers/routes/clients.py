"""Client routes: parse, call the data layer, shape the response."""

from __future__ import annotations

import re
from dataclasses import replace
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from datamodel import clients
from datamodel.clients import ClientFields
from datamodel.entities import ClientRecord
from datamodel.errors import StaleVersionError
from datamodel.requests import Request
from domain.ids import CURSOR_PATTERN, ULID_PATTERN
from domain.models import Client, ClientInput
from handlers.api import allow_query, json_response, page_response
from handlers.auth import admin_only_values, current_caller
from handlers.idempotency import IdempotencyKey, Replayable
from handlers.problems import RequestError

router = Router()
created_once = Replayable("createClient", router)

ClientId = Annotated[str, Path(pattern=ULID_PATTERN)]
IF_MATCH_MAX_LENGTH = 64
_ENTITY_TAG = re.compile(r'^"(\d{1,18})"$')


@router.post("/clients", middlewares=[allow_query()])
def create_client(body: ClientInput, idempotency_key: IdempotencyKey = None):
    return created_once(idempotency_key, body, lambda request: _create(body, request))


@router.get("/clients", middlewares=[allow_query("limit", "cursor")])
def list_clients(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(min_length=1, max_length=1024, pattern=CURSOR_PATTERN)] = None,
):
    page = clients.page(limit, cursor)
    return page_response([client_view(r) for r in page.items], page.next_cursor)


@router.get("/clients/<client_id>", middlewares=[allow_query()])
def get_client(client_id: ClientId):
    return _client_response(clients.get(client_id), HTTPStatus.OK)


@router.put("/clients/<client_id>", middlewares=[allow_query()])
def replace_client(client_id: ClientId, body: ClientInput):
    expected = if_match_versions(router.current_event.headers.get("if-match"))
    caller = current_caller(router)

    def settled(current: ClientRecord) -> ClientFields:
        # A client keeps its stored creditLimit and currency, and may not change them (403): handlers/auth.py.
        stored = {"credit_limit": int(current.credit_limit), "currency": current.currency}
        return replace(_fields(body), **admin_only_values(caller, body, stored))

    return _client_response(clients.replace(client_id, settled, expected), HTTPStatus.OK)


@router.delete("/clients/<client_id>", middlewares=[allow_query()])
def delete_client(client_id: ClientId):
    clients.delete(client_id)
    return Response(HTTPStatus.NO_CONTENT)


def if_match_versions(header: str | None) -> frozenset[int] | None:
    """Versions an `If-Match` accepts; None when any current version will do (absent or `*`).
    Weak or foreign tags can never match a strong ETag, so they leave an empty set: 412."""
    if header is None or header.strip() == "*":
        return None
    if len(header) > IF_MATCH_MAX_LENGTH:  # the contract's maxLength: API Gateway does not check it
        raise RequestError(f"header.If-Match: longer than {IF_MATCH_MAX_LENGTH} characters.")
    versions = set()
    for tag in header.split(","):
        match = _ENTITY_TAG.match(tag.strip())
        if match:
            versions.add(int(match.group(1)))
    if not versions:
        raise StaleVersionError("If-Match names no version of this resource")
    return frozenset(versions)


def etag(record: ClientRecord) -> str:
    return f'"{record.version}"'


def client_view(record: ClientRecord) -> Client:
    return Client(
        client_id=record.client_id,
        name=record.name,
        email=record.email,
        document=record.document,
        credit_limit=int(record.credit_limit),
        currency=record.currency,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def _create(body: ClientInput, request: Request | None) -> Response:
    record = clients.create(_fields(body), request)
    location = f"{router.current_event.request_context.path.rstrip('/')}/{record.client_id}"
    return _client_response(record, HTTPStatus.CREATED, {"Location": location})


def _fields(body: ClientInput) -> ClientFields:
    return ClientFields(
        name=body.name,
        email=body.email,
        document=body.document,
        credit_limit=body.credit_limit,
        currency=body.currency,
    )


def _client_response(record: ClientRecord, status: HTTPStatus, headers: dict[str, str] | None = None) -> Response:
    return json_response(status, client_view(record), {"ETag": etag(record), **(headers or {})})
