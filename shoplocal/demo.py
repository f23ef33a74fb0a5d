"""`shop demo`: a guided tour of a running local stack.

Creates a client, places a few orders (one over the client's credit limit), follows them to a terminal
status with a live display, downloads the invoice PDFs through their presigned URLs and prints a summary.

Every call to the shop's API goes through `ShopApi`, which uses the SDK generated from openapi.yaml
(`shop_client`, in sdk/): the demo works with its typed models. It calls as an admin, with `--token`,
`SHOP_TOKEN`, or a token it signs with the key `shop run` keeps beside its stack file (shoplocal/auth.py).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any, TypeVar

import httpx
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from shop_client import AuthenticatedClient, Client
from shop_client.api.clients import create_client
from shop_client.api.health import get_health
from shop_client.api.invoices import get_invoice
from shop_client.api.orders import create_order, get_order
from shop_client.errors import UnexpectedStatus
from shop_client.models import ClientInput, ClientRecord, Currency, Invoice, Order, OrderCreate, OrderItem, Problem
from shop_client.types import Response

from domain.money import format_amount
from shoplocal.auth import NoLocalKey, token_for
from shoplocal.ops import STACK_FILE

POLL_INTERVAL_S = 0.3
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

T = TypeVar("T")


class StackUnavailable(Exception):
    """Nothing healthy answers at the base URL."""


class ApiError(Exception):
    """An HTTP error answer, or an answer that openapi.yaml does not allow."""

    @classmethod
    def answer(cls, what: str, status: int, content: bytes) -> ApiError:
        """An error answer, described by its problem's title and detail."""
        problem = _problem(content)
        title = (problem.title if problem else "") or _reason_phrase(status)
        # Not a problem document (S3 answers XML): its text, on one line.
        detail = (problem.detail or "") if problem else " ".join(content.decode(errors="replace").split())[:200]
        return cls(f"{what}: {status} {title}" + (f": {detail}" if detail else ""))


def _problem(content: bytes) -> Problem | None:
    try:
        body = json.loads(content)
        return Problem.from_dict(body) if isinstance(body, dict) else None
    except (ValueError, KeyError, TypeError):
        return None


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class ShopApi:
    """The few calls the demo makes to the shop's API, through the generated SDK (and to the presigned S3 URL)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.sdk: AuthenticatedClient | None = None

    def sign_in(self, token: str) -> None:
        """Every later call sends `Authorization: Bearer <token>`."""
        # An undocumented status raises `UnexpectedStatus` rather than passing as an empty answer.
        self.sdk = AuthenticatedClient(
            base_url=self.base_url, token=token, timeout=httpx.Timeout(10), raise_on_unexpected_status=True
        )

    def close(self) -> None:
        if self.sdk is not None:
            self.sdk.get_httpx_client().close()

    def _call(
        self,
        what: str,
        expect: HTTPStatus,
        model: type[T],
        endpoint: Callable[..., Response[Any]],
        *args: Any,
        **kwargs: Any,
    ) -> T:
        """The typed answer of one SDK endpoint call; anything but `expect` with a `model` raises ApiError."""
        try:
            response = endpoint(*args, client=self.sdk, **kwargs)
        except UnexpectedStatus as error:
            raise ApiError.answer(what, error.status_code, error.content) from None
        except (ValueError, KeyError, TypeError) as error:  # the SDK could not read the answer as the spec says
            raise ApiError(f"{what}: the answer does not match openapi.yaml ({error!r})") from None
        if response.status_code != expect or not isinstance(response.parsed, model):
            raise ApiError.answer(what, int(response.status_code), response.content)
        return response.parsed

    def check_health(self) -> None:
        try:
            with Client(base_url=self.base_url, timeout=httpx.Timeout(3)) as probe:
                status = int(get_health.sync_detailed(client=probe).status_code)
        except httpx.TransportError as error:
            raise StackUnavailable(f"no local stack answers at {self.base_url} ({type(error).__name__})") from None
        except (ValueError, KeyError, TypeError):  # something answers, but not with the shop's health document
            raise StackUnavailable(f"what answers at {self.base_url} is not the shop's API") from None
        if status != HTTPStatus.OK:
            raise StackUnavailable(f"the local stack at {self.base_url} is not healthy ({status})")

    def create_client(self, name: str, email: str, credit_limit: int, currency: str = "USD") -> ClientRecord:
        body = ClientInput(name=name, email=email, credit_limit=credit_limit, currency=Currency(currency))
        return self._call("POST /clients", HTTPStatus.CREATED, ClientRecord, create_client.sync_detailed, body=body)

    def place_order(self, client_id: str, items: list[OrderItem], idempotency_key: str) -> Order:
        # The key makes a retry after a lost answer safe: the server answers with the order it already took.
        what, body = f"POST /clients/{client_id}/orders", OrderCreate(items=items)
        attempts = 3
        while True:
            try:
                endpoint = create_order.sync_detailed
                return self._call(
                    what, HTTPStatus.ACCEPTED, Order, endpoint, client_id, body=body, idempotency_key=idempotency_key
                )
            except httpx.TransportError:
                attempts -= 1
                if not attempts:
                    raise
                time.sleep(0.5)

    def get_order(self, client_id: str, order_id: str) -> Order:
        what = f"GET /clients/{client_id}/orders/{order_id}"
        return self._call(what, HTTPStatus.OK, Order, get_order.sync_detailed, client_id, order_id)

    def get_invoice(self, client_id: str, invoice_id: str) -> Invoice:
        what = f"GET /clients/{client_id}/invoices/{invoice_id}"
        return self._call(what, HTTPStatus.OK, Invoice, get_invoice.sync_detailed, client_id, invoice_id)

    def download(self, url: str, target: Path) -> None:
        response = httpx.get(url, timeout=30)  # presigned S3: not the shop's API, no base URL, no headers of ours
        if response.status_code != 200:
            raise ApiError.answer("GET presigned invoice URL", response.status_code, response.content)
        target.write_bytes(response.content)


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
) -> int:
    """The demo; returns the exit code (0 done, 1 an order timed out or the API refused, 2 no stack).
    Progress and the summary go to `console` (stdout by default), failures to stderr, one line each.
    It calls the API as an admin: `token`, or one signed with the key beside `stack_file`."""
    console = console or _stdout_console()
    errors = Console(stderr=True, soft_wrap=True)
    api = ShopApi(base_url.rstrip("/"))
    try:
        api.check_health()
        api.sign_in(token_for(stack_file, token))
        suffix = uuid.uuid4().hex[:8]
        client = api.create_client(f"Demo Buyer {suffix}", f"demo-{suffix}@example.com", CREDIT_LIMIT)
        client_id = client.client_id
        limit = format_amount(client.credit_limit, client.currency)
        console.print(f"Client [bold]{client_id}[/] ({client.email}), credit limit {limit}")
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
                what = f"GET /clients/{client_id}/invoices/{o.order.invoice_id}"
                invoice = api.get_invoice(client_id, str(o.order.invoice_id))
                if not invoice.download_url:  # optional in the Invoice schema, which list items share
                    raise ApiError(f"{what}: the invoice has no downloadUrl")
                o.pdf = out / f"{invoice.invoice_id}.pdf"
                api.download(invoice.download_url, o.pdf)
        console.print(summary(orders))
        console.print(f"Invoice PDFs in {out}")
        return 0
    except StackUnavailable as error:
        errors.print(f"shop demo: {error}. Start it with `make run` in another terminal, then try again.", **FAILURE)
        return 2
    except NoLocalKey as error:
        errors.print(f"shop demo: {error}; or pass --token", **FAILURE)
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
    return run(args.url, args.out, args.timeout, token=args.token, stack_file=args.stack_file)
