"""domain.money: integer minor units, totals and formatting."""

from __future__ import annotations

import pytest

from domain.models import OrderItem
from domain.money import (
    MINOR_UNITS,
    format_amount,
    line_total,
    minor_units,
    order_total,
)


def test_line_total_multiplies_quantity_by_unit_price():
    assert line_total(3, 1250) == 3750


def test_line_total_of_a_free_item_is_zero():
    assert line_total(5, 0) == 0


def test_line_total_is_exact_at_the_contract_maximum():
    # quantity 10,000 x unit price 10**9 minor units, the largest line the contract allows.
    result = line_total(10_000, 10**9)
    assert result == 10**13
    assert type(result) is int


@pytest.mark.parametrize(
    "quantity, unit_price", [(1.0, 100), (1, 99.99), ("2", 100), (True, 100)]
)
def test_line_total_refuses_anything_but_ints(quantity, unit_price):
    with pytest.raises(TypeError):
        line_total(quantity, unit_price)


@pytest.mark.parametrize("quantity, unit_price", [(-1, 100), (1, -100)])
def test_line_total_refuses_negative_values(quantity, unit_price):
    with pytest.raises(ValueError):
        line_total(quantity, unit_price)


def test_order_total_sums_wire_shaped_mappings():
    items = [
        {"sku": "A", "description": "a", "quantity": 3, "unitPrice": 1250},
        {"sku": "B", "description": "b", "quantity": 1, "unitPrice": 99},
    ]
    assert order_total(items) == 3849


def test_order_total_sums_snake_case_mappings():
    assert (
        order_total(
            [{"quantity": 2, "unit_price": 500}, {"quantity": 1, "unit_price": 1}]
        )
        == 1001
    )


def test_order_total_sums_pydantic_order_items():
    items = [
        OrderItem(
            sku="WIDGET-1", description="Blue widget", quantity=3, unitPrice=1250
        ),
        OrderItem(sku="GADGET-2", description="Gadget", quantity=2, unitPrice=10_000),
    ]
    assert order_total(items) == 23_750


def test_order_total_of_no_items_is_zero():
    assert order_total([]) == 0


def test_order_total_is_exact_for_100_maximal_lines():
    items = [{"quantity": 10_000, "unitPrice": 10**9}] * 100
    assert order_total(items) == 10**15


def test_minor_units_are_the_iso_4217_exponents():
    assert MINOR_UNITS == {"USD": 2, "EUR": 2, "GBP": 2, "BRL": 2, "JPY": 0}
    assert minor_units("JPY") == 0
    assert minor_units("BRL") == 2


@pytest.mark.parametrize(
    "minor, currency, expected",
    [
        (123456, "USD", "1,234.56 USD"),
        (5, "EUR", "0.05 EUR"),
        (50, "GBP", "0.50 GBP"),
        (100, "BRL", "1.00 BRL"),
        (99, "USD", "0.99 USD"),
        (100_000_000, "USD", "1,000,000.00 USD"),
    ],
)
def test_format_amount_shows_two_decimals_for_two_decimal_currencies(
    minor, currency, expected
):
    assert format_amount(minor, currency) == expected


@pytest.mark.parametrize(
    "minor, expected",
    [(1500, "1,500 JPY"), (7, "7 JPY"), (1_000_000, "1,000,000 JPY")],
)
def test_format_amount_shows_no_decimals_for_jpy(minor, expected):
    assert format_amount(minor, "JPY") == expected


def test_format_amount_of_zero():
    assert format_amount(0, "USD") == "0.00 USD"
    assert format_amount(0, "JPY") == "0 JPY"


def test_format_amount_is_exact_for_values_floats_cannot_hold():
    # 10**15 + 1 cents: a float round-trip through dollars would lose the last cent.
    assert format_amount(10**15 + 1, "USD") == "10,000,000,000,000.01 USD"
    assert format_amount(10**15, "JPY") == "1,000,000,000,000,000 JPY"
    assert (
        format_amount(10**30 + 7, "EUR")
        == "10,000,000,000,000,000,000,000,000,000.07 EUR"
    )


def test_format_amount_of_a_negative_amount_has_a_leading_minus():
    assert format_amount(-123456, "USD") == "-1,234.56 USD"
    assert format_amount(-5, "USD") == "-0.05 USD"


@pytest.mark.parametrize("currency", ["XYZ", "usd", "", None])
def test_format_amount_refuses_an_unknown_currency(currency):
    with pytest.raises(ValueError):
        format_amount(100, currency)


def test_minor_units_refuses_an_unknown_currency():
    with pytest.raises(ValueError, match="CHF"):
        minor_units("CHF")


def test_format_amount_refuses_a_float():
    with pytest.raises(TypeError):
        format_amount(12.34, "USD")
