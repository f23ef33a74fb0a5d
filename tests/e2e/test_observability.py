"""Observability on the local stack: one order placed over HTTP is followed, by the correlation id its
response returns, through the JSON log lines of the orders API, approval and paid-order functions in the
output of `shop run`."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest

PIPELINE_TIMEOUT_S = 60
WIDGET = {"sku": "W-1", "description": "Blue widget", "quantity": 1, "unitPrice": 1250}


@pytest.fixture(scope="module")
def http(local_stack, admin_token):
    with httpx.Client(base_url=local_stack, headers={"Authorization": f"Bearer {admin_token}"}, timeout=10) as client:
        yield client


def json_lines(log: Path) -> list[dict]:
    """The JSON documents among the stack's output lines (Powertools log lines, EMF metrics)."""
    documents = []
    for line in log.read_text(errors="replace").splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                documents.append(json.loads(line))
            except ValueError:
                continue
    return documents


def test_an_orders_correlation_id_is_in_the_api_approval_and_paid_order_log_lines(http, local_stack_info):
    # GIVEN a client and an order placed over HTTP
    client = http.post("/clients", json={"name": "Acme", "email": f"obs-{uuid.uuid4().hex[:10]}@example.com"})
    assert client.status_code == 201, client.text
    client_id = client.json()["clientId"]
    placed = http.post(f"/clients/{client_id}/orders", json={"items": [WIDGET]})
    assert placed.status_code == 202, placed.text
    order_id = placed.json()["orderId"]

    # WHEN it goes through the pipeline to INVOICED
    correlation_id = placed.headers["X-Correlation-Id"]
    deadline = time.monotonic() + PIPELINE_TIMEOUT_S
    status = None
    while time.monotonic() < deadline:
        status = http.get(f"/clients/{client_id}/orders/{order_id}").json()["status"]
        if status == "INVOICED":
            break
        time.sleep(0.2)
    assert status == "INVOICED"

    # THEN the stack's output has lines of all three functions about the order, all under its correlation id
    functions = {"OrdersFunction", "ApprovalFunction", "PaidOrderFunction"}
    deadline = time.monotonic() + 10  # the paid-order worker logs its last line just after the INVOICED write
    while True:
        lines = [
            line
            for line in json_lines(Path(local_stack_info["log"]))
            if line.get("orderId") == order_id and line.get("function_name") in functions
        ]
        if {line["function_name"] for line in lines} == functions or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert {line["function_name"] for line in lines} == functions
    assert {line.get("correlation_id") for line in lines} == {correlation_id}
    # and the stack's own output does not warn about functions that had no metric to publish
    assert "No application metrics to publish" not in Path(local_stack_info["log"]).read_text(errors="replace")
