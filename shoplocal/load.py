"""`shop load`: a bounded, self-stopping load test of a running local stack (issue 4, item 6).

What it does, in order, over HTTP only:

1. creates `--clients` clients, each with the same credit limit (`CREDIT_LIMIT`);
2. `--concurrency` workers place `--orders` orders between them, round-robin over the clients, each with its
   own `Idempotency-Key`; about `OVER_LIMIT_RATIO` of them total more than the credit limit. Every call goes
   through the SDK (`shop_sdk`), which retries a transport error, a 409 in flight, a 429 (after its
   `Retry-After`), a 502, 503 or 504, with the same key and payload, after a jittered exponential backoff, at
   most `MAX_ATTEMPTS` times in all; its `on_attempt` hook counts every attempt and every retry by reason, so
   the retries hide nothing from the statistics. Every `REPLAY_EVERY`-th accepted order is sent once more on
   purpose (a client that lost the answer), and must come back as the same order;
3. meanwhile a single watcher, one request at a time, finds when each accepted order turns terminal: per client
   with open orders it lists the client's invoices (an invoiced order is there) and, when a rejection is due,
   its `?status=REJECTED` orders (see `Run.watch`). The final check below reads the orders themselves;
4. checks the invariants of docs/architecture.md §8 (see `verify`), listing every client's invoices for the numbering;
5. writes the results (machine, parameters, counts, timings, invariants) as JSON and prints a summary.

Everything is bounded: the number of requests, each request (`REQUEST_TIMEOUT_S`), the retries, and the whole
run from the first order to the last terminal status (`--timeout`). Timings are reported, never asserted.
It calls as an admin (it creates and lists clients): `--token`, `SHOP_TOKEN`, or a token signed with the key
`shop run` keeps beside its stack file (`--stack-file`). The URL must be a loopback address: the load test is
for the local stack only.

Exit status: 0 when every invariant holds, 1 when one does not (or the run could not finish), 2 when there is
no healthy stack at the URL, the URL is not a loopback address, or there is no token to send.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import platform
import random
import re
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from shop_sdk import APIConnectionError, APIError, Attempt, RetryPolicy, Shop, ShopError

CREDIT_LIMIT = 1_000_000  # 10,000.00 USD, per order (docs/architecture.md §4: reject when total > creditLimit)
CURRENCY = "USD"
OVER_LIMIT_RATIO = 0.10
REPLAY_EVERY = 20  # every 20th accepted order is replayed with the same key and payload

REQUEST_TIMEOUT_S = 30.0  # API Gateway (REST) answers 504 after 29 s; a client waits about as long
MAX_ATTEMPTS = 8  # first try included; the backoffs before the last one add up to 7 s at most (or Retry-After)
BACKOFF_BASE_S = 0.1
BACKOFF_CAP_S = 2.0
RETRY = RetryPolicy(max_attempts=MAX_ATTEMPTS, initial_backoff=BACKOFF_BASE_S, max_backoff=BACKOFF_CAP_S)
POLL_PAUSE_S = 0.5  # between two rounds of the watcher
CLIENTS_TIMEOUT_S = 60.0  # creating the clients
VERIFY_TIMEOUT_S = 120.0  # the final listings
PAGE_LIMIT = 100
PROGRESS_EVERY_S = 5.0
GAPLESS_ATTEMPTS = 3  # an invoice issued for someone else's order while we list could look like a gap
GAPLESS_PAUSE_S = 1.0

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
INVOICE_NUMBER = re.compile(r"^INV-(\d{4})-(\d{6})$")


class LoadError(Exception):
    """The run cannot go on."""


class RequestFailed(LoadError):
    """A request still failed after its retries, or got an answer that no retry changes."""

    def __init__(self, what: str, outcome: str) -> None:
        super().__init__(f"{what}: {outcome}")
        self.outcome = outcome


# ---- the API, through the SDK ----


@dataclass
class Traffic:
    """What went over the wire: every attempt, the ones the SDK's retries absorbed too."""

    requests: Counter = field(default_factory=Counter)  # attempts, by kind
    retries: Counter = field(default_factory=Counter)  # by reason: transport, 409, 429, 5xx

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": dict(sorted(self.requests.items())),
            "requests_total": sum(self.requests.values()),
            "retries": dict(sorted(self.retries.items())),
            "retries_total": sum(self.retries.values()),
        }


def retry_reason(attempt: Attempt) -> str:
    if attempt.response is None:
        return "transport"
    status = attempt.response.status_code
    return "5xx" if status >= 500 else str(status)


def _describe(error: ShopError) -> str:
    if isinstance(error, APIError):
        return f"{error.status}: {error.title} {error.detail or ''}".rstrip()
    cause = error.__cause__
    return f"{type(cause).__name__}: {cause}" if cause else str(error)


class _PastDeadline(Exception):
    """Raised by the attempt hook to stop a call's retries once the run's deadline has passed."""


class Api:
    """The calls the load test makes, through the SDK. `Shop` is a synchronous client that threads may share,
    so each call runs in a thread of a pool as large as the concurrency (plus the watcher), and the asyncio
    code above awaits it.

    The SDK retries (`RETRY`), and its `on_attempt` hook sees every attempt, so `traffic` counts each request
    and each retry by its reason: a 429 that a retry absorbed shows in the statistics as it did when this
    module retried by hand. A call given a `deadline` starts no retry after it (the run is over)."""

    def __init__(
        self, url: str, token: str, concurrency: int, traffic: Traffic, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.traffic = traffic
        self._lock = threading.Lock()
        self._call = threading.local()  # the kind, attempts and deadline of the call this thread is making
        limits = httpx.Limits(max_connections=concurrency + 2, max_keepalive_connections=concurrency + 2)
        self.shop = Shop(
            url,
            token=token,  # an admin's: it creates and lists clients
            timeout=REQUEST_TIMEOUT_S,
            retry=RETRY,
            transport=transport or httpx.HTTPTransport(limits=limits),  # tests give httpx.MockTransport
            on_attempt=self._attempt,
        )
        self._pool = ThreadPoolExecutor(max_workers=concurrency + 2, thread_name_prefix="shop-load")

    def close(self) -> None:
        """Waits for the calls still running (each ends within its request timeout: no retry starts after a
        deadline), then closes the connections."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.shop.close()

    def _attempt(self, attempt: Attempt) -> None:
        call = self._call
        call.attempts += 1
        stop = attempt.retried and call.deadline is not None and time.monotonic() >= call.deadline
        with self._lock:
            self.traffic.requests[call.kind] += 1
            if attempt.retried and not stop:
                self.traffic.retries[retry_reason(attempt)] += 1
        if stop:
            raise _PastDeadline

    def _run(self, kind: str, what: str, deadline: float | None, function: Callable[[], Any]) -> tuple[Any, int]:
        call = self._call
        call.kind, call.attempts, call.deadline = kind, 0, deadline
        try:
            result = function()
        except _PastDeadline:
            raise RequestFailed(what, f"no answer before the timeout ({call.attempts} attempts)") from None
        except (APIError, APIConnectionError) as error:
            after = f" (after {call.attempts} attempts)" if call.attempts > 1 else ""
            raise RequestFailed(what, _describe(error) + after) from None
        except ShopError as error:  # an answer the SDK could not read
            raise RequestFailed(what, str(error)) from None
        return result, call.attempts

    async def call(
        self, kind: str, what: str, function: Callable[[], Any], deadline: float | None = None
    ) -> tuple[Any, int]:
        """`function()`'s result (SDK calls) and how many attempts it took; `RequestFailed` when it failed."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._run, kind, what, deadline, function)

    async def create_client(self, name: str, email: str, key: str) -> str:
        def create() -> str:
            created = self.shop.clients.create(
                name=name, email=email, credit_limit=CREDIT_LIMIT, currency=CURRENCY, idempotency_key=key
            )
            return created.client_id

        client_id, _ = await self.call("create_client", "POST /clients", create)
        return client_id

    async def place_order(
        self, kind: str, client_id: str, items: list[dict[str, Any]], key: str, deadline: float
    ) -> tuple[dict[str, Any], int]:
        """The 202's order (as JSON) and the attempts it took."""

        def place() -> dict[str, Any]:
            return self.shop.orders.create(client_id, items=items, idempotency_key=key).to_dict()

        return await self.call(kind, f"POST /clients/{client_id}/orders", place, deadline)

    # The listings, every page (the SDK's paginators), as the contract's JSON.
    async def clients(self, kind: str) -> list[dict[str, Any]]:
        listing, _ = await self.call(kind, "GET /clients", lambda: [c.to_dict() for c in self.shop.clients.list()])
        return listing

    async def orders(self, kind: str, client_id: str, status: str | None = None) -> list[dict[str, Any]]:
        what = f"GET /clients/{client_id}/orders" + (f"?status={status}" if status else "")
        listing, _ = await self.call(
            kind, what, lambda: [o.to_dict() for o in self.shop.orders.list(client_id, status=status)]
        )
        return listing

    async def invoices(self, kind: str, client_id: str, deadline: float | None = None) -> list[dict[str, Any]]:
        what = f"GET /clients/{client_id}/invoices"
        listing, _ = await self.call(
            kind, what, lambda: [i.to_dict() for i in self.shop.invoices.list(client_id)], deadline
        )
        return listing


# ---- the plan ----


@dataclass
class LoadClient:
    index: int
    client_id: str = ""
    credit_limit: int = CREDIT_LIMIT
    open: dict[str, LoadOrder] = field(default_factory=dict)  # accepted, not yet seen terminal, by order id


@dataclass
class LoadOrder:
    index: int
    client: LoadClient
    items: list[dict[str, Any]]
    total: int
    key: str
    sent_at: float | None = None  # first POST sent (monotonic)
    accepted_at: float | None = None  # 202 received
    attempts: int = 0
    order_id: str | None = None
    accepted_total: int | None = None
    accepted_status: str | None = None
    error: str | None = None
    terminal_at: float | None = None  # first seen terminal
    final: dict[str, Any] | None = None  # the order as read in the final check
    replay: str | None = None  # "same", or what a replay returned instead

    @property
    def over_limit(self) -> bool:
        return self.total > self.client.credit_limit

    @property
    def expected_status(self) -> str:
        return "REJECTED" if self.over_limit else "INVOICED"


def _line(n: int, quantity: int, unit_price: int) -> dict[str, Any]:
    return {"sku": f"LOAD-{n:03d}", "description": f"Load item {n}", "quantity": quantity, "unitPrice": unit_price}


def order_items(rng: random.Random, over_limit: bool, credit_limit: int) -> list[dict[str, Any]]:
    """1-3 lines whose total is within `credit_limit`, or a first line that alone exceeds it."""
    if over_limit:
        quantity = rng.randint(1, 5)
        # (limit // q + 1) * q > limit, whatever q
        lines = [_line(999, quantity, credit_limit // quantity + rng.randint(1, 50_000))]
        if rng.random() < 0.5:
            lines.append(_line(rng.randint(1, 200), rng.randint(1, 10), rng.randint(100, 30_000)))
        return lines
    count = rng.randint(1, 3)
    lines = [_line(rng.randint(1, 200), rng.randint(1, 10), rng.randint(100, 30_000)) for _ in range(count)]
    assert sum(line["quantity"] * line["unitPrice"] for line in lines) <= credit_limit  # 3 * 10 * 30,000 at most
    return lines


def plan(orders: int, clients: list[LoadClient], rng: random.Random, run_id: str) -> list[LoadOrder]:
    over = set(rng.sample(range(orders), round(orders * OVER_LIMIT_RATIO)))
    planned = []
    for index in range(orders):
        client = clients[index % len(clients)]
        items = order_items(rng, index in over, client.credit_limit)
        total = sum(line["quantity"] * line["unitPrice"] for line in items)
        planned.append(LoadOrder(index, client, items, total, key=f"load-{run_id}-{index:06d}"))
    return planned


# ---- the run ----


@dataclass
class Run:
    api: Api
    clients: list[LoadClient]
    orders: list[LoadOrder]
    concurrency: int
    deadline: float  # monotonic
    placing_done: asyncio.Event = field(default_factory=asyncio.Event)
    poll_rounds: int = 0
    poll_seconds: float = 0.0
    poll_errors: list[str] = field(default_factory=list)

    async def place_and_watch(self) -> None:
        """Place every order while watching them turn terminal; stops at the deadline whatever is left."""
        try:
            await asyncio.wait_for(asyncio.gather(self.place_all(), self.watch()), self.deadline - time.monotonic())
        except TimeoutError:
            for order in self.orders:
                if order.sent_at is not None and order.accepted_at is None and order.error is None:
                    order.error = "no 202 before the timeout"

    async def place_all(self) -> None:
        queue: asyncio.Queue[LoadOrder] = asyncio.Queue()
        for order in self.orders:
            queue.put_nowait(order)

        async def worker() -> None:
            while time.monotonic() < self.deadline:
                try:
                    order = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await self.place(order)

        try:
            await asyncio.gather(*(worker() for _ in range(self.concurrency)))
        finally:
            self.placing_done.set()

    async def place(self, order: LoadOrder) -> None:
        client_id = order.client.client_id
        order.sent_at = time.monotonic()
        try:
            body, order.attempts = await self.api.place_order(
                "place_order", client_id, order.items, order.key, self.deadline
            )
        except RequestFailed as error:
            order.error = error.outcome
            return
        order.accepted_at = time.monotonic()
        order.order_id, order.accepted_total, order.accepted_status = body["orderId"], body["total"], body["status"]
        order.client.open[order.order_id] = order
        if order.index % REPLAY_EVERY == 0:
            try:
                again, _ = await self.api.place_order(
                    "replay_order", client_id, order.items, order.key, self.deadline
                )
                order.replay = "same" if again["orderId"] == order.order_id else f"order {again['orderId']}"
            except RequestFailed as error:
                order.replay = error.outcome

    async def watch(self) -> None:
        """Note when each accepted order is first seen terminal; until all are, or the deadline.

        Terminal orders are seen where they appear, never inferred from where they are not:
        - INVOICED, in the client's invoice list: the invoice index entry is written in the same transaction as
          the INVOICED status, and the invoices route runs in its own function, so these polls do not queue
          behind the orders being placed (the local runtime runs each function one event at a time, as one
          Lambda environment does);
        - REJECTED, in the client's `?status=REJECTED` orders: the orders function serves that, and the orders
          being placed keep it busy, so while they are, one client a round is asked (the next one expecting a
          rejection); afterwards every client with open orders is, so an order rejected by mistake is seen too.

        A round lasts as long as its requests take; the pause after it at least as long, so that the watcher
        never takes more than half of what the stack gives it."""
        turn = 0
        while True:
            started = time.monotonic()
            placing = not self.placing_done.is_set()
            for client in self.clients:
                if client.open:
                    await self._poll(client, "invoices")
            due = [c for c in self.clients if c.open and (not placing or any(o.over_limit for o in c.open.values()))]
            if placing and due:
                turn += 1
                due = [due[turn % len(due)]]
            for client in due:
                await self._poll(client, "rejected")
            elapsed = time.monotonic() - started
            self.poll_rounds += 1
            self.poll_seconds += elapsed
            if self.placing_done.is_set() and not any(c.open for c in self.clients):
                return
            if time.monotonic() >= self.deadline:
                return
            await asyncio.sleep(max(POLL_PAUSE_S, elapsed))

    async def _poll(self, client: LoadClient, what: str) -> None:
        try:
            if what == "invoices":
                invoices = await self.api.invoices("poll", client.client_id, self.deadline)
                found = [invoice["orderId"] for invoice in invoices]
            else:
                rejected = await self.api.orders("poll", client.client_id, status="REJECTED")
                found = [order["orderId"] for order in rejected]
        except RequestFailed as error:  # the next round asks again; the deadline bounds it all
            self.poll_errors.append(str(error))
            return
        self._seen(client, found)

    @staticmethod
    def _seen(client: LoadClient, order_ids: Any) -> None:
        now = time.monotonic()
        for order_id in order_ids:
            order = client.open.pop(order_id, None)
            if order is not None:
                order.terminal_at = now

    async def progress(self, started: float) -> None:
        while True:
            await asyncio.sleep(PROGRESS_EVERY_S)
            accepted = sum(1 for o in self.orders if o.accepted_at is not None)
            terminal = sum(1 for o in self.orders if o.terminal_at is not None)
            print(
                f"shop load: [{time.monotonic() - started:5.0f} s] accepted {accepted}/{len(self.orders)}, "
                f"terminal {terminal}",
                file=sys.stderr,
                flush=True,
            )


# ---- invariants ----


@dataclass
class Check:
    ok: bool
    detail: str
    examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "detail": self.detail, "examples": self.examples[:10]}


def _check(problems: list[str], good: str, bad: str) -> Check:
    return Check(not problems, good if not problems else f"{len(problems)} {bad}", problems)


async def _gather_bounded(limit: int, calls: list[Callable[[], Awaitable[Any]]]) -> list[Any]:
    """The results of `calls`, at most `limit` running at once (each coroutine is made only when it runs, so
    that none is left un-awaited when a timeout cancels the rest)."""
    semaphore = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[Any]]) -> Any:
        async with semaphore:
            return await call()

    return await asyncio.gather(*(one(call) for call in calls))


async def all_invoices(api: Api, concurrency: int) -> list[dict[str, Any]]:
    """Every invoice of every client of the stack."""
    everyone = await api.clients("verify")
    lists = await _gather_bounded(concurrency, [partial(api.invoices, "verify", c["clientId"]) for c in everyone])
    return [invoice for invoices in lists for invoice in invoices]


def numbering_problems(invoices: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(duplicated or malformed invoice ids, gaps per year) over the given invoices."""
    counts = Counter(i["invoiceId"] for i in invoices)
    duplicates = [f"{invoice_id} listed {n} times" for invoice_id, n in counts.items() if n > 1]
    by_year: dict[str, set[int]] = defaultdict(set)
    for invoice_id in counts:
        match = INVOICE_NUMBER.match(invoice_id)
        if match is None:
            duplicates.append(f"{invoice_id} is not INV-YYYY-NNNNNN")
            continue
        by_year[match.group(1)].add(int(match.group(2)))
    gaps = []
    for year, numbers in sorted(by_year.items()):
        missing = sorted(set(range(1, max(numbers) + 1)) - numbers)
        if missing:
            shown = ", ".join(f"INV-{year}-{n:06d}" for n in missing[:10])
            gaps.append(f"{year}: {len(missing)} missing of 1..{max(numbers)} ({shown})")
    return duplicates, gaps


INVARIANTS = (
    "every_order_accepted",
    "every_accepted_order_terminal",
    "orders_listed_once_each",
    "terminal_status_as_expected",
    "replay_returns_the_same_order",
    "one_invoice_per_invoiced_order",
    "invoice_numbers_unique",
    "invoice_numbers_gapless",
)


async def verify(run: Run, checks: dict[str, Check], stack: dict[str, Any]) -> None:
    """Fill `checks` with the invariants, each a `Check`, and `stack` with what the stack held.
    Interrupted (a timeout, a listing that fails), it leaves what it had checked so far."""
    api, orders = run.api, run.orders
    accepted = [o for o in orders if o.order_id is not None]

    refused = [f"order #{o.index}: {o.error}" for o in orders if o.error is not None]
    unsent = [f"order #{o.index}: not sent before the timeout" for o in orders if o.sent_at is None]
    checks["every_order_accepted"] = _check(
        refused + unsent, f"all {len(orders)} orders answered 202", "orders not accepted"
    )

    never = [f"{o.order_id} last seen open" for o in accepted if o.terminal_at is None]
    checks["every_accepted_order_terminal"] = _check(
        never, f"all {len(accepted)} accepted orders reached a terminal status", "orders not terminal in time"
    )

    # The orders as stored, read from each client's partition (not from the status index).
    listed: dict[str, list[dict[str, Any]]] = {}
    lists = await _gather_bounded(
        run.concurrency, [partial(api.orders, "verify", c.client_id) for c in run.clients]
    )
    for client, items in zip(run.clients, lists, strict=True):
        listed[client.client_id] = items
    problems = []
    for client in run.clients:
        ids: Counter = Counter(o["orderId"] for o in listed[client.client_id])
        ours = {o.order_id for o in accepted if o.client is client}
        problems += [f"{oid} listed {n} times" for oid, n in ids.items() if n > 1]
        problems += [f"{oid} accepted but not listed" for oid in ours - set(ids)]
        problems += [
            f"{oid} listed but never answered 202 (a retry made a second order, or the timeout cut its answer)"
            for oid in set(ids) - ours
        ]
    checks["orders_listed_once_each"] = _check(
        problems, "each client lists exactly the orders it was answered 202 for", "listing differences"
    )

    by_id = {o["orderId"]: o for items in listed.values() for o in items}
    problems = []
    for order in accepted:
        order.final = by_id.get(order.order_id)
        if order.final is None:
            continue  # reported above
        status, final = order.final["status"], order.final
        if order.accepted_total != order.total or final["total"] != order.total:
            problems.append(
                f"{order.order_id}: total {final['total']} (answered {order.accepted_total}), sent {order.total}"
            )
        if status != order.expected_status:
            problems.append(f"{order.order_id}: {status}, expected {order.expected_status} (total {order.total})")
        elif status == "INVOICED" and not final.get("invoiceId"):
            problems.append(f"{order.order_id}: INVOICED without an invoiceId")
        elif status == "REJECTED" and (final.get("rejectionReason") != "credit_limit_exceeded" or "invoiceId" in final):
            problems.append(f"{order.order_id}: REJECTED with {final.get('rejectionReason')}, {final.get('invoiceId')}")
    checks["terminal_status_as_expected"] = _check(
        problems,
        "every order within the credit limit is INVOICED, every order over it REJECTED (credit_limit_exceeded)",
        "orders in the wrong state",
    )

    replays = [o for o in accepted if o.replay is not None]
    problems = [f"{o.order_id}: replay answered {o.replay}" for o in replays if o.replay != "same"]
    checks["replay_returns_the_same_order"] = _check(
        problems, f"all {len(replays)} replays answered the original order", "replays answered otherwise"
    )

    # Invoices: ours per client, and every client's for the numbering. Not a retry (each listing succeeded): the
    # stack is shared, so an invoice issued for another order while we list can look like a gap; listed again.
    for listing in range(1, GAPLESS_ATTEMPTS + 1):
        invoices = await all_invoices(api, run.concurrency)
        duplicates, gaps = numbering_problems(invoices)
        if not (duplicates or gaps) or listing == GAPLESS_ATTEMPTS:
            break
        await asyncio.sleep(GAPLESS_PAUSE_S)
    invoices_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_order: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for invoice in invoices:
        invoices_of[invoice["clientId"]].append(invoice)
        by_order[invoice["orderId"]].append(invoice)
    problems = []
    for order in accepted:
        found = by_order.get(order.order_id, [])
        if order.final is None or order.final["status"] != "INVOICED":
            problems += [f"{order.order_id}: not INVOICED, yet {i['invoiceId']} exists" for i in found]
            continue
        mine = [i for i in found if i["clientId"] == order.client.client_id]
        if len(found) != 1 or len(mine) != 1:
            problems.append(f"{order.order_id}: {len(found)} invoices ({len(mine)} under its client)")
        elif mine[0]["invoiceId"] != order.final["invoiceId"] or mine[0]["total"] != order.total:
            problems.append(
                f"{order.order_id}: invoice {mine[0]['invoiceId']} total {mine[0]['total']}, "
                f"order says {order.final['invoiceId']} total {order.total}"
            )
    # An order listed under one of our clients without a 202 (reported above) is ours too, here.
    ours = {o.order_id for o in accepted} | {oid for items in listed.values() for oid in (o["orderId"] for o in items)}
    for client in run.clients:
        problems += [
            f"{i['invoiceId']} under {client.client_id} is for {i['orderId']}, not one of its orders"
            for i in invoices_of.get(client.client_id, [])
            if i["orderId"] not in ours
        ]
    invoiced = sum(1 for o in accepted if o.final and o.final["status"] == "INVOICED")
    checks["one_invoice_per_invoiced_order"] = _check(
        problems,
        f"each of the {invoiced} invoiced orders has exactly one invoice, listed under its client, with its invoiceId",
        "invoice mismatches",
    )
    checks["invoice_numbers_unique"] = _check(
        duplicates, f"{len(invoices)} invoices of the whole stack, no number twice", "duplicated invoice numbers"
    )
    checks["invoice_numbers_gapless"] = _check(
        gaps, f"the stack's {len(invoices)} invoice numbers run 1..N per year without a gap", "years with gaps"
    )
    stack |= {"invoices_in_stack": len(invoices), "numbering_listings": listing}


# ---- results ----


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0..100), linear between the closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def distribution(values: list[float]) -> dict[str, Any]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return {
        "count": len(values),
        "min": rounded(min(values, default=None)),
        "p50": rounded(percentile(values, 50)),
        "p95": rounded(percentile(values, 95)),
        "max": rounded(max(values, default=None)),
        "mean": rounded(sum(values) / len(values) if values else None),
    }


def _span(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else round(end - start, 4)


def results(args: argparse.Namespace, run: Run, checks: dict[str, Check], stack: dict[str, Any], times: dict) -> dict:
    orders = run.orders
    accepted = [o for o in orders if o.accepted_at is not None]
    terminal = [o for o in accepted if o.terminal_at is not None]
    final_status = Counter(o.final["status"] for o in accepted if o.final is not None)
    first_post = min((o.sent_at for o in orders if o.sent_at is not None), default=None)
    last_accepted = max((o.accepted_at for o in accepted), default=None)
    last_terminal = max((o.terminal_at for o in terminal), default=None)
    all_terminal = bool(accepted) and len(terminal) == len(accepted)
    pipeline = _span(first_post, last_terminal) if all_terminal else None
    placement = _span(first_post, last_accepted)
    return {
        "tool": "shop load",
        "ok": all(c.ok for c in checks.values()),
        "started_at": times["started_at"],
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "parameters": {
            "url": args.url,
            "orders": args.orders,
            "clients": args.clients,
            "concurrency": args.concurrency,
            "timeout_s": args.timeout,
            "seed": args.seed,
            "credit_limit": CREDIT_LIMIT,
            "currency": CURRENCY,
            "over_limit_ratio": OVER_LIMIT_RATIO,
            "replay_every": REPLAY_EVERY,
            "max_attempts": MAX_ATTEMPTS,
            "request_timeout_s": REQUEST_TIMEOUT_S,
            "poll_pause_s": POLL_PAUSE_S,
        },
        "counts": {
            "planned": len(orders),
            "planned_over_limit": sum(1 for o in orders if o.over_limit),
            "accepted": len(accepted),
            "refused": sum(1 for o in orders if o.error is not None),
            "not_sent": sum(1 for o in orders if o.sent_at is None),
            "terminal": len(terminal),
            "invoiced": final_status["INVOICED"],
            "rejected": final_status["REJECTED"],
            "replayed": sum(1 for o in accepted if o.replay is not None),
            "posts_needing_retries": sum(1 for o in accepted if o.attempts > 1),
            **run.api.traffic.as_dict(),
            **stack,
        },
        "timings": {
            "create_clients_s": times["clients_s"],
            "placement_s": placement,
            "pipeline_s": pipeline,
            "verify_s": times["verify_s"],
            "total_s": times["total_s"],
            "orders_per_s": round(len(accepted) / pipeline, 2) if pipeline else None,
            "accepted_per_s": round(len(accepted) / placement, 2) if placement else None,
            "post_latency_s": distribution([o.accepted_at - o.sent_at for o in accepted]),
            "time_to_terminal_s": distribution([o.terminal_at - o.accepted_at for o in terminal]),
            "time_to_invoice_s": distribution(
                [o.terminal_at - o.accepted_at for o in terminal if o.final and o.final["status"] == "INVOICED"]
            ),
            "time_to_reject_s": distribution(
                [o.terminal_at - o.accepted_at for o in terminal if o.final and o.final["status"] == "REJECTED"]
            ),
            "poll_rounds": run.poll_rounds,
            "poll_errors": len(run.poll_errors),
            "poll_round_mean_s": round(run.poll_seconds / run.poll_rounds, 4) if run.poll_rounds else None,
        },
        "definitions": {
            "orders_per_s": "accepted orders / seconds from the first POST sent to the last terminal status seen",
            "accepted_per_s": "accepted orders / seconds from the first POST sent to the last 202 received",
            "time_to_terminal_s": "from an order's 202 to the first poll that saw it terminal; the resolution is "
            "about two poll rounds (poll_round_mean_s)",
            "time_to_reject_s": "as time_to_terminal_s; while orders are being placed, one client a round is asked "
            "for its rejections (see Run.watch), so this one is coarser",
            "post_latency_s": "from an order's first POST to its 202, retries included: the time to accept an order",
            "requests": "attempts by kind, the ones the SDK's retries absorbed included (seen by its on_attempt hook); "
            "retries by reason: transport, 409 (in flight), 429 (after Retry-After), 5xx (502, 503, 504)",
        },
        "invariants": {name: check.as_dict() for name, check in checks.items()},
    }


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def summary(report: dict[str, Any], out: Path) -> str:
    counts, timings = report["counts"], report["timings"]
    ttt, tti, post = timings["time_to_terminal_s"], timings["time_to_invoice_s"], timings["post_latency_s"]
    orders_per_s = timings["orders_per_s"]
    lines = [
        (
            f"shop load: {counts['accepted']}/{counts['planned']} orders accepted "
            f"({counts['invoiced']} invoiced, {counts['rejected']} rejected), {counts['requests_total']} requests, "
            f"{counts['retries_total']} retries"
        ),
        (
            f"  orders/s          {orders_per_s if orders_per_s is not None else 'n/a'}"
            f"   (placement {_seconds(timings['placement_s'])}, pipeline {_seconds(timings['pipeline_s'])})"
        ),
        f"  POST to 202       p50 {_seconds(post['p50'])}  p95 {_seconds(post['p95'])}  max {_seconds(post['max'])}",
        f"  time to terminal  p50 {_seconds(ttt['p50'])}  p95 {_seconds(ttt['p95'])}  max {_seconds(ttt['max'])}",
        f"  time to invoice   p50 {_seconds(tti['p50'])}  p95 {_seconds(tti['p95'])}  max {_seconds(tti['max'])}",
        "  invariants:",
    ]
    for name, check in report["invariants"].items():
        lines.append(f"    {'ok  ' if check['ok'] else 'FAIL'} {name}: {check['detail']}")
        if not check["ok"]:
            lines += [f"           {example}" for example in check["examples"]]
    lines.append(f"  results in {out}")
    return "\n".join(lines)


# ---- entry points ----


async def create_clients(api: Api, count: int, concurrency: int, run_id: str) -> list[LoadClient]:
    clients = [LoadClient(i) for i in range(count)]

    async def create(client: LoadClient) -> None:
        client.client_id = await api.create_client(
            f"Load Buyer {client.index}",
            f"load-{run_id}-{client.index}@example.com",
            key=f"load-{run_id}-client-{client.index}",
        )

    await _gather_bounded(concurrency, [partial(create, c) for c in clients])
    return clients


async def load(args: argparse.Namespace) -> tuple[dict[str, Any], Run]:
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    t0 = time.monotonic()
    rng = random.Random(args.seed)
    run_id = uuid.uuid4().hex[:10]
    # The SDK's transport is httpx's own, given explicitly: no proxy from the environment comes between us and the
    # loopback stack.
    api = Api(args.url, args.token, args.concurrency, Traffic())
    try:
        try:
            clients = await asyncio.wait_for(
                create_clients(api, args.clients, args.concurrency, run_id), CLIENTS_TIMEOUT_S
            )
        except TimeoutError:
            raise LoadError(f"creating {args.clients} clients took over {CLIENTS_TIMEOUT_S:g} s") from None
        clients_s = round(time.monotonic() - t0, 4)
        orders = plan(args.orders, clients, rng, run_id)
        run = Run(api, clients, orders, args.concurrency, deadline=time.monotonic() + args.timeout)
        progress = asyncio.create_task(run.progress(time.monotonic()))
        try:
            await run.place_and_watch()
        finally:
            progress.cancel()
        verify_started = time.monotonic()
        checks: dict[str, Check] = {}
        stack: dict[str, Any] = {}
        try:
            await asyncio.wait_for(verify(run, checks, stack), VERIFY_TIMEOUT_S)
        except TimeoutError:
            stack["verify_error"] = f"the final listings took over {VERIFY_TIMEOUT_S:g} s"
        except RequestFailed as error:
            stack["verify_error"] = f"a listing failed: {error}"
        checks = {
            name: checks.get(name) or Check(False, f"not checked: {stack['verify_error']}") for name in INVARIANTS
        }
        times = {
            "started_at": started_at,
            "clients_s": clients_s,
            "verify_s": round(time.monotonic() - verify_started, 4),
            "total_s": round(time.monotonic() - t0, 4),
        }
        return results(args, run, checks, stack, times), run
    finally:
        api.close()


def check_url(url: str) -> str | None:
    """Why `url` is refused, or None: the load test only ever targets a stack on this machine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http(s) URL"
    if parts.hostname not in LOOPBACK_HOSTS:
        return f"{parts.hostname} is not a loopback address; the load test only targets the local stack"
    return None


def health(url: str) -> str | None:
    """Why the stack at `url` cannot be load-tested, or None."""
    # The health probe sends no token (the SDK asks its provider for none), and is not retried: this is a probe.
    with Shop(url, token_provider=lambda: "", timeout=5, retry=RetryPolicy(max_attempts=1)) as shop:
        try:
            shop.health()
        except APIConnectionError as error:
            return f"no local stack answers at {url} ({type(error.__cause__).__name__})"
        except APIError as error:
            return f"the local stack at {url} is not healthy ({error.status})"
        except ShopError:
            return f"what answers at {url} is not the shop's API"
    return None


def main(args: argparse.Namespace) -> int:
    """`shop load` (see `_add_load` in shoplocal/cli.py)."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the summary
    args.url = args.url.rstrip("/")
    for value, name in ((args.orders, "--orders"), (args.clients, "--clients"), (args.concurrency, "--concurrency")):
        if value < 1:
            print(f"shop load: {name} must be at least 1", file=sys.stderr)
            return 2
    problem = check_url(args.url) or health(args.url)
    if problem:
        print(f"shop load: {problem}. Start it with `make run` in another terminal, then try again.", file=sys.stderr)
        return 2
    from shoplocal.auth import NoLocalKey, token_for

    try:
        args.token = token_for(args.stack_file, args.token)
    except NoLocalKey as error:
        print(f"shop load: {error}; or pass --token", file=sys.stderr)
        return 2
    print(
        f"shop load: {args.clients} clients, {args.orders} orders, concurrency {args.concurrency}, "
        f"timeout {args.timeout:g} s, against {args.url}",
        file=sys.stderr,
        flush=True,
    )
    try:
        report, _ = asyncio.run(load(args))
    except LoadError as error:
        print(f"shop load: {error}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(summary(report, args.out), flush=True)
    failed = [name for name, check in report["invariants"].items() if not check["ok"]]
    if failed:
        print(f"shop load: invariants failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
