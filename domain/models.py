# GENERATED from openapi.yaml by datamodel-code-generator (`make models`). Do not edit by hand.

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, ConfigDict, Field, StrictInt, StrictStr

from domain.contract_base import ContractModel


class FieldError(ContractModel):
    """
    One violation of a 400 problem.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    in_: Annotated[
        StrictStr,
        Field(
            alias="in",
            description="Where the violation is: `body`, `path`, `query` or `header` (a later version of the API\nmay add a location: treat an unknown one as the request as a whole).\n",
        ),
    ]
    name: Annotated[
        StrictStr | None,
        Field(description="The parameter's name (`in` path, query or header)."),
    ] = None
    pointer: Annotated[
        StrictStr | None,
        Field(
            description="A JSON Pointer (RFC 6901) into the body (`in` body); empty for the body as a whole."
        ),
    ] = None
    detail: Annotated[StrictStr, Field(description="What is wrong.")]


class Health(ContractModel):
    model_config = ConfigDict(
        populate_by_name=True,
    )
    status: Literal["ok"]


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
        StrictStr | Literal["USD", "EUR", "GBP", "BRL", "JPY"],
        Field(
            description="The client's currency (a later version of the API may add a value; treat an unknown one as such)."
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
    status: Annotated[
        StrictStr | Literal["PENDING", "APPROVED", "REJECTED", "INVOICED"],
        Field(
            description="The order's status (a later version of the API may add a value; treat an unknown one as such)."
        ),
    ]
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
        StrictStr | Literal["USD", "EUR", "GBP", "BRL", "JPY"],
        Field(
            description="The order's currency (a later version of the API may add a value; treat an unknown one as such)."
        ),
    ]
    created_at: Annotated[
        AwareDatetime, Field(alias="createdAt", description="RFC 3339, UTC.")
    ]
    updated_at: Annotated[
        AwareDatetime, Field(alias="updatedAt", description="RFC 3339, UTC.")
    ]
    rejection_reason: Annotated[
        StrictStr
        | Literal["client_not_found", "currency_mismatch", "credit_limit_exceeded"]
        | None,
        Field(
            alias="rejectionReason",
            description="Why the order was rejected (a later version of the API may add a value; treat an unknown one as such).",
        ),
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
        StrictStr | Literal["USD", "EUR", "GBP", "BRL", "JPY"],
        Field(
            description="The invoice's currency (a later version of the API may add a value; treat an unknown one as such)."
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
    errors: Annotated[
        list[FieldError] | None,
        Field(
            description="Field-level errors (an RFC 9457 extension member), on every 400: one entry per violation,\nsaying where it is and what is wrong, never the value sent.\n"
        ),
    ] = None


class ValidationProblem(Problem):
    """
    A 400 problem, with its field-level errors.
    """

    model_config = ConfigDict(
        populate_by_name=True,
    )
    errors: Annotated[
        list[FieldError],
        Field(
            description="Field-level errors (an RFC 9457 extension member), on every 400: one entry per violation,\nsaying where it is and what is wrong, never the value sent.\n"
        ),
    ]


class ClientInput(ContractModel):
    """
    The mutable fields of a client (create, and replace). An omitted field is not sent: on
    create, `creditLimit` and `currency` then take the values their `x-default-on-create`
    names (the create operation applies them); on replace they keep their stored values.

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
        StrictInt | None,
        Field(
            alias="creditLimit",
            description="Credit limit in minor units of `currency`; 100000 when omitted on create.",
            ge=0,
            le=1000000000000000,
        ),
    ] = None
    currency: Annotated[
        Literal["USD", "EUR", "GBP", "BRL", "JPY"] | None,
        Field(description="The client's currency; USD when omitted on create."),
    ] = None


class ClientPatch(ContractModel):
    """
    A JSON Merge Patch (RFC 7396) of a client's mutable fields: a named field takes its value,
    `document: null` removes the document, an omitted field keeps its stored value.

    """

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
    )
    name: Annotated[
        StrictStr | None,
        Field(max_length=200, min_length=1, pattern="[^\\u0000-\\u0020\\u007f]"),
    ] = None
    email: Annotated[
        StrictStr | None,
        Field(
            description="Email address by the WHATWG HTML rule (the one rule applied everywhere), with a dot in\nthe domain. Compared case-insensitively.\n",
            max_length=254,
            min_length=3,
            pattern="^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
        ),
    ] = None
    document: Annotated[
        StrictStr | None,
        Field(description="Tax id; null removes it.", max_length=64, min_length=1),
    ] = None
    credit_limit: Annotated[
        StrictInt | None,
        Field(
            alias="creditLimit",
            description="Credit limit in minor units of `currency`.",
            ge=0,
            le=1000000000000000,
        ),
    ] = None
    currency: Annotated[
        Literal["USD", "EUR", "GBP", "BRL", "JPY"] | None,
        Field(
            description="ISO 4217 code; amounts use its minor unit (JPY 0 decimals, the others 2)."
        ),
    ] = None
