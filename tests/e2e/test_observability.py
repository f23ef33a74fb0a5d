"""Observability on the local stack: one order placed over HTTP (through the SDK) is followed, by the
correlation id its response returns, through the JSON log lines of the orders API, approval and paid-order
functions in the output of `shop run`."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from shop_client.api.orders import create_order
from shop_client.models import OrderCreate
from shop_sdk import OrderItem, OrderStatus

PIPELINE_TIMEOUT_S = 60
WIDGET = OrderItem(sku="W-1", description="Blue widget", quantity=1, unit_price=1250)


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


def test_an_orders_correlation_id_is_in_the_api_approval_and_paid_order_log_lines(shop, local_stack_info):
    # GIVEN a client and an order placed over HTTP (the generated call under the SDK: its X-Correlation-Id)
    client_id = shop.clients.create(name="Acme", email=f"obs-{uuid.uuid4().hex[:10]}@example.com").client_id
    placed = create_order.sync_detailed(client_id, client=shop.api, body=OrderCreate(items=[WIDGET]))
    assert placed.status_code == 202, placed.content
    order_id = placed.parsed.order_id

    # WHEN it goes through the pipeline to INVOICED
    correlation_id = placed.headers["X-Correlation-Id"]
    order = shop.orders.wait(client_id, order_id, timeout=PIPELINE_TIMEOUT_S, poll_interval=0.2)
    assert order.status == OrderStatus.INVOICED

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
