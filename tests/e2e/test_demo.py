"""`shop demo` against the session's local stack, run as a user runs it: `shop demo --url ... --out ...`."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import httpx
from pypdf import PdfReader
from rich.console import Console
from shop_sdk import OrderStatus, Shop

from shoplocal import demo
from shoplocal.emulator import free_port
from shoplocal.template import ROOT

INVOICE_ID = re.compile(r"INV-\d{4}-\d{6}")


def shop_demo(*args: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name != "COLUMNS"}  # as when piped
    command = [sys.executable, "-m", "shoplocal.cli", "demo", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_demo_invoices_the_orders_within_credit_and_rejects_the_one_over(local_stack, local_stack_info, shop, tmp_path):
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
    orders = list(shop.orders.list(client_id))
    assert sorted(o.invoice_id for o in orders if o.status == OrderStatus.INVOICED) == listed
    assert [o.rejection_reason for o in orders if o.status == OrderStatus.REJECTED] == ["credit_limit_exceeded"]


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


def stack_answering(answer) -> Shop:
    """A client of the SDK whose stack answers every request with `answer(request)` (an httpx.Response)."""
    return Shop("http://stack.test", token="t", transport=httpx.MockTransport(answer))


def test_demo_names_the_orders_still_pending_when_it_times_out(capsys, tmp_path):
    # GIVEN a stack whose workers never run: every order stays PENDING
    placed: list[str] = []

    def stuck(request: httpx.Request) -> httpx.Response:
        client = {"clientId": "0" * 26, "name": "Demo", "email": "demo@example.com", "creditLimit": 5_000_000,
                  "currency": "USD", "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"}
        order = {"clientId": "0" * 26, "status": "PENDING", "items": [], "total": 1, "currency": "USD",
                 "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"}
        if request.url.path == "/health":
            return httpx.Response(200, json={"status": "ok"})
        if request.url.path == "/clients":
            return httpx.Response(201, json=client)
        if request.method == "POST":
            placed.append(f"{len(placed):026d}")
            return httpx.Response(202, json=order | {"orderId": placed[-1]})
        return httpx.Response(200, json=order | {"orderId": request.url.path.rsplit("/", 1)[1]})

    # WHEN the demo waits for them
    shop = stack_answering(stuck)
    code = demo.run("http://stack.test", tmp_path, timeout=0.5, console=Console(file=io.StringIO()), shop=shop)
    # THEN it gives up after its timeout, naming each order still pending
    message = capsys.readouterr().err
    assert code == 1
    assert "timed out after 0.5 s; still pending" in message
    assert all(f"{i:026d} (PENDING)" in message for i in range(len(demo.ORDERS)))


def test_a_problem_the_api_answers_is_reported_on_one_line_by_its_status_title_and_detail(capsys, tmp_path):
    problem = {"type": "urn:shop:problem:email-taken", "title": "Conflict", "status": 409, "detail": "email already used"}

    def refusing(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/health":
            return httpx.Response(200, json={"status": "ok"})
        headers = {"Content-Type": "application/problem+json", "X-Correlation-Id": "req-1"}
        return httpx.Response(409, json=problem, headers=headers)

    code = demo.run("http://stack.test", tmp_path, timeout=1, console=Console(file=io.StringIO()), shop=stack_answering(refusing))
    message = capsys.readouterr().err.strip()
    assert code == 1
    assert message == "shop demo: 409 Conflict: email already used [urn:shop:problem:email-taken] (correlation id req-1)"


def test_what_answers_at_the_url_but_is_not_the_shop_is_told_apart_from_no_stack(capsys, tmp_path):
    not_the_shop = stack_answering(lambda request: httpx.Response(200, json={"hello": "world"}))
    code = demo.run("http://stack.test", tmp_path, timeout=1, console=Console(file=io.StringIO()), shop=not_the_shop)
    assert code == 2
    assert "what answers at http://stack.test is not the shop's API" in capsys.readouterr().err
