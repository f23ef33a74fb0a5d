"""Money as an integer count of minor units of an ISO 4217 currency (cents for USD). Never floats.

Totals are plain integer arithmetic; formatting splits the integer with `divmod`, so no amount,
however large, is ever rounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# ISO 4217 exponent: how many decimal places a currency's minor unit has.
MINOR_UNITS: dict[str, int] = {"USD": 2, "EUR": 2, "GBP": 2, "BRL": 2, "JPY": 0}


def minor_units(currency: str) -> int:
    """The ISO 4217 exponent of `currency`; `ValueError` if the currency is not supported."""
    try:
        return MINOR_UNITS[currency]
    except (KeyError, TypeError):
        raise ValueError(f"unsupported currency: {currency!r}") from None


def _whole(value: Any, name: str) -> int:
    # bool is an int subclass; True is not a quantity.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(
            f"{name} must be an int of minor units, got {type(value).__name__}"
        )
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def line_total(quantity: int, unit_price: int) -> int:
    """`quantity * unit_price`, both non-negative ints (the price in minor units)."""
    return _whole(quantity, "quantity") * _whole(unit_price, "unit_price")


def _quantity_and_price(item: Any) -> tuple[int, int]:
    """Read (quantity, unit price) from a mapping (`unitPrice` or `unit_price`) or an object's attributes."""
    if isinstance(item, Mapping):
        price = item["unitPrice"] if "unitPrice" in item else item["unit_price"]
        return item["quantity"], price
    return item.quantity, item.unit_price


def order_total(items: Iterable[Any]) -> int:
    """Sum of the line totals of `items`: objects with `.quantity`/`.unit_price` (e.g. the pydantic
    `OrderItem`) or mappings with `quantity` and `unitPrice` (the wire/DynamoDB shape) or `unit_price`.
    """
    return sum(line_total(*_quantity_and_price(item)) for item in items)


def format_amount(minor: int, currency: str) -> str:
    """Human form of an amount: `format_amount(123456, "USD") == "1,234.56 USD"`,
    `format_amount(1500, "JPY") == "1,500 JPY"`. Negative amounts get a leading `-`."""
    exponent = minor_units(currency)
    if not isinstance(minor, int) or isinstance(minor, bool):
        raise TypeError(
            f"amount must be an int of minor units, got {type(minor).__name__}"
        )
    sign = "-" if minor < 0 else ""
    major, fraction = divmod(abs(minor), 10**exponent)
    number = f"{major:,}" + (f".{fraction:0{exponent}d}" if exponent else "")
    return f"{sign}{number} {currency}"
