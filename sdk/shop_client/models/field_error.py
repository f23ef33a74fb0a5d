# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="FieldError")


@_attrs_define
class FieldError:
    """One violation of a 400 problem.

    Attributes:
        in_ (str): Where the violation is: `body`, `path`, `query` or `header` (a later version of the API
            may add a location: treat an unknown one as the request as a whole).
        detail (str): What is wrong.
        name (str | Unset): The parameter's name (`in` path, query or header).
        pointer (str | Unset): A JSON Pointer (RFC 6901) into the body (`in` body); empty for the body as a whole.
    """

    in_: str
    detail: str
    name: str | Unset = UNSET
    pointer: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        in_ = self.in_

        detail = self.detail

        name = self.name

        pointer = self.pointer

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "in": in_,
                "detail": detail,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if pointer is not UNSET:
            field_dict["pointer"] = pointer

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        in_ = d.pop("in")

        detail = d.pop("detail")

        name = d.pop("name", UNSET)

        pointer = d.pop("pointer", UNSET)

        field_error = cls(
            in_=in_,
            detail=detail,
            name=name,
            pointer=pointer,
        )

        field_error.additional_properties = d
        return field_error

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
