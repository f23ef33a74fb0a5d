"""An idiomatic Python client of the shop's API, written by hand on the generated `shop_client`.

    from shop_sdk import Shop, OrderItem

    with Shop("http://127.0.0.1:3000", token=token) as shop:
        client = shop.clients.create(name="Acme Ltd", email="ap@acme.example")
        order = shop.orders.create(client.client_id, items=[OrderItem(sku="W-1", description="Widget", quantity=3, unit_price=1250)])
        order = shop.orders.wait(client.client_id, order.order_id)
        for invoice in shop.invoices.list(client.client_id):
            shop.invoices.download_pdf(client.client_id, invoice.invoice_id, "invoices/")

See sdk/README.md.
"""

from shop_client.models import (
    ClientInput,
    ClientRecord,
    Currency,
    FieldError,
    Invoice,
    Order,
    OrderItem,
    OrderStatus,
    RejectionReason,
)

from ._transport import Attempt, RetryPolicy, new_idempotency_key
from ._version import sdk_version
from .client import TERMINAL, Shop
from .errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    Conflict,
    IdempotencyKeyReused,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    PreconditionFailed,
    ServerError,
    ShopError,
    Throttled,
    UnsupportedMediaType,
    ValidationError,
    WaitTimeout,
)
from .pagination import Paginator

__version__ = sdk_version()

__all__ = [
    "TERMINAL",
    "APIConnectionError",
    "APIError",
    "Attempt",
    "AuthenticationError",
    "ClientInput",
    "ClientRecord",
    "Conflict",
    "Currency",
    "FieldError",
    "IdempotencyKeyReused",
    "Invoice",
    "NotFound",
    "Order",
    "OrderItem",
    "OrderStatus",
    "Paginator",
    "PayloadTooLarge",
    "PermissionDenied",
    "PreconditionFailed",
    "RejectionReason",
    "RetryPolicy",
    "ServerError",
    "Shop",
    "ShopError",
    "Throttled",
    "UnsupportedMediaType",
    "ValidationError",
    "WaitTimeout",
    "__version__",
    "new_idempotency_key",
]
