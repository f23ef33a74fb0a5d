"""Client access patterns: create, get, replace, delete, list."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any

from datamodel import keys
from datamodel.base import GSI1_KEY
from datamodel.entities import ClientOpenOrders, ClientRecord, ClientRequest, EmailGuard
from datamodel.errors import (
    ClientHasOpenOrdersError,
    ClientNotFoundError,
    EmailTakenError,
    IdempotencyKeyReusedError,
    StaleVersionError,
)
from datamodel.paging import Page, paginate
from datamodel.requests import REQUEST_TTL_SECONDS, Request
from datamodel.transaction import ConditionsFailedError, Transaction
from domain.clock import now_rfc3339
from domain.ids import new_id

# Optimistic writes retry this often when another writer moved the version in between.
_ATTEMPTS = 3


@dataclass(frozen=True)
class ClientFields:
    """The mutable fields of a client, as created or replaced: the contract's `ClientInput`, by the contract
    models' field names, which are `ClientRecord`'s attribute names too."""

    name: str
    email: str
    credit_limit: int
    currency: str
    document: str | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in fields(cls))

    @classmethod
    def required(cls) -> tuple[str, ...]:
        """The fields a client cannot be without."""
        return tuple(field.name for field in fields(cls) if field.default is MISSING)

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> ClientFields:
        """The fields from a mapping by field name (others ignored; an absent optional one is None)."""
        return cls(**{name: values.get(name) for name in cls.names()})


def fields_of(record: ClientRecord) -> ClientFields:
    """A stored client's mutable fields."""
    return ClientFields.of({name: getattr(record, name) for name in ClientFields.names()})


def create(fields: ClientFields, request: Request | None = None) -> ClientRecord:
    """Profile and email guard in one transaction: the email is taken by exactly one client.

    With `request` (an `Idempotency-Key`), the key is recorded in the same transaction, as orders do: a
    retry after a crash at any point finds the client this request created (not 409 on its own email),
    and the same key with another payload is refused (`IdempotencyKeyReusedError`)."""
    client_id = new_id()
    now = now_rfc3339()
    record = ClientRecord(
        keys.client_pk(client_id),
        keys.PROFILE,
        client_id=client_id,
        gsi1pk=keys.CLIENTS,
        gsi1sk=keys.client_listing_sk(now, client_id),
        created_at=now,
        updated_at=now,
        version=1,
        **_values(fields),
    )
    guard = EmailGuard(keys.email_pk(fields.email), keys.EMAIL_SK, client_id=client_id)
    transaction = Transaction()
    transaction.put("profile", record, condition=ClientRecord.pk.does_not_exist())
    transaction.put("email", guard, condition=EmailGuard.pk.does_not_exist())
    transaction.put(
        "open orders",
        ClientOpenOrders(keys.client_pk(client_id), keys.OPEN_ORDERS, open_orders=0, currency=fields.currency),
        condition=ClientOpenOrders.pk.does_not_exist(),
    )
    if request is not None:
        now_s = int(time.time())
        transaction.put(
            "request",
            ClientRequest(
                keys.client_request_pk(request.key),
                keys.CLIENT_REQUEST_SK,
                client_id=client_id,
                payload_hash=request.payload_hash,
                expiration=now_s + REQUEST_TTL_SECONDS,
            ),
            # TTL deletes expired items only eventually (up to days later): past 24 h a key is free again.
            condition=ClientRequest.pk.does_not_exist() | (ClientRequest.expiration < now_s),
        )
    try:
        transaction.commit()
    except ConditionsFailedError as error:
        if request is not None and "request" in error.names:
            return _replayed(request)
        if "email" in error.names:
            raise EmailTakenError(fields.email) from error
        raise
    return record


def _replayed(request: Request) -> ClientRecord:
    previous = ClientRequest.get(keys.client_request_pk(request.key), keys.CLIENT_REQUEST_SK, consistent_read=True)
    if previous.payload_hash != request.payload_hash:
        raise IdempotencyKeyReusedError(request.key)
    return get(previous.client_id)


def get(client_id: str) -> ClientRecord:
    try:
        return ClientRecord.get(keys.client_pk(client_id), keys.PROFILE)
    except ClientRecord.DoesNotExist as error:
        raise ClientNotFoundError(client_id) from error


def replace(
    client_id: str,
    new_fields: ClientFields | Callable[[ClientRecord], ClientFields],
    expected_versions: frozenset[int] | None = None,
) -> ClientRecord:
    """Full replace of the mutable fields. With `expected_versions` (If-Match) a stale version is refused;
    without it the write still never lands on a version it did not read, and retries instead.

    `new_fields` may be a function of the current record, which may raise to refuse the change: the write
    is conditional on the version it was given, so the record it decided on is the one replaced."""
    for _ in range(_ATTEMPTS):
        current = get(client_id)
        if expected_versions is not None and current.version not in expected_versions:
            raise StaleVersionError(client_id)
        fields = new_fields(current) if callable(new_fields) else new_fields
        email_moves = fields.email.lower() != current.email.lower()
        values = _values(fields) | {"updated_at": now_rfc3339(), "version": current.version + 1}
        actions = [
            getattr(ClientRecord, name).set(value) if value is not None else getattr(ClientRecord, name).remove()
            for name, value in values.items()
        ]
        transaction = Transaction()
        transaction.update("profile", current, actions, condition=ClientRecord.version == current.version)
        if fields.currency != current.currency:  # orders are placed against the open-orders item's copy
            transaction.update(
                "open orders",
                ClientOpenOrders(keys.client_pk(client_id), keys.OPEN_ORDERS),
                [ClientOpenOrders.currency.set(fields.currency)],
                condition=ClientOpenOrders.pk.exists(),
            )
        if email_moves:
            transaction.delete(
                "old email",
                EmailGuard(keys.email_pk(current.email), keys.EMAIL_SK),
                condition=EmailGuard.client_id == client_id,
            )
            transaction.put(
                "new email",
                EmailGuard(keys.email_pk(fields.email), keys.EMAIL_SK, client_id=client_id),
                condition=EmailGuard.pk.does_not_exist(),
            )
        try:
            transaction.commit()
        except ConditionsFailedError as error:
            if "new email" in error.names:
                raise EmailTakenError(fields.email) from error
            if expected_versions is not None:
                get(client_id)  # gone → 404 rather than 412
                raise StaleVersionError(client_id) from error
            continue
        for name, value in values.items():
            setattr(current, name, value)
        return current
    raise StaleVersionError(client_id)


def delete(client_id: str) -> None:
    """Profile, email guard and open-orders count go in one transaction, refused while orders are open."""
    for _ in range(_ATTEMPTS):
        current = get(client_id)
        transaction = Transaction()
        transaction.delete("profile", current, condition=ClientRecord.version == current.version)
        transaction.delete(
            "open orders",
            ClientOpenOrders(keys.client_pk(client_id), keys.OPEN_ORDERS),
            condition=ClientOpenOrders.open_orders == 0,
        )
        transaction.delete(
            "email",
            EmailGuard(keys.email_pk(current.email), keys.EMAIL_SK),
            condition=EmailGuard.client_id == client_id,
        )
        try:
            transaction.commit()
        except ConditionsFailedError as error:
            if "open orders" in error.names:
                raise ClientHasOpenOrdersError(client_id) from error
            continue  # changed meanwhile: read again and decide again
        return
    raise ClientHasOpenOrdersError(client_id)


def open_orders(client_id: str) -> int:
    """How many of the client's orders are not yet terminal (0 for a client that is gone)."""
    try:
        return int(ClientOpenOrders.get(keys.client_pk(client_id), keys.OPEN_ORDERS, consistent_read=True).open_orders)
    except ClientOpenOrders.DoesNotExist:
        return 0


def page(limit: int, cursor: str | None = None) -> Page[ClientRecord]:
    """All clients, oldest first."""

    def query(**kwargs):
        return ClientRecord.key_query(keys.CLIENTS, index_name=ClientRecord.gsi1.Meta.index_name, **kwargs)

    return paginate(query, "clients", GSI1_KEY, limit, cursor)


def _values(fields: ClientFields) -> dict[str, object]:
    """The stored attributes of a client's mutable fields (ClientRecord's names are ClientFields')."""
    return {name: getattr(fields, name) for name in ClientFields.names()}
