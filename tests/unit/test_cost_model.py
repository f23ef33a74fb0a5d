"""shoplocal.bench.cost: request units, ceilings and cost from a results.json with known calls.

Expected figures are worked out by hand from the pricing rules, not by calling the model twice.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from shoplocal.bench import cost
from shoplocal.bench.cost import Assumptions, model, operation_units

MEMORY = {"OrdersFunction": 512, "ApprovalFunction": 512, "PaidOrderFunction": 1024}


def _figure(name: str, calls: dict[str, int], transact: list[int] | None = None, batch_get: list[int] | None = None) -> dict:
    detail = {"calls": calls, "equal": True}
    if transact:
        detail["transactWriteItems"] = transact
    if batch_get:
        detail["batchGetItems"] = batch_get
    return {"name": name, "unit": "calls", "samples": [sum(calls.values())], "median": sum(calls.values()), "detail": detail}


def results_fixture() -> dict:
    """A results.json as `shop bench` writes it, with the calls section only (plus a render figure)."""
    return {
        "machine": {"python": "3.11"},
        "started": "2026-01-01T00:00:00Z",
        "repetitions": 3,
        "smoke": False,
        "sections": {
            "calls": [
                _figure("GET /clients/{clientId}", {"dynamodb.GetItem": 1}),
                _figure("GET /clients/{clientId}/orders", {"dynamodb.Query": 1}),
                _figure("POST /clients", {"dynamodb.TransactWriteItems": 1}, [2]),
                _figure(
                    "POST /clients/{clientId}/orders",
                    {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1, "sqs.SendMessage": 1},
                    [2],
                ),
                _figure(
                    "approval: approve",
                    {"dynamodb.BatchGetItem": 1, "dynamodb.UpdateItem": 1, "sqs.SendMessage": 1},
                    batch_get=[2],
                ),
                _figure(
                    "paid-order: invoice",
                    {"dynamodb.BatchGetItem": 1, "dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1,
                     "s3.PutObject": 1},
                    [4],
                    [2],
                ),
            ],
            "render": [{"name": "10 line items: time", "unit": "ms", "samples": [30.0], "median": 30.0}],
        },
        "missing": [],
    }


def assumptions(**changes) -> Assumptions:
    return replace(Assumptions(memory_mb=MEMORY), **changes)


# ---- units ----


def test_an_eventually_consistent_get_of_a_small_item_costs_half_a_read_unit():
    units = operation_units("GET /clients/{clientId}", {"dynamodb.GetItem": 1}, [], assumptions())

    assert (units.rru, units.wru, units.index_wru) == (0.5, 0, 0)


def test_the_invoice_counter_read_is_strongly_consistent_and_costs_a_full_read_unit():
    # GIVEN the invoice operation: order and client in an eventually consistent batch get, the counter strongly
    units = operation_units(
        "paid-order: invoice", {"dynamodb.BatchGetItem": 1, "dynamodb.GetItem": 1}, [], assumptions(), [2]
    )

    # THEN 0.5 + 0.5 + 1
    assert units.rru == 2.0


def test_a_batch_get_costs_half_a_read_unit_per_key_as_the_gets_it_replaces():
    # GIVEN the approval's read: one BatchGetItem of order and client, against the two GetItems it replaces
    batch = operation_units("approval: approve", {"dynamodb.BatchGetItem": 1}, [], assumptions(), [2])
    gets = operation_units("approval: approve", {"dynamodb.GetItem": 2}, [], assumptions())

    # THEN the same 2 x 0.5 RRU: a batch saves calls, not units
    assert batch.rru == gets.rru == 1.0


def test_a_batch_get_prices_every_call_of_its_unprocessed_keys_loop():
    # GIVEN a batch get whose client key came back unprocessed once: a second call asked for it alone
    units = operation_units("approval: approve", {"dynamodb.BatchGetItem": 2}, [], assumptions(), [2, 1])

    # THEN three keys read, 0.5 RRU each
    assert units.rru == 1.5


def test_batch_get_keys_over_4_kb_round_up_per_item():
    # GIVEN 5 KB items: each key is two 4 KB blocks
    units = operation_units("approval: approve", {"dynamodb.BatchGetItem": 1}, [], assumptions(item_kb=5), [2])

    # THEN 2 keys x 2 blocks x 0.5
    assert units.rru == 2.0


def test_batch_gets_without_their_key_counts_are_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="BatchGetItem"):
        operation_units("approval: approve", {"dynamodb.BatchGetItem": 1}, [], assumptions())

    results = results_fixture()
    approve = next(f for f in results["sections"]["calls"] if f["name"] == "approval: approve")
    del approve["detail"]["batchGetItems"]
    with pytest.raises(ValueError, match="approval: approve"):
        model(results, assumptions())


def test_a_transactional_write_costs_two_write_units_per_item_and_index_writes_one_each():
    # GIVEN the invoicing transaction of 4 items (counter, invoice entry, order, client's open-orders item)
    units = operation_units("paid-order: invoice", {"dynamodb.TransactWriteItems": 1}, [4], assumptions())

    # THEN 2 WRU x 4 items on the table, and 3 index writes (GSI1 status twice, GSI2 out; the open-orders item
    # is in no index)
    assert units.wru == 8
    assert units.index_wru == 3
    assert units.total_wru == 11


def test_a_plain_update_costs_one_write_unit_per_kilobyte():
    units = operation_units("approval: approve", {"dynamodb.UpdateItem": 1}, [], assumptions())

    assert units.wru == 1
    assert units.index_wru == 4  # status and updatedAt keys both change: delete + put on GSI1 and GSI2


def test_items_over_a_kilobyte_round_up_for_writes_and_over_4_kb_for_reads():
    # GIVEN 2.5 KB items
    a = assumptions(item_kb=2.5)

    # WHEN a 2-item transaction and one eventually consistent read are priced
    units = operation_units("POST /clients/{clientId}/orders", {"dynamodb.GetItem": 1, "dynamodb.TransactWriteItems": 1}, [2], a)

    # THEN each item is 3 KB of writes (x2 transactional), the read one 4 KB block at half a unit
    assert units.wru == 2 * 3 * 2
    assert units.index_wru == 2 * 3
    assert units.rru == 0.5


def test_a_query_page_costs_half_a_read_unit_per_4_kb_read():
    # GIVEN a page of 20 items of 1 KB: 20 KB read, 5 blocks of 4 KB
    units = operation_units("GET /clients/{clientId}/orders", {"dynamodb.Query": 1}, [], assumptions(page_items=20))

    assert units.rru == 2.5


# ---- the model from results.json ----


def test_dynamodb_cost_per_1000_orders_follows_the_on_demand_prices():
    # GIVEN POST (0.5 RRU; 4 WRU + 2 index), approve (1 RRU; 1 WRU + 4 index), invoice (2 RRU; 8 WRU + 3 index)
    m = model(results_fixture(), assumptions())

    lines = m["pipeline"]["cost_per_1000_orders"]["lines"]
    # THEN 3.5 RRU and 22 WRU an order, at $0.125 and $0.625 per million
    assert lines["dynamodb_read_units"]["quantity"] == pytest.approx(3500)
    assert lines["dynamodb_read_units"]["usd"] == pytest.approx(3500 * 0.125e-6)
    assert lines["dynamodb_write_units"]["quantity"] == pytest.approx(22000)
    assert lines["dynamodb_write_units"]["usd"] == pytest.approx(22000 * 0.625e-6)


def test_sqs_requests_count_sends_and_the_event_sources_receives_and_deletes_per_batch():
    # GIVEN two sends an order (orders queue, paid-orders queue)
    one_per_batch = model(results_fixture(), assumptions(batch_fill=1))["pipeline"]["cost_per_1000_orders"]["lines"]
    full_batches = model(results_fixture(), assumptions(batch_fill=10))["pipeline"]["cost_per_1000_orders"]["lines"]

    # THEN 2 sends + (receive + delete) x 2 queues per batch
    assert one_per_batch["sqs_requests"]["quantity"] == pytest.approx(6000)
    assert one_per_batch["sqs_requests"]["usd"] == pytest.approx(6000 * 0.40e-6)
    assert full_batches["sqs_requests"]["quantity"] == pytest.approx(2400)


def test_lambda_duration_is_the_calls_latency_plus_cpu_time_scaled_to_the_memory_share():
    # GIVEN approve: 1 BatchGetItem (6 ms), 1 UpdateItem (7 ms), 1 SendMessage (10 ms); 5 ms CPU at 1 vCPU
    ms = cost.duration_ms("approval: approve", {"dynamodb.BatchGetItem": 1, "dynamodb.UpdateItem": 1, "sqs.SendMessage": 1}, 512, assumptions(), 0.0)

    # THEN 23 ms of calls + 5 ms x 1769/512
    assert ms == pytest.approx(23 + 5 * 1769 / 512)


def test_the_invoice_duration_includes_the_measured_render_time():
    m = model(results_fixture(), assumptions())

    # GIVEN the render section's 30 ms at the 1,024 MB paid-order worker
    invoice_ms = m["pipeline"]["duration_ms"]["paid-order: invoice"]
    # THEN 1 BatchGetItem (6) + 1 GetItem (5) + 1 transaction (20) + 1 PutObject (40) = 71 ms, plus (5 + 30) ms
    # x 1769/1024
    assert invoice_ms == pytest.approx(71 + 35 * 1769 / 1024)


def test_lambda_gb_seconds_use_each_functions_memory():
    a = assumptions(cold_start_fraction=0.0)
    m = model(results_fixture(), a)

    d = m["pipeline"]["duration_ms"]
    expected = 1000 * (d["POST /clients/{clientId}/orders"] * 0.5 + d["approval: approve"] * 0.5 + d["paid-order: invoice"] * 1.0) / 1000
    lines = m["pipeline"]["cost_per_1000_orders"]["lines"]
    assert lines["lambda_gb_seconds"]["quantity"] == pytest.approx(expected)
    assert lines["lambda_requests"]["quantity"] == 3000


def test_one_invoice_per_counter_write_would_bind_the_pipeline_at_40_orders_a_second():
    # GIVEN a higher API throttle, so the data layer's ceilings show, and one invoice numbered per transaction
    m = model(results_fixture(), assumptions(api_rate_limit=10_000, invoices_per_counter_write=1))

    ceilings = m["pipeline"]["ceilings"]
    # THEN one read (5 ms) + one transaction (20 ms) per number: 40 invoices/s, below 1,000 WCU / 2
    assert ceilings["binding"] == "invoice_counter_serialised"
    assert ceilings["orders_per_second"] == pytest.approx(40)
    assert ceilings["all"]["invoice_counter_wcu"]["orders_per_second"] == pytest.approx(500)


def test_numbering_a_batch_per_counter_write_lifts_the_counters_ceiling_by_the_batch_size():
    # GIVEN the template's paid-order batch (the worker numbers a whole batch in one transaction)
    m = model(results_fixture(), assumptions(api_rate_limit=10_000))

    ceilings = m["pipeline"]["ceilings"]["all"]
    batch = cost.paid_order_batch_size()
    # THEN the counter allows batch x 40 orders/s and binds, above 1,000 orders/s; the order path writes nothing
    # to GSI1 CLIENTS (the open-orders count is an item in no index)
    assert batch == 30
    assert ceilings["invoice_counter_serialised"]["orders_per_second"] == pytest.approx(40 * batch)
    assert ceilings["invoice_counter_wcu"]["orders_per_second"] == pytest.approx(500 * batch)
    assert ceilings["gsi1_clients_partition"]["orders_per_second"] == float("inf")
    assert m["pipeline"]["ceilings"]["binding"] == "invoice_counter_serialised"
    assert m["pipeline"]["ceilings"]["orders_per_second"] >= 1000


def test_the_default_api_throttle_is_reported_with_the_other_ceilings():
    m = model(results_fixture(), assumptions())

    assert m["pipeline"]["ceilings"]["all"]["api_stage_throttle"]["orders_per_second"] == 50


def test_every_cost_line_names_its_published_price():
    m = model(results_fixture(), assumptions())

    for line in m["pipeline"]["cost_per_1000_orders"]["lines"].values():
        assert line["price_url"].startswith("https://aws.amazon.com/")
    total = m["pipeline"]["cost_per_1000_orders"]["total_usd"]
    assert total == pytest.approx(sum(line["usd"] for line in m["pipeline"]["cost_per_1000_orders"]["lines"].values()))


def test_results_without_a_calls_section_are_refused():
    results = results_fixture()
    del results["sections"]["calls"]

    with pytest.raises(ValueError, match="calls"):
        model(results, assumptions())


def test_results_without_a_pipeline_operation_are_refused():
    results = results_fixture()
    results["sections"]["calls"] = [f for f in results["sections"]["calls"] if f["name"] != "approval: approve"]

    with pytest.raises(ValueError, match="approval: approve"):
        model(results, assumptions())


def test_the_command_prints_the_tables_from_a_results_file(tmp_path, capsys):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results_fixture()))

    assert cost.main([str(path)]) == 0

    out = capsys.readouterr().out
    assert "| paid-order: invoice | BatchGetItem×1, GetItem×1, TransactWriteItems×1, PutObject×1 " in out
    assert "(batch get keys [2])" in out
    assert "bound by `api_stage_throttle`" in out
    assert "https://aws.amazon.com/dynamodb/pricing/on-demand/" in out


def test_the_command_fails_clearly_without_a_calls_section(tmp_path, capsys):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"sections": {}}))

    assert cost.main([str(path)]) == 2
    assert "calls" in capsys.readouterr().err


def test_the_layout_before_issue_14_bound_the_pipeline_at_40_orders_a_second_and_now_above_1000():
    # GIVEN the same measured calls, modelled with the layout before issue 14 and with today's
    before = model(results_fixture(), assumptions(api_rate_limit=10_000, **cost.BEFORE_ISSUE_14))
    now = model(results_fixture(), assumptions(api_rate_limit=10_000))

    # THEN before: one invoice per counter write bound it at 40/s, GSI1 CLIENTS took 2 writes an order (500/s)
    # and 4 open-order shards allowed 1,000/s; now: no design limit below 1,000/s
    all_before = before["pipeline"]["ceilings"]["all"]
    assert before["pipeline"]["ceilings"]["binding"] == "invoice_counter_serialised"
    assert before["pipeline"]["ceilings"]["orders_per_second"] == pytest.approx(40)
    assert all_before["gsi1_clients_partition"]["orders_per_second"] == pytest.approx(500)
    assert all_before["gsi2_open_shards"]["orders_per_second"] == pytest.approx(1000)
    assert now["pipeline"]["ceilings"]["orders_per_second"] > 1000
    # AND the comparison prints both
    table = cost.render_comparison(before, now)
    assert "| now | 1,200 | `invoice_counter_serialised` |" in table and "| 40 | `invoice_counter_serialised` |" in table
