"""Pagination cost: time per page of a client's listing when the partition holds 10,000 items, against the
same page when it holds 10 (docs/architecture.md §7: within 1.5×), measured in the same run.

Two client partitions are seeded straight through the data layer (PynamoDB batch writes, i.e.
BatchWriteItem against the stack's moto server): a small one with SMALL orders and as many invoices, a
large one with LARGE of each. Each listing handler is then invoked in-process, as Lambda would run it (the
API function's own module, the environment the template gives it, an API Gateway proxy event with an admin's
claims), against the stack's moto server; the gateway is left out, so its fixed cost does not dilute the
ratio. Pages hold PAGE_LIMIT items, so that the small partition's first and middle pages are full pages too;
the middle page starts from the cursor the listing itself issues after half of the partition.
Small and large are measured alternately (A/B, B/A), so that noise hits both alike.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shoplocal.bench.common import BenchContext, Figure

SECTION = "pagination"
SMALL = 10
LARGE = 10_000
SMOKE_LARGE = 200
PAGE_LIMIT = 5
WARM_UP = 3
TARGET = 1.5
# Seeded invoices use a year the pipeline never issues in, so they cannot meet its gapless counter.
SEED_YEAR = 1999


@dataclass(frozen=True)
class Listing:
    """One listing route: its function, its resource, its query, and how to get the middle page's cursor."""

    name: str
    function: str
    resource: str
    query: dict[str, str]
    middle_cursor: Callable[[str, int], str | None]  # (client id, items before the page) -> cursor


def measure(ctx: BenchContext) -> list[Figure]:
    large = SMOKE_LARGE if ctx.smoke else LARGE
    _use_function_environment(ctx, "OrdersFunction")
    small_client, large_client = _seed(SMALL), _seed(large)
    claims = _admin_claims(ctx)
    figures = []
    for listing in _listings():
        _use_function_environment(ctx, listing.function)
        handler = _handler(listing.function)
        for page_name, before in (("first page", None), ("middle page", "half")):
            cursors = {
                client: None if before is None else listing.middle_cursor(client, size // 2)
                for client, size in ((small_client, SMALL), (large_client, large))
            }
            events = {
                client: _event(listing, client, cursors[client], claims) for client in (small_client, large_client)
            }
            for client in (small_client, large_client):  # warm-up; also proves both pages are full
                for _ in range(WARM_UP):
                    _time_page(handler, events[client], expected=PAGE_LIMIT)
            small, big = [], []
            for repetition in range(ctx.repetitions):
                order = (small_client, large_client) if repetition % 2 == 0 else (large_client, small_client)
                for client in order:
                    (small if client == small_client else big).append(_time_page(handler, events[client]))
            figures.append(
                Figure(
                    section=SECTION,
                    name=f"{listing.name} {page_name}",
                    unit="ms",
                    samples=big,
                    baseline=small,
                    baseline_label=f"same page, {SMALL} items in the partition",
                    target=TARGET,
                    note=f"in-process handler ({listing.function}), {PAGE_LIMIT} items a page, "
                    f"{large} vs {SMALL} items in the partition",
                    detail={"partition_items": {"large": large, "small": SMALL}, "page_limit": PAGE_LIMIT},
                )
            )
    return figures


# ---- the listings ----


def _listings() -> list[Listing]:
    from datamodel import invoices, orders

    def orders_cursor(status: str | None) -> Callable[[str, int], str | None]:
        return lambda client, before: orders.page(client, before, None, status).next_cursor

    return [
        Listing("GET /clients/{clientId}/orders", "OrdersFunction", "/clients/{clientId}/orders", {}, orders_cursor(None)),
        Listing(
            "GET /clients/{clientId}/orders?status=INVOICED",
            "OrdersFunction",
            "/clients/{clientId}/orders",
            {"status": "INVOICED"},
            orders_cursor("INVOICED"),
        ),
        Listing(
            "GET /clients/{clientId}/invoices",
            "InvoicesFunction",
            "/clients/{clientId}/invoices",
            {},
            lambda client, before: invoices.page(client, before, None).next_cursor,
        ),
    ]


# ---- seeding, through the data layer ----


def _seed(count: int) -> str:
    """A client with `count` invoiced orders and their `count` invoices; returns its id."""
    from datamodel import keys
    from datamodel.entities import ClientRecord, InvoiceRecord, OrderRecord
    from datamodel.invoices import invoice_id, pdf_key
    from domain.clock import now_rfc3339
    from domain.ids import new_id

    client_id, now = new_id(), now_rfc3339()
    pk = keys.client_pk(client_id)
    name, email = f"Bench {count}", f"bench-{uuid.uuid4().hex[:12]}@example.com"
    with ClientRecord.batch_write() as batch:
        batch.save(
            ClientRecord(
                pk,
                keys.PROFILE,
                client_id=client_id,
                name=name,
                email=email,
                credit_limit=10**9,
                currency="EUR",
                created_at=now,
                updated_at=now,
                gsi1pk=keys.CLIENTS,
                gsi1sk=keys.client_listing_sk(now, client_id),
            )
        )
        for number in range(1, count + 1):
            order_id, number_id = new_id(), invoice_id(SEED_YEAR, number)
            batch.save(
                OrderRecord(
                    pk,
                    keys.order_sk(order_id),
                    order_id=order_id,
                    client_id=client_id,
                    status="INVOICED",
                    items=[],
                    total=1000,
                    currency="EUR",
                    created_at=now,
                    updated_at=now,
                    approved_at=now,
                    invoice_id=number_id,
                    gsi1pk=pk,
                    gsi1sk=keys.order_status_sk("INVOICED", order_id),
                )
            )
            batch.save(
                InvoiceRecord(
                    pk,
                    keys.invoice_sk(number_id),
                    invoice_id=number_id,
                    order_id=order_id,
                    client_id=client_id,
                    total=1000,
                    currency="EUR",
                    issued_at=now,
                    s3_key=pdf_key(client_id, order_id),
                    bill_to_name=name,
                    bill_to_email=email,
                )
            )
    return client_id


# ---- invoking a listing handler ----


def _use_function_environment(ctx: BenchContext, function: str) -> None:
    # Configuration is read at import (domain/config.py, PynamoDB Meta), so it is set before any import;
    # with the bench's scratch queues, as the other in-process sections import the same modules.
    from shoplocal.bench.scenario import scratch_environments

    os.environ.update(scratch_environments(ctx)[function])


def _handler(function: str) -> Callable[[Any, Any], Any]:
    import importlib

    from shoplocal.template import Template

    spec = Template().functions()[function]
    return getattr(importlib.import_module(spec.module), spec.attribute)


def _admin_claims(ctx: BenchContext) -> dict[str, str]:
    from shoplocal.auth import api_gateway_claims

    return api_gateway_claims(ctx.extra["issuer"].verifier().verify(f"Bearer {ctx.admin_token}"))


def _event(listing: Listing, client_id: str, cursor: str | None, claims: dict[str, str]) -> dict[str, Any]:
    from shoplocal.gateway import Route, _path_pattern, proxy_event

    route = Route(listing.resource, {"GET": listing.function}, _path_pattern(listing.resource))
    path = listing.resource.replace("{clientId}", client_id)
    query = {**listing.query, "limit": str(PAGE_LIMIT), **({"cursor": cursor} if cursor else {})}
    return proxy_event(
        route=route,
        method="GET",
        path=path,
        path_parameters=route.parameters(path) or {},
        headers=[("Host", "localhost"), ("Accept", "application/json")],
        query=list(query.items()),
        body=b"",
        source_ip="127.0.0.1",
        stage="local",
        authorizer={"claims": claims},
    )


def _time_page(handler: Callable[[Any, Any], Any], event: dict[str, Any], expected: int | None = None) -> float:
    """Milliseconds for one page; with `expected`, checks the page holds that many items."""
    import json

    from shoplocal.lambdas import LambdaContext

    function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "bench")
    context = LambdaContext(function, 512, 30)
    started = time.perf_counter()
    result = handler(event, context)
    elapsed = (time.perf_counter() - started) * 1000
    if result.get("statusCode") != 200:
        raise RuntimeError(f"{event['path']} answered {result.get('statusCode')}: {result.get('body')}")
    if expected is not None:
        items = len(json.loads(result["body"])["items"])
        if items != expected:
            raise RuntimeError(f"{event['path']} returned {items} items, not a full page of {expected}")
    return elapsed
