"""`shop run` keeps its data (shoplocal/persistence.py): killed with SIGKILL in the middle of the pipeline
and started again on the same state directory, it finishes every accepted order, continues the gapless
invoice numbers, and answers every earlier request as it did before.

This test starts a stack of its own (the session's shared stack is never killed), places orders, kills
`shop run` while the workers are busy and while a few more orders are still being posted, restarts it, and
then checks docs/architecture.md §8's invariants over HTTP and in the emulator. It calls the API as a client
would, through the SDK (`shop_sdk`), each answer checked against the contract; before the kill without the
SDK's retries (this test decides what to send again), after the restart with them."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from shop_sdk import RetryPolicy, Shop, ShopError

from shoplocal.auth import LocalIssuer, key_file
from shoplocal.launch import launched
from tests.consumer_contract import ContractCheck

CLIENTS = 3
ORDERS = 30
KILL_AFTER = 16  # accepted orders; the rest are posted as the stack dies or after (answered or not, each
# must end up placed exactly once)
DEADLINE_S = 45
# After the restart: the SDK's retries, with room for a stack that is still restoring and for an order whose
# request was in flight at the kill (409 in progress until its idempotency record's in-progress expiry, the
# function's remaining time when it started: up to its Timeout): about DEADLINE_S in all.
AFTER_RESTART = RetryPolicy(max_attempts=25, initial_backoff=0.25, max_backoff=2)
ITEM = {"sku": "W-1", "description": "Widget", "quantity": 2, "unitPrice": 1250}
TOO_MUCH = {"sku": "W-9", "description": "Crate of widgets", "quantity": 100, "unitPrice": 1250}


def _token(workdir: Path) -> str:
    return LocalIssuer.load(key_file(workdir / "stack.json")).admin_token()


def _shop(api: str, token: str, retry: RetryPolicy) -> Shop:
    return Shop(api, token=token, timeout=30, retry=retry, on_attempt=ContractCheck(api))


def _payload(n: int) -> dict[str, Any]:
    return {"items": [TOO_MUCH if n % 5 == 4 else ITEM]}  # one in five over the credit limit


def _until(what: str, check, deadline: float):
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def test_sigkill_mid_pipeline_loses_no_acknowledged_write(tmp_path):
    workdir = tmp_path / "durable"
    accepted: dict[str, tuple[str, dict]] = {}  # Idempotency-Key -> (clientId, the 202's body)
    unanswered: dict[str, tuple[str, dict]] = {}  # Idempotency-Key -> (clientId, payload)
    payloads: dict[str, dict] = {}
    with launched(workdir, ["--fresh"]) as first, _shop(
        first.info["api"], _token(workdir), RetryPolicy(max_attempts=1)
    ) as shop:
        before = _token(workdir)
        created = [
            shop.clients.create(
                name=f"Durable {n}", email=f"durable-{n}-{uuid.uuid4().hex[:8]}@example.com", credit_limit=100_000
            ).to_dict()
            for n in range(CLIENTS)
        ]
        plan = [(created[n % CLIENTS]["clientId"], f"k-{n}-{uuid.uuid4().hex[:8]}", _payload(n)) for n in range(ORDERS)]
        for client_id, key, payload in plan:
            payloads[key] = payload
            unanswered[key] = (client_id, payload)

        def place(entry: tuple[str, str, dict]) -> None:
            client_id, key, payload = entry
            try:
                order = shop.orders.create(client_id, items=payload["items"], idempotency_key=key)
            except ShopError:
                return  # killed before it answered: sent again after the restart
            accepted[key] = (client_id, order.to_dict())
            unanswered.pop(key)

        # The stack dies while orders are still being posted and the workers are busy with the earlier ones.
        def kill_when_half_accepted() -> None:
            _until("half the orders accepted", lambda: len(accepted) >= KILL_AFTER, time.monotonic() + 60)
            first.process.send_signal(signal.SIGKILL)

        killer = threading.Thread(target=kill_when_half_accepted)
        killer.start()
        with ThreadPoolExecutor(6) as pool:
            list(pool.map(place, plan))
        killer.join()
        first.process.wait(10)
    assert first.process.returncode == -signal.SIGKILL
    assert KILL_AFTER <= len(accepted) < ORDERS

    with launched(workdir) as second, _shop(second.info["api"], _token(workdir), AFTER_RESTART) as shop:
        api, deadline = second.info["api"], time.monotonic() + DEADLINE_S
        assert "restored" in second.output()
        # Every earlier answer reads back the same: the clients, and each accepted order's 202 (replayed for
        # its Idempotency-Key, never placed twice).
        with _shop(api, before, AFTER_RESTART) as earlier:  # a token from before the restart
            assert [earlier.clients.get(client["clientId"]).to_dict() for client in created] == created
        for key, (client_id, body) in accepted.items():
            again = shop.orders.create(client_id, items=payloads[key]["items"], idempotency_key=key)
            assert again.to_dict() == body
        # What was never answered is sent again, as a client would, with the same key and payload (the SDK
        # retries while the restarted stack is busy).
        for key, (client_id, payload) in list(unanswered.items()):
            order = shop.orders.create(client_id, items=payload["items"], idempotency_key=key)
            accepted[key] = (client_id, order.to_dict())
        assert len(accepted) == ORDERS

        def every_order_terminal():
            stored = {}
            for client in created:
                for order in shop.orders.list(client["clientId"]):
                    stored[order.order_id] = order.to_dict()
            return stored if all(o["status"] in {"INVOICED", "REJECTED"} for o in stored.values()) else None

        stored = _until("every order terminal", every_order_terminal, deadline)

        # No accepted order lost, none placed twice; each in exactly one terminal state.
        assert set(stored) == {body["orderId"] for _, body in accepted.values()}
        for key, (client_id, body) in accepted.items():
            order = stored[body["orderId"]]
            assert order["clientId"] == client_id
            assert {k: order[k] for k in ("items", "total", "currency", "createdAt")} == {
                k: body[k] for k in ("items", "total", "currency", "createdAt")
            }
            over = payloads[key]["items"][0] == TOO_MUCH
            assert order["status"] == ("REJECTED" if over else "INVOICED"), (key, order)
        # Each invoiced order: one invoice number, one index entry, one PDF; the numbers gapless from 1.
        moto = second.info["moto"]
        s3 = boto3.client("s3", endpoint_url=moto, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
        bucket = second.info["resources"]["InvoiceBucket"]
        numbers = []
        for client in created:
            cid = client["clientId"]
            invoiced = {o["orderId"]: o for o in stored.values() if o["clientId"] == cid and o["status"] == "INVOICED"}
            index = [invoice.to_dict() for invoice in shop.invoices.list(cid)]
            assert sorted((i["orderId"], i["invoiceId"]) for i in index) == sorted(
                (order_id, o["invoiceId"]) for order_id, o in invoiced.items()
            )
            keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=f"invoices/{cid}/").get("Contents", [])}
            assert keys == {f"invoices/{cid}/{order_id}.pdf" for order_id in invoiced}
            for invoice in index:
                pdf = shop.invoices.download_pdf(cid, invoice["invoiceId"], tmp_path / "pdfs/")
                assert pdf.read_bytes().startswith(b"%PDF")
            numbers += [i["invoiceId"] for i in index]
        year = datetime.now(UTC).year
        assert sorted(numbers) == [f"INV-{year}-{n:06d}" for n in range(1, len(numbers) + 1)]
        assert len(numbers) == sum(1 for o in stored.values() if o["status"] == "INVOICED")
        # The queues are drained and nothing died.
        sqs = boto3.client("sqs", endpoint_url=moto, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        def depth(name: str) -> int:
            attributes = sqs.get_queue_attributes(
                QueueUrl=second.info["resources"][name],
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            return sum(int(value) for value in attributes.values())

        for name in ("OrdersQueue", "PaidOrdersQueue"):  # a retried order's second message, handled as a no-op
            _until(f"{name} drained", lambda name=name: depth(name) == 0, deadline)
        assert depth("OrdersDeadLetterQueue") == depth("PaidOrdersDeadLetterQueue") == 0
    assert second.returncode == 0, second.output()
