"""The seller's logo for the invoices: read once, at the paid-order worker's init, from the invoice bucket.

A key that names no readable image fails the init naming SELLER_LOGO_KEY (domain/config.py), so a deploy with a
wrong key or a missing upload is seen at once, not as invoices quietly printed without the logo.
"""

from __future__ import annotations

import io
from typing import Any

from botocore.exceptions import ClientError
from reportlab.lib.utils import ImageReader

from domain.config import SELLER_LOGO_KEY_VAR, SELLER_LOGO_MAX_BYTES, ConfigurationError


def load(s3: Any, bucket: str, key: str | None) -> bytes | None:
    """The logo's bytes (None without a key); ConfigurationError when it cannot be read or is no image."""
    if key is None:
        return None
    where = f"{SELLER_LOGO_KEY_VAR} names s3://{bucket}/{key}"
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
        if head["ContentLength"] > SELLER_LOGO_MAX_BYTES:
            raise ConfigurationError(
                f"{where}, {head['ContentLength']:,} bytes: a logo is at most {SELLER_LOGO_MAX_BYTES:,} bytes"
            )
        data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise ConfigurationError(
            f"{where}, which cannot be read ({code}): upload the logo there, or set SellerLogoKey empty"
        ) from None
    try:
        width, height = ImageReader(io.BytesIO(data)).getSize()
    except Exception:
        raise ConfigurationError(f"{where}, which is not a PNG or JPEG image") from None
    if width < 1 or height < 1:
        raise ConfigurationError(f"{where}, an image without pixels")
    return data
