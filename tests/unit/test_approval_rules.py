"""workers.approval_rules: the deterministic approval decision (docs/architecture.md §4)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from workers.approval_rules import (
    CLIENT_NOT_FOUND,
    CREDIT_LIMIT_EXCEEDED,
    CURRENCY_MISMATCH,
    Decision,
    decide,
)


@dataclass(frozen=True)
class Client:
    currency: str = "USD"
    credit_limit: int = 100_000


def test_total_within_the_limit_is_approved_without_reason():
    assert decide(99_999, "USD", Client()) == Decision(approved=True, reason=None)


def test_total_equal_to_the_limit_is_approved():
    assert decide(100_000, "USD", Client()).approved


def test_total_one_unit_over_the_limit_is_rejected_for_credit():
    assert decide(100_001, "USD", Client()) == Decision(False, CREDIT_LIMIT_EXCEEDED)


def test_zero_limit_approves_only_free_orders():
    assert decide(0, "USD", Client(credit_limit=0)).approved
    assert decide(1, "USD", Client(credit_limit=0)).reason == CREDIT_LIMIT_EXCEEDED


def test_missing_client_is_rejected_as_not_found():
    assert decide(1, "USD", None) == Decision(False, CLIENT_NOT_FOUND)


def test_other_currency_is_rejected_as_mismatch():
    assert decide(1, "EUR", Client(currency="USD")) == Decision(False, CURRENCY_MISMATCH)


def test_currency_mismatch_wins_over_credit_limit():
    # GIVEN an order both in another currency and over the limit
    # WHEN decided
    decision = decide(10**9, "EUR", Client(currency="USD", credit_limit=1))
    # THEN the currency is reported: a limit in USD says nothing about a EUR total
    assert decision == Decision(False, CURRENCY_MISMATCH)


@pytest.mark.parametrize("total,currency", [(10**9, "EUR"), (0, "USD")])
def test_missing_client_wins_over_every_other_rule(total, currency):
    assert decide(total, currency, None).reason == CLIENT_NOT_FOUND


def test_same_inputs_give_the_same_decision():
    assert decide(5, "JPY", Client("JPY", 4)) == decide(5, "JPY", Client("JPY", 4))
