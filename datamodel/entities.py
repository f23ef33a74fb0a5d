"""One PynamoDB subclass per entity of the single table (see datamodel.keys for the layout)."""

from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from datamodel.base import TableItem


class ClientRecord(TableItem, discriminator="Client"):
    client_id = UnicodeAttribute(attr_name="clientId")
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    document = UnicodeAttribute(null=True)
    credit_limit = NumberAttribute(attr_name="creditLimit")
    currency = UnicodeAttribute()
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    # Bumped by every profile write; the API's ETag.
    version = NumberAttribute(default=1)


class ClientOpenOrders(TableItem, discriminator="ClientOpenOrders"):
    """A client's orders not yet terminal, kept by the same transactions that move orders (so a delete is
    refused by a condition, not a racy query), beside the client's currency, which placing an order is
    conditional on. Written with the profile, deleted with it; not on the profile (datamodel/keys.py)."""

    open_orders = NumberAttribute(default=0, attr_name="openOrders")
    currency = UnicodeAttribute()


class EmailGuard(TableItem, discriminator="EmailGuard"):
    """Makes an email unique: written and deleted in the same transaction as the profile."""

    client_id = UnicodeAttribute(attr_name="clientId")


class LineItem(MapAttribute):
    sku = UnicodeAttribute()
    description = UnicodeAttribute()
    quantity = NumberAttribute()
    unit_price = NumberAttribute(attr_name="unitPrice")


class OrderRecord(TableItem, discriminator="Order"):
    order_id = UnicodeAttribute(attr_name="orderId")
    client_id = UnicodeAttribute(attr_name="clientId")
    status = UnicodeAttribute()
    items = ListAttribute(of=LineItem)
    total = NumberAttribute()
    currency = UnicodeAttribute()
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    rejection_reason = UnicodeAttribute(null=True, attr_name="rejectionReason")
    approved_at = UnicodeAttribute(null=True, attr_name="approvedAt")
    invoice_id = UnicodeAttribute(null=True, attr_name="invoiceId")


class InvoiceRecord(TableItem, discriminator="Invoice"):
    invoice_id = UnicodeAttribute(attr_name="invoiceId")
    order_id = UnicodeAttribute(attr_name="orderId")
    client_id = UnicodeAttribute(attr_name="clientId")
    total = NumberAttribute()
    currency = UnicodeAttribute()
    issued_at = UnicodeAttribute(attr_name="issuedAt")
    s3_key = UnicodeAttribute(attr_name="s3Key")
    # Bill-to snapshot taken at issue: the PDF can be re-rendered identically after the client changes or
    # is deleted (the line items stay on the order, which is never deleted).
    bill_to_name = UnicodeAttribute(attr_name="billToName")
    bill_to_email = UnicodeAttribute(attr_name="billToEmail")
    bill_to_document = UnicodeAttribute(null=True, attr_name="billToDocument")


class InvoiceCounter(TableItem, discriminator="InvoiceCounter"):
    """The last invoice number issued in one UTC year; moved only by a conditional increment."""

    value = NumberAttribute(default=0)


class OrderRequest(TableItem, discriminator="OrderRequest"):
    """An `Idempotency-Key` of POST .../orders, written in the order's own transaction: a retry with the
    same key finds the same order (and re-enqueues it), whatever step the first attempt died at."""

    order_id = UnicodeAttribute(attr_name="orderId")
    payload_hash = UnicodeAttribute(attr_name="payloadHash")
    expiration = NumberAttribute()  # epoch seconds; the table's TTL attribute


class ClientRequest(TableItem, discriminator="ClientRequest"):
    """An `Idempotency-Key` of POST /clients, written in the client's own creation transaction (as
    `OrderRequest` is in the order's): a retry after a crash finds the client this request created instead
    of colliding with its own email guard."""

    client_id = UnicodeAttribute(attr_name="clientId")
    payload_hash = UnicodeAttribute(attr_name="payloadHash")
    expiration = NumberAttribute()  # epoch seconds; the table's TTL attribute
