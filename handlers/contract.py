# GENERATED from openapi.yaml by codegen/routes.py (`make handlers`). Do not edit by hand.
"""The contract's operations as Powertools routes (see codegen/routes.py).

Decorate an operation's implementation with its factory, e.g. `@contract.get_client(router)`; it receives
the validated parameters and body as keyword arguments. Every constraint lives in openapi.yaml.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query

from domain import models

Implementation = TypeVar("Implementation", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    operation_id: str
    query: frozenset[str]  # the query parameters it accepts
    media_types: frozenset[str]  # the request body media types it accepts; empty without a body
    public: bool  # `security: []`: no token needed
    scopes: frozenset[str] = frozenset()  # the ShopMachine scopes that grant it, any one (machines' access tokens)


# Parameters: components/parameters by name, an operation's own by operationId and name.
Limit = Annotated[int, Query(alias="limit", description="Page size.", ge=1, le=100)]
Cursor = Annotated[
    str | None,
    Query(
        alias="cursor",
        description="Opaque cursor from a previous page's `nextCursor`.",
        pattern="^[A-Za-z0-9_-]+$",
        min_length=1,
        max_length=1024,
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Client-chosen key that makes a retried request safe (kept 24 h).",
        pattern="^[A-Za-z0-9_-]+$",
        min_length=8,
        max_length=128,
    ),
]
ClientId = Annotated[
    str,
    Path(
        alias="clientId",
        description="Opaque client id (a ULID).",
        pattern="^[0-9A-HJKMNP-TV-Z]{26}$",
        min_length=26,
        max_length=26,
    ),
]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The `ETag` last read; a stale one is refused with 412.",
        min_length=1,
        max_length=64,
    ),
]
ListOrdersStatus = Annotated[Literal["PENDING", "APPROVED", "REJECTED", "INVOICED"] | None, Query(alias="status")]
OrderId = Annotated[
    str,
    Path(
        alias="orderId",
        description="Opaque order id (a ULID).",
        pattern="^[0-9A-HJKMNP-TV-Z]{26}$",
        min_length=26,
        max_length=26,
    ),
]
InvoiceId = Annotated[
    str,
    Path(
        alias="invoiceId",
        description="Invoice number (`INV-<year>-<six digits>`).",
        pattern="^INV-[0-9]{4}-[0-9]{6}$",
        min_length=15,
        max_length=15,
    ),
]

# (method, path template as API Gateway's `resource`) -> the operation.
OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/health"): Operation("getHealth", frozenset(), frozenset(), True),
    ("GET", "/clients"): Operation(
        "listClients", frozenset(["cursor", "limit"]), frozenset(), False, frozenset(["shop/backoffice"])
    ),
    ("POST", "/clients"): Operation(
        "createClient", frozenset(), frozenset(["application/json"]), False, frozenset(["shop/backoffice"])
    ),
    ("GET", "/clients/{clientId}"): Operation(
        "getClient", frozenset(), frozenset(), False, frozenset(["shop/backoffice", "shop/profile"])
    ),
    ("PUT", "/clients/{clientId}"): Operation(
        "replaceClient",
        frozenset(),
        frozenset(["application/json"]),
        False,
        frozenset(["shop/backoffice", "shop/profile"]),
    ),
    ("DELETE", "/clients/{clientId}"): Operation(
        "deleteClient", frozenset(), frozenset(), False, frozenset(["shop/backoffice"])
    ),
    ("PATCH", "/clients/{clientId}"): Operation(
        "updateClient",
        frozenset(),
        frozenset(["application/merge-patch+json"]),
        False,
        frozenset(["shop/backoffice", "shop/profile"]),
    ),
    ("GET", "/clients/{clientId}/orders"): Operation(
        "listOrders",
        frozenset(["cursor", "limit", "status"]),
        frozenset(),
        False,
        frozenset(["shop/backoffice", "shop/orders.read"]),
    ),
    ("POST", "/clients/{clientId}/orders"): Operation(
        "createOrder",
        frozenset(),
        frozenset(["application/json"]),
        False,
        frozenset(["shop/backoffice", "shop/orders.write"]),
    ),
    ("GET", "/clients/{clientId}/orders/{orderId}"): Operation(
        "getOrder", frozenset(), frozenset(), False, frozenset(["shop/backoffice", "shop/orders.read"])
    ),
    ("GET", "/clients/{clientId}/invoices"): Operation(
        "listInvoices",
        frozenset(["cursor", "limit"]),
        frozenset(),
        False,
        frozenset(["shop/backoffice", "shop/orders.read"]),
    ),
    ("GET", "/clients/{clientId}/invoices/{invoiceId}"): Operation(
        "getInvoice", frozenset(), frozenset(), False, frozenset(["shop/backoffice", "shop/orders.read"])
    ),
    ("GET", "/clients/{clientId}/invoices/{invoiceId}/pdf"): Operation(
        "getInvoicePdf", frozenset(), frozenset(), False, frozenset(["shop/backoffice", "shop/orders.read"])
    ),
}

# components/responses, which operations share.
RESPONSES: dict[str, dict[str, Any]] = {
    "Unauthorized": {
        "description": "No token, or a token that is not valid (signature, issuer, audience, expiry).",
        "content": {"application/problem+json": {"model": models.Problem}},
    },
    "Forbidden": {
        "description": "A valid token without the right: a client token on an operation for the back office (listing,\ncreating or deleting clients), or changing its own `creditLimit` or `currency`. A client token\non another client's resources gets 404 instead (existence does not leak).",
        "content": {"application/problem+json": {"model": models.Problem}},
    },
    "PayloadTooLarge": {
        "description": "The request body is larger than 256 KiB (262,144 bytes).",
        "content": {"application/problem+json": {"model": models.Problem}},
    },
    "BadRequest": {
        "description": "The request is malformed or invalid; `errors` lists each violation (where, and what is wrong).",
        "content": {"application/problem+json": {"model": models.ValidationProblem}},
    },
    "NotFound": {
        "description": "No such resource; also what a client token gets for another client's resources, whether\nthey exist or not.",
        "content": {"application/problem+json": {"model": models.Problem}},
    },
    "Conflict": {
        "description": "The request conflicts with the resource's state (a duplicate email, a delete while orders are\nopen), or a request with the same `Idempotency-Key` is still in flight.",
        "content": {"application/problem+json": {"model": models.Problem}},
    },
    "PreconditionFailed": {
        "description": "`If-Match` does not match the current `ETag`.",
        "content": {"application/problem+json": {"model": models.Problem}},
    },
    "UnsupportedMediaType": {
        "description": "The body is not `application/json`.",
        "content": {"application/problem+json": {"model": models.Problem}},
    },
    "IdempotencyKeyReused": {
        "description": "The `Idempotency-Key` was used before with a different payload.",
        "content": {"application/problem+json": {"model": models.Problem}},
    },
    "TooManyRequests": {
        "description": "Too many requests, or the service is busy: API Gateway's throttle (the stage's rate and burst\nlimits), or, past the SDK's own retries, AWS throttling the service or concurrent writes on the\nsame records (e.g. several orders of one client at once). Nothing was done that a retry would\nrepeat: retry after `Retry-After` seconds, a POST with the same `Idempotency-Key`.",
        "content": {"application/problem+json": {"model": models.Problem}},
    },
}

# Request schema -> {property: value} of its `x-default-on-create` (applied by the create operation).
DEFAULTS_ON_CREATE: dict[str, dict[str, Any]] = {"ClientInput": {"creditLimit": 100000, "currency": "USD"}}


def get_health(router: Router) -> Callable[[Implementation], Implementation]:
    """GET /health (getHealth): Liveness probe."""

    def register(implementation: Implementation) -> Implementation:
        @router.get(
            "/health",
            operation_id="getHealth",
            summary="Liveness probe",
            tags=["health"],
            responses={
                200: {"description": "The service is up.", "content": {"application/json": {"model": models.Health}}},
                429: RESPONSES["TooManyRequests"],
            },
        )
        def getHealth():
            return implementation()

        return implementation

    return register


def list_clients(router: Router) -> Callable[[Implementation], Implementation]:
    """GET /clients (listClients): List clients."""

    def register(implementation: Implementation) -> Implementation:
        @router.get(
            "/clients",
            operation_id="listClients",
            summary="List clients",
            tags=["clients"],
            responses={
                200: {
                    "description": "One page of clients.",
                    "content": {"application/json": {"model": models.ClientPage}},
                },
                400: RESPONSES["BadRequest"],
                401: RESPONSES["Unauthorized"],
                403: RESPONSES["Forbidden"],
                429: RESPONSES["TooManyRequests"],
            },
        )
        def listClients(limit: Limit = 20, cursor: Cursor = None):
            return implementation(limit=limit, cursor=cursor)

        return implementation

    return register


def create_client(router: Router) -> Callable[[Implementation], Implementation]:
    """POST /clients (createClient): Create a client."""

    def register(implementation: Implementation) -> Implementation:
        @router.post(
            "/clients",
            operation_id="createClient",
            summary="Create a client",
            tags=["clients"],
            responses={
                201: {"description": "Created.", "content": {"application/json": {"model": models.Client}}},
                400: RESPONSES["BadRequest"],
                401: RESPONSES["Unauthorized"],
                403: RESPONSES["Forbidden"],
                409: RESPONSES["Conflict"],
                413: RESPONSES["PayloadTooLarge"],
                415: RESPONSES["UnsupportedMediaType"],
                422: RESPONSES["IdempotencyKeyReused"],
                429: RESPONSES["TooManyRequests"],
            },
        )
        def createClient(body: models.ClientInput, idempotency_key: IdempotencyKey = None):
            return implementation(body=body, idempotency_key=idempotency_key)

        return implementation

    return register


def get_client(router: Router) -> Callable[[Implementation], Implementation]:
    """GET /clients/{clientId} (getClient): Read a client."""

    def register(implementation: Implementation) -> Implementation:
        @router.get(
            "/clients/<clientId>",
            operation_id="getClient",
            summary="Read a client",
            tags=["clients"],
            responses={
                200: {"description": "The client.", "content": {"application/json": {"model": models.Client}}},
                400: RESPONSES["BadRequest"],
                401: RESPONSES["Unauthorized"],
                403: RESPONSES["Forbidden"],
                404: RESPONSES["NotFound"],
                429: RESPONSES["TooManyRequests"],
            },
        )
        def getClient(client_id: ClientId):
            return implementation(client_id=client_id)

        return implementation

    return register


def replace_client(router: Router) -> Callable[[Implementation], Implementation]:
    """PUT /clients/{clientId} (replaceClient): Replace a client's mutable fields."""

    def register(implementation: Implementation) -> Implementation:
        @router.put(
            "/clients/<clientId>",
            operation_id="replaceClient",
            summary="Replace a client's mutable fields",
            tags=["clients"],
            responses={
                200: {"description": "The updated client.", "content": {"application/json": {"model": models.Client}}},
                400: RESPONSES["BadRequest"],
                401: RESPONSES["Unauthorized"],
                403: RESPONSES["Forbidden"],
                404: RESPONSES["NotFound"],
                409: RESPONSES["Conflict"],
                412: RESPONSES["PreconditionFailed"],
                413: RESPONSES["PayloadTooLarge"],
                415: RESPONSES["UnsupportedMediaType"],
                429: RESPONSES["TooManyRequests"],
            },
        )
        def replaceClient(body: models.ClientInput, client_id: ClientId, if_match: IfMatch = None):
            return implementation(body=body, client_id=client_id, if_match=if_match)

        return implementation

    return register


def delete_client(router: Router) -> Callable[[Implementation], Implementation]:
    """DELETE /clients/{clientId} (deleteClient): Delete a client."""

    def register(implementation: Implementation) -> Implementation:
        @router.delete(
            "/clients/<clientId>",
            operation_id="deleteClient",
            summary="Delete a client",
            tags=["clients"],
            responses={
                204: {"description": "Deleted."},
                400: RESPONSES["BadRequest"],
                401: RESPONSES["Unauthorized"],
                403: RESPONSES["Forbidden"],
                404: RESPONSES["NotFound"],
                409: RESPONSES["Conflict"],
                429: RESPONSES["TooManyRequests"],
            },
        )
        def deleteClient(client_id: ClientId):
            return implementation(client_id=client_id)

        return implementation

    return register


def update_client(router: Router) -> Callable[[Implementation], Implementation]:
    """PATCH /clients/{clientId} (updateClient): Update some of a client's fields."""

    def register(implementation: Implementation) -> Implementation:
        @router.patch(
            "/clients/<clientId>",
            operation_id="updateClient",
            summary="Update some of a client's fields",
            tags=["clients"],
            responses={
                200: {"description": "The updated client.", "content": {"application/json": {"model": models.Client}}},
                400: RESPONSES["BadRequest"],
                401: RESPONSES["Unauthorized"],
                403: RESPONSES["Forbidden"],
                404: RESPONSES["NotFound"],
                409: RESPONSES["Conflict"],
                412: RESPONSES["PreconditionFailed"],
                413: RESPONSES["PayloadTooLarge"],
                415: RESPONSES["UnsupportedMediaType"],
                429: RESPONSES["TooManyRequests"],
            },
        )
        def updateClient(
            client_id: ClientId,
            body: Annotated[models.ClientPatch, Body(media_type="application/merge-patch+json")],
            if_match: IfMatch = None,
        ):
            return implementation(body=body, client_id=client_id, if_match=if_match)

        return implementation

    return register


def list_orders(router: Router) -> Callable[[Implementation], Implementation]:
    """GET /clients/{clientId}/orders (listOrders): List a client's orders."""

    def register(implementation: Implementation) -> Implementation:
        @router.get(
            "/clients/<clientId>/orders",
            operation_id="listOrders",
            summary="List a client's orders",
            tags=["orders"],
            responses={
                200: {
                    "description": "One page of orders.",
                    "content": {"application/json": {"model": models.OrderPage}},
                },
                400: RESPONSES["BadRequest"],
                401: RESPONSES["Unauthorized"],
                403: RESPONSES["Forbidden"],
                404: RESPONSES["NotFound"],
                429: RESPONSES["TooManyRequests"],
            },
        )
        def listOrders(client_id: ClientId, limit: Limit = 20, cursor: Cursor = None, status: ListOrdersStatus = None):
            return implementation(client_id=client_id, limit=limit, cursor=cursor, status=status)

        return implementation

    return register


def create_order(router: Router) -> Callable[[Implementation], Implementation]:
    """POST /clients/{clientId}/orders (createOrder): Place a purchase order."""

    def register(implementation: Implementation) -> Implementation:
        @router.post(
            "/clients/<clientId>/orders",
            operation_id="createOrder",
            summary="Place a purchase order",
            tags=["orders"],
            responses={
                202: {
                    "description": "Accepted for approval.",
                    "content": {"application/json": {"model": models.Order}},
                },
                400: RESPONSES["BadRequest"],
                401: RESPONSES["Unauthorized"],
                403: RESPONSES["Forbidden"],
                404: RESPONSES["NotFound"],
                409: RESPONSES["Conflict"],
                413: RESPONSES["PayloadTooLarge"],
                415: RESPONSES["UnsupportedMediaType"],
                422: RESPONSES["IdempotencyKeyReused"],
                429: RESPONSES["TooManyRequests"],
            },
        )
        def createOrder(body: models.OrderCreate, client_id: ClientId, idempotency_key: IdempotencyKey = None):
            return implementation(body=body, client_id=client_id, idempotency_key=idempotency_key)

        return implementation

    return register


def get_order(router: Router) -> Callable[[Implementation], Implementation]:
    """GET /clients/{clientId}/orders/{orderId} (getOrder): Read an order."""

    def register(implementation: Implementation) -> Implementation:
        @router.get(
            "/clients/<clientId>/orders/<orderId>",
            operation_id="getOrder",
            summary="Read an order",
            tags=["orders"],
            responses={
                200: {"description": "The order.", "content": {"application/json": {"model": models.Order}}},
                400: RESPONSES["BadRequest"],
                401: RESPONSES["Unauthorized"],
                403: RESPONSES["Forbidden"],
                404: RESPONSES["NotFound"],
                429: RESPONSES["TooManyRequests"],
            },
        )
        def getOrder(client_id: ClientId, order_id: OrderId):
            return implementation(client_id=client_id, order_id=order_id)

        return implementation

    return register


def list_invoices(router: Router) -> Callable[[Implementation], Implementation]:
    """GET /clients/{clientId}/invoices (listInvoices): List a client's invoices."""

    def register(implementation: Implementation) -> Implementation:
        @router.get(
            "/clients/<clientId>/invoices",
            operation_id="listInvoices",
            summary="List a client's invoices",
            tags=["invoices"],
            responses={
                200: {
                    "description": "One page of invoices.",
                    "content": {"application/json": {"model": models.InvoicePage}},
                },
                400: RESPONSES["BadRequest"],
                401: RESPONSES["Unauthorized"],
                403: RESPONSES["Forbidden"],
                404: RESPONSES["NotFound"],
                429: RESPONSES["TooManyRequests"],
            },
        )
        def listInvoices(client_id: ClientId, limit: Limit = 20, cursor: Cursor = None):
            return implementation(client_id=client_id, limit=limit, cursor=cursor)

        return implementation

    return register


def get_invoice(router: Router) -> Callable[[Implementation], Implementation]:
    """GET /clients/{clientId}/invoices/{invoiceId} (getInvoice): Read an invoice."""

    def register(implementation: Implementation) -> Implementation:
        @router.get(
            "/clients/<clientId>/invoices/<invoiceId>",
            operation_id="getInvoice",
            summary="Read an invoice",
            tags=["invoices"],
            responses={
                200: {"description": "The invoice.", "content": {"application/json": {"model": models.Invoice}}},
                400: RESPONSES["BadRequest"],
                401: RESPONSES["Unauthorized"],
                403: RESPONSES["Forbidden"],
                404: RESPONSES["NotFound"],
                429: RESPONSES["TooManyRequests"],
            },
        )
        def getInvoice(client_id: ClientId, invoice_id: InvoiceId):
            return implementation(client_id=client_id, invoice_id=invoice_id)

        return implementation

    return register


def get_invoice_pdf(router: Router) -> Callable[[Implementation], Implementation]:
    """GET /clients/{clientId}/invoices/{invoiceId}/pdf (getInvoicePdf): Download an invoice PDF."""

    def register(implementation: Implementation) -> Implementation:
        @router.get(
            "/clients/<clientId>/invoices/<invoiceId>/pdf",
            operation_id="getInvoicePdf",
            summary="Download an invoice PDF",
            tags=["invoices"],
            responses={
                302: {"description": "Redirect to the presigned PDF URL."},
                400: RESPONSES["BadRequest"],
                401: RESPONSES["Unauthorized"],
                403: RESPONSES["Forbidden"],
                404: RESPONSES["NotFound"],
                429: RESPONSES["TooManyRequests"],
            },
        )
        def getInvoicePdf(client_id: ClientId, invoice_id: InvoiceId):
            return implementation(client_id=client_id, invoice_id=invoice_id)

        return implementation

    return register
