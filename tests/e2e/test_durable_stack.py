"""`shop run` keeps its data (shoplocal/persistence.py): killed with SIGKILL in the middle of the pipeline
and started again on the same state directory, it finishes every accepted order, continues the gapless
invoice numbers, and answers every earlier request as it did before.

This test starts a stack of its own (the session's shared stack is never killed), places orders, kills
`shop run` while the workers are busy and while a few more orders are still being posted, restarts it, and
then checks docs/architecture.md §8's invariants over HTTP and in the emulator."""

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
import httpx

from shoplocal.auth import LocalIssuer, key_file
from shoplocal.launch import launched

CLIENTS = 3
ORDERS = 30
KILL_AFTER = 16  # accepted orders; the rest are posted as the stack dies or after (answered or not, each
# must end up placed exactly once)
DEADLINE_S = 45
RETRY = {409, 429, 500, 502, 503, 504}
ITEM = {"sku": "W-1", "description": "Widget", "quantity": 2, "unitPrice": 1250}
TOO_MUCH = {"sku": "W-9", "description": "Crate of widgets", "quantity": 100, "unitPrice": 1250}


def _headers(workdir: Path) -> dict[str, str]:
    token = LocalIssuer.load(key_file(workdir / "stack.json")).admin_token()
    return {"Authorization": f"Bearer {token}"}


def _payload(n: int) -> dict[str, Any]:
    return {"items": [TOO_MUCH if n % 5 == 4 else ITEM]}  # one in five over the credit limit


def _post_order(api: str, headers: dict, client_id: str, key: str, payload: dict) -> httpx.Response:
    return httpx.post(
        f"{api}/clients/{client_id}/orders", headers=headers | {"Idempotency-Key": key}, json=payload, timeout=30
    )


def _until(what: str, check, deadline: float):
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def _pages(api: str, headers: dict, path: str) -> list[dict]:
    items, cursor = [], None
    while True:
        params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        page = httpx.get(f"{api}{path}", headers=headers, params=params, timeout=30)
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        cursor = body.get("nextCursor")
        if not cursor:
            return items


def test_sigkill_mid_pipeline_loses_no_acknowledged_write(tmp_path):
    workdir = tmp_path / "durable"
    accepted: dict[str, tuple[str, dict]] = {}  # Idempotency-Key -> (clientId, the 202's body)
    unanswered: dict[str, tuple[str, dict]] = {}  # Idempotency-Key -> (clientId, payload)
    payloads: dict[str, dict] = {}
    with launched(workdir, ["--fresh"]) as first:
        api, headers = first.info["api"], _headers(workdir)
        before = headers
        created = []
        for n in range(CLIENTS):
            response = httpx.post(f"{api}/clients", headers=headers, timeout=30, json={
                "name": f"Durable {n}", "email": f"durable-{n}-{uuid.uuid4().hex[:8]}@example.com",
                "creditLimit": 100_000,
            })
            assert response.status_code == 201, response.text
            created.append(response.json())
        plan = [(created[n % CLIENTS]["clientId"], f"k-{n}-{uuid.uuid4().hex[:8]}", _payload(n)) for n in range(ORDERS)]
        for client_id, key, payload in plan:
            payloads[key] = payload
            unanswered[key] = (client_id, payload)

        def place(entry: tuple[str, str, dict]) -> None:
            client_id, key, payload = entry
            try:
                response = _post_order(api, headers, client_id, key, payload)
            except httpx.TransportError:
                return  # killed before it answered: retried after the restart
            if response.status_code == 202:
                accepted[key] = (client_id, response.json())
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

    with launched(workdir) as second:
        api, headers, deadline = second.info["api"], _headers(workdir), time.monotonic() + DEADLINE_S
        assert "restored" in second.output()
        # Every earlier answer reads back the same: the clients, and each accepted order's 202 (replayed for
        # its Idempotency-Key, never placed twice).
        for client in created:
            got = httpx.get(f"{api}/clients/{client['clientId']}", headers=before, timeout=30)
            assert got.status_code == 200 and got.json() == client, "read with a token from before the restart"
        for key, (client_id, body) in accepted.items():
            again = _post_order(api, headers, client_id, key, payloads[key])
            assert (again.status_code, again.json()) == (202, body)
        # What was never answered is retried, as a client would, with the same key and payload.
        for key, (client_id, payload) in list(unanswered.items()):
            def retried(key=key, client_id=client_id, payload=payload):
                response = _post_order(api, headers, client_id, key, payload)
                assert response.status_code in RETRY | {202}, response.text
                return response if response.status_code == 202 else None

            accepted[key] = (client_id, _until(f"order {key} accepted", retried, deadline).json())
        assert len(accepted) == ORDERS

        def every_order_terminal():
            stored = {}
            for client in created:
                for order in _pages(api, headers, f"/clients/{client['clientId']}/orders"):
                    stored[order["orderId"]] = order
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
            index = _pages(api, headers, f"/clients/{cid}/invoices")
            assert sorted((i["orderId"], i["invoiceId"]) for i in index) == sorted(
                (order_id, o["invoiceId"]) for order_id, o in invoiced.items()
            )
            keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=f"invoices/{cid}/").get("Contents", [])}
            assert keys == {f"invoices/{cid}/{order_id}.pdf" for order_id in invoiced}
            for invoice in index:
                pdf = httpx.get(f"{api}/clients/{cid}/invoices/{invoice['invoiceId']}/pdf", headers=headers,
                                follow_redirects=True, timeout=30)
                assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
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
