"""Authentication and authorization of API requests, in one place.

Who calls: only `requestContext.authorizer.claims`, read by `caller_of()`. On AWS, API Gateway's Cognito
user pool authorizer verified the ID token and copied its claims there (every value a string); locally the
gateway (shoplocal/gateway.py) does the same with a key made for the local stack. Handlers never read a
token, a header or another claim. The claims used:

- `sub`: the caller's stable subject (idempotency keys are scoped to it, see handlers/idempotency.py);
- `custom:role`: `admin` (the back office) or `client`;
- `custom:clientId`: for a `client`, the one client it is (a ULID).

A machine (a customer's system, B2B) calls the machine API with an access token of the client credentials
grant instead (`token_use` `access`; API Gateway checked its `scope` against the method's scopes). It has no
`custom:role`; its role is derived (domain/machine_tokens.py wrote the claim):

- `shop:clientId` set: a `client`, that client (its `sub` is the app client's id);
- no `shop:clientId` and `shop/backoffice` in `scope`: an `admin` (a back-office system);
- neither: 403.

Its scopes travel with the caller: the gate refuses (403) an operation none of them grants, as defence in
depth behind the gateway's own check (handlers/gate.py).

What each may do: `RIGHTS`, one entry per operation of the contract (by operationId), enforced for every
request by the request gate (handlers/gate.py) before the resolver runs:

- `admin` may do everything;
- a `client` may read, replace and update its own profile, place and read its own orders, read its own
  invoices and their PDFs; it may not list, create or delete clients. `creditLimit` and `currency` are not
  its to change: sent, they must equal the stored values (`settled_terms`).

Answers:

- **401** no claims, or no subject (a request that did not pass an authorizer: a direct invocation, a
  misconfigured method), on every operation the contract does not make public (`security: []`). It is
  decided before request validation, as API Gateway's authorizer runs before its validator.
- **403** a valid caller without the right, whatever the id: a client listing, creating or deleting
  clients, changing its credit limit or currency, or a token with an unknown role or no client id. The
  answer depends only on the route and the role, so it tells nothing about any resource.
- **404**, not 403, for a client on another client's resources (profile, orders, invoices, PDFs): the very
  answer an unknown client id gets (`client-not-found`), so a client cannot learn whether another client
  id exists (OWASP API1, BOLA). Order and invoice ids are looked up under the path's client only, so
  another client's ids are 404 through one's own path as well.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from datamodel.errors import ClientNotFoundError
from domain.ids import ULID_PATTERN
from domain.machine_tokens import BACK_OFFICE_SCOPE, MACHINE_CLIENT_CLAIM
from handlers import problems

ADMIN, CLIENT = "admin", "client"
SUBJECT_CLAIM, ROLE_CLAIM, CLIENT_ID_CLAIM = "sub", "custom:role", "custom:clientId"
TOKEN_USE_CLAIM, SCOPE_CLAIM = "token_use", "scope"
_CLIENT_ID = re.compile(ULID_PATTERN)


class Right(Enum):
    ADMIN = "admin"  # the back office only
    OWN_CLIENT = "own client"  # an admin, or the client whose id is the path's `clientId`


# operationId -> the right it needs, for every operation the contract does not make public. An operation
# missing here is for admins only (fails closed); tests/unit/test_auth.py checks that each one is listed.
RIGHTS: dict[str, Right] = {
    "createClient": Right.ADMIN,
    "listClients": Right.ADMIN,
    "getClient": Right.OWN_CLIENT,
    "replaceClient": Right.OWN_CLIENT,  # creditLimit and currency: settled_terms
    "updateClient": Right.OWN_CLIENT,  # creditLimit and currency: settled_terms
    "deleteClient": Right.ADMIN,
    "createOrder": Right.OWN_CLIENT,
    "listOrders": Right.OWN_CLIENT,
    "getOrder": Right.OWN_CLIENT,
    "listInvoices": Right.OWN_CLIENT,
    "getInvoice": Right.OWN_CLIENT,
    "getInvoicePdf": Right.OWN_CLIENT,
}

# The fields of a client that only an admin may change (the contract models' field names).
ADMIN_ONLY_FIELDS = ("credit_limit", "currency")


class UnauthenticatedError(problems.RequestError):
    status = HTTPStatus.UNAUTHORIZED
    headers = {"WWW-Authenticate": "Bearer"}

    def __init__(self, detail: str = "Send a valid token in the Authorization header.") -> None:
        super().__init__(detail)


class ForbiddenError(problems.RequestError):
    status = HTTPStatus.FORBIDDEN
    slug = "forbidden"


@dataclass(frozen=True)
class Caller:
    role: str  # ADMIN or CLIENT
    client_id: str | None  # the client a CLIENT caller is; None for an admin
    subject: str  # the token's `sub`
    scopes: frozenset[str] | None = None  # a machine's access token's scopes; None for a person's ID token

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    def may_act_for(self, client_id: str) -> bool:
        return self.is_admin or self.client_id == client_id


def caller_of(event: APIGatewayProxyEvent | Mapping[str, Any]) -> Caller:
    """The caller of an API Gateway proxy event, from `requestContext.authorizer.claims` only.
    `UnauthenticatedError` without claims or subject; `ForbiddenError` for claims that grant no role."""
    if not isinstance(event, APIGatewayProxyEvent):
        event = APIGatewayProxyEvent(dict(event))
    return caller_from_claims(event.request_context.authorizer.claims)


def caller_from_claims(claims: Mapping[str, Any] | None) -> Caller:
    claims = claims if isinstance(claims, Mapping) else {}
    subject = claims.get(SUBJECT_CLAIM)
    if not isinstance(subject, str) or not subject.strip():
        raise UnauthenticatedError()
    if claims.get(TOKEN_USE_CLAIM) == "access":
        return _machine(claims, subject)
    role = claims.get(ROLE_CLAIM)
    if role == ADMIN:
        return Caller(ADMIN, None, subject)
    if role == CLIENT:
        client_id = claims.get(CLIENT_ID_CLAIM)
        if not isinstance(client_id, str) or not _CLIENT_ID.fullmatch(client_id):
            raise ForbiddenError("The token names no client.")
        return Caller(CLIENT, client_id, subject)
    raise ForbiddenError("The token grants no role of this API.")


def _machine(claims: Mapping[str, Any], subject: str) -> Caller:
    """The caller of a machine's access token (see the module docstring)."""
    scope = claims.get(SCOPE_CLAIM)
    scopes = frozenset(scope.split()) if isinstance(scope, str) else frozenset()
    client_id = claims.get(MACHINE_CLIENT_CLAIM)
    if client_id is not None:
        if not isinstance(client_id, str) or not _CLIENT_ID.fullmatch(client_id):
            raise ForbiddenError("The token names no client.")
        return Caller(CLIENT, client_id, subject, scopes)
    if BACK_OFFICE_SCOPE in scopes:
        return Caller(ADMIN, None, subject, scopes)
    raise ForbiddenError("The token grants no role of this API.")


def check_scopes(caller: Caller, granting: frozenset[str]) -> None:
    """Raise unless `caller` is a person (an ID token) or holds one of the `granting` scopes of the operation."""
    if caller.scopes is not None and not caller.scopes & granting:
        raise ForbiddenError("The token's scopes do not grant this operation.")


def current_caller(app: APIGatewayRestResolver | Router) -> Caller:
    """The caller of the request a route is serving."""
    return caller_of(app.current_event)


def check(caller: Caller, right: Right, client_id: str | None) -> None:
    """Raise unless `caller` holds `right` on the path's `client_id`."""
    if caller.is_admin:
        return
    if right is Right.ADMIN:
        raise ForbiddenError("This operation is for the back office only.")
    if client_id is None or not caller.may_act_for(client_id):
        # Not 403: another client's resources answer as an unknown client's do (see the module docstring).
        raise ClientNotFoundError(client_id or "")


def settled_terms(caller: Caller, sent: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    """The values a write of a client gives `ADMIN_ONLY_FIELDS`: those `sent` (the fields the body names),
    else the `stored` ones. A client may not change them: a sent value other than the stored one is 403."""
    settled = {}
    for name in ADMIN_ONLY_FIELDS:
        if name in sent and sent[name] != stored[name] and not caller.is_admin:
            raise ForbiddenError("Only the back office may change creditLimit and currency.")
        settled[name] = sent.get(name, stored[name])
    return settled
