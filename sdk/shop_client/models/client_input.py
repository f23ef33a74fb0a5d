# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.currency import Currency
from ..types import UNSET, Unset

T = TypeVar("T", bound="ClientInput")


@_attrs_define
class ClientInput:
    """The mutable fields of a client (create, and replace). An omitted field is not sent: on
    create, `creditLimit` and `currency` then take the values their `x-default-on-create`
    names (the create operation applies them); on replace they keep their stored values.

        Attributes:
            name (str):
            email (str): Email address by the WHATWG HTML rule (the one rule applied everywhere), with a dot in
                the domain. Compared case-insensitively.
            document (str | Unset): Tax id.
            credit_limit (int | Unset): Credit limit in minor units of `currency`.
            currency (Currency | Unset): ISO 4217 code; amounts use its minor unit (JPY 0 decimals, the others 2).
    """

    name: str
    email: str
    document: str | Unset = UNSET
    credit_limit: int | Unset = UNSET
    currency: Currency | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        email = self.email

        document = self.document

        credit_limit = self.credit_limit

        currency: str | Unset = UNSET
        if not isinstance(self.currency, Unset):
            currency = self.currency.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "email": email,
            }
        )
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
        name = d.pop("name")

        email = d.pop("email")

        document = d.pop("document", UNSET)

        credit_limit = d.pop("creditLimit", UNSET)

        _currency = d.pop("currency", UNSET)
        currency: Currency | Unset
        if isinstance(_currency, Unset):
            currency = UNSET
        else:
            currency = Currency(_currency)

        client_input = cls(
            name=name,
            email=email,
            document=document,
            credit_limit=credit_limit,
            currency=currency,
        )

        return client_input
