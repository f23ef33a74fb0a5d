# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.currency import Currency
from ..types import UNSET, Unset

T = TypeVar("T", bound="Invoice")


@_attrs_define
class Invoice:
    """
    Attributes:
        invoice_id (str): Invoice number, gapless per UTC year of issue. Example: INV-2026-000001.
        order_id (str): 26-character ULID (Crockford base 32).
        client_id (str): 26-character ULID (Crockford base 32).
        total (int): Amount in minor units of the currency (cents for USD).
        currency (Currency | str): The invoice's currency (a later version of the API may add a value; treat an unknown
            one as such).
        issued_at (datetime.datetime): RFC 3339, UTC.
        download_url (str | Unset): Presigned URL of the PDF (only on the single-invoice read).
        expires_at (datetime.datetime | Unset): RFC 3339, UTC.
    """

    invoice_id: str
    order_id: str
    client_id: str
    total: int
    currency: Currency | str
    issued_at: datetime.datetime
    download_url: str | Unset = UNSET
    expires_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        invoice_id = self.invoice_id

        order_id = self.order_id

        client_id = self.client_id

        total = self.total

        currency: str
        if isinstance(self.currency, Currency):
            currency = self.currency.value
        else:
            currency = self.currency

        issued_at = self.issued_at.isoformat()

        download_url = self.download_url

        expires_at: str | Unset = UNSET
        if not isinstance(self.expires_at, Unset):
            expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "invoiceId": invoice_id,
                "orderId": order_id,
                "clientId": client_id,
                "total": total,
                "currency": currency,
                "issuedAt": issued_at,
            }
        )
        if download_url is not UNSET:
            field_dict["downloadUrl"] = download_url
        if expires_at is not UNSET:
            field_dict["expiresAt"] = expires_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        invoice_id = d.pop("invoiceId")

        order_id = d.pop("orderId")

        client_id = d.pop("clientId")

        total = d.pop("total")

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

        issued_at = datetime.datetime.fromisoformat(d.pop("issuedAt"))

        download_url = d.pop("downloadUrl", UNSET)

        _expires_at = d.pop("expiresAt", UNSET)
        expires_at: datetime.datetime | Unset
        if isinstance(_expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = datetime.datetime.fromisoformat(_expires_at)

        invoice = cls(
            invoice_id=invoice_id,
            order_id=order_id,
            client_id=client_id,
            total=total,
            currency=currency,
            issued_at=issued_at,
            download_url=download_url,
            expires_at=expires_at,
        )

        invoice.additional_properties = d
        return invoice

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
