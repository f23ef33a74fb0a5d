"""`shop demo` against the session's local stack, run as a user runs it: `shop demo --url ... --out ...`."""

from __future__ import annotations

import datetime
import io
import json
import os
import re
import subprocess
import sys

import httpx
import pytest
from pypdf import PdfReader
from rich.console import Console
from shop_client import AuthenticatedClient
from shop_client.api.orders import list_orders
from shop_client.models import ClientRecord, Currency, Order, OrderPage, OrderStatus

from shoplocal import demo
from shoplocal.emulator import free_port
from shoplocal.template import ROOT

INVOICE_ID = re.compile(r"INV-\d{4}-\d{6}")
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def api(local_stack, admin_token):
    """The generated SDK's client for the local stack, an admin's; an undocumented status fails the call."""
    with AuthenticatedClient(
        base_url=local_stack, token=admin_token, timeout=httpx.Timeout(10), raise_on_unexpected_status=True
    ) as client:
        yield client


def shop_demo(*args: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name != "COLUMNS"}  # as when piped
    command = [sys.executable, "-m", "shoplocal.cli", "demo", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_demo_invoices_the_orders_within_credit_and_rejects_the_one_over(local_stack, local_stack_info, api, tmp_path):
    # WHEN the demo runs against the local stack, signing its admin token with the stack's key
    out = tmp_path / "invoices"
    stack_file = local_stack_info["stack_file"]
    result = shop_demo("--url", local_stack, "--out", str(out), "--timeout", "60", "--stack-file", stack_file)
    output = result.stdout + result.stderr
    # THEN it succeeds, and its table has one row per order: three invoiced, one rejected for credit
    assert result.returncode == 0, output
    assert "Traceback" not in output
    rows = [line for line in result.stdout.splitlines() if re.search(r"│ \w{26} ", line)]
    assert len(rows) == 4, result.stdout
    invoiced = [row for row in rows if "INVOICED" in row]
    rejected = [row for row in rows if "REJECTED" in row]
    assert len(invoiced) == 3 and len(rejected) == 1
    assert "credit_limit_exceeded" in rejected[0] and "75,000.00 USD" in rejected[0]
    # and the folder holds one PDF per invoiced order, named after its invoice and showing that number
    listed = sorted(INVOICE_ID.search(row).group() for row in invoiced)
    assert sorted(path.name for path in out.iterdir()) == [f"{invoice_id}.pdf" for invoice_id in listed]
    for row, invoice_id in ((row, INVOICE_ID.search(row).group()) for row in invoiced):
        assert str(out / f"{invoice_id}.pdf") in row
        data = (out / f"{invoice_id}.pdf").read_bytes()
        assert data.startswith(b"%PDF") and invoice_id in pdf_text(data)
    # and what it printed is what the API says
    client_id = re.search(r"Client (\w{26})", result.stdout).group(1)
    page = list_orders.sync(client_id, client=api)
    assert isinstance(page, OrderPage), page
    assert sorted(o.invoice_id for o in page.items if o.status == OrderStatus.INVOICED) == listed
    assert [o.rejection_reason for o in page.items if o.status == OrderStatus.REJECTED] == ["credit_limit_exceeded"]


def test_demo_without_a_running_stack_says_to_start_one(tmp_path):
    # GIVEN a URL where nothing listens
    url = f"http://127.0.0.1:{free_port()}"
    # WHEN the demo runs against it
    result = shop_demo("--url", url, "--out", str(tmp_path / "invoices"))
    # THEN it exits 2 with one helpful line, and no traceback
    assert result.returncode == 2, result.stdout + result.stderr
    message = result.stderr.strip()
    assert "\n" not in message and url in message and "make run" in message
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "invoices").exists()


class StuckApi:
    """A stack whose workers never run: every order stays PENDING."""

    def __init__(self, base_url: str) -> None:
        self.placed: list[str] = []

    def check_health(self) -> None:
        pass

    def sign_in(self, token: str) -> None:
        pass

    def create_client(self, name, email, credit_limit, currency="USD"):
        return ClientRecord(
            client_id="0" * 26,
            name=name,
            email=email,
            credit_limit=credit_limit,
            currency=Currency(currency),
            created_at=NOW,
            updated_at=NOW,
        )

    def place_order(self, client_id, items, idempotency_key):
        self.placed.append(f"{len(self.placed):026d}")
        return self.get_order(client_id, self.placed[-1], items)

    def get_order(self, client_id, order_id, items=()):
        return Order(
            order_id=order_id,
            client_id=client_id,
            status=OrderStatus.PENDING,
            items=list(items),
            total=1,
            currency=Currency.USD,
            created_at=NOW,
            updated_at=NOW,
        )

    def close(self) -> None:
        pass


def test_demo_names_the_orders_still_pending_when_it_times_out(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(demo, "ShopApi", StuckApi)
    code = demo.run("http://stuck.invalid", tmp_path, timeout=0.5, console=Console(file=io.StringIO()), token="t")
    message = capsys.readouterr().err
    assert code == 1
    assert "timed out after 0.5 s; still pending" in message
    assert all(f"{i:026d} (PENDING)" in message for i in range(len(demo.ORDERS)))


def test_an_error_answer_is_reported_by_its_problem_title_and_detail():
    problem = {"type": "about:blank", "title": "Conflict", "status": 409, "detail": "email already used"}
    error = demo.ApiError.answer("POST /clients", 409, json.dumps(problem).encode())
    assert str(error) == "POST /clients: 409 Conflict: email already used"


def test_an_error_answer_that_is_not_a_problem_is_reported_by_its_text():
    xml = b"<Error>\n  <Code>AccessDenied</Code>\n  <Message>Request has expired</Message>\n</Error>"
    error = demo.ApiError.answer("GET presigned invoice URL", 403, xml)
    assert str(error) == (
        "GET presigned invoice URL: 403 Forbidden: "
        "<Error> <Code>AccessDenied</Code> <Message>Request has expired</Message> </Error>"
    )
