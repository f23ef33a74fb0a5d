"""Schemathesis hooks (schemathesis.toml `hooks`): every well-formed `Idempotency-Key` is made unique per call.

Schemathesis draws header values from a small pool, so unrelated requests share keys. The API answers a
reused key as the contract says: the ORIGINAL response (even for a client deleted since) or 422. Both are
right, but the stateful checks read a replayed 201 as "just created" (ST302 when the client is gone). Real
callers use one key per logical request, so each call gets its own; replay, 409 and 422 are proven by
tests/functional/test_idempotency.py. Malformed keys are left alone: their 400 is still checked.
"""

import re
import uuid

import schemathesis

_WELL_FORMED = re.compile(r"^[A-Za-z0-9_-]{8,128}$")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    headers = case.headers or {}
    for name, value in headers.items():
        if name.lower() == "idempotency-key" and isinstance(value, str) and _WELL_FORMED.match(value):
            headers[name] = uuid.uuid4().hex
    return None
