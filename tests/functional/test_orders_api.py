"""OrdersFunction's handler with API Gateway events, against the moto server's table and a real queue."""

import json
import uuid

import boto3
import pytest

from datamodel import clients
from domain import config
from handlers.clients import lambda_handler as clients_handler
from handlers.orders import lambda_handler as orders_handler
from tests.events import LambdaContext, api_event

UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
WIDGET = {"sku": "W-1", "description": "Blue widget", "quantity": 3, "unitPrice": 1250}
GADGET = {"sku": "G-2", "description": "Gadget", "quantity": 2, "unitPrice": 99}


def call(handler, method, path, **kwargs):
    response = handler(api_event(method, path, **kwargs), LambdaContext())
    headers = {k.lower(): v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    body = json.loads(response["body"]) if response.get("body") else None
    return response["statusCode"], headers, body


@pytest.fixture
def orders_queue(monkeypatch):
    """A fresh queue per test, so each test sees exactly the messages it caused."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=f"orders-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    monkeypatch.setattr(config, "ORDERS_QUEUE_URL", url)

    def messages():
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        return [json.loads(m["Body"]) for m in received.get("Messages", [])]

    return messages


def new_client(**overrides):
    payload = {"name": "Acme", "email": f"o-{uuid.uuid4().hex[:10]}@example.com"} | overrides
    status, _, body = call(clients_handler, "POST", "/clients", body=payload)
    assert status == 201
    return body["clientId"]


def place(client_id, body, **headers):
    return call(orders_handler, "POST", f"/clients/{client_id}/orders", body=body, headers=headers)


def assert_problem(status, headers, body, expected):
    assert status == expected
    assert headers["content-type"] == "application/problem+json"
    assert body["status"] == expected and body["detail"]


def test_order_is_accepted_pending_with_server_computed_total_and_enqueued(orders_queue):
    client_id = new_client()
    status, headers, order = place(client_id, {"items": [WIDGET, GADGET]})
    assert status == 202
    assert headers["location"] == f"/prod/clients/{client_id}/orders/{order['orderId']}"
    assert order["status"] == "PENDING" and order["total"] == 3 * 1250 + 2 * 99 and order["currency"] == "USD"
    assert orders_queue() == [{"clientId": client_id, "orderId": order["orderId"]}]
    assert clients.open_orders(client_id) == 1


def test_order_currency_defaults_to_and_must_equal_the_clients(orders_queue):
    client_id = new_client(currency="EUR")
    assert place(client_id, {"items": [WIDGET]})[2]["currency"] == "EUR"
    assert_problem(*place(client_id, {"items": [WIDGET], "currency": "USD"}), 400)
    assert len(orders_queue()) == 1


def test_client_sent_total_is_refused(orders_queue):
    client_id = new_client()
    assert_problem(*place(client_id, {"items": [WIDGET], "total": 1}), 400)
    assert orders_queue() == []


def test_order_for_unknown_client_is_404_and_enqueues_nothing(orders_queue):
    assert_problem(*place(UNKNOWN_ID, {"items": [WIDGET]}), 404)
    assert orders_queue() == []


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {"items": [WIDGET] * 101},
        {"items": [WIDGET | {"quantity": 0}]},
        {"items": [WIDGET | {"quantity": 10001}]},
        {"items": [WIDGET | {"unitPrice": -1}]},
        {"items": [WIDGET | {"unitPrice": 12.5}]},
        {"items": [WIDGET | {"unitPrice": "1250"}]},
        {"items": [WIDGET | {"sku": ""}]},
        {"items": [WIDGET | {"color": "blue"}]},
        {"items": [{"sku": "W-1"}]},
        {},
    ],
    ids=lambda b: json.dumps(b)[:50],
)
def test_invalid_order_is_400_and_changes_nothing(orders_queue, body):
    client_id = new_client()
    assert_problem(*place(client_id, body), 400)
    assert orders_queue() == []
    assert clients.open_orders(client_id) == 0


def test_retry_with_same_idempotency_key_returns_the_same_order_and_enqueues_it_once(orders_queue):
    client_id = new_client()
    first = place(client_id, {"items": [WIDGET]}, **{"Idempotency-Key": "retry-key-0001"})
    second = place(client_id, {"items": [WIDGET]}, **{"Idempotency-Key": "retry-key-0001"})
    assert first[0] == second[0] == 202
    assert first[2]["orderId"] == second[2]["orderId"]
    assert clients.open_orders(client_id) == 1
    # the second answer is the first one replayed; a retry after a crash re-enqueues
    # (tests/functional/test_idempotency.py)
    assert [m["orderId"] for m in orders_queue()] == [first[2]["orderId"]]


def test_same_idempotency_key_with_another_payload_is_422(orders_queue):
    client_id = new_client()
    place(client_id, {"items": [WIDGET]}, **{"Idempotency-Key": "reused-key-001"})
    assert_problem(*place(client_id, {"items": [GADGET]}, **{"Idempotency-Key": "reused-key-001"}), 422)
    assert len(orders_queue()) == 1


def test_idempotency_keys_are_scoped_to_the_client(orders_queue):
    first, second = new_client(), new_client()
    a = place(first, {"items": [WIDGET]}, **{"Idempotency-Key": "shared-key-001"})[2]
    b = place(second, {"items": [WIDGET]}, **{"Idempotency-Key": "shared-key-001"})[2]
    assert a["orderId"] != b["orderId"] and b["clientId"] == second


@pytest.mark.parametrize("key", ["short", "has space!", "x" * 129])
def test_malformed_idempotency_key_is_400(orders_queue, key):
    assert_problem(*place(new_client(), {"items": [WIDGET]}, **{"Idempotency-Key": key}), 400)


def test_order_is_read_back_by_id():
    client_id = new_client()
    order = place(client_id, {"items": [WIDGET]})[2]
    status, _, read = call(orders_handler, "GET", f"/clients/{client_id}/orders/{order['orderId']}")
    assert status == 200 and read == order


def test_unknown_or_foreign_order_is_404():
    owner, other = new_client(), new_client()
    order = place(owner, {"items": [WIDGET]})[2]
    assert_problem(*call(orders_handler, "GET", f"/clients/{owner}/orders/{UNKNOWN_ID}"), 404)
    assert_problem(*call(orders_handler, "GET", f"/clients/{other}/orders/{order['orderId']}"), 404)


def test_malformed_order_id_is_400():
    assert_problem(*call(orders_handler, "GET", f"/clients/{new_client()}/orders/nope"), 400)


def test_orders_list_pages_oldest_first_and_filters_by_status():
    client_id = new_client()
    placed = [place(client_id, {"items": [WIDGET]})[2]["orderId"] for _ in range(3)]
    _, _, first = call(orders_handler, "GET", f"/clients/{client_id}/orders", query={"limit": "2"})
    _, _, rest = call(
        orders_handler, "GET", f"/clients/{client_id}/orders", query={"limit": "2", "cursor": first["nextCursor"]}
    )
    assert [o["orderId"] for o in first["items"] + rest["items"]] == placed
    _, _, pending = call(orders_handler, "GET", f"/clients/{client_id}/orders", query={"status": "PENDING"})
    _, _, invoiced = call(orders_handler, "GET", f"/clients/{client_id}/orders", query={"status": "INVOICED"})
    assert len(pending["items"]) == 3 and invoiced == {"items": [], "nextCursor": None}


def test_cursor_of_one_clients_orders_is_refused_on_anothers():
    owner, other = new_client(), new_client()
    for _ in range(2):
        place(owner, {"items": [WIDGET]})
    cursor = call(orders_handler, "GET", f"/clients/{owner}/orders", query={"limit": "1"})[2]["nextCursor"]
    response = call(orders_handler, "GET", f"/clients/{other}/orders", query={"cursor": cursor})
    assert_problem(*response, 400)


@pytest.mark.parametrize("query", [{"status": "SHIPPED"}, {"limit": "0"}, {"page": "2"}])
def test_invalid_order_listing_query_is_400(query):
    assert_problem(*call(orders_handler, "GET", f"/clients/{new_client()}/orders", query=query), 400)


def test_orders_of_unknown_client_are_404():
    assert_problem(*call(orders_handler, "GET", f"/clients/{UNKNOWN_ID}/orders"), 404)


def test_client_with_open_orders_cannot_be_deleted():
    client_id = new_client()
    place(client_id, {"items": [WIDGET]})
    assert_problem(*call(clients_handler, "DELETE", f"/clients/{client_id}"), 409)
