"""Client operations: parse, call the data layer, shape the response. The routes, their parameters and
their constraints are the contract's (handlers/contract.py, generated from openapi.yaml)."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from datamodel import clients
from datamodel.clients import ClientFields
from datamodel.entities import ClientRecord
from datamodel.errors import StaleVersionError
from datamodel.requests import Request
from domain.models import Client, ClientInput, ClientPatch
from handlers import contract
from handlers.api import json_response, page_response
from handlers.auth import Caller, current_caller, settled_terms
from handlers.idempotency import Replayable
from handlers.problems import RequestError, field_error

router = Router()
created_once = Replayable("createClient", router)

_ENTITY_TAG = re.compile(r'^"(\d{1,18})"$')
# The contract's `x-default-on-create` of ClientInput (keyed by its aliases), by the model's field names.
_DEFAULTS_ON_CREATE = {
    name: contract.DEFAULTS_ON_CREATE["ClientInput"][field.alias or name]
    for name, field in ClientInput.model_fields.items()
    if (field.alias or name) in contract.DEFAULTS_ON_CREATE["ClientInput"]
}


@contract.create_client(router)
def create_client(body: ClientInput, idempotency_key: str | None) -> Response:
    return created_once(idempotency_key, body, lambda request: _create(body, request))


@contract.list_clients(router)
def list_clients(limit: int, cursor: str | None) -> Response:
    page = clients.page(limit, cursor)
    return page_response([client_view(r) for r in page.items], page.next_cursor)


@contract.get_client(router)
def get_client(client_id: str) -> Response:
    return _client_response(clients.get(client_id), HTTPStatus.OK)


@contract.replace_client(router)
def replace_client(client_id: str, body: ClientInput, if_match: str | None) -> Response:
    caller = current_caller(router)
    sent = _named(body)

    def replaced(current: ClientRecord) -> ClientFields:
        # A field the body omits is removed, but for creditLimit and currency, which keep their stored values
        # (and only an admin may change).
        return ClientFields.of({**sent, **settled_terms(caller, sent, vars(clients.fields_of(current)))})

    return _client_response(clients.replace(client_id, replaced, if_match_versions(if_match)), HTTPStatus.OK)


@contract.update_client(router)
def update_client(client_id: str, body: ClientPatch, if_match: str | None) -> Response:
    caller = current_caller(router)
    patch = _named(body)

    def patched(current: ClientRecord) -> ClientFields:
        return merge_patch(caller, clients.fields_of(current), patch)

    return _client_response(clients.replace(client_id, patched, if_match_versions(if_match)), HTTPStatus.OK)


@contract.delete_client(router)
def delete_client(client_id: str) -> Response:
    clients.delete(client_id)
    return Response(HTTPStatus.NO_CONTENT)


def merge_patch(caller: Caller, stored: ClientFields, patch: dict[str, Any]) -> ClientFields:
    """`stored` with a JSON Merge Patch (RFC 7396) applied: a named field takes its value, a null removes
    it. The result must still be a client: a required field cannot be removed (400)."""
    terms = settled_terms(caller, patch, vars(stored))
    merged = {**vars(stored), **patch, **terms}
    removed = [name for name in ClientFields.required() if merged[name] is None]
    if removed:
        pointers = [f"/{ClientPatch.model_fields[name].alias or name}" for name in removed]
        raise RequestError(
            "; ".join(f"body {pointer}: cannot be removed" for pointer in pointers),
            errors=[field_error("body", "cannot be removed", pointer=pointer) for pointer in pointers],
        )
    return ClientFields.of(merged)


def if_match_versions(header: str | None) -> frozenset[int] | None:
    """Versions an `If-Match` accepts; None when any current version will do (absent or `*`).
    Weak or foreign tags can never match a strong ETag, so they leave an empty set: 412."""
    if header is None or header.strip() == "*":
        return None
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
    return Client.model_validate(record, from_attributes=True)


def _create(body: ClientInput, request: Request | None) -> Response:
    # An omitted creditLimit or currency takes the contract's `x-default-on-create`.
    record = clients.create(ClientFields.of({**_DEFAULTS_ON_CREATE, **_named(body)}), request)
    location = f"{router.current_event.request_context.path.rstrip('/')}/{record.client_id}"
    return _client_response(record, HTTPStatus.CREATED, {"Location": location})


def _named(body: ClientInput | ClientPatch) -> dict[str, Any]:
    """The fields the body names (a null included), by the contract model's field names."""
    return body.model_dump(exclude_unset=True)


def _client_response(record: ClientRecord, status: HTTPStatus, headers: dict[str, str] | None = None) -> Response:
    return json_response(status, client_view(record), {"ETag": etag(record), **(headers or {})})
