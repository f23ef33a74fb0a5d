"""The operations commands against a stack named by its CloudFormation outputs (`--stack`, shoplocal/ops.py),
the order lookup, and the rule that commands changing data are confirmed first; against the stack this test
process provisioned on its moto server (CloudFormation stack `shop`, as `shop run` names its own)."""

from __future__ import annotations

import io
import json
import os
import sys
import uuid
from unittest import mock

import boto3
import pytest

from datamodel import clients, orders
from datamodel.clients import ClientFields
from domain import messages
from domain.ids import new_id
from shoplocal import cli, ops
from tests.sqs_events import delete, receive

sqs = boto3.client("sqs")
cloudformation = boto3.client("cloudformation")


def shop(*argv: str) -> int:
    with mock.patch.dict(os.environ):  # the commands export the stack's variables; keep this process's
        return cli.main(list(argv))


def waiting(url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


class Terminal(io.StringIO):
    """Standard input that is a terminal, with the operator's answer already typed."""

    def isatty(self) -> bool:
        return True


# ---- outputs -> resources ----


def test_the_local_stacks_outputs_name_the_same_resources_it_provisioned(emulator, stack):
    found = ops.stack_from_outputs(ops.STACK_NAME, emulator.url)

    assert found.resources == {logical_id: stack.physical_ids[logical_id] for logical_id in ops.OUTPUTS.values()}
    assert found.local and found.name == "shop" and found.label == "the local stack"


def test_every_output_the_commands_read_is_a_ref_of_its_resource_in_template_yaml(template):
    outputs = template.body["Outputs"]

    assert {key: outputs[key]["Value"] for key in ops.OUTPUTS} == {
        key: {"Ref": logical_id} for key, logical_id in ops.OUTPUTS.items()
    }


def test_outputs_become_the_resource_map_of_the_commands():
    outputs = [{"OutputKey": key, "OutputValue": f"value-of-{key}"} for key in ops.OUTPUTS]
    outputs.append({"OutputKey": "ApiUrl", "OutputValue": "https://api.example"})

    resources = ops.resources_from_outputs("shop-prod", outputs)

    assert resources["Table"] == "value-of-TableName"
    assert resources["OrdersDeadLetterQueue"] == "value-of-OrdersDeadLetterQueueUrl"
    assert set(resources) == set(ops.OUTPUTS.values())


def test_a_missing_output_is_a_clear_error_naming_it():
    outputs = [{"OutputKey": key, "OutputValue": "x"} for key in ops.OUTPUTS if key != "PaidOrdersDeadLetterQueueUrl"]

    with pytest.raises(ops.StackUnavailable) as raised:
        ops.resources_from_outputs("shop-prod", outputs)

    assert str(raised.value) == (
        "stack shop-prod has no output PaidOrdersDeadLetterQueueUrl: is it deployed from this template.yaml?"
    )


def test_a_stack_without_the_outputs_exits_2_naming_them(emulator, capsys):
    # GIVEN a stack on the moto server with a queue and only one of the outputs
    name = f"partial-{uuid.uuid4().hex[:8]}"
    body = {
        "Resources": {"OrdersQueue": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {"OrdersQueueUrl": {"Value": {"Ref": "OrdersQueue"}}},
    }
    cloudformation.create_stack(StackName=name, TemplateBody=json.dumps(body))
    try:
        # WHEN a command names it
        status = shop("dlq", "list", "--stack", name, "--endpoint", emulator.url)
    finally:
        cloudformation.delete_stack(StackName=name)

    # THEN it says which outputs are missing, and reads nothing
    assert status == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"shop: stack {name} has no output TableName, InvoiceBucketName, PaidOrdersQueueUrl,")


def test_an_unknown_stack_name_exits_2_in_one_line(emulator, capsys):
    assert shop("dlq", "list", "--stack", "no-such-stack", "--endpoint", emulator.url) == 2

    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"shop: no stack no-such-stack on {emulator.url}: ")


def test_a_deployed_stack_uses_the_shells_region_and_credentials_and_no_endpoint_of_its_own(monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    deployed = ops.OpsStack(None, {"Table": "t", "OrdersQueue": "q", "PaidOrdersQueue": "p"}, "shop-prod", "eu-west-1")

    assert deployed.client("sqs").meta.endpoint_url == "https://sqs.eu-west-1.amazonaws.com"
    assert deployed.label == "stack shop-prod (eu-west-1)"
    environment = deployed.environment()
    assert environment["AWS_REGION"] == "eu-west-1" and environment["TABLE_NAME"] == "t"
    assert not {"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} & set(environment)


def test_a_deployed_stack_without_a_region_is_a_clear_error(monkeypatch, tmp_path):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))

    with pytest.raises(ops.StackUnavailable, match="no AWS region for stack shop-prod: set AWS_REGION"):
        ops.stack_from_outputs("shop-prod")


def test_shop_stack_names_the_stack_when_no_option_does(monkeypatch):
    seen = []
    monkeypatch.setattr(ops, "load_stack", lambda *args: seen.append(args))
    monkeypatch.setenv(ops.STACK_VARIABLE, "shop-prod")
    parser = cli.build_parser()

    ops.stack_of(parser.parse_args(["dlq", "list"]))
    ops.stack_of(parser.parse_args(["dlq", "list", "--stack", "shop-test"]))
    ops.stack_of(parser.parse_args(["dlq", "list", "--endpoint", "http://127.0.0.1:5000"]))

    assert seen == [
        (None, None, "shop-prod"),
        (None, None, "shop-test"),
        (None, "http://127.0.0.1:5000", None),  # the local stack on that server, not SHOP_STACK's
    ]


def test_a_stack_name_and_a_stack_file_together_are_refused(tmp_path, capsys):
    assert shop("dlq", "list", "--stack", "shop-prod", "--stack-file", str(tmp_path / "stack.json")) == 2

    assert "give it or --stack, not both" in capsys.readouterr().err


# ---- the commands through the outputs ----


def test_dlq_list_and_redrive_through_the_stacks_outputs(emulator, stack, capsys):
    # GIVEN an order message in the paid-orders DLQ
    client_id, order_id = new_id(), new_id()
    body = messages.body(client_id, order_id)
    dlq, source = stack.physical_ids["PaidOrdersDeadLetterQueue"], stack.physical_ids["PaidOrdersQueue"]
    message_id = sqs.send_message(QueueUrl=dlq, MessageBody=body)["MessageId"]
    where = ("--stack", "shop", "--endpoint", emulator.url)

    # WHEN listed and re-driven, naming the stack
    assert shop("dlq", "list", "--queue", "paid-orders", *where) == 0
    listing = capsys.readouterr().out
    assert shop("dlq", "redrive", "--queue", "paid-orders", "--yes", *where) == 0
    moved = capsys.readouterr().out

    # THEN it was listed by its order reference and is back on the paid-orders queue
    [line] = [line for line in listing.splitlines() if message_id in line]
    assert f"client {client_id} order {order_id}" in line
    assert "moved 1 messages from the paid-orders DLQ back to the paid-orders queue" in moved
    delete(sqs, source, receive(sqs, source, lambda m: m["Body"] == body, 1))


def new_order() -> tuple[str, str, str]:
    """A client and a PENDING order of it: (client id, order id, the client's email)."""
    email = f"ops-{uuid.uuid4().hex[:10]}@example.com"
    client_id = clients.create(ClientFields("Jane Doe Ltd", email, 100_000, "USD")).client_id
    order_id = new_id()
    orders.place(client_id, order_id, [orders.Line("W-1", "Widget", 1, 500)], "USD", 500)
    return client_id, order_id, email


def test_orders_get_shows_the_orders_state_by_ids_only(emulator, capsys):
    client_id, order_id, email = new_order()
    order = orders.get(client_id, order_id)
    assert orders.approve(order)

    assert shop("orders", "get", client_id, order_id, "--stack", "shop", "--endpoint", emulator.url) == 0

    out = capsys.readouterr().out
    fields = dict(line.split(maxsplit=1) for line in out.splitlines())
    record = orders.get(client_id, order_id)
    assert fields == {
        "order": order_id,
        "client": client_id,
        "status": "APPROVED",
        "created": record.created_at,
        "approved": record.approved_at,
        "updated": record.updated_at,
        "invoice": "-",
        "rejection": "-",
    }
    assert email not in out and "Jane" not in out


def test_orders_get_of_an_unknown_order_exits_1(emulator, capsys):
    client_id, _, _ = new_order()
    missing = new_id()

    assert shop("orders", "get", client_id, missing, "--endpoint", emulator.url) == 1

    assert f"no order \"{missing}\" of client \"{client_id}\" in the local stack" in capsys.readouterr().err


# ---- confirming changes ----


def test_confirm_goes_ahead_with_yes_without_asking():
    answers = Terminal("n\n")

    assert ops.confirm("Move 3 messages?", yes=True, stdin=answers)
    assert answers.tell() == 0


@pytest.mark.parametrize(("typed", "expected"), [("y\n", True), ("YES\n", True), ("n\n", False), ("\n", False), ("", False)])
def test_confirm_asks_on_a_terminal_and_only_y_goes_ahead(typed, expected):
    prompt = io.StringIO()

    assert ops.confirm("Move 3 messages?", yes=False, stdin=Terminal(typed), prompt_to=prompt) is expected
    assert prompt.getvalue() == "Move 3 messages? [y/N] "


def test_confirm_without_a_terminal_refuses_rather_than_wait():
    with pytest.raises(ops.Unconfirmed):
        ops.confirm("Move 3 messages?", yes=False, stdin=io.StringIO("y\n"))


def take(url: str, body: str) -> None:
    """Delete the message with this body from the queue, if it is there."""
    try:
        delete(sqs, url, receive(sqs, url, lambda m: m["Body"] == body, 1, timeout_s=1))
    except AssertionError:
        pass


@pytest.fixture
def dead_letter(stack):
    """An order message in the orders DLQ; removed from wherever it ends up."""
    body = messages.body(new_id(), new_id())
    dlq, source = stack.physical_ids["OrdersDeadLetterQueue"], stack.physical_ids["OrdersQueue"]
    sqs.send_message(QueueUrl=dlq, MessageBody=body)
    yield body, dlq, source
    take(dlq, body)
    take(source, body)


def test_dlq_redrive_without_yes_and_without_a_terminal_changes_nothing(emulator, dead_letter, capsys):
    body, dlq, source = dead_letter
    before = waiting(dlq), waiting(source)

    status = shop("dlq", "redrive", "--queue", "orders", "--endpoint", emulator.url)

    assert status == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("shop: nothing changed: Move ") and line.endswith(
        "needs confirming, and there is no terminal to ask on (pass --yes to go ahead)"
    )
    assert (waiting(dlq), waiting(source)) == before


@pytest.mark.parametrize(("typed", "status", "moved"), [("n\n", 1, False), ("y\n", 0, True)])
def test_dlq_redrive_on_a_terminal_moves_only_once_confirmed(
    emulator, dead_letter, monkeypatch, capsys, typed, status, moved
):
    body, dlq, source = dead_letter
    before = waiting(dlq)
    monkeypatch.setattr(sys, "stdin", Terminal(typed))

    assert shop("dlq", "redrive", "--queue", "orders", "--endpoint", emulator.url) == status

    err = capsys.readouterr().err
    assert f"Move {before} messages from the orders DLQ back to the orders queue of the local stack? [y/N]" in err
    assert waiting(dlq) == (0 if moved else before)


@pytest.fixture
def own_queues(tmp_path, emulator, stack):
    """A ready file for this process's stack whose two work queues are fresh ones (a real redrive re-sends
    every stuck order of the shared table): (stack file, orders queue url)."""
    name = uuid.uuid4().hex[:12]
    queues = {
        "OrdersQueue": sqs.create_queue(QueueName=f"ops-orders-{name}")["QueueUrl"],
        "PaidOrdersQueue": sqs.create_queue(QueueName=f"ops-paid-{name}")["QueueUrl"],
    }
    path = tmp_path / "stack.json"
    path.write_text(json.dumps({"moto": emulator.url, "resources": stack.physical_ids | queues, "pid": os.getpid()}))
    yield path, queues["OrdersQueue"]
    for url in queues.values():
        sqs.delete_queue(QueueUrl=url)


def stuck_order() -> str:
    from tests.functional.test_redrive import age, minutes_ago

    client_id, order_id, _ = new_order()
    age(client_id, order_id, minutes_ago(20))
    return order_id


def test_orders_redrive_without_yes_and_without_a_terminal_sends_nothing(own_queues, capsys):
    stack_file, queue = own_queues
    stuck_order()

    assert shop("orders", "redrive", "--older-than", "600", "--stack-file", str(stack_file)) == 2

    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("shop: nothing changed: Send ") and "for orders of the local stack" in line
    assert waiting(queue) == 0


@pytest.mark.parametrize(("typed", "status"), [("n\n", 1), ("y\n", 0)])
def test_orders_redrive_on_a_terminal_sends_only_once_confirmed(own_queues, monkeypatch, capsys, typed, status):
    stack_file, queue = own_queues
    order_id = stuck_order()
    monkeypatch.setattr(sys, "stdin", Terminal(typed))

    assert shop("orders", "redrive", "--older-than", "600", "--stack-file", str(stack_file)) == status

    captured = capsys.readouterr()
    assert "Send " in captured.err and "[y/N]" in captured.err
    if status == 0:
        assert any(order_id in line and "re-sent to orders" in line for line in captured.out.splitlines())
        receive(sqs, queue, lambda m: json.loads(m["Body"]).get("orderId") == order_id, 1)
    else:
        assert "nothing re-sent" in captured.err and waiting(queue) == 0
