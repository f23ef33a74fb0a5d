# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.currency import Currency
from ..models.order_status import OrderStatus
from ..models.rejection_reason import RejectionReason
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.order_item import OrderItem


T = TypeVar("T", bound="Order")


@_attrs_define
class Order:
    """
    Attributes:
        order_id (str): 26-character ULID (Crockford base 32).
        client_id (str): 26-character ULID (Crockford base 32).
        status (OrderStatus | str): The order's status (a later version of the API may add a value; treat an unknown one
            as such).
        items (list[OrderItem]):
        total (int): Amount in minor units of the currency (cents for USD).
        currency (Currency | str): The order's currency (a later version of the API may add a value; treat an unknown
            one as such).
        created_at (datetime.datetime): RFC 3339, UTC.
        updated_at (datetime.datetime): RFC 3339, UTC.
        rejection_reason (RejectionReason | str | Unset): Why the order was rejected (a later version of the API may add
            a value; treat an unknown one as such).
        approved_at (datetime.datetime | Unset): RFC 3339, UTC.
        invoice_id (str | Unset): Invoice number, gapless per UTC year of issue. Example: INV-2026-000001.
    """

    order_id: str
    client_id: str
    status: OrderStatus | str
    items: list[OrderItem]
    total: int
    currency: Currency | str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    rejection_reason: RejectionReason | str | Unset = UNSET
    approved_at: datetime.datetime | Unset = UNSET
    invoice_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id = self.order_id

        client_id = self.client_id

        status: str
        if isinstance(self.status, OrderStatus):
            status = self.status.value
        else:
            status = self.status

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        total = self.total

        currency: str
        if isinstance(self.currency, Currency):
            currency = self.currency.value
        else:
            currency = self.currency

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        rejection_reason: str | Unset
        if isinstance(self.rejection_reason, Unset):
            rejection_reason = UNSET
        elif isinstance(self.rejection_reason, RejectionReason):
            rejection_reason = self.rejection_reason.value
        else:
            rejection_reason = self.rejection_reason

        approved_at: str | Unset = UNSET
        if not isinstance(self.approved_at, Unset):
            approved_at = self.approved_at.isoformat()

        invoice_id = self.invoice_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "orderId": order_id,
                "clientId": client_id,
                "status": status,
                "items": items,
                "total": total,
                "currency": currency,
                "createdAt": created_at,
                "updatedAt": updated_at,
            }
        )
        if rejection_reason is not UNSET:
            field_dict["rejectionReason"] = rejection_reason
        if approved_at is not UNSET:
            field_dict["approvedAt"] = approved_at
        if invoice_id is not UNSET:
            field_dict["invoiceId"] = invoice_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.order_item import OrderItem  # noqa: PLC0415

        d = dict(src_dict)
        order_id = d.pop("orderId")

        client_id = d.pop("clientId")

        def _parse_status(data: object) -> OrderStatus | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = OrderStatus(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(OrderStatus | str, data)

        status = _parse_status(d.pop("status"))

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = OrderItem.from_dict(items_item_data)

            items.append(items_item)

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

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))

        def _parse_rejection_reason(data: object) -> RejectionReason | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                rejection_reason_type_0 = RejectionReason(data)

                return rejection_reason_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(RejectionReason | str | Unset, data)

        rejection_reason = _parse_rejection_reason(d.pop("rejectionReason", UNSET))

        _approved_at = d.pop("approvedAt", UNSET)
        approved_at: datetime.datetime | Unset
        if isinstance(_approved_at, Unset):
            approved_at = UNSET
        else:
            approved_at = datetime.datetime.fromisoformat(_approved_at)

        invoice_id = d.pop("invoiceId", UNSET)

        order = cls(
            order_id=order_id,
            client_id=client_id,
            status=status,
            items=items,
            total=total,
            currency=currency,
            created_at=created_at,
            updated_at=updated_at,
            rejection_reason=rejection_reason,
            approved_at=approved_at,
            invoice_id=invoice_id,
        )

        order.additional_properties = d
        return order

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
