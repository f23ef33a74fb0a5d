"""`shop load` against the session's local stack, run as a user runs it: `shop load --url ... --out ...`.

The stack is shared with the other e2e tests, so other clients and invoices exist: the load test's numbering
check lists every client's invoices, which must be gapless too. Timings are written, never asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shoplocal import load
from shoplocal.emulator import free_port
from shoplocal.template import ROOT

# The 500 of `shop load` by hand. This relies on shoplocal.emulator's moto patches: unpatched, moto 5.2.5 deep-copies
# the whole table for every TransactWriteItems item (500 orders: 6.5 min on a 2-core machine) and keeps every copy
# (`instances_tracked`), so the session's `shop run` grew by gigabytes and overran shoplocal/launch.py's STOP_TIMEOUT_S at 100
# orders. Patched (copying only the items a transaction touches, no tracking), 500 take about 2 minutes here.
ORDERS = 500
CLIENTS = 20
CONCURRENCY = 20
TIMEOUT_S = 240


def shop_load(*args: str, timeout: float) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "shoplocal.cli", "load", *args]
    return subprocess.run(command, check=False, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def stack_file(local_stack_info) -> Path:
    """The session stack's ready file (`shop run --ready-file`): its signing key lies beside it."""
    return Path(local_stack_info["stack_file"])


def test_load_places_every_order_and_every_invariant_holds(local_stack, stack_file, tmp_path):
    # WHEN the load test runs against the local stack, with retries on
    out = tmp_path / "results" / "load.json"
    params = ["--orders", ORDERS, "--clients", CLIENTS, "--concurrency", CONCURRENCY, "--timeout", TIMEOUT_S]
    result = shop_load(
        "--url",
        local_stack,
        "--stack-file",
        str(stack_file),
        *map(str, params),
        "--out",
        str(out),
        timeout=TIMEOUT_S + load.CLIENTS_TIMEOUT_S + load.VERIFY_TIMEOUT_S + 60,
    )
    output = result.stdout + result.stderr
    # THEN it exits 0, having checked every invariant, and names each one in its summary
    assert result.returncode == 0, output
    assert "Traceback" not in output
    for name in load.INVARIANTS:
        assert f"ok   {name}" in result.stdout, output
    # and its results file (folder created) says what ran, where, how it went and what held
    report = json.loads(out.read_text())
    assert report["ok"] is True and report["tool"] == "shop load"
    assert report["machine"]["cpu_count"] == os.cpu_count()
    assert report["parameters"] | {"url": local_stack} == report["parameters"]
    assert {k: report["parameters"][k] for k in ("orders", "clients", "concurrency", "timeout_s")} == {
        "orders": ORDERS,
        "clients": CLIENTS,
        "concurrency": CONCURRENCY,
        "timeout_s": TIMEOUT_S,
    }
    invariants = report["invariants"]
    assert list(invariants) == list(load.INVARIANTS)
    assert all(check["ok"] and check["detail"] and check["examples"] == [] for check in invariants.values())
    # every order accepted and terminal, about a tenth of them over the credit limit and rejected
    counts = report["counts"]
    assert counts["planned"] == counts["accepted"] == counts["terminal"] == ORDERS
    assert counts["refused"] == counts["not_sent"] == 0
    assert counts["rejected"] == counts["planned_over_limit"] == round(ORDERS * load.OVER_LIMIT_RATIO)
    assert counts["invoiced"] == ORDERS - counts["rejected"]
    assert counts["replayed"] == len(range(0, ORDERS, load.REPLAY_EVERY))
    assert counts["invoices_in_stack"] >= counts["invoiced"]
    assert counts["requests"]["place_order"] >= ORDERS and counts["requests_total"] >= ORDERS
    # and the timings are there, consistent with one another (their values are measurements, not checked)
    timings = report["timings"]
    assert timings["pipeline_s"] > 0 and timings["orders_per_s"] > 0 and timings["placement_s"] > 0
    assert timings["orders_per_s"] == pytest.approx(ORDERS / timings["pipeline_s"], rel=0.01)
    for name in ("time_to_terminal_s", "time_to_invoice_s", "time_to_reject_s", "post_latency_s"):
        spread = timings[name]
        assert set(spread) == {"count", "min", "p50", "p95", "max", "mean"}
        assert 0 <= spread["min"] <= spread["p50"] <= spread["p95"] <= spread["max"], name
    assert timings["time_to_terminal_s"]["count"] == ORDERS
    assert timings["time_to_invoice_s"]["count"] == counts["invoiced"]


def test_load_refuses_an_address_that_is_not_loopback(tmp_path):
    out = tmp_path / "load.json"
    result = shop_load("--url", "http://192.0.2.1:3000", "--orders", "1", "--out", str(out), timeout=30)
    assert result.returncode == 2
    assert "not a loopback address" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_load_without_a_running_stack_says_to_start_one(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    out = tmp_path / "load.json"
    result = shop_load("--url", url, "--out", str(out), timeout=30)
    assert result.returncode == 2
    message = result.stderr.strip()
    assert "\n" not in message and url in message and "make run" in message
    assert not out.exists()


def invoices(*ids: str, client: str = "C1") -> list[dict]:
    return [{"invoiceId": i, "clientId": client, "orderId": f"O-{i}"} for i in ids]


def test_numbering_finds_gaps_per_year_and_duplicates():
    # gapless per year, whatever the order they are listed in
    assert load.numbering_problems(invoices("INV-2026-000002", "INV-2026-000001", "INV-2027-000001")) == ([], [])
    duplicates, gaps = load.numbering_problems(
        invoices("INV-2026-000001", "INV-2026-000003", "INV-2026-000003", "INV-2027-000002", "INV-7")
    )
    assert duplicates == ["INV-2026-000003 listed 2 times", "INV-7 is not INV-YYYY-NNNNNN"]
    assert gaps == [
        "2026: 1 missing of 1..3 (INV-2026-000002)",
        "2027: 1 missing of 1..2 (INV-2027-000001)",
    ]


def test_percentiles_interpolate_between_ranks():
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 50) == pytest.approx(50.5)
    assert load.percentile(values, 95) == pytest.approx(95.05)
    assert load.percentile([3.0], 95) == 3.0
    assert load.percentile([], 50) is None
    assert load.distribution([]) == {"count": 0, "min": None, "p50": None, "p95": None, "max": None, "mean": None}


def test_order_totals_fall_on_the_intended_side_of_the_credit_limit():
    import random

    rng = random.Random(7)
    for _ in range(2000):
        over = rng.random() < 0.5
        items = load.order_items(rng, over, load.CREDIT_LIMIT)
        total = sum(i["quantity"] * i["unitPrice"] for i in items)
        assert (total > load.CREDIT_LIMIT) is over
        assert 1 <= len(items) <= 3 and all(1 <= i["quantity"] <= 10_000 and i["unitPrice"] >= 0 for i in items)
