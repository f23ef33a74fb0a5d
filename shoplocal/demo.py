"""`shop demo`: a guided tour of a running local stack.

Creates a client, places a few orders (one over the client's credit limit), follows them to a terminal
status with a live display, downloads the invoice PDFs through their presigned URLs and prints a summary.

Every HTTP call goes through `ShopApi`, so swapping it for a generated SDK touches nothing else.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from domain.money import format_amount

POLL_INTERVAL_S = 0.3
TERMINAL = {"INVOICED", "REJECTED"}
FAILURE: dict[str, Any] = {"style": "red", "markup": False, "highlight": False}  # text from the wire is not markup
STATUS_STYLE = {"PENDING": "yellow", "APPROVED": "cyan", "INVOICED": "green", "REJECTED": "red"}

CREDIT_LIMIT = 5_000_000  # 50,000.00 USD
# Three orders within the credit limit, and one whose total alone exceeds it.
ORDERS: list[list[dict[str, Any]]] = [
    [
        {"sku": "WID-1", "description": "Blue widget", "quantity": 10, "unitPrice": 1_250},
        {"sku": "WID-2", "description": "Red widget", "quantity": 4, "unitPrice": 1_500},
    ],
    [{"sku": "GAD-22", "description": "Gadget deluxe", "quantity": 2, "unitPrice": 99_999}],
    [
        {"sku": "BOLT-M8", "description": "M8 bolt, box of 100", "quantity": 25, "unitPrice": 899},
        {"sku": "NUT-M8", "description": "M8 nut, box of 100", "quantity": 25, "unitPrice": 499},
        {"sku": "WASH-M8", "description": "M8 washer, box of 100", "quantity": 10, "unitPrice": 299},
    ],
    [{"sku": "CRANE-9", "description": "Tower crane", "quantity": 1, "unitPrice": 7_500_000}],
]


class StackUnavailable(Exception):
    """Nothing healthy answers at the base URL."""


class ApiError(Exception):
    """An HTTP error answer, described by its problem's title and detail."""

    def __init__(self, what: str, response: httpx.Response) -> None:
        problem = _json_object(response)
        status = response.status_code
        title = problem.get("title") or response.reason_phrase or httpx.codes.get_reason_phrase(status)
        # Not a problem document (S3 answers XML): its text, on one line.
        detail = problem.get("detail") or ("" if problem else " ".join(response.text.split())[:200])
        super().__init__(f"{what}: {status} {title}" + (f": {detail}" if detail else ""))


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class ShopApi:
    """The few calls the demo makes to the shop's API (and to the presigned S3 URL)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=10)

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, *, expect: int, **kwargs: Any) -> dict[str, Any]:
        response = self.http.request(method, path, **kwargs)
        if response.status_code != expect:
            raise ApiError(f"{method} {path}", response)
        return response.json()

    def check_health(self) -> None:
        try:
            response = self.http.get("/health", timeout=3)
        except httpx.TransportError as error:
            raise StackUnavailable(f"no local stack answers at {self.base_url} ({type(error).__name__})") from None
        if response.status_code != 200:
            raise StackUnavailable(f"the local stack at {self.base_url} is not healthy ({response.status_code})")

    def create_client(self, name: str, email: str, credit_limit: int, currency: str = "USD") -> dict[str, Any]:
        body = {"name": name, "email": email, "creditLimit": credit_limit, "currency": currency}
        return self._call("POST", "/clients", expect=201, json=body)

    def place_order(self, client_id: str, items: list[dict[str, Any]], idempotency_key: str) -> dict[str, Any]:
        # The key makes a retry after a lost answer safe: the server answers with the order it already took.
        path, headers = f"/clients/{client_id}/orders", {"Idempotency-Key": idempotency_key}
        attempts = 3
        while True:
            try:
                return self._call("POST", path, expect=202, json={"items": items}, headers=headers)
            except httpx.TransportError:
                attempts -= 1
                if not attempts:
                    raise
                time.sleep(0.5)

    def get_order(self, client_id: str, order_id: str) -> dict[str, Any]:
        return self._call("GET", f"/clients/{client_id}/orders/{order_id}", expect=200)

    def get_invoice(self, client_id: str, invoice_id: str) -> dict[str, Any]:
        return self._call("GET", f"/clients/{client_id}/invoices/{invoice_id}", expect=200)

    def download(self, url: str, target: Path) -> None:
        response = httpx.get(url, timeout=30)  # presigned: no base URL, no headers of ours
        if response.status_code != 200:
            raise ApiError("GET presigned invoice URL", response)
        target.write_bytes(response.content)


@dataclass
class DemoOrder:
    order: dict[str, Any]
    pdf: Path | None = None

    @property
    def id(self) -> str:
        return self.order["orderId"]

    @property
    def status(self) -> str:
        return self.order["status"]


def _status(status: str) -> str:
    return f"[{STATUS_STYLE.get(status, 'white')}]{status}[/]"


def _outcome(order: dict[str, Any]) -> str:
    return order.get("rejectionReason") or order.get("invoiceId") or ""


def wait_for_terminal(
    api: ShopApi, client_id: str, orders: list[DemoOrder], timeout: float, console: Console
) -> list[DemoOrder]:
    """Poll until every order is terminal or `timeout` passes, one progress line per order.
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
        pending = [o for o in orders if o.status not in TERMINAL]
        while pending and time.monotonic() < deadline:
            time.sleep(POLL_INTERVAL_S)
            for o in pending:
                o.order = api.get_order(client_id, o.id)
                done = o.status in TERMINAL
                progress.update(tasks[o.id], status=_status(o.status), outcome=_outcome(o.order), completed=int(done))
            pending = [o for o in pending if o.status not in TERMINAL]
    return pending


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
            str(len(order["items"])),
            format_amount(order["total"], order["currency"]),
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


def run(base_url: str, out: Path, timeout: float, console: Console | None = None) -> int:
    """The demo; returns the exit code (0 done, 1 an order timed out or the API refused, 2 no stack).
    Progress and the summary go to `console` (stdout by default), failures to stderr, one line each."""
    console = console or _stdout_console()
    errors = Console(stderr=True, soft_wrap=True)
    api = ShopApi(base_url.rstrip("/"))
    try:
        api.check_health()
        suffix = uuid.uuid4().hex[:8]
        client = api.create_client(f"Demo Buyer {suffix}", f"demo-{suffix}@example.com", CREDIT_LIMIT)
        client_id = client["clientId"]
        limit = format_amount(client["creditLimit"], client["currency"])
        console.print(f"Client [bold]{client_id}[/] ({client['email']}), credit limit {limit}")
        orders = [DemoOrder(api.place_order(client_id, items, uuid.uuid4().hex)) for items in ORDERS]
        console.print(f"Placed {len(orders)} orders; waiting for the workers (at most {timeout:g} s)")
        pending = wait_for_terminal(api, client_id, orders, timeout, console)
        if pending:
            still = ", ".join(f"{o.id} ({o.status})" for o in pending)
            errors.print(f"shop demo: timed out after {timeout:g} s; still pending: {still}", **FAILURE)
            return 1
        out.mkdir(parents=True, exist_ok=True)
        for o in orders:
            if o.status == "INVOICED":
                invoice = api.get_invoice(client_id, o.order["invoiceId"])
                o.pdf = out / f"{invoice['invoiceId']}.pdf"
                api.download(invoice["downloadUrl"], o.pdf)
        console.print(summary(orders))
        console.print(f"Invoice PDFs in {out}")
        return 0
    except StackUnavailable as error:
        errors.print(f"shop demo: {error}. Start it with `make run` in another terminal, then try again.", **FAILURE)
        return 2
    except ApiError as error:
        errors.print(f"shop demo: {error}", **FAILURE)
        return 1
    except httpx.HTTPError as error:
        errors.print(f"shop demo: lost the local stack at {base_url}: {error!r}", **FAILURE)
        return 1
    except KeyboardInterrupt:
        errors.print("shop demo: interrupted", **FAILURE)
        return 130
    finally:
        api.close()


def main(args: argparse.Namespace) -> int:
    """`shop demo` (see `_add_demo` in shoplocal/cli.py)."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one log line per poll would tear the live display
    return run(args.url, args.out, args.timeout)
