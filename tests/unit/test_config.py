"""domain.config: what each function checks at init, and the messages that name what is wrong."""

from __future__ import annotations

import re

import pytest

from domain import config
from domain.config import ConfigurationError
from shoplocal.provision import LOCAL_PARAMETERS
from shoplocal.template import Template

SELLER = {
    "SELLER_NAME": "Acme GmbH",
    "SELLER_ADDRESS": "Hauptstr. 1|10115 Berlin|Germany",
    "SELLER_TAX_ID": "DE123456789",
}


@pytest.fixture
def seller_env(monkeypatch):
    for name, value in SELLER.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_require_passes_when_every_variable_is_set(monkeypatch):
    monkeypatch.setenv("TABLE_NAME", "t")
    monkeypatch.setenv("BUCKET_NAME", "b")

    config.require("TABLE_NAME", "BUCKET_NAME")


@pytest.mark.parametrize("value", [None, "", "   "])
def test_require_names_a_missing_or_blank_variable(monkeypatch, value):
    monkeypatch.setenv("TABLE_NAME", "t")
    if value is None:
        monkeypatch.delenv("BUCKET_NAME", raising=False)
    else:
        monkeypatch.setenv("BUCKET_NAME", value)

    with pytest.raises(ConfigurationError, match=r"^environment variable BUCKET_NAME is not set or empty"):
        config.require("TABLE_NAME", "BUCKET_NAME")


def test_require_names_every_missing_variable_at_once(monkeypatch):
    monkeypatch.delenv("ORDERS_QUEUE_URL", raising=False)
    monkeypatch.setenv("CURSOR_SECRET_ARN", "")

    with pytest.raises(ConfigurationError, match="variables ORDERS_QUEUE_URL, CURSOR_SECRET_ARN are not set"):
        config.require("ORDERS_QUEUE_URL", "CURSOR_SECRET_ARN")


def test_seller_reads_name_address_lines_and_tax_id(seller_env):
    seller = config.seller()

    assert seller == config.Seller("Acme GmbH", ("Hauptstr. 1", "10115 Berlin", "Germany"), "DE123456789")


def test_seller_strips_blanks_around_each_part(seller_env):
    seller_env.setenv("SELLER_ADDRESS", " 1 Main St | Springfield ")

    assert config.seller().address == ("1 Main St", "Springfield")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SELLER_NAME", "", "SELLER_NAME is empty"),
        ("SELLER_NAME", "  ", "SELLER_NAME is empty"),
        ("SELLER_NAME", "x" * 101, "SELLER_NAME is 101 characters long, at most 100"),
        ("SELLER_NAME", "Acme\nGmbH", "SELLER_NAME holds a control character"),
        ("SELLER_ADDRESS", "", "SELLER_ADDRESS is empty"),
        ("SELLER_ADDRESS", "a|b|c|d|e|f", "SELLER_ADDRESS has 6 lines, at most 5"),
        ("SELLER_ADDRESS", "a||b", "SELLER_ADDRESS line 2 is empty"),
        ("SELLER_ADDRESS", "a|", "SELLER_ADDRESS line 2 is empty"),
        ("SELLER_ADDRESS", "a|" + "y" * 81, "SELLER_ADDRESS line 2 is 81 characters long, at most 80"),
        ("SELLER_TAX_ID", "", "SELLER_TAX_ID is empty"),
        ("SELLER_TAX_ID", "9" * 41, "SELLER_TAX_ID is 41 characters long, at most 40"),
    ],
)
def test_a_bad_seller_setting_is_named(seller_env, variable, value, message):
    seller_env.setenv(variable, value)

    with pytest.raises(ConfigurationError, match=re.escape(message)):
        config.seller()


def test_a_missing_seller_variable_is_named(seller_env):
    seller_env.delenv("SELLER_TAX_ID")

    with pytest.raises(ConfigurationError, match="SELLER_TAX_ID is empty"):
        config.seller()


@pytest.mark.parametrize("value", [None, "", "short", " " * 40, b"x" * 40])
def test_an_empty_or_short_cursor_secret_never_signs(value):
    with pytest.raises(ConfigurationError, match="CURSOR_SECRET_ARN .* 32\\+ characters"):
        config.cursor_secret(value)


def test_a_long_enough_cursor_secret_is_the_key():
    assert config.cursor_secret("k" * 32) == b"k" * 32


def test_the_local_example_seller_passes_the_template_and_the_worker(monkeypatch):
    # GIVEN the local stack's values for the Seller* parameters
    template = Template()
    for parameter, variable in (("SellerName", "SELLER_NAME"), ("SellerAddress", "SELLER_ADDRESS"),
                                ("SellerTaxId", "SELLER_TAX_ID")):
        value = LOCAL_PARAMETERS[parameter]
        spec = template.parameters[parameter]
        # THEN CloudFormation would accept them (the patterns are plain enough to read as Python's)
        assert spec["MinLength"] <= len(value) <= spec["MaxLength"], parameter
        assert re.fullmatch(spec["AllowedPattern"], value), parameter
        monkeypatch.setenv(variable, value)

    # AND the worker's init check accepts them, the address split into its lines
    assert config.seller().address == ("1 Cloud Street", "Seattle, WA 98101", "United States")


def test_the_address_pattern_refuses_what_the_worker_refuses():
    pattern = Template().parameters["SellerAddress"]["AllowedPattern"]

    for bad in ("a||b", "|a", "a|", "a|b|c|d|e|f"):
        assert not re.fullmatch(pattern, bad), bad


def test_an_empty_seller_logo_key_means_no_logo(monkeypatch):
    monkeypatch.setenv("SELLER_LOGO_KEY", " ")
    assert config.seller_logo_key() is None
    monkeypatch.delenv("SELLER_LOGO_KEY")
    assert config.seller_logo_key() is None


@pytest.mark.parametrize("key", ["branding/logo.png", "branding/2026/logo.jpg", "branding/a.jpeg"])
def test_a_png_or_jpeg_key_under_branding_is_the_logo(monkeypatch, key):
    monkeypatch.setenv("SELLER_LOGO_KEY", key)
    assert config.seller_logo_key() == key


@pytest.mark.parametrize("key", ["logo.png", "invoices/x/y.png", "branding/", "branding/logo.gif", "branding/logo.PNG"])
def test_a_logo_key_outside_branding_or_not_an_image_fails_naming_the_variable(monkeypatch, key):
    monkeypatch.setenv("SELLER_LOGO_KEY", key)
    with pytest.raises(ConfigurationError, match="SELLER_LOGO_KEY must name a .png or .jpg object under branding/"):
        config.seller_logo_key()


def test_the_logo_key_parameter_pattern_agrees_with_the_worker():
    pattern = Template().parameters["SellerLogoKey"]["AllowedPattern"]
    for good in ("", "branding/logo.png", "branding/2026/logo.jpg"):
        assert re.fullmatch(pattern, good), good
    for bad in ("logo.png", "invoices/a.png", "branding/logo.gif", "branding/logo.PNG"):
        assert not re.fullmatch(pattern, bad), bad
