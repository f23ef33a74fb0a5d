# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="OrderItem")


@_attrs_define
class OrderItem:
    """
    Attributes:
        sku (str):
        description (str):
        quantity (int):
        unit_price (int): Price of one unit in minor units.
    """

    sku: str
    description: str
    quantity: int
    unit_price: int

    def to_dict(self) -> dict[str, Any]:
        sku = self.sku

        description = self.description

        quantity = self.quantity

        unit_price = self.unit_price

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "sku": sku,
                "description": description,
                "quantity": quantity,
                "unitPrice": unit_price,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        sku = d.pop("sku")

        description = d.pop("description")

        quantity = d.pop("quantity")

        unit_price = d.pop("unitPrice")

        order_item = cls(
            sku=sku,
            description=description,
            quantity=quantity,
            unit_price=unit_price,
        )

        return order_item
