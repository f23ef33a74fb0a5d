# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.currency import Currency
from ..types import UNSET, Unset

T = TypeVar("T", bound="ClientRecord")


@_attrs_define
class ClientRecord:
    """
    Attributes:
        client_id (str): 26-character ULID (Crockford base 32).
        name (str):
        email (str):
        credit_limit (int): Amount in minor units of the currency (cents for USD).
        currency (Currency | str): The client's currency (a later version of the API may add a value; treat an unknown
            one as such).
        created_at (datetime.datetime): RFC 3339, UTC.
        updated_at (datetime.datetime): RFC 3339, UTC.
        document (str | Unset):
    """

    client_id: str
    name: str
    email: str
    credit_limit: int
    currency: Currency | str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    document: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        name = self.name

        email = self.email

        credit_limit = self.credit_limit

        currency: str
        if isinstance(self.currency, Currency):
            currency = self.currency.value
        else:
            currency = self.currency

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        document = self.document

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "clientId": client_id,
                "name": name,
                "email": email,
                "creditLimit": credit_limit,
                "currency": currency,
                "createdAt": created_at,
                "updatedAt": updated_at,
            }
        )
        if document is not UNSET:
            field_dict["document"] = document

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client_id = d.pop("clientId")

        name = d.pop("name")

        email = d.pop("email")

        credit_limit = d.pop("creditLimit")

        def _parse_currency(data: object) -> Currency | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_0 = Currency(data)

                return currency_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Currency | str, data)

        currency = _parse_currency(d.pop("currency"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))

        document = d.pop("document", UNSET)

        client_record = cls(
            client_id=client_id,
            name=name,
            email=email,
            credit_limit=credit_limit,
            currency=currency,
            created_at=created_at,
            updated_at=updated_at,
            document=document,
        )

        client_record.additional_properties = d
        return client_record

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
