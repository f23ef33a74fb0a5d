"""`shop_sdk.__version__`: the distribution's version, which the generator takes from openapi.yaml's
`info.version` (sdk/setup.py), so the SDK's version is the API contract's."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def sdk_version() -> str:
    try:
        return version("shop-client")
    except PackageNotFoundError:  # imported from a source tree that is not installed: read the generated setup.py
        setup = (Path(__file__).resolve().parent.parent / "setup.py").read_text(encoding="utf-8")
        match = re.search(r'^\s*version="([^"]+)"', setup, re.MULTILINE)
        return match.group(1) if match else "0+unknown"
