"""The approval rules of an order (docs/architecture.md §4): pure, deterministic, no I/O.

`decide(order_total, order_currency, client)` applies, in this order, the first rule that matches:

1. `client_not_found`      the client is gone (`client is None`);
2. `currency_mismatch`     the order's currency differs from the client's current currency. It is checked
                           before the credit limit because a limit in another currency cannot be compared
                           with the total (no conversion is ever made);
3. `credit_limit_exceeded` `order_total > client.credit_limit` (a total equal to the limit is approved);

otherwise the order is approved (the payment is then taken as captured). Amounts are integers in minor
units of the same currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

CLIENT_NOT_FOUND = "client_not_found"
CURRENCY_MISMATCH = "currency_mismatch"
CREDIT_LIMIT_EXCEEDED = "credit_limit_exceeded"
REASONS = (CLIENT_NOT_FOUND, CURRENCY_MISMATCH, CREDIT_LIMIT_EXCEEDED)


class Client(Protocol):
    """What the rules read of a client (a `datamodel.entities.ClientRecord` has it)."""

    currency: str
    credit_limit: int


@dataclass(frozen=True)
class Decision:
    approved: bool
    reason: str | None = None  # one of REASONS when not approved, else None


APPROVE = Decision(approved=True)


def decide(order_total: int, order_currency: str, client: Client | None) -> Decision:
    """Approve, or reject with the first failing rule's reason (see the module docstring for the order)."""
    if client is None:
        return Decision(False, CLIENT_NOT_FOUND)
    if order_currency != client.currency:
        return Decision(False, CURRENCY_MISMATCH)
    if order_total > client.credit_limit:
        return Decision(False, CREDIT_LIMIT_EXCEEDED)
    return APPROVE
