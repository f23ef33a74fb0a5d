"""The generated models enforce the contract's types strictly: money is never a string or a float."""

import pytest
from pydantic import ValidationError

from domain.models import ClientInput, OrderCreate

VALID = {"name": "Acme", "email": "billing@acme.example"}


def test_client_input_has_no_defaults_so_an_omitted_field_stays_omitted():
    # The create operation applies the contract's `x-default-on-create`; a replace keeps stored values.
    client = ClientInput.model_validate(VALID)
    assert client.credit_limit is None and client.currency is None and client.document is None
    assert client.model_fields_set == {"name", "email"}


@pytest.mark.parametrize("credit_limit", ["7", 7.0, True, -1, 10**15 + 1])
def test_credit_limit_must_be_a_non_negative_integer(credit_limit):
    with pytest.raises(ValidationError):
        ClientInput.model_validate(VALID | {"creditLimit": credit_limit})


@pytest.mark.parametrize("email", ["no-at-sign", "a@b", "a@@b.io", "a b@c.io", "a@" + "x" * 250 + ".io"])
def test_invalid_emails_are_refused(email):
    with pytest.raises(ValidationError):
        ClientInput.model_validate(VALID | {"email": email})


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError):
        ClientInput.model_validate(VALID | {"clientId": "01ARZ3NDEKTSV4RRFFQ69G5FAV"})


@pytest.mark.parametrize("name", ["", "   ", "\x1f", "\t\x7f", "x" * 201])
def test_name_must_have_visible_text_and_at_most_200_characters(name):
    with pytest.raises(ValidationError):
        ClientInput.model_validate(VALID | {"name": name})


def test_order_refuses_a_client_sent_total():
    item = {"sku": "W-1", "description": "Widget", "quantity": 1, "unitPrice": 100}
    assert OrderCreate.model_validate({"items": [item]}).items[0].unit_price == 100
    with pytest.raises(ValidationError):
        OrderCreate.model_validate({"items": [item], "total": 100})


@pytest.mark.parametrize("count", [0, 101])
def test_order_needs_between_1_and_100_items(count):
    item = {"sku": "W-1", "description": "Widget", "quantity": 1, "unitPrice": 100}
    with pytest.raises(ValidationError):
        OrderCreate.model_validate({"items": [item] * count})
