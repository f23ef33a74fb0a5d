"""Runtime configuration, read once at import from the variables template.yaml gives each function.

Import this before any PynamoDB model: a model's `Meta.table_name` is fixed when its module loads.
On AWS, `AWS_ENDPOINT_URL` is unset and boto3 reaches the real services; locally it points at the
embedded moto server and the same code runs unchanged.

Reading never fails here (tools and tests import this module outside any function). Each function's entry
module checks, once at init, what it needs: `require("TABLE_NAME", ...)` and, for the invoices' seller,
`seller()`. A missing or bad value raises `ConfigurationError` naming the variable, so the function fails
its INIT on AWS (and the local stack's process exits with that message) instead of failing later, or
worse, running on an empty value. Only `os` is imported: this is on every cold start's path.
"""

import os

TABLE_NAME: str = os.environ.get("TABLE_NAME", "shop")
BUCKET_NAME: str = os.environ.get("BUCKET_NAME", "")
ORDERS_QUEUE_URL: str = os.environ.get("ORDERS_QUEUE_URL", "")
PAID_ORDERS_QUEUE_URL: str = os.environ.get("PAID_ORDERS_QUEUE_URL", "")
# The Secrets Manager secret (ARN or name) whose value signs pagination cursors (datamodel/cursor.py reads
# it on first use, through Powertools' parameters utility, cached). Set for the list routes' functions only.
CURSOR_SECRET_ARN: str = os.environ.get("CURSOR_SECRET_ARN", "")
AWS_REGION: str = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"

# The seller printed on every invoice (template parameters SellerName, SellerAddress, SellerTaxId), for the
# paid-order worker only. The address is one line per `|`-separated part.
SELLER_NAME_VAR = "SELLER_NAME"
SELLER_ADDRESS_VAR = "SELLER_ADDRESS"
SELLER_TAX_ID_VAR = "SELLER_TAX_ID"
ADDRESS_SEPARATOR = "|"
SELLER_NAME_MAX = 100
SELLER_ADDRESS_LINE_MAX = 80
SELLER_ADDRESS_LINES_MAX = 5
SELLER_TAX_ID_MAX = 40
# The optional logo (template parameter SellerLogoKey): a PNG or JPEG object the deployer uploads to the invoice
# bucket under branding/ (the only prefix the worker may read). Empty: invoices carry no logo.
SELLER_LOGO_KEY_VAR = "SELLER_LOGO_KEY"
SELLER_LOGO_PREFIX = "branding/"
SELLER_LOGO_SUFFIXES = (".png", ".jpg", ".jpeg")
SELLER_LOGO_MAX_BYTES = 512 * 1024  # read at every cold start; a print-quality logo is far smaller
CURSOR_SECRET_MIN = 32


class ConfigurationError(ValueError):
    """A function's environment (or a secret it reads) is missing something, or holds a bad value. The
    message names the variable (or secret) and never prints a secret's value."""


def require(*names: str) -> None:
    """Every variable named must be set and not blank; else ConfigurationError naming each one missing."""
    missing = [name for name in names if not os.environ.get(name, "").strip()]
    if missing:
        listed = ", ".join(missing)
        raise ConfigurationError(
            f"environment variable{'s' if len(missing) > 1 else ''} {listed} "
            f"{'are' if len(missing) > 1 else 'is'} not set or empty: template.yaml gives it to this function"
        )


def _text(name: str, maximum: int, value: str | None = None) -> str:
    text = (os.environ.get(name, "") if value is None else value).strip()
    if not text:
        raise ConfigurationError(f"{name} is empty: set it (template parameter) to what invoices must print")
    if len(text) > maximum:
        raise ConfigurationError(f"{name} is {len(text)} characters long, at most {maximum} fit on an invoice")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ConfigurationError(f"{name} holds a control character (a newline?): separate address lines with '|'")
    return text


class Seller:
    """Who issues the invoices, as validated from the environment (`seller()`)."""

    __slots__ = ("name", "address", "tax_id")

    def __init__(self, name: str, address: tuple[str, ...], tax_id: str) -> None:
        self.name, self.address, self.tax_id = name, address, tax_id

    def __repr__(self) -> str:
        return f"Seller({self.name!r}, {self.address!r}, {self.tax_id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Seller) and (self.name, self.address, self.tax_id) == (
            other.name, other.address, other.tax_id
        )

    __hash__ = None  # type: ignore[assignment]


def seller() -> Seller:
    """SELLER_NAME, SELLER_ADDRESS (lines separated by '|') and SELLER_TAX_ID, each non-empty and short
    enough for the invoice's header; ConfigurationError naming the variable otherwise."""
    name = _text(SELLER_NAME_VAR, SELLER_NAME_MAX)
    raw_address = os.environ.get(SELLER_ADDRESS_VAR, "")
    if not raw_address.strip():
        raise ConfigurationError(f"{SELLER_ADDRESS_VAR} is empty: set it (template parameter) to what invoices must print")
    parts = raw_address.split(ADDRESS_SEPARATOR)
    if len(parts) > SELLER_ADDRESS_LINES_MAX:
        raise ConfigurationError(
            f"{SELLER_ADDRESS_VAR} has {len(parts)} lines, at most {SELLER_ADDRESS_LINES_MAX} fit on an invoice"
        )
    address = []
    for number, part in enumerate(parts, 1):
        if not part.strip():
            raise ConfigurationError(f"{SELLER_ADDRESS_VAR} line {number} is empty (two '|' in a row, or one at an end)")
        address.append(_text(f"{SELLER_ADDRESS_VAR} line {number}", SELLER_ADDRESS_LINE_MAX, part))
    tax_id = _text(SELLER_TAX_ID_VAR, SELLER_TAX_ID_MAX)
    return Seller(name, tuple(address), tax_id)


def seller_logo_key() -> str | None:
    """SELLER_LOGO_KEY: None when empty; else an object key under SELLER_LOGO_PREFIX ending .png/.jpg/.jpeg,
    or ConfigurationError naming the variable."""
    key = os.environ.get(SELLER_LOGO_KEY_VAR, "").strip()
    if not key:
        return None
    name = key[len(SELLER_LOGO_PREFIX):]
    if not key.startswith(SELLER_LOGO_PREFIX) or not name or not key.endswith(SELLER_LOGO_SUFFIXES):
        raise ConfigurationError(
            f"{SELLER_LOGO_KEY_VAR} must name a .png or .jpg object under {SELLER_LOGO_PREFIX} in the invoice "
            f"bucket (or be empty for no logo)"
        )
    return key


def cursor_secret(value: object) -> bytes:
    """The cursor-signing key from its secret's value: a string of at least CURSOR_SECRET_MIN characters
    (a shorter or empty one must not silently sign cursors); ConfigurationError naming the secret otherwise."""
    if not isinstance(value, str) or len(value.strip()) < CURSOR_SECRET_MIN:
        raise ConfigurationError(
            f"the secret CURSOR_SECRET_ARN names ({CURSOR_SECRET_ARN or 'unset'}) must hold a string of "
            f"{CURSOR_SECRET_MIN}+ characters: it signs pagination cursors"
        )
    return value.encode()
