"""Capacity and cost on AWS, on paper, from the AWS calls `shop bench` MEASURED per operation.

    python -m shoplocal.bench.cost bench/results.json [--markdown] [--json]

Input: results.json's section "calls" (shoplocal/bench/calls.py): one figure per operation whose `detail`
holds `calls` ({"dynamodb.GetItem": 1, ...}), `transactWriteItems` (items per transaction) and
`batchGetItems` (keys per BatchGetItem). From these:

- DynamoDB units per operation (on-demand request units): GetItem 0.5 RRU eventually / 1 RRU strongly
  consistent per 4 KB; BatchGetItem the same per key (each key is billed as a GetItem of its item; the
  product's are eventually consistent); Query 0.5 RRU per 4 KB page read (GSIs: eventually consistent
  only); PutItem, UpdateItem, DeleteItem 1 WRU per KB; TransactWriteItems 2 WRU per KB per item. Index
  writes, which the hook cannot see, come from the key layout (datamodel/keys.py) in INDEX_WRITES.
- ceilings: the API stage throttle, account concurrency, the SQS event source scaling, and the single
  partitions (the invoice counter, GSI1 `CLIENTS`, the open-orders shards, a single client).
- cost per 1,000 orders and per 1,000 of each operation, with each price's source.

Everything not measured is an explicit, named assumption (ASSUMPTIONS); prices are PRICES, each with the
URL it was published at. They were not fetched in this session: re-check them before relying on the totals.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

# ---- published prices (us-east-1, arm64) ----

PRICES_READ = "2025 (known prices, not re-fetched in this session: re-check before use)"


@dataclass(frozen=True)
class Price:
    usd: float
    per: str
    url: str


PRICES: dict[str, Price] = {
    "lambda_request": Price(0.20 / 1e6, "request", "https://aws.amazon.com/lambda/pricing/"),
    "lambda_gb_second_arm64": Price(0.0000133334, "GB-second (arm64, first 7.5 billion GB-s a month)", "https://aws.amazon.com/lambda/pricing/"),
    "dynamodb_wru": Price(0.625 / 1e6, "write request unit (on-demand, Standard table class)", "https://aws.amazon.com/dynamodb/pricing/on-demand/"),
    "dynamodb_rru": Price(0.125 / 1e6, "read request unit (on-demand, Standard table class)", "https://aws.amazon.com/dynamodb/pricing/on-demand/"),
    "sqs_request": Price(0.40 / 1e6, "request, standard queue, per 64 KB chunk (after the first 1 million a month)", "https://aws.amazon.com/sqs/pricing/"),
    "s3_put": Price(0.005 / 1000, "PUT request (S3 Standard)", "https://aws.amazon.com/s3/pricing/"),
    "s3_get": Price(0.0004 / 1000, "GET request (S3 Standard)", "https://aws.amazon.com/s3/pricing/"),
    "apigateway_rest_request": Price(3.50 / 1e6, "REST API request (first 333 million a month)", "https://aws.amazon.com/api-gateway/pricing/"),
    "cloudwatch_logs_gb": Price(0.50, "GB of logs ingested (standard class)", "https://aws.amazon.com/cloudwatch/pricing/"),
    "xray_trace": Price(5.00 / 1e6, "trace recorded (after the first 100,000 a month)", "https://aws.amazon.com/xray/pricing/"),
}

# ---- service limits and scaling rules (cited) ----

LIMITS = {
    "account_concurrency": (1000, "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"),
    "partition_wcu_per_s": (1000, "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"),
    "partition_rcu_per_s": (3000, "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"),
    # "When messages are available, Lambda starts processing five batches at a time with five concurrent
    # invocations ... increases ... by up to 300 more instances per minute. The maximum number of batches
    # that an event source mapping can process simultaneously is 1,000."
    "sqs_esm_max_batches": (1000, "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"),
    "sqs_esm_start_batches": (5, "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"),
    "sqs_esm_ramp_per_minute": (300, "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"),
}

# ---- assumptions: what the benchmark does not measure ----

# Typical in-Region latency of one call (ms) on AWS, used for durations and for the counter's
# serialisation. Assumed, not measured: the local stack's moto latencies say nothing about AWS's.
LATENCY_MS: dict[str, float] = {
    "dynamodb.GetItem": 5,
    # DynamoDB reads a batch's keys in parallel: about one GetItem's round trip, a little more (the slower key).
    "dynamodb.BatchGetItem": 6,
    "dynamodb.Query": 8,
    "dynamodb.PutItem": 7,
    "dynamodb.UpdateItem": 7,
    "dynamodb.DeleteItem": 7,
    "dynamodb.TransactWriteItems": 20,
    "sqs.SendMessage": 10,
    "sqs.SendMessageBatch": 12,
    "s3.PutObject": 40,
}

# GetItem calls that read strongly consistently, per operation (from the code: datamodel/invoices.py reads
# the counter with consistent_read=True: the paid-order worker's one GetItem, its order and client coming in
# a BatchGetItem); every other GetItem, and every BatchGetItem (datamodel/orders.py `with_client`), is
# eventually consistent.
STRONG_GETS: dict[str, int] = {"paid-order: invoice": 1}

# Index writes per operation, from the key layout (datamodel/keys.py): GSI1 holds clients (PK "CLIENTS",
# projection ALL: any attribute change rewrites the index item) and orders (SK has the status: a status
# change is a delete plus a put); GSI2 holds open orders only (SK has updatedAt). Each index write is 1 WRU
# per KB, not doubled by a transaction. `clients_partition` counts those landing on GSI1 PK "CLIENTS".
@dataclass(frozen=True)
class IndexWrites:
    total: int
    clients_partition: int = 0
    open_shards: int = 0
    why: str = ""


INDEX_WRITES: dict[str, IndexWrites] = {
    "POST /clients": IndexWrites(1, 1, 0, "profile into GSI1 CLIENTS (its #OPEN item has no index keys)"),
    "POST /clients (Idempotency-Key)": IndexWrites(1, 1, 0, "profile into GSI1 CLIENTS"),
    "PUT /clients/{clientId}": IndexWrites(1, 1, 0, "profile rewritten in GSI1 CLIENTS"),
    "DELETE /clients/{clientId}": IndexWrites(1, 1, 0, "profile out of GSI1 CLIENTS"),
    # The client's open-orders count is its #OPEN item, in no index (datamodel/keys.py): no CLIENTS write.
    "POST /clients/{clientId}/orders": IndexWrites(2, 0, 1, "order into GSI1 and GSI2"),
    "POST /clients/{clientId}/orders (currency sent)": IndexWrites(2, 0, 1, "as without currency"),
    "POST /clients/{clientId}/orders (Idempotency-Key)": IndexWrites(2, 0, 1, "as without a key"),
    "approval: approve": IndexWrites(4, 0, 2, "GSI1 status key changes (delete + put); GSI2 updatedAt key changes (delete + put)"),
    "approval: reject": IndexWrites(3, 0, 1, "GSI1 status key changes (2); out of GSI2 (1)"),
    "paid-order: invoice": IndexWrites(3, 0, 1, "GSI1 status key changes (2); out of GSI2 (1)"),
}

# The operations one order goes through, POST to INVOICED (the plain, approved path).
PIPELINE = ("POST /clients/{clientId}/orders", "approval: approve", "paid-order: invoice")
FUNCTION_OF = {
    "POST /clients/{clientId}/orders": "OrdersFunction",
    "approval: approve": "ApprovalFunction",
    "paid-order: invoice": "PaidOrderFunction",
}


@dataclass(frozen=True)
class Assumptions:
    item_kb: float = 1.0  # every item written or read is at most this (≤ 1 KB: 1 WRU, ≤ 4 KB: 0.5/1 RRU)
    page_items: int = 20  # a list page: the contract's default limit
    memory_mb: dict[str, int] = field(default_factory=dict)  # from template.yaml when empty
    api_rate_limit: float = 50.0  # template.yaml ApiThrottlingRateLimit default (all routes together)
    compute_ms: float = 5.0  # a handler's own Python time per record at 1 vCPU (warm, not the AWS calls)
    render_ms: float = 60.0  # PDF rendering at 1 vCPU for a typical (10-line) invoice: `render` section when present
    vcpu_memory_mb: float = 1769.0  # Lambda gives one full vCPU at 1,769 MB; CPU scales with memory below
    batch_fill: float = 1.0  # SQS messages per worker invocation (1 at low traffic, up to the BatchSize when busy)
    # Invoices numbered by one counter transaction at saturation: the paid-order worker numbers its whole batch
    # at once (datamodel/invoices.py `issue_all`), so a full batch; None: template.yaml's PaidOrders BatchSize.
    invoices_per_counter_write: int | None = None
    # The layout before issue 14, to compare: the open-orders count on the client profile (one more index write
    # on GSI1 CLIENTS per POST, reject and invoice) and 4 open-orders shards; None: datamodel/keys.py's.
    open_count_on_profile: bool = False
    open_order_shards: int | None = None
    log_kb_per_invocation: float = 1.5  # START/END/REPORT + a few Powertools JSON lines
    access_log_kb_per_request: float = 0.5  # API stage access log line
    xray_sampled: float = 1.0  # fraction traced: default rule is 1/s + 5%, so ~1.0 at low traffic, ~0.05 high
    pdf_downloads_per_order: float = 1.0  # presigned GETs of each invoice PDF
    cold_start_fraction: float = 0.01  # invocations that pay an INIT phase (billed since 2025-08-01)
    init_ms: float = 800.0


# ---- units per operation ----


@dataclass(frozen=True)
class Units:
    rru: float
    wru: float  # base table
    index_wru: float

    @property
    def total_wru(self) -> float:
        return self.wru + self.index_wru


def _kb_units(kb: float, unit_kb: float) -> int:
    return max(1, math.ceil(kb / unit_kb))


def operation_units(
    operation: str, calls: dict[str, int], transact_items: list[int], a: Assumptions,
    batch_get_items: list[int] | None = None,
) -> Units:
    """Read and write request units of one operation from its measured calls; `batch_get_items` holds the
    keys of each BatchGetItem (results.json's `batchGetItems`), needed when the operation made any."""
    batch_get_items = list(batch_get_items or [])
    batch_gets = calls.get("dynamodb.BatchGetItem", 0)
    if len(batch_get_items) != batch_gets or any(keys < 1 for keys in batch_get_items):
        raise ValueError(
            f"{operation}: {batch_gets} BatchGetItem call(s) but key counts {batch_get_items} "
            "(results.json's batchGetItems): cannot price them"
        )
    strong = min(STRONG_GETS.get(operation, 0), calls.get("dynamodb.GetItem", 0))
    eventual = calls.get("dynamodb.GetItem", 0) - strong + sum(batch_get_items)
    read_4kb = _kb_units(a.item_kb, 4)
    rru = strong * read_4kb + eventual * 0.5 * read_4kb
    rru += calls.get("dynamodb.Query", 0) * 0.5 * _kb_units(a.page_items * a.item_kb, 4)
    write_1kb = _kb_units(a.item_kb, 1)
    plain_writes = sum(calls.get(f"dynamodb.{name}", 0) for name in ("PutItem", "UpdateItem", "DeleteItem"))
    wru = plain_writes * write_1kb + 2 * write_1kb * sum(transact_items)
    index = _index_writes(operation, a).total * write_1kb
    return Units(rru, wru, index)


# Where the open-orders count moved when it lived on the client profile (before issue 14): each rewrote the
# profile's GSI1 entry in the CLIENTS partition.
_OPEN_COUNT_MOVES = {
    "POST /clients/{clientId}/orders",
    "POST /clients/{clientId}/orders (currency sent)",
    "POST /clients/{clientId}/orders (Idempotency-Key)",
    "approval: reject",
    "paid-order: invoice",
}


def _index_writes(operation: str, a: Assumptions) -> IndexWrites:
    writes = INDEX_WRITES.get(operation, IndexWrites(0))
    if a.open_count_on_profile and operation in _OPEN_COUNT_MOVES:
        return IndexWrites(writes.total + 1, writes.clients_partition + 1, writes.open_shards, writes.why)
    return writes


def _calls_section(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    section = results.get("sections", {}).get("calls")
    if not section:
        raise ValueError("results have no 'calls' section: run `shop bench` (at least --only calls) first")
    return {figure["name"]: figure.get("detail", {}) for figure in section}


# ---- durations ----


def _median(results: dict[str, Any], section: str, name: str) -> float | None:
    for figure in results.get("sections", {}).get(section, []):
        if figure["name"] == name:
            return float(figure["median"])
    return None


def duration_ms(operation: str, calls: dict[str, int], memory_mb: int, a: Assumptions, render_ms: float) -> float:
    """Billed duration of one record: its AWS calls at LATENCY_MS, plus its Python time scaled to the
    CPU share `memory_mb` buys (below 1,769 MB a function gets a fraction of a vCPU)."""
    io = sum(LATENCY_MS.get(name, 10) * count for name, count in calls.items())
    cpu = a.compute_ms + (render_ms if operation == "paid-order: invoice" else 0.0)
    return io + cpu * max(1.0, a.vcpu_memory_mb / memory_mb)


# ---- the model ----


def memory_sizes() -> dict[str, int]:
    from shoplocal.template import Template

    return {logical_id: function.memory_mb for logical_id, function in Template().functions().items()}


def model(results: dict[str, Any], a: Assumptions | None = None) -> dict[str, Any]:
    """Units, ceilings and cost from a results.json document."""
    a = a or Assumptions()
    memory = a.memory_mb or memory_sizes()
    render_ms = _median(results, "render", "10 line items: time") or a.render_ms
    measured = _calls_section(results)
    operations = {}
    for name, detail in measured.items():
        calls = dict(detail.get("calls", {}))
        units = operation_units(
            name, calls, list(detail.get("transactWriteItems", [])), a, list(detail.get("batchGetItems", []))
        )
        operations[name] = {
            "calls": calls,
            "transactWriteItems": detail.get("transactWriteItems", []),
            "batchGetItems": detail.get("batchGetItems", []),
            "rru": units.rru,
            "wru": units.wru,
            "index_wru": units.index_wru,
            "equal_to_minimum": detail.get("equal"),
            "cost_per_1000_usd": 1000 * _dynamodb_cost(units),
        }
    missing = [name for name in PIPELINE if name not in measured]
    if missing:
        raise ValueError(f"the calls section lacks pipeline operation(s) {missing}")

    durations = {
        name: duration_ms(name, measured[name]["calls"], memory[FUNCTION_OF[name]], a, render_ms) for name in PIPELINE
    }
    return {
        "assumptions": {key: value for key, value in a.__dict__.items() if key != "memory_mb"} | {"memory_mb": memory},
        "render_ms_at_1_vcpu": render_ms,
        "latency_ms": LATENCY_MS,
        "operations": operations,
        "pipeline": {
            "operations": list(PIPELINE),
            "duration_ms": durations,
            "ceilings": ceilings(measured, durations, a),
            "cost_per_1000_orders": order_cost(measured, durations, memory, a),
        },
        "prices": {key: {"usd": p.usd, "per": p.per, "url": p.url} for key, p in PRICES.items()},
        "prices_read": PRICES_READ,
        "limits": {key: {"value": value, "url": url} for key, (value, url) in LIMITS.items()},
    }


def _dynamodb_cost(units: Units) -> float:
    return units.rru * PRICES["dynamodb_rru"].usd + units.total_wru * PRICES["dynamodb_wru"].usd


def ceilings(measured: dict[str, dict[str, Any]], durations: dict[str, float], a: Assumptions) -> dict[str, Any]:
    """Orders/s each limit allows, the binding one first."""
    invoice = measured["paid-order: invoice"]["calls"]
    counter_cycle_ms = LATENCY_MS["dynamodb.GetItem"] + LATENCY_MS["dynamodb.TransactWriteItems"]
    per_write = a.invoices_per_counter_write or paid_order_batch_size()
    write_1kb = _kb_units(a.item_kb, 1)
    per_order_clients = sum(_index_writes(name, a).clients_partition for name in PIPELINE) * write_1kb
    per_order_open = sum(_index_writes(name, a).open_shards for name in PIPELINE) * write_1kb
    from datamodel.keys import OPEN_SHARDS

    OPEN_SHARDS = a.open_order_shards or OPEN_SHARDS  # noqa: N806 - the module constant, or the variant's
    concurrency_s = sum(durations.values()) / 1000
    esm_batches, _ = LIMITS["sqs_esm_max_batches"]
    slowest_worker_s = max(durations["approval: approve"], durations["paid-order: invoice"]) / 1000
    wcu, _ = LIMITS["partition_wcu_per_s"]
    found = {
        "api_stage_throttle": (a.api_rate_limit, "template ApiThrottlingRateLimit (all routes share it; a 429 beyond)"),
        "invoice_counter_serialised": (
            per_write * 1000 / counter_cycle_ms if invoice.get("dynamodb.TransactWriteItems") else math.inf,
            (f"one counter item: each issuer reads it (consistent GetItem) then commits n -> n+k in a transaction "
            f"numbering its whole batch (k = {per_write}, a full batch); an overlapping issuer fails its condition "
            f"(or a TransactionConflict) and retries, so batches are numbered one at a time, one per read + commit "
            f"cycle (~{counter_cycle_ms:g} ms)"),
        ),
        "invoice_counter_wcu": (
            per_write * wcu / (2 * write_1kb),
            f"the counter item's partition: 2 WRU per transactional write, one write per batch of {per_write}",
        ),
        "gsi1_clients_partition": (
            wcu / per_order_clients if per_order_clients else math.inf,
            (f"{per_order_clients} index writes per order on GSI1 PK CLIENTS (the client's open-orders count); a "
            f"throttled GSI partition throttles the table writes behind it"),
        ),
        "gsi2_open_shards": (
            OPEN_SHARDS * wcu / per_order_open if per_order_open else math.inf,
            f"{per_order_open} GSI2 writes per order over {OPEN_SHARDS} OPEN# shards",
        ),
        "account_concurrency": (
            LIMITS["account_concurrency"][0] / concurrency_s,
            (f"1,000 concurrent executions shared by the three functions, {concurrency_s * 1000:.0f} ms of "
            f"execution per order (Little's law)"),
        ),
        "sqs_event_source": (
            # A batch of 10 takes ten records' time, so full batches give esm_batches / (record time) a second.
            esm_batches / slowest_worker_s,
            ("1,000 concurrent batches per event source mapping (reached after "
            f"~{(esm_batches - LIMITS['sqs_esm_start_batches'][0]) / LIMITS['sqs_esm_ramp_per_minute'][0]:.1f} "
            "min of backlog: +300 a minute from 5)"),
        ),
    }
    ordered = sorted(found.items(), key=lambda item: item[1][0])
    return {
        "binding": ordered[0][0],
        "orders_per_second": ordered[0][1][0],
        "all": {name: {"orders_per_second": value, "why": why} for name, (value, why) in ordered},
    }


def paid_order_batch_size() -> int:
    """template.yaml's BatchSize of the paid-order worker's SQS event source."""
    from shoplocal.template import Template

    function = Template().functions()["PaidOrderFunction"]
    return next(int(e["Properties"]["BatchSize"]) for e in function.events.values() if e.get("Type") == "SQS")


def order_cost(measured: dict[str, dict[str, Any]], durations: dict[str, float], memory: dict[str, int], a: Assumptions) -> dict[str, Any]:
    """USD per 1,000 orders through PIPELINE, by service, with the quantities behind each line."""
    n = 1000.0
    invocations = {"OrdersFunction": n, "ApprovalFunction": n / a.batch_fill, "PaidOrderFunction": n / a.batch_fill}
    gb_s = 0.0
    for name in PIPELINE:
        function = FUNCTION_OF[name]
        cold = invocations[function] * a.cold_start_fraction * a.init_ms
        gb_s += (n * durations[name] + cold) / 1000 * memory[function] / 1024
    units = [
        operation_units(
            name, measured[name]["calls"], list(measured[name].get("transactWriteItems", [])), a,
            list(measured[name].get("batchGetItems", [])),
        )
        for name in PIPELINE
    ]
    rru = n * sum(u.rru for u in units)
    wru = n * sum(u.total_wru for u in units)
    calls = {name: sum(measured[op]["calls"].get(name, 0) for op in PIPELINE) for name in ("sqs.SendMessage", "s3.PutObject")}
    # Per queue and message: the send, then the event source's ReceiveMessage and DeleteMessageBatch per batch.
    sqs_requests = n * (calls["sqs.SendMessage"] + 2 * 2 / a.batch_fill)
    api_requests = n
    log_gb = (sum(invocations.values()) * a.log_kb_per_invocation + api_requests * a.access_log_kb_per_request) / 1024 / 1024
    traces = n * 3 * a.xray_sampled  # one trace per API request and per worker invocation chain
    lines = {
        "lambda_requests": (sum(invocations.values()), PRICES["lambda_request"]),
        "lambda_gb_seconds": (gb_s, PRICES["lambda_gb_second_arm64"]),
        "dynamodb_read_units": (rru, PRICES["dynamodb_rru"]),
        "dynamodb_write_units": (wru, PRICES["dynamodb_wru"]),
        "sqs_requests": (sqs_requests, PRICES["sqs_request"]),
        "s3_put": (n * calls["s3.PutObject"], PRICES["s3_put"]),
        "s3_get": (n * a.pdf_downloads_per_order, PRICES["s3_get"]),
        "apigateway_requests": (api_requests, PRICES["apigateway_rest_request"]),
        "cloudwatch_logs_gb": (log_gb, PRICES["cloudwatch_logs_gb"]),
        "xray_traces": (traces, PRICES["xray_trace"]),
    }
    items = {name: {"quantity": quantity, "usd": quantity * price.usd, "price_url": price.url} for name, (quantity, price) in lines.items()}
    return {"lines": items, "total_usd": sum(item["usd"] for item in items.values())}


# ---- output ----


def _fmt_usd(value: float) -> str:
    return f"${value:.4f}" if value < 1 else f"${value:,.2f}"


def render_markdown(m: dict[str, Any]) -> str:
    out = ["### DynamoDB units per operation (measured calls)", "",
           "| operation | calls | RRU | WRU (table) | WRU (indexes) | $ per 1,000 (DynamoDB) |", "|---|---|---|---|---|---|"]
    for name, op in m["operations"].items():
        calls = ", ".join(f"{k.split('.', 1)[1]}×{v}" for k, v in sorted(op["calls"].items())) or "none"
        if op["transactWriteItems"]:
            calls += f" (transaction items {op['transactWriteItems']})"
        if op["batchGetItems"]:
            calls += f" (batch get keys {op['batchGetItems']})"
        out.append(f"| {name} | {calls} | {op['rru']:g} | {op['wru']:g} | {op['index_wru']:g} | {_fmt_usd(op['cost_per_1000_usd'])} |")
    pipeline = m["pipeline"]
    out += ["", "### Ceilings of the order pipeline (orders/s, lowest binds)", "", "| limit | orders/s | why |", "|---|---|---|"]
    for name, ceiling in pipeline["ceilings"]["all"].items():
        out.append(f"| {name} | {ceiling['orders_per_second']:,.0f} | {ceiling['why']} |")
    out += ["", (f"Sustainable: **{pipeline['ceilings']['orders_per_second']:,.0f} orders/s**, bound by "
            f"`{pipeline['ceilings']['binding']}`."), ""]
    durations = ", ".join(f"{name} {ms:.0f} ms" for name, ms in pipeline["duration_ms"].items())
    out += [f"Modelled durations per record: {durations}.", "",
            "### Cost per 1,000 orders (POST to INVOICED)", "", "| item | quantity | USD | price source |", "|---|---|---|---|"]
    for name, line in pipeline["cost_per_1000_orders"]["lines"].items():
        out.append(f"| {name} | {line['quantity']:,.4g} | {_fmt_usd(line['usd'])} | {line['price_url']} |")
    out.append(f"| **total** | | **{_fmt_usd(pipeline['cost_per_1000_orders']['total_usd'])}** | |")
    out += ["", f"Prices: us-east-1, arm64, as published at the URLs above, read {m['prices_read']}."]
    return "\n".join(out) + "\n"


# The layout and numbering before issue 14, modelled from the same measured calls.
BEFORE_ISSUE_14 = {"invoices_per_counter_write": 1, "open_count_on_profile": True, "open_order_shards": 4}


def render_comparison(before: dict[str, Any], now: dict[str, Any]) -> str:
    """Sustainable orders/s (API throttle aside: it is a setting) and cost per 1,000 orders, before and now."""

    def design_bound(m: dict[str, Any]) -> tuple[str, float]:
        ceilings = {k: v for k, v in m["pipeline"]["ceilings"]["all"].items() if k != "api_stage_throttle"}
        name = min(ceilings, key=lambda k: ceilings[k]["orders_per_second"])
        return name, ceilings[name]["orders_per_second"]

    rows = ["### Before and after issue 14 (same measured calls)", "",
            "| layout | sustainable orders/s (API throttle aside) | bound by | $ per 1,000 orders |", "|---|---|---|---|"]
    for label, m in (("before: one invoice per counter write, count on the profile, 4 shards", before), ("now", now)):
        name, rate = design_bound(m)
        rows.append(f"| {label} | {rate:,.0f} | `{name}` | {_fmt_usd(m['pipeline']['cost_per_1000_orders']['total_usd'])} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shoplocal.bench.cost", description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, nargs="?", default=Path("bench/results.json"))
    parser.add_argument("--json", action="store_true", help="print the whole model as JSON")
    parser.add_argument("--batch-fill", type=float, default=1.0, help="messages per worker invocation (1..10)")
    parser.add_argument("--item-kb", type=float, default=1.0, help="size of the items written and read")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text())
    assumed = replace(Assumptions(), batch_fill=args.batch_fill, item_kb=args.item_kb)
    try:
        m = model(results, assumed)
        before = model(results, replace(assumed, **BEFORE_ISSUE_14))
    except ValueError as error:
        print(f"cost: {error}", file=sys.stderr)
        return 2
    print(json.dumps(m, indent=2, default=str) if args.json else render_markdown(m) + "\n" + render_comparison(before, m))
    return 0


if __name__ == "__main__":
    sys.exit(main())
