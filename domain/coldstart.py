"""The Lambda init phase of an entry module (handlers/clients.py, orders.py, invoices.py, workers/approval.py,
paid_order.py), without the cyclic garbage collector.

Importing a function's modules (Powertools, pydantic and the contract models, botocore, PynamoDB) and building
its SDK clients (`datamodel.base.connect`: the DynamoDB client, which botocore builds from its JSON service
model) make some 50,000-90,000 objects that live as long as the execution environment; the collector's
passes over them while they are built, and again during the first invocation, are about a tenth of a cold
start (bench/optimisations.md).
`init_phase()` turns the collector off for the block and then freezes what it built (`gc.freeze`: moved out of
every later collection), so neither the init nor later collections scan those objects again. Collection
resumes as before for everything an invocation allocates. The price: the cyclic garbage the imports leave
behind (~700 objects, ~180 KB) is never freed.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def init_phase() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
