"""`shop orders redrive|get` and `shop dlq list|redrive` as an operator runs them: separate processes that find
the running local stack through its ready file, or by its CloudFormation stack name (`--stack`, the path a
deployed stack takes: its outputs name the resources) on its moto server."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import boto3
import httpx
import pytest

from datamodel import keys
from datamodel.entities import LineItem, OrderRecord
from domain.clock import rfc3339, utc_now
from domain import messages
from domain.ids import new_id
from shoplocal.launch import clean_environment
from shoplocal.ops import STACK_NAME
from shoplocal.template import ROOT

TIMEOUT_S = 45


@pytest.fixture(scope="module")
def stack_file(local_stack_info, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ops") / "stack.json"
    path.write_text(json.dumps(local_stack_info))
    return path


@pytest.fixture(scope="module")
def aws(local_stack_info):
    def client(service: str):
        return boto3.client(
            service,
            endpoint_url=local_stack_info["moto"],
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return client


def shop(stack_file: Path | None, *argv: str) -> subprocess.CompletedProcess:
    """`shop ARGV` with no terminal (stdin is /dev/null), finding the stack through `stack_file` if given."""
    where = ["--stack-file", str(stack_file)] if stack_file else []
    command = [sys.executable, "-m", "shoplocal.cli", *argv, *where]
    return subprocess.run(
        command,
        cwd=ROOT,
        env=clean_environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def api(shop):
    """The SDK's client, conftest's `shop` (here `shop(...)` runs the CLI)."""
    return shop


def eventually(check, what: str):
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    pytest.fail(f"{what} did not happen within {TIMEOUT_S} s")


def test_a_pending_order_left_without_a_message_is_invoiced_after_shop_orders_redrive(
    local_stack, local_stack_info, stack_file, aws, api
):
    # GIVEN a client, and a PENDING order of it written 10 minutes ago whose message was never sent
    email = f"ops-{uuid.uuid4().hex[:10]}@example.com"
    client_id, order_id = api.clients.create(name="Ops Ltd", email=email).client_id, new_id()
    stamp = rfc3339(utc_now() - timedelta(minutes=10))
    order = OrderRecord(
        keys.client_pk(client_id),
        keys.order_sk(order_id),
        order_id=order_id,
        client_id=client_id,
        status="PENDING",
        items=[LineItem(sku="W-1", description="Widget", quantity=1, unit_price=500)],
        total=500,
        currency="USD",
        created_at=stamp,
        updated_at=stamp,
        gsi1pk=keys.client_pk(client_id),
        gsi1sk=keys.order_status_sk("PENDING", order_id),
        gsi2pk=keys.open_order_pk(order_id),
        gsi2sk=keys.open_order_sk(stamp, order_id),
    )
    table = local_stack_info["resources"]["Table"]
    dynamodb = aws("dynamodb")
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": order.serialize()}},
            {
                "Update": {
                    "TableName": table,
                    "Key": {"PK": {"S": keys.client_pk(client_id)}, "SK": {"S": keys.OPEN_ORDERS}},
                    "UpdateExpression": "ADD openOrders :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ]
    )

    # WHEN the operator re-drives stuck orders
    dry = shop(stack_file, "orders", "redrive", "--dry-run")
    done = shop(stack_file, "orders", "redrive", "--yes")

    # THEN the dry run named it, the redrive sent it to the orders queue, and the pipeline invoiced it
    assert dry.returncode == 0, dry.stderr
    assert any(order_id in line and "would re-send to orders" in line for line in dry.stdout.splitlines())
    assert done.returncode == 0, done.stderr
    assert any(order_id in line and "re-sent to orders" in line for line in done.stdout.splitlines())

    def status():
        item = dynamodb.get_item(
            TableName=table, Key={"PK": {"S": keys.client_pk(client_id)}, "SK": {"S": keys.order_sk(order_id)}}
        )["Item"]
        return item["status"]["S"] if item["status"]["S"] == "INVOICED" else None

    eventually(status, "the re-driven order's invoice")
    again = shop(stack_file, "orders", "redrive", "--dry-run", "--older-than", "0")
    assert order_id not in again.stdout


def test_a_poison_message_is_listed_in_its_dlq_and_shop_dlq_redrive_sends_it_through_again(
    local_stack_info, stack_file, aws
):
    # GIVEN a poison message (not an order reference) that the approval worker fails into the orders DLQ
    sqs = aws("sqs")
    marker = uuid.uuid4().hex
    body = json.dumps({"note": marker})
    sqs.send_message(QueueUrl=local_stack_info["resources"]["OrdersQueue"], MessageBody=body)
    dlq = local_stack_info["resources"]["OrdersDeadLetterQueue"]

    def poison_ids() -> list[str]:
        """Ids of the DLQ's messages with this test's body (looked at without consuming them)."""
        received = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=1).get("Messages", [])
        return [m["MessageId"] for m in received if m["Body"] == body]

    [first_id] = eventually(poison_ids, "the poison message's arrival in the DLQ")
    time.sleep(1.5)  # the peek's visibility timeout

    # WHEN listed, then re-driven
    listing = shop(stack_file, "dlq", "list", "--queue", "orders", "--limit", "50")
    moved = shop(stack_file, "dlq", "redrive", "--queue", "orders", "--yes")

    # THEN the listing described it without printing its body, and once moved back it failed again, so it
    # returned to the DLQ as a new message
    assert listing.returncode == 0, listing.stderr
    [line] = [line for line in listing.stdout.splitlines() if first_id in line]
    assert "not an order reference" in line and marker not in listing.stdout
    assert moved.returncode == 0, moved.stderr
    assert "from the orders DLQ back to the orders queue" in moved.stdout
    eventually(lambda: [i for i in poison_ids() if i != first_id], "the poison message's return to the DLQ")


def test_commands_exit_2_with_one_line_once_the_stack_file_names_a_stopped_stack(tmp_path):
    stopped = subprocess.Popen([sys.executable, "-c", "pass"])
    stopped.wait()
    path = tmp_path / "stack.json"
    path.write_text(json.dumps({"moto": "http://127.0.0.1:9", "resources": {}, "pid": stopped.pid}))

    result = shop(path, "dlq", "list")

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"shop: the local stack that wrote {path} (pid {stopped.pid}) is not running (start it with `shop run`)"
    ]


def test_by_stack_name_an_order_is_looked_up_and_a_dlq_listed_and_re_driven_once_confirmed(
    local_stack, local_stack_info, aws, api
):
    by_name = ("--stack", STACK_NAME, "--endpoint", local_stack_info["moto"])
    # GIVEN an order placed through the API, and an order message in the orders DLQ
    email = f"ops-{uuid.uuid4().hex[:10]}@example.com"
    client_id = api.clients.create(name="Named Ltd", email=email).client_id
    widget = {"sku": "W-1", "description": "Widget", "quantity": 1, "unitPrice": 500}
    order_id = api.orders.create(client_id, items=[widget]).order_id
    dlq = local_stack_info["resources"]["OrdersDeadLetterQueue"]
    message_id = aws("sqs").send_message(QueueUrl=dlq, MessageBody=messages.body(new_id(), new_id()))["MessageId"]

    # WHEN the operator looks the order up by the stack's name until it is invoiced
    def invoiced():
        found = shop(None, "orders", "get", client_id, order_id, *by_name)
        assert found.returncode == 0, found.stderr
        fields = dict(line.split(maxsplit=1) for line in found.stdout.splitlines())
        return fields if fields["status"] == "INVOICED" else None

    fields = eventually(invoiced, "the order's invoice, seen through `shop orders get --stack`")

    # THEN it shows the invoice and timestamps, and nothing of the client but its id
    assert fields["order"] == order_id and fields["client"] == client_id and fields["invoice"] != "-"
    assert fields["created"] <= fields["approved"] <= fields["updated"]
    assert email not in str(fields) and "Named" not in str(fields)

    # WHEN the DLQ is listed, then re-driven without --yes (no terminal), then with it
    listing = shop(None, "dlq", "list", "--queue", "orders", "--limit", "50", *by_name)
    refused = shop(None, "dlq", "redrive", "--queue", "orders", *by_name)
    left = shop(None, "dlq", "list", "--queue", "orders", "--limit", "50", *by_name)
    moved = shop(None, "dlq", "redrive", "--queue", "orders", "--yes", *by_name)

    # THEN the message was listed, stayed put when not confirmed, and was moved once confirmed
    assert listing.returncode == 0 and message_id in listing.stdout, listing.stderr
    assert refused.returncode == 2 and "pass --yes" in refused.stderr and refused.stdout == ""
    assert left.returncode == 0 and message_id in left.stdout
    assert moved.returncode == 0, moved.stderr
    assert "from the orders DLQ back to the orders queue" in moved.stdout


# ---- machine clients (issue 15): the back office's app clients for customers' systems ----


def test_shop_machine_client_create_binds_an_app_client_to_one_client_and_its_tokens_act_for_it(
    local_stack, local_stack_info, admin_token
):
    import jwt

    by_name = ("--stack", STACK_NAME, "--endpoint", local_stack_info["moto"])
    headers = {"Authorization": f"Bearer {admin_token}"}
    email = f"m2m-{uuid.uuid4().hex[:10]}@example.com"
    created = httpx.post(f"{local_stack}/clients", json={"name": "ERP Ltd", "email": email}, headers=headers, timeout=10)
    client_id = created.json()["clientId"]

    # WHEN the back office makes the app client of the client's system, through the stack's outputs
    made = shop(None, "machine-client", "create", "--client-id", client_id, "--scopes", "shop/orders.read", *by_name)

    # THEN it names the app client, the client and the scopes ...
    assert made.returncode == 0, made.stderr
    result = json.loads(made.stdout)
    assert result["clientId"] == client_id and result["scopes"] == ["shop/orders.read"]
    # ... and an access token of that app client acts for that client: the trigger read the item it wrote
    token = shop(None, "token", "--machine", "--client", client_id, "--scopes", "shop/orders.read",
                 "--stack-file", local_stack_info["stack_file"])
    assert token.returncode == 0, token.stderr
    claims = jwt.decode(token.stdout.strip(), options={"verify_signature": False})
    assert claims["client_id"] == result["appClientId"] and claims["shop:clientId"] == client_id
    machine = {"Authorization": f"Bearer {token.stdout.strip()}"}
    assert httpx.get(f"{local_stack_info['machine_api']}/clients/{client_id}/orders", headers=machine, timeout=10).status_code == 200


@pytest.mark.parametrize(
    "argv",
    [
        ("--client-id", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "--scopes", "shop/backoffice"),
        ("--client-id", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "--scopes", "shop/everything"),
        ("--client-id", "not-a-client", "--scopes", "shop/profile"),
        ("--back-office", "--scopes", "shop/profile"),
    ],
    ids=["client with back office", "undeclared scope", "malformed client id", "back office without its scope"],
)
def test_shop_machine_client_create_refuses_what_may_not_be_made_with_one_line(local_stack_info, argv):
    made = shop(None, "machine-client", "create", *argv, "--stack", STACK_NAME, "--endpoint", local_stack_info["moto"])
    assert made.returncode == 2 and made.stdout == ""
    assert made.stderr.startswith("shop machine-client: ") and len(made.stderr.strip().splitlines()) == 1


def test_a_local_app_client_trades_its_id_and_secret_for_a_token_at_the_local_token_endpoint(
    local_stack, local_stack_info, admin_token
):
    headers = {"Authorization": f"Bearer {admin_token}"}
    email = f"erp-{uuid.uuid4().hex[:10]}@example.com"
    client_id = httpx.post(
        f"{local_stack}/clients", json={"name": "ERP", "email": email}, headers=headers, timeout=10
    ).json()["clientId"]
    # GIVEN the app client the back office made for the client's system, on the running stack (its ready file)
    made = shop(Path(local_stack_info["stack_file"]), "machine-client", "create", "--client-id", client_id)
    assert made.returncode == 0, made.stderr
    app = json.loads(made.stdout)
    assert app["tokenUrl"] == f"{local_stack_info['machine_api']}/oauth2/token" and app["appClientSecret"]

    # WHEN its system asks the token endpoint, as the README's curl does on AWS
    auth = (app["appClientId"], app["appClientSecret"])
    form = {"grant_type": "client_credentials", "scope": "shop/orders.read shop/profile"}
    granted = httpx.post(app["tokenUrl"], auth=auth, data=form, timeout=10)

    # THEN it gets an access token, bound by PreTokenFunction to that client, that the machine API accepts
    assert granted.status_code == 200, granted.text
    token = granted.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    machine_api = local_stack_info["machine_api"]
    assert httpx.get(f"{machine_api}/clients/{client_id}", headers=bearer, timeout=10).status_code == 200
    assert httpx.get(f"{machine_api}/clients/01ARZ3NDEKTSV4RRFFQ69G5FAV", headers=bearer, timeout=10).status_code == 404

    # and a wrong secret, another grant, an undeclared scope or a GET are refused as OAuth 2.0 says
    assert httpx.post(app["tokenUrl"], auth=(app["appClientId"], "wrong"), data=form, timeout=10).json() == {
        "error": "invalid_client"
    }
    password = {"grant_type": "password", "username": "u", "password": "p"}
    assert httpx.post(app["tokenUrl"], auth=auth, data=password, timeout=10).status_code == 400
    undeclared = {"grant_type": "client_credentials", "scope": "shop/everything"}
    assert httpx.post(app["tokenUrl"], auth=auth, data=undeclared, timeout=10).json() == {"error": "invalid_scope"}
    assert httpx.get(app["tokenUrl"], timeout=10).status_code == 405


def test_an_app_client_acting_for_no_client_gets_no_token_from_the_local_token_endpoint(local_stack_info):
    from shoplocal.auth import LocalIssuer, key_file
    from shoplocal.machine import local_secret

    # An app client id with no machine client item: the trigger refuses, so the endpoint issues nothing.
    issuer = LocalIssuer.load(key_file(Path(local_stack_info["stack_file"])))
    orphan = "orphanappclient00000000000"
    refused = httpx.post(
        f"{local_stack_info['machine_api']}/oauth2/token",
        auth=(orphan, local_secret(issuer, orphan)),
        data={"grant_type": "client_credentials", "scope": "shop/orders.read"},
        timeout=30,
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"
