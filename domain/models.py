# GENERATED from openapi.yaml by datamodel-code-generator (`make models`). Do not edit by hand.

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, ConfigDict, Field, StrictInt, StrictStr

from domain.contract_base import ContractModel


class Problem(ContractModel):
    """
    RFC 9457 problem details.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    type: Annotated[
        StrictStr, Field(description="URI reference naming the problem type.")
    ]
    title: StrictStr
    status: Annotated[StrictInt, Field(ge=400, le=599)]
    detail: StrictStr | None = None
    instance: StrictStr | None = None


class Health(ContractModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    status: Literal["ok"]


class ClientInput(ContractModel):
    """
    The mutable fields of a client (create, and full replace).
    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    name: Annotated[
        StrictStr,
        Field(max_length=200, min_length=1, pattern="[^\\u0000-\\u0020\\u007f]"),
    ]
    email: Annotated[
        StrictStr,
        Field(
            description="Email address by the WHATWG HTML rule (the one rule applied everywhere), with a dot in\nthe domain. Compared case-insensitively.\n",
            max_length=254,
            min_length=3,
            pattern="^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
        ),
    ]
    document: Annotated[
        StrictStr | None, Field(description="Tax id.", max_length=64, min_length=1)
    ] = None
    credit_limit: Annotated[
        StrictInt,
        Field(
            alias="creditLimit",
            description="Credit limit in minor units of `currency`.",
            ge=0,
            le=1000000000000000,
        ),
    ] = 100000
    currency: Annotated[
        Literal["USD", "EUR", "GBP", "BRL", "JPY"],
        Field(
            description="ISO 4217 code; amounts use its minor unit (JPY 0 decimals, the others 2)."
        ),
    ] = "USD"


class Client(ContractModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    client_id: Annotated[
        StrictStr,
        Field(
            alias="clientId",
            description="26-character ULID (Crockford base 32).",
            max_length=26,
            min_length=26,
            pattern="^[0-9A-HJKMNP-TV-Z]{26}$",
        ),
    ]
    name: Annotated[StrictStr, Field(max_length=200)]
    email: Annotated[StrictStr, Field(max_length=254)]
    document: Annotated[StrictStr | None, Field(max_length=64)] = None
    credit_limit: Annotated[
        StrictInt,
        Field(
            alias="creditLimit",
            description="Amount in minor units of the currency (cents for USD).",
            ge=0,
            le=1000000000000000,
        ),
    ]
    currency: Annotated[
        Literal["USD", "EUR", "GBP", "BRL", "JPY"],
        Field(
            description="ISO 4217 code; amounts use its minor unit (JPY 0 decimals, the others 2)."
        ),
    ]
    created_at: Annotated[
        AwareDatetime, Field(alias="createdAt", description="RFC 3339, UTC.")
    ]
    updated_at: Annotated[
        AwareDatetime, Field(alias="updatedAt", description="RFC 3339, UTC.")
    ]


class ClientPage(ContractModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: list[Client]
    next_cursor: Annotated[StrictStr | None, Field(alias="nextCursor", max_length=1024)]


class OrderItem(ContractModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    sku: Annotated[
        StrictStr,
        Field(max_length=64, min_length=1, pattern="^[A-Za-z0-9][A-Za-z0-9._-]*$"),
    ]
    description: Annotated[
        StrictStr,
        Field(max_length=200, min_length=1, pattern="[^\\u0000-\\u0020\\u007f]"),
    ]
    quantity: Annotated[StrictInt, Field(ge=1, le=10000)]
    unit_price: Annotated[
        StrictInt,
        Field(
            alias="unitPrice",
            description="Price of one unit in minor units.",
            ge=0,
            le=1000000000,
        ),
    ]


class OrderCreate(ContractModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    items: Annotated[list[OrderItem], Field(max_length=100, min_length=1)]
    currency: Annotated[
        Literal["USD", "EUR", "GBP", "BRL", "JPY"] | None,
        Field(description="Must equal the client's currency; defaults to it."),
    ] = None


class Order(ContractModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    order_id: Annotated[
        StrictStr,
        Field(
            alias="orderId",
            description="26-character ULID (Crockford base 32).",
            max_length=26,
            min_length=26,
            pattern="^[0-9A-HJKMNP-TV-Z]{26}$",
        ),
    ]
    client_id: Annotated[
        StrictStr,
        Field(
            alias="clientId",
            description="26-character ULID (Crockford base 32).",
            max_length=26,
            min_length=26,
            pattern="^[0-9A-HJKMNP-TV-Z]{26}$",
        ),
    ]
    status: Literal["PENDING", "APPROVED", "REJECTED", "INVOICED"]
    items: list[OrderItem]
    total: Annotated[
        StrictInt,
        Field(
            description="Amount in minor units of the currency (cents for USD).",
            ge=0,
            le=1000000000000000,
        ),
    ]
    currency: Annotated[
        Literal["USD", "EUR", "GBP", "BRL", "JPY"],
        Field(
            description="ISO 4217 code; amounts use its minor unit (JPY 0 decimals, the others 2)."
        ),
    ]
    created_at: Annotated[
        AwareDatetime, Field(alias="createdAt", description="RFC 3339, UTC.")
    ]
    updated_at: Annotated[
        AwareDatetime, Field(alias="updatedAt", description="RFC 3339, UTC.")
    ]
    rejection_reason: Annotated[
        Literal["client_not_found", "currency_mismatch", "credit_limit_exceeded"]
        | None,
        Field(alias="rejectionReason"),
    ] = None
    approved_at: Annotated[
        AwareDatetime | None, Field(alias="approvedAt", description="RFC 3339, UTC.")
    ] = None
    invoice_id: Annotated[
        StrictStr | None,
        Field(
            alias="invoiceId",
            description="Invoice number, gapless per UTC year of issue.",
            examples=["INV-2026-000001"],
            max_length=15,
            min_length=15,
            pattern="^INV-[0-9]{4}-[0-9]{6}$",
        ),
    ] = None


class OrderPage(ContractModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: list[Order]
    next_cursor: Annotated[StrictStr | None, Field(alias="nextCursor", max_length=1024)]


class Invoice(ContractModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    invoice_id: Annotated[
        StrictStr,
        Field(
            alias="invoiceId",
            description="Invoice number, gapless per UTC year of issue.",
            examples=["INV-2026-000001"],
            max_length=15,
            min_length=15,
            pattern="^INV-[0-9]{4}-[0-9]{6}$",
        ),
    ]
    order_id: Annotated[
        StrictStr,
        Field(
            alias="orderId",
            description="26-character ULID (Crockford base 32).",
            max_length=26,
            min_length=26,
            pattern="^[0-9A-HJKMNP-TV-Z]{26}$",
        ),
    ]
    client_id: Annotated[
        StrictStr,
        Field(
            alias="clientId",
            description="26-character ULID (Crockford base 32).",
            max_length=26,
            min_length=26,
            pattern="^[0-9A-HJKMNP-TV-Z]{26}$",
        ),
    ]
    total: Annotated[
        StrictInt,
        Field(
            description="Amount in minor units of the currency (cents for USD).",
            ge=0,
            le=1000000000000000,
        ),
    ]
    currency: Annotated[
        Literal["USD", "EUR", "GBP", "BRL", "JPY"],
        Field(
            description="ISO 4217 code; amounts use its minor unit (JPY 0 decimals, the others 2)."
        ),
    ]
    issued_at: Annotated[
        AwareDatetime, Field(alias="issuedAt", description="RFC 3339, UTC.")
    ]
    download_url: Annotated[
        StrictStr | None,
        Field(
            alias="downloadUrl",
            description="Presigned URL of the PDF (only on the single-invoice read).",
            max_length=8192,
        ),
    ] = None
    expires_at: Annotated[
        AwareDatetime | None, Field(alias="expiresAt", description="RFC 3339, UTC.")
    ] = None


class InvoicePage(ContractModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    items: list[Invoice]
    next_cursor: Annotated[StrictStr | None, Field(alias="nextCursor", max_length=1024)]
