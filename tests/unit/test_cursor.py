import base64

import pytest

from datamodel import cursor
from datamodel.base import GSI1_KEY, PRIMARY_KEY
from datamodel.errors import InvalidCursorError
from domain import config
from domain.config import ConfigurationError


class FakeProvider:
    """Stands in for Powertools' SecretsProvider (no I/O in unit tests): the secret's value, and the calls."""

    def __init__(self, value):
        self.value = value
        self.calls = []

    def get(self, name, max_age=None):
        self.calls.append((name, max_age))
        return self.value


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    provider = FakeProvider("k" * 64)
    monkeypatch.setattr(config, "CURSOR_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:cursor")
    monkeypatch.setattr(cursor, "_provider", provider)
    monkeypatch.setattr(cursor, "_key", None)
    return provider

LAST_KEY = {
    "PK": {"S": "CLIENT#01ABC"},
    "SK": {"S": "#PROFILE"},
    "GSI1PK": {"S": "CLIENTS"},
    "GSI1SK": {"S": "2026-01-01T00:00:00.000Z#01ABC"},
}


def test_cursor_round_trips_the_last_evaluated_key():
    token = cursor.encode("clients", LAST_KEY)
    assert cursor.decode("clients", token, GSI1_KEY) == LAST_KEY


def test_cursor_is_url_safe_and_opaque():
    token = cursor.encode("clients", LAST_KEY)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert "CLIENT#" not in token


def test_no_last_key_means_no_next_cursor():
    assert cursor.encode("clients", None) is None
    assert cursor.encode("clients", {}) is None
    assert cursor.decode("clients", None, GSI1_KEY) is None


def test_cursor_from_another_listing_is_refused():
    token = cursor.encode("orders:01ABC", LAST_KEY)
    with pytest.raises(InvalidCursorError):
        cursor.decode("orders:01XYZ", token, GSI1_KEY)


def test_tampered_cursor_is_refused():
    raw = bytearray(base64.urlsafe_b64decode(cursor.encode("clients", LAST_KEY) + "=="))
    raw[-3] ^= 0x01
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(InvalidCursorError):
        cursor.decode("clients", tampered, GSI1_KEY)


@pytest.mark.parametrize("garbage", ["abc", "A", "-" * 40, "@@@", "eyJQSyI6IkEifQ"])
def test_garbled_cursor_is_refused(garbage):
    with pytest.raises(InvalidCursorError):
        cursor.decode("clients", garbage, GSI1_KEY)


def test_cursor_holding_other_key_attributes_is_refused():
    token = cursor.encode("clients", LAST_KEY)
    with pytest.raises(InvalidCursorError):
        cursor.decode("clients", token, PRIMARY_KEY)


# ---- the key: the secret's value, through the provider's cache ----


def test_the_key_is_read_through_the_provider_with_a_max_age(secret):
    cursor.encode("clients", LAST_KEY)
    cursor.decode("clients", cursor.encode("clients", LAST_KEY), GSI1_KEY)

    assert secret.calls and set(secret.calls) == {(config.CURSOR_SECRET_ARN, cursor.SECRET_MAX_AGE_S)}


def test_another_secret_value_makes_other_cursors(secret):
    before = cursor.encode("clients", LAST_KEY)

    secret.value = "z" * 64  # rotated, once the cached value has expired

    assert cursor.encode("clients", LAST_KEY) != before
    with pytest.raises(InvalidCursorError):
        cursor.decode("clients", before, GSI1_KEY)


@pytest.mark.parametrize("value", ["", "too short"])
def test_an_empty_or_short_secret_value_signs_nothing(secret, value):
    secret.value = value

    with pytest.raises(ConfigurationError, match="CURSOR_SECRET_ARN"):
        cursor.encode("clients", LAST_KEY)


def test_no_secret_variable_signs_nothing(monkeypatch, secret):
    monkeypatch.setattr(config, "CURSOR_SECRET_ARN", "")

    with pytest.raises(ConfigurationError, match="CURSOR_SECRET_ARN is not set"):
        cursor.encode("clients", LAST_KEY)
    assert secret.calls == []
