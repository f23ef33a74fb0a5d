"""`shop demo`: a guided tour of a running local stack.

Creates a client, places a few orders (one over the client's credit limit), follows them to a terminal
status with a live display, downloads the invoice PDFs through their presigned URLs and prints a summary.

Every call to the shop's API goes through the SDK (`shop_sdk`, sdk/): its typed models, its exceptions, its
retries (one Idempotency-Key per order, so a retry never places a second one), its order waiter and its PDF
download; the demo writes no HTTP of its own. It calls as an admin, with `--token`, `SHOP_TOKEN`, or a
token it signs with the key `shop run` keeps beside its stack file (shoplocal/auth.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import uuid
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from shop_sdk import APIConnectionError, APIError, Order, OrderItem, Shop, ShopError, WaitTimeout

from domain.money import format_amount
from shoplocal.auth import NoLocalKey, token_for
from shoplocal.ops import STACK_FILE

POLL_INTERVAL_S = 0.3
REQUEST_TIMEOUT_S = 10.0
TERMINAL = {"INVOICED", "REJECTED"}
FAILURE: dict[str, Any] = {"style": "red", "markup": False, "highlight": False}  # text from the wire is not markup
STATUS_STYLE = {"PENDING": "yellow", "APPROVED": "cyan", "INVOICED": "green", "REJECTED": "red"}

CREDIT_LIMIT = 5_000_000  # 50,000.00 USD
# Three orders within the credit limit, and one whose total alone exceeds it.
ORDERS: list[list[OrderItem]] = [
    [
        OrderItem(sku="WID-1", description="Blue widget", quantity=10, unit_price=1_250),
        OrderItem(sku="WID-2", description="Red widget", quantity=4, unit_price=1_500),
    ],
    [OrderItem(sku="GAD-22", description="Gadget deluxe", quantity=2, unit_price=99_999)],
    [
        OrderItem(sku="BOLT-M8", description="M8 bolt, box of 100", quantity=25, unit_price=899),
        OrderItem(sku="NUT-M8", description="M8 nut, box of 100", quantity=25, unit_price=499),
        OrderItem(sku="WASH-M8", description="M8 washer, box of 100", quantity=10, unit_price=299),
    ],
    [OrderItem(sku="CRANE-9", description="Tower crane", quantity=1, unit_price=7_500_000)],
]


class StackUnavailable(Exception):
    """Nothing healthy answers at the base URL."""


def connect(base_url: str, token: str | None, stack_file: Path) -> Shop:
    """The SDK's client, an admin's: `token`, else `SHOP_TOKEN`, else one signed with the stack's key, asked for
    at the first call that needs it (so the health probe, which needs none, comes first) and again on a 401."""
    return Shop(base_url, token_provider=partial(token_for, stack_file, token), timeout=REQUEST_TIMEOUT_S)


def check_health(shop: Shop, base_url: str) -> None:
    try:
        status = shop.health().status
    except APIConnectionError:
        raise StackUnavailable(f"no local stack answers at {base_url}") from None
    except APIError as error:
        raise StackUnavailable(f"the local stack at {base_url} is not healthy ({error.status})") from None
    except ShopError:  # something answers, but not with the shop's health document
        raise StackUnavailable(f"what answers at {base_url} is not the shop's API") from None
    if status != "ok":
        raise StackUnavailable(f"the local stack at {base_url} is not healthy ({status})")


@dataclass
class DemoOrder:
    order: Order
    pdf: Path | None = None

    @property
    def id(self) -> str:
        return self.order.order_id

    @property
    def status(self) -> str:
        return str(self.order.status)


def _status(status: str) -> str:
    return f"[{STATUS_STYLE.get(status, 'white')}]{status}[/]"


def _outcome(order: Order) -> str:
    return str(order.rejection_reason or order.invoice_id or "")


def wait_for_terminal(
    shop: Shop, client_id: str, orders: list[DemoOrder], timeout: float, console: Console
) -> list[DemoOrder]:
    """Wait (the SDK's `orders.wait`) until every order is terminal or `timeout` passes, one progress line per
    order. The workers run the orders side by side, so waiting for one after the other costs no time.
    Returns the orders still not terminal."""
    columns = [
        SpinnerColumn(finished_text="•"),
        TextColumn("order {task.description}"),
        TextColumn("{task.fields[status]}"),
        TextColumn("{task.fields[outcome]}", markup=False),
        TimeElapsedColumn(),
    ]
    deadline = time.monotonic() + timeout
    with Progress(*columns, console=console) as progress:
        tasks = {o.id: progress.add_task(o.id, total=1, status=_status(o.status), outcome="") for o in orders}
        for o in orders:
            try:
                left = max(0.0, deadline - time.monotonic())
                o.order = shop.orders.wait(client_id, o.id, timeout=left, poll_interval=POLL_INTERVAL_S)
            except WaitTimeout as error:
                o.order = error.order
            done = o.status in TERMINAL
            progress.update(tasks[o.id], status=_status(o.status), outcome=_outcome(o.order), completed=int(done))
    return [o for o in orders if o.status not in TERMINAL]


def summary(orders: list[DemoOrder]) -> Table:
    # "fold": in a narrow terminal a cell wraps rather than losing its end to an ellipsis.
    table = Table(title="shop demo: orders")
    table.add_column("order id", overflow="fold")
    table.add_column("items", justify="right", min_width=5)
    table.add_column("total", justify="right", overflow="fold")
    table.add_column("status", min_width=8)
    table.add_column("rejection / invoice", overflow="fold")
    table.add_column("PDF", overflow="fold")
    for o in orders:
        order = o.order
        table.add_row(
            o.id,
            str(len(order.items)),
            format_amount(order.total, order.currency),
            _status(o.status),
            _outcome(order),
            str(o.pdf) if o.pdf else "",
        )
    return table


def _stdout_console() -> Console:
    """A terminal's own width; piped or captured output has none, so its lines are not cut at all
    (rich would assume 80 columns; the table takes only the width it needs)."""
    console = Console(soft_wrap=True)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(soft_wrap=True, width=1000)
    return console


def run(
    base_url: str,
    out: Path,
    timeout: float,
    console: Console | None = None,
    token: str | None = None,
    stack_file: Path = STACK_FILE,
    shop: Shop | None = None,
) -> int:
    """The demo; returns the exit code (0 done, 1 an order timed out or the API refused, 2 no stack).
    Progress and the summary go to `console` (stdout by default), failures to stderr, one line each.
    It calls the API as an admin: `token`, or one signed with the key beside `stack_file` (`shop`, a client
    of the SDK made elsewhere, replaces both)."""
    console = console or _stdout_console()
    errors = Console(stderr=True, soft_wrap=True)
    base_url = base_url.rstrip("/")
    shop = shop or connect(base_url, token, stack_file)
    try:
        check_health(shop, base_url)
        suffix = uuid.uuid4().hex[:8]
        client = shop.clients.create(
            name=f"Demo Buyer {suffix}", email=f"demo-{suffix}@example.com", credit_limit=CREDIT_LIMIT, currency="USD"
        )
        client_id = client.client_id
        limit = format_amount(client.credit_limit, client.currency)
        console.print(f"Client [bold]{client_id}[/] ({client.email}), credit limit {limit}")
        # Each order carries its own Idempotency-Key, kept across the SDK's retries: none is placed twice.
        orders = [DemoOrder(shop.orders.create(client_id, items=items)) for items in ORDERS]
        console.print(f"Placed {len(orders)} orders; waiting for the workers (at most {timeout:g} s)")
        pending = wait_for_terminal(shop, client_id, orders, timeout, console)
        if pending:
            still = ", ".join(f"{o.id} ({o.status})" for o in pending)
            errors.print(f"shop demo: timed out after {timeout:g} s; still pending: {still}", **FAILURE)
            return 1
        out.mkdir(parents=True, exist_ok=True)
        for o in orders:
            if o.status == "INVOICED":
                o.pdf = shop.invoices.download_pdf(client_id, str(o.order.invoice_id), out / f"{o.order.invoice_id}.pdf")
        console.print(summary(orders))
        console.print(f"Invoice PDFs in {out}")
        return 0
    except StackUnavailable as error:
        errors.print(f"shop demo: {error}. Start it with `make run` in another terminal, then try again.", **FAILURE)
        return 2
    except NoLocalKey as error:
        errors.print(f"shop demo: {error}; or pass --token", **FAILURE)
        return 2
    except APIConnectionError as error:
        errors.print(f"shop demo: lost the local stack at {base_url}: {error}", **FAILURE)
        return 1
    except ShopError as error:  # a problem the API answered (its status, title, detail and correlation id)
        errors.print(f"shop demo: {error}", **FAILURE)
        return 1
    except KeyboardInterrupt:
        errors.print("shop demo: interrupted", **FAILURE)
        return 130
    finally:
        shop.close()


def main(args: argparse.Namespace) -> int:
    """`shop demo` (see `_add_demo` in shoplocal/cli.py)."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one log line per poll would tear the live display
    return run(args.url, args.out, args.timeout, token=args.token, stack_file=args.stack_file)
