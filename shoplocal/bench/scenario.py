"""The operations the calls and warm sections run, each with the state it needs prepared beforehand.

Each `Case` names an operation of datamodel/access_patterns.py, the function that serves it and its bare
baseline (shoplocal/bench/bare/), and prepares a fresh event per invocation (a new email, a new PENDING order,
a new idempotency key), so every invocation takes the same path. The queues the functions send to are
scratch queues of the bench, so the stack's own workers never race these invocations for their orders.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shoplocal.bench.common import BenchContext
from shoplocal.bench.inprocess import Functions, api_event, queue_arn, scheduled_event, sqs_event

BARE = {
    "ClientsFunction": "shoplocal.bench.bare.clients",
    "OrdersFunction": "shoplocal.bench.bare.orders",
    "InvoicesFunction": "shoplocal.bench.bare.invoices",
    "ApprovalFunction": "shoplocal.bench.bare.approval",
    "PaidOrderFunction": "shoplocal.bench.bare.paid_order",
    "RedriveFunction": "shoplocal.bench.bare.redrive",
}
ITEMS = [
    {"sku": "WIDGET-1", "description": "Blue widget", "quantity": 3, "unitPrice": 1250},
    {"sku": "GADGET-2", "description": "Red gadget", "quantity": 2, "unitPrice": 100000},
]


@dataclass
class Case:
    operation: str  # a key of datamodel.access_patterns.MINIMUM_CALLS
    function: str  # logical id in template.yaml
    prepare: Callable[[], dict[str, Any]]  # a fresh event, untimed
    ok: Callable[[Any], bool]  # did the invocation succeed as the operation expects
    api: bool = True


def scratch_environments(ctx: BenchContext) -> dict[str, dict[str, str]]:
    """ctx.function_env with both queue URLs pointed at scratch queues of the bench (made once per run)."""
    cached = ctx.extra.get("scratch_env")
    if cached is None:
        import boto3

        sqs = boto3.client("sqs", endpoint_url=ctx.moto_url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        urls = {
            name: sqs.create_queue(QueueName=f"shop-bench-{name}")["QueueUrl"]
            for name in ("orders", "paid-orders")
        }
        overrides = {"ORDERS_QUEUE_URL": urls["orders"], "PAID_ORDERS_QUEUE_URL": urls["paid-orders"]}
        cached = {name: {**env, **overrides} for name, env in ctx.function_env.items()}
        ctx.extra["scratch_env"] = cached
    return cached


def _status(expected: int) -> Callable[[Any], bool]:
    return lambda result: isinstance(result, dict) and result.get("statusCode") == expected


def _no_failures(result: Any) -> bool:
    return isinstance(result, dict) and result.get("batchItemFailures") == []


class Scenario:
    """A client with orders and an invoice, made through the data layer and the product's own workers."""

    def __init__(self, functions: Functions) -> None:
        self.functions = functions
        functions.enter("ClientsFunction")
        from datamodel import clients
        from datamodel.clients import ClientFields
        from domain import config

        self.config = config
        self._clients = clients
        self._fields = ClientFields
        self.client_id = self.new_client()
        self.poor_client_id = self.new_client(credit_limit=0)  # every order of it is rejected
        self.order_id = self.pending_order()
        paid = self.approved_order()
        result = functions.invoke("PaidOrderFunction", self._message_event(paid, config.PAID_ORDERS_QUEUE_URL))
        if not _no_failures(result):
            raise RuntimeError(f"the scenario's invoice failed: {result}")
        from datamodel import orders

        self.invoice_id = orders.get(self.client_id, paid).invoice_id

    # ---- state ----

    def new_client(self, credit_limit: int = 10**9) -> str:
        email = f"bench-{uuid.uuid4().hex[:16]}@example.com"
        fields = self._fields(name="Bench Client", email=email, credit_limit=credit_limit, currency="USD",
                              document="12-345")
        return self._clients.create(fields).client_id

    def pending_order(self, client_id: str | None = None) -> str:
        from datamodel import orders
        from domain.ids import new_id

        lines = [orders.Line(i["sku"], i["description"], i["quantity"], i["unitPrice"]) for i in ITEMS]
        total = sum(i["quantity"] * i["unitPrice"] for i in ITEMS)
        order_id = new_id()
        orders.place(client_id or self.client_id, order_id, lines, "USD", total)
        return order_id

    def approved_order(self) -> str:
        from datamodel import orders

        order_id = self.pending_order()
        orders.approve(orders.get(self.client_id, order_id))
        return order_id

    def _message_event(self, order_id: str, queue_url: str, client_id: str | None = None) -> dict[str, Any]:
        from domain import messages

        return sqs_event([messages.body(client_id or self.client_id, order_id)], queue_arn(queue_url))

    # ---- the events of each operation ----

    def _client_body(self) -> dict[str, Any]:
        return {"name": "Bench Client", "email": f"bench-{uuid.uuid4().hex[:16]}@example.com", "document": "12-345"}

    def api_cases(self) -> list[Case]:
        c = self.client_id
        client_path = {"clientId": c}
        order_path = {"clientId": c, "orderId": self.order_id}
        invoice_path = {"clientId": c, "invoiceId": self.invoice_id}
        replay_key = uuid.uuid4().hex
        replayed: list[bool] = []

        def replay_event() -> dict[str, Any]:
            event = api_event("POST", f"/clients/{c}/orders", "/clients/{clientId}/orders", body={"items": ITEMS},
                              headers={"Idempotency-Key": replay_key}, path_parameters=client_path)
            if not replayed:  # the first request, untimed: later ones replay it
                result = self.functions.invoke("OrdersFunction", event)
                if not _status(202)(result):
                    raise RuntimeError(f"the replayed order failed: {result}")
                replayed.append(True)
            return event

        def delete_event() -> dict[str, Any]:
            victim = self.new_client()
            return api_event("DELETE", f"/clients/{victim}", "/clients/{clientId}",
                             path_parameters={"clientId": victim})

        return [
            Case("GET /health", "ClientsFunction", lambda: api_event("GET", "/health", "/health"), _status(200)),
            Case("POST /clients", "ClientsFunction",
                 lambda: api_event("POST", "/clients", "/clients", body=self._client_body()), _status(201)),
            Case("POST /clients (Idempotency-Key)", "ClientsFunction",
                 lambda: api_event("POST", "/clients", "/clients", body=self._client_body(),
                                   headers={"Idempotency-Key": uuid.uuid4().hex}), _status(201)),
            Case("GET /clients", "ClientsFunction",
                 lambda: api_event("GET", "/clients", "/clients", query={"limit": "20"}), _status(200)),
            Case("GET /clients/{clientId}", "ClientsFunction",
                 lambda: api_event("GET", f"/clients/{c}", "/clients/{clientId}", path_parameters=client_path),
                 _status(200)),
            Case("PUT /clients/{clientId}", "ClientsFunction",
                 lambda: api_event("PUT", f"/clients/{c}", "/clients/{clientId}", path_parameters=client_path,
                                   body=self._current_client_body()), _status(200)),
            Case("DELETE /clients/{clientId}", "ClientsFunction", delete_event, _status(204)),
            Case("POST /clients/{clientId}/orders", "OrdersFunction",
                 lambda: api_event("POST", f"/clients/{c}/orders", "/clients/{clientId}/orders",
                                   body={"items": ITEMS}, path_parameters=client_path), _status(202)),
            Case("POST /clients/{clientId}/orders (currency sent)", "OrdersFunction",
                 lambda: api_event("POST", f"/clients/{c}/orders", "/clients/{clientId}/orders",
                                   body={"items": ITEMS, "currency": "USD"}, path_parameters=client_path),
                 _status(202)),
            Case("POST /clients/{clientId}/orders (Idempotency-Key)", "OrdersFunction",
                 lambda: api_event("POST", f"/clients/{c}/orders", "/clients/{clientId}/orders",
                                   body={"items": ITEMS}, headers={"Idempotency-Key": uuid.uuid4().hex},
                                   path_parameters=client_path), _status(202)),
            Case("POST /clients/{clientId}/orders (Idempotency-Key, replay)", "OrdersFunction", replay_event,
                 _status(202)),
            Case("GET /clients/{clientId}/orders", "OrdersFunction",
                 lambda: api_event("GET", f"/clients/{c}/orders", "/clients/{clientId}/orders",
                                   path_parameters=client_path, query={"limit": "20"}), _status(200)),
            Case("GET /clients/{clientId}/orders/{orderId}", "OrdersFunction",
                 lambda: api_event("GET", f"/clients/{c}/orders/{self.order_id}",
                                   "/clients/{clientId}/orders/{orderId}", path_parameters=order_path),
                 _status(200)),
            Case("GET /clients/{clientId}/invoices", "InvoicesFunction",
                 lambda: api_event("GET", f"/clients/{c}/invoices", "/clients/{clientId}/invoices",
                                   path_parameters=client_path, query={"limit": "20"}), _status(200)),
            Case("GET /clients/{clientId}/invoices/{invoiceId}", "InvoicesFunction",
                 lambda: api_event("GET", f"/clients/{c}/invoices/{self.invoice_id}",
                                   "/clients/{clientId}/invoices/{invoiceId}", path_parameters=invoice_path),
                 _status(200)),
            Case("GET /clients/{clientId}/invoices/{invoiceId}/pdf", "InvoicesFunction",
                 lambda: api_event("GET", f"/clients/{c}/invoices/{self.invoice_id}/pdf",
                                   "/clients/{clientId}/invoices/{invoiceId}/pdf", path_parameters=invoice_path),
                 _status(302)),
        ]

    def _current_client_body(self) -> dict[str, Any]:
        current = self._clients.get(self.client_id)
        return {"name": current.name, "email": current.email, "creditLimit": int(current.credit_limit),
                "currency": current.currency}

    def worker_cases(self) -> list[Case]:
        orders_queue, paid_queue = self.config.ORDERS_QUEUE_URL, self.config.PAID_ORDERS_QUEUE_URL
        return [
            Case("approval: approve", "ApprovalFunction",
                 lambda: self._message_event(self.pending_order(), orders_queue), _no_failures, api=False),
            Case("approval: reject", "ApprovalFunction",
                 lambda: self._message_event(self.pending_order(self.poor_client_id), orders_queue,
                                             self.poor_client_id), _no_failures, api=False),
            Case("paid-order: invoice", "PaidOrderFunction",
                 lambda: self._message_event(self.approved_order(), paid_queue), _no_failures, api=False),
        ]

    @staticmethod
    def redrive_event() -> dict[str, Any]:
        return scheduled_event()
