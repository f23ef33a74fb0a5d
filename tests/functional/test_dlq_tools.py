"""DLQ tooling (`shop dlq list|redrive`, logic in shoplocal/ops.py) and the commands' way of finding the
local stack, against the moto server of this test process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import boto3
import pytest

from domain import messages
from domain.clock import utc_now
from domain.ids import new_id
from shoplocal import cli, ops
from tests.sqs_events import delete, receive

sqs = boto3.client("sqs")


@pytest.fixture
def queue_with_dlq():
    """A source queue of its own whose messages reach its DLQ after one receive: (source url, dlq url)."""
    name = uuid.uuid4().hex[:12]
    dlq = sqs.create_queue(QueueName=f"dlq-{name}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    source = sqs.create_queue(QueueName=f"src-{name}", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    yield source, dlq
    sqs.delete_queue(QueueUrl=source)
    sqs.delete_queue(QueueUrl=dlq)


def dead_letter(source: str, body: str, **attributes) -> str:
    """Send `body` to `source` and fail it once, so that SQS moves it to the DLQ. Returns its message id."""
    message_id = sqs.send_message(QueueUrl=source, MessageBody=body, **attributes)["MessageId"]
    [received] = sqs.receive_message(QueueUrl=source, VisibilityTimeout=0).get("Messages", [])
    assert received["MessageId"] == message_id
    assert sqs.receive_message(QueueUrl=source, VisibilityTimeout=0).get("Messages") is None  # moved on
    return message_id


def visible(url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


POISON = "not json \x1b[2J jane.doe@example.com card 4111 1111 1111 1111"


# ---- list ----


def test_listing_shows_id_receives_sent_time_and_order_reference_and_leaves_messages_in_the_dlq(queue_with_dlq):
    # GIVEN an order message and a poison message, each failed once into the DLQ
    source, dlq = queue_with_dlq
    client_id, order_id = new_id(), new_id()
    before = utc_now() - timedelta(seconds=5)
    good = dead_letter(source, messages.body(client_id, order_id))
    bad = dead_letter(source, POISON)

    # WHEN listed
    letters = {letter.message_id: letter for letter in ops.list_dead_letters(sqs, dlq, limit=10)}

    # THEN both are described (receives before the listing, sent time) and both are still in the DLQ
    assert set(letters) == {good, bad}
    assert all(letter.receives == 1 for letter in letters.values())
    for letter in letters.values():
        sent = datetime.fromisoformat(letter.sent_at)
        assert before <= sent <= utc_now()
    assert ops.describe_body(letters[good].body) == f"client {client_id} order {order_id}"
    assert visible(dlq) == 2


def test_listing_stops_at_the_limit(queue_with_dlq):
    source, dlq = queue_with_dlq
    for _ in range(3):
        dead_letter(source, messages.body(new_id(), new_id()))

    assert len(ops.list_dead_letters(sqs, dlq, limit=2)) == 2
    assert visible(dlq) == 3


def test_a_body_that_is_not_an_order_reference_is_described_never_printed():
    described = ops.describe_body(POISON)

    assert "jane" not in described and "4111" not in described and "\x1b" not in described
    assert described.startswith("not an order reference (body is not JSON;")


def test_preview_is_short_and_escapes_control_and_non_ascii_characters():
    preview = ops.describe_body("\x1b[2J\u202e\U0001f600 secret tail " + "x" * 100, preview=True)

    assert "\x1b" not in preview and "\u202e" not in preview and "\U0001f600" not in preview
    assert '"\\x1b[2J\\u202e\\U0001f600 secret tail xxxxx"...' in preview
    assert preview.isascii() and preview.isprintable()


# ---- redrive ----


def test_redrive_moves_every_message_back_to_its_source_queue_unchanged(queue_with_dlq):
    # GIVEN two messages in the DLQ, one with a message attribute
    source, dlq = queue_with_dlq
    first, second = messages.body(new_id(), new_id()), messages.body(new_id(), new_id())
    dead_letter(source, first, MessageAttributes={"trace": {"DataType": "String", "StringValue": "abc"}})
    dead_letter(source, second)

    # WHEN moved back
    result = ops.move_dead_letters(sqs, dlq, source)

    # THEN the DLQ is empty and the source queue holds the same bodies (and attributes) again
    assert len(result.moved) == 2 and result.failed == []
    assert visible(dlq) == 0
    back = sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, MessageAttributeNames=["All"])["Messages"]
    assert sorted(m["Body"] for m in back) == sorted([first, second])
    [traced] = [m for m in back if m["Body"] == first]
    assert traced["MessageAttributes"]["trace"]["StringValue"] == "abc"


def test_redrive_moves_at_most_the_limit(queue_with_dlq):
    source, dlq = queue_with_dlq
    for _ in range(3):
        dead_letter(source, messages.body(new_id(), new_id()))

    result = ops.move_dead_letters(sqs, dlq, source, limit=2)

    assert len(result.moved) == 2 and visible(dlq) == 1 and visible(source) == 2


def test_redrive_of_an_empty_dlq_moves_nothing(queue_with_dlq):
    source, dlq = queue_with_dlq

    assert ops.move_dead_letters(sqs, dlq, source) == ops.MoveResult([], [])


def test_each_cli_queue_names_its_dlq_as_template_yaml_wires_it(template):
    assert {name: ops.dead_letter_queue(logical_id, template) for name, logical_id in ops.QUEUES.items()} == {
        "orders": "OrdersDeadLetterQueue",
        "paid-orders": "PaidOrdersDeadLetterQueue",
    }


# ---- the commands against the stack of this process ----


@pytest.fixture
def stack_file(tmp_path: Path, emulator, stack) -> Path:
    """A ready file as `shop run` writes it, for the stack of this test process."""
    path = tmp_path / "stack.json"
    path.write_text(json.dumps({"moto": emulator.url, "resources": stack.physical_ids, "pid": os.getpid()}))
    return path


def shop(*argv: str) -> int:
    with mock.patch.dict(os.environ):  # the commands export the stack's variables; keep this process's
        return cli.main(list(argv))


def test_shop_dlq_list_and_redrive_move_a_dead_letter_back_to_the_orders_queue(stack_file, stack, capsys):
    # GIVEN an order message in the template's orders DLQ
    client_id, order_id = new_id(), new_id()
    body = messages.body(client_id, order_id)
    dlq, source = stack.physical_ids["OrdersDeadLetterQueue"], stack.physical_ids["OrdersQueue"]
    message_id = sqs.send_message(QueueUrl=dlq, MessageBody=body)["MessageId"]

    # WHEN listed, then re-driven
    assert shop("dlq", "list", "--queue", "orders", "--stack-file", str(stack_file)) == 0
    listing = capsys.readouterr().out
    assert shop("dlq", "redrive", "--queue", "orders", "--yes", "--stack-file", str(stack_file)) == 0
    moved = capsys.readouterr().out

    # THEN the listing named it by its order reference, and it is back on the orders queue
    [line] = [line for line in listing.splitlines() if message_id in line]
    assert f"client {client_id} order {order_id}" in line
    assert "moved 1 messages from the orders DLQ back to the orders queue" in moved
    back = receive(sqs, source, lambda m: m["Body"] == body, 1)
    delete(sqs, source, back)


def test_shop_dlq_list_finds_the_stack_through_its_moto_endpoint(emulator, capsys):
    assert shop("dlq", "list", "--endpoint", emulator.url) == 0

    out = capsys.readouterr().out
    assert "orders DLQ:" in out and "paid-orders DLQ:" in out


def test_shop_orders_redrive_dry_run_lists_a_stuck_order_and_sends_nothing(stack_file, capsys):
    from datamodel import clients, orders
    from datamodel.clients import ClientFields
    from tests.functional.test_redrive import age, minutes_ago

    client_id = clients.create(ClientFields("Acme", f"o-{uuid.uuid4().hex[:10]}@example.com", 100_000, "USD")).client_id
    order_id = new_id()
    orders.place(client_id, order_id, [orders.Line("W-1", "Widget", 1, 500)], "USD", 500)
    age(client_id, order_id, minutes_ago(20))

    assert shop("orders", "redrive", "--older-than", "600", "--dry-run", "--stack-file", str(stack_file)) == 0

    out = capsys.readouterr().out
    [line] = [line for line in out.splitlines() if order_id in line]
    assert line.startswith("PENDING") and "would re-send to orders" in line and client_id in line
    assert "stuck orders not updated since" in out.splitlines()[-1]


# ---- no stack ----


def finished_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.parametrize("command", [["dlq", "list"], ["dlq", "redrive"], ["orders", "redrive"]])
def test_commands_say_in_one_line_that_no_stack_file_exists_and_exit_2(tmp_path, capsys, command):
    assert shop(*command, "--stack-file", str(tmp_path / "missing.json")) == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"shop: no local stack: {tmp_path / 'missing.json'} not found (start one with `shop run`)"]


def test_a_stack_file_left_by_a_stopped_stack_exits_2(tmp_path, emulator, stack, capsys):
    path = tmp_path / "stack.json"
    path.write_text(json.dumps({"moto": emulator.url, "resources": stack.physical_ids, "pid": finished_pid()}))

    assert shop("dlq", "list", "--stack-file", str(path)) == 2

    [line] = capsys.readouterr().err.strip().splitlines()
    assert "is not running" in line


def test_an_endpoint_where_nothing_answers_exits_2_quickly(capsys):
    from shoplocal.emulator import free_port

    started = time.monotonic()
    assert shop("dlq", "list", "--endpoint", f"http://127.0.0.1:{free_port()}") == 2

    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("shop: the local stack is not running: nothing answers at http://127.0.0.1:")
    assert time.monotonic() - started < 15
