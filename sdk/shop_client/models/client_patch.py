# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.currency import Currency
from ..types import UNSET, Unset

T = TypeVar("T", bound="ClientPatch")


@_attrs_define
class ClientPatch:
    """A JSON Merge Patch (RFC 7396) of a client's mutable fields: a named field takes its value,
    `document: null` removes the document, an omitted field keeps its stored value.

        Attributes:
            name (str | Unset):
            email (str | Unset): Email address by the WHATWG HTML rule (the one rule applied everywhere), with a dot in
                the domain. Compared case-insensitively.
            document (None | str | Unset): Tax id; null removes it.
            credit_limit (int | Unset): Credit limit in minor units of `currency`.
            currency (Currency | Unset): ISO 4217 code; amounts use its minor unit (JPY 0 decimals, the others 2).
    """

    name: str | Unset = UNSET
    email: str | Unset = UNSET
    document: None | str | Unset = UNSET
    credit_limit: int | Unset = UNSET
    currency: Currency | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        email = self.email

        document: None | str | Unset
        if isinstance(self.document, Unset):
            document = UNSET
        else:
            document = self.document

        credit_limit = self.credit_limit

        currency: str | Unset = UNSET
        if not isinstance(self.currency, Unset):
            currency = self.currency.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if email is not UNSET:
            field_dict["email"] = email
        if document is not UNSET:
            field_dict["document"] = document
        if credit_limit is not UNSET:
            field_dict["creditLimit"] = credit_limit
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name", UNSET)

        email = d.pop("email", UNSET)

        def _parse_document(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        document = _parse_document(d.pop("document", UNSET))

        credit_limit = d.pop("creditLimit", UNSET)

        _currency = d.pop("currency", UNSET)
        currency: Currency | Unset
        if isinstance(_currency, Unset):
            currency = UNSET
        else:
            currency = Currency(_currency)

        client_patch = cls(
            name=name,
            email=email,
            document=document,
            credit_limit=credit_limit,
            currency=currency,
        )

        return client_patch
