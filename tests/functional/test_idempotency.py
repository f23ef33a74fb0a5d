"""`Idempotency-Key` on POST /clients and POST /clients/{clientId}/orders, through the API handlers against
the moto server: Powertools' records in the single table (replay, 409 in flight, 422 on another payload)
and the data layer's request items (a retry after a crash finds what the first attempt created).

A crash is simulated by raising a `BaseException` from inside the route: like a Lambda that times out or
dies, it runs no `except Exception`, so Powertools' INPROGRESS record stays behind. A `LambdaContext` with
no time left makes that record's in-flight window end at once, as it does when the invocation times out.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass

import boto3
import pytest
from botocore.exceptions import ClientError

from datamodel import clients, keys, orders
from datamodel.base import connection
from datamodel.entities import ClientRequest, EmailGuard, OrderRequest
from domain import config
from handlers.clients import lambda_handler as clients_handler
from handlers.idempotency import EXPIRES_AFTER_SECONDS, caller_key
from handlers.orders import lambda_handler as orders_handler
from handlers.routes import clients as client_routes
from handlers.routes import orders as order_routes
from tests.events import ADMIN_CLAIMS, ADMIN_SUBJECT, LambdaContext, api_event, client_claims

WIDGET = {"sku": "W-1", "description": "Blue widget", "quantity": 3, "unitPrice": 1250}
GADGET = {"sku": "G-2", "description": "Gadget", "quantity": 2, "unitPrice": 99}
dynamodb = boto3.client("dynamodb")


class Crash(BaseException):
    """The function dies mid-request (timeout, out of memory): nothing after this line runs."""


@dataclass(frozen=True)
class TimedOutContext(LambdaContext):
    """The invocation's time is up: the INPROGRESS record it leaves is no longer in flight."""

    def get_remaining_time_in_millis(self) -> int:
        return 0


def call(handler, method, path, context=None, **kwargs):
    response = handler(api_event(method, path, **kwargs), context or LambdaContext())
    headers = {k.lower(): v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    body = json.loads(response["body"]) if response.get("body") else None
    return int(response["statusCode"]), headers, body


def new_key() -> str:
    return f"key-{uuid.uuid4().hex}"


def client_payload(**overrides) -> dict:
    return {"name": "Acme", "email": f"i-{uuid.uuid4().hex[:10]}@example.com"} | overrides


def create_client(payload, key=None, context=None):
    headers = {"Idempotency-Key": key} if key else {}
    return call(clients_handler, "POST", "/clients", context, body=payload, headers=headers)


def place(client_id, payload, key=None, context=None):
    headers = {"Idempotency-Key": key} if key else {}
    return call(orders_handler, "POST", f"/clients/{client_id}/orders", context, body=payload, headers=headers)


def new_client_id() -> str:
    status, _, body = create_client(client_payload())
    assert status == 201
    return body["clientId"]


def assert_problem(response, status, slug):
    got_status, headers, body = response
    assert got_status == status, body
    assert headers["content-type"] == "application/problem+json"
    assert body["status"] == status and body["type"] == f"urn:shop:problem:{slug}" and body["detail"]


def powertools_record(route: str, key: str, subject: str = ADMIN_SUBJECT, **path: str) -> dict:
    """The raw idempotency item, found by the key layout datamodel/keys.py documents."""
    scope = {"route": route, **path, "key": f"{subject}#{key}"}
    digest = hashlib.sha256(json.dumps(scope, sort_keys=True).encode()).hexdigest()
    item = dynamodb.get_item(
        TableName=config.TABLE_NAME,
        Key={"PK": {"S": keys.idempotency_pk(f"{subject}#{key}")}, "SK": {"S": f"{route}#{digest}"}},
        ConsistentRead=True,
    )
    return item.get("Item")


def order_ids(client_id: str) -> list[str]:
    return [o.order_id for o in orders.page(client_id, 100).items]


@pytest.fixture
def data_layer_calls(monkeypatch):
    """Counts the calls that reach the data layer's creating functions."""
    calls = {"create": 0, "place": 0}
    real_create, real_place = clients.create, orders.place

    def counted_create(*args, **kwargs):
        calls["create"] += 1
        return real_create(*args, **kwargs)

    def counted_place(*args, **kwargs):
        calls["place"] += 1
        return real_place(*args, **kwargs)

    monkeypatch.setattr(client_routes.clients, "create", counted_create)
    monkeypatch.setattr(order_routes.orders, "place", counted_place)
    return calls


def crashed(module, name, request):
    """Run `request` with `module.name` doing its work and then killing the function: a crash after the
    data layer committed, before Powertools saved the response."""
    real = getattr(module, name)

    def then_crash(*args, **kwargs):
        real(*args, **kwargs)
        raise Crash(name)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, name, then_crash)
        with pytest.raises(Crash):
            request()


# ---- replay: the original response, no second write ----


def test_client_replay_returns_the_original_201_with_location_and_etag_and_creates_nothing(data_layer_calls):
    key, payload = new_key(), client_payload()
    first = create_client(payload, key)
    # the client changes meanwhile: a replay still answers what the first request answered
    client_id = first[2]["clientId"]
    put = call(clients_handler, "PUT", f"/clients/{client_id}", body=payload | {"name": "Renamed"})
    assert put[0] == 200 and put[1]["etag"] == '"2"'

    second = create_client(payload, key)

    assert first[0] == second[0] == 201
    assert second[2] == first[2] and second[2]["name"] == "Acme"
    assert second[1]["location"] == first[1]["location"] == f"/prod/clients/{client_id}"
    assert second[1]["etag"] == first[1]["etag"] == '"1"'
    assert second[1]["content-type"] == "application/json"
    assert data_layer_calls["create"] == 1
    assert EmailGuard.get(keys.email_pk(payload["email"]), keys.EMAIL_SK).client_id == client_id


def test_order_replay_returns_the_original_202_without_a_second_order_or_message(orders_queue, data_layer_calls):
    client_id, key = new_client_id(), new_key()
    first = place(client_id, {"items": [WIDGET]}, key)
    # the order moves on meanwhile: the replay is the original answer, not a fresh read
    assert orders.approve(orders.get(client_id, first[2]["orderId"]))

    second = place(client_id, {"items": [WIDGET]}, key)
    third = place(client_id, {"items": [WIDGET]}, key)

    assert first[0] == second[0] == third[0] == 202
    assert second[2] == third[2] == first[2] and second[2]["status"] == "PENDING"
    assert second[1]["location"] == first[1]["location"]
    assert data_layer_calls["place"] == 1
    assert order_ids(client_id) == [first[2]["orderId"]]
    assert orders_queue() == [first[2]["orderId"]]
    assert clients.open_orders(client_id) == 1


def test_without_a_key_every_post_creates(orders_queue):
    client_id = new_client_id()
    a = place(client_id, {"items": [WIDGET]})[2]["orderId"]
    b = place(client_id, {"items": [WIDGET]})[2]["orderId"]
    assert a != b and sorted(order_ids(client_id)) == sorted([a, b])


# ---- 422: the same key with another payload ----


def test_client_key_reused_with_another_payload_is_422_and_creates_nothing(data_layer_calls):
    key, payload = new_key(), client_payload()
    assert create_client(payload, key)[0] == 201
    other = client_payload()

    assert_problem(create_client(other, key), 422, "idempotency-key-reused")
    assert data_layer_calls["create"] == 1
    with pytest.raises(EmailGuard.DoesNotExist):
        EmailGuard.get(keys.email_pk(other["email"]), keys.EMAIL_SK)


def test_order_key_reused_with_another_payload_is_422_and_places_nothing(orders_queue, data_layer_calls):
    client_id, key = new_client_id(), new_key()
    first = place(client_id, {"items": [WIDGET]}, key)

    assert_problem(place(client_id, {"items": [GADGET]}, key), 422, "idempotency-key-reused")
    assert data_layer_calls["place"] == 1
    assert order_ids(client_id) == [first[2]["orderId"]] and orders_queue() == [first[2]["orderId"]]


def test_key_reused_with_another_payload_while_the_first_is_in_flight_is_422():
    key, payload = new_key(), client_payload()
    crashed(client_routes.clients, "create", lambda: create_client(payload, key))

    assert_problem(create_client(client_payload(), key), 422, "idempotency-key-reused")


# ---- 409: the first request is still in flight ----


def test_client_retry_while_the_first_is_in_flight_is_409():
    key, payload = new_key(), client_payload()
    # its INPROGRESS record lives until its invocation would have timed out (15 s)
    crashed(client_routes.clients, "create", lambda: create_client(payload, key))

    assert_problem(create_client(payload, key), 409, "idempotent-request-in-flight")
    assert powertools_record("createClient", key)["status"]["S"] == "INPROGRESS"


def test_order_retry_while_the_first_is_in_flight_is_409(orders_queue):
    client_id, key = new_client_id(), new_key()
    crashed(order_routes.orders, "place", lambda: place(client_id, {"items": [WIDGET]}, key))

    assert_problem(place(client_id, {"items": [WIDGET]}, key), 409, "idempotent-request-in-flight")
    assert orders_queue() == []


def test_in_flight_window_is_the_invocations_remaining_time():
    key = new_key()
    before_ms = time.time() * 1000
    create_client(client_payload(), key)  # LambdaContext: 15 s left

    record = powertools_record("createClient", key)
    in_flight_until = int(record["in_progress_expiration"]["N"])
    assert before_ms + 14_000 <= in_flight_until <= time.time() * 1000 + 15_000


# ---- a retry after a crash re-executes, and finds what the first attempt created ----


def test_client_retry_after_a_crash_between_creation_and_saved_response_returns_the_same_client():
    # GIVEN a first attempt that created the client, then died before Powertools saved its response
    key, payload = new_key(), client_payload()
    crashed(client_routes.clients, "create", lambda: create_client(payload, key, TimedOutContext()))
    created = clients.get(EmailGuard.get(keys.email_pk(payload["email"]), keys.EMAIL_SK).client_id)
    time.sleep(0.01)  # past the dead invocation's in-flight window

    # WHEN the caller retries with the same key and payload
    status, headers, body = create_client(payload, key)

    # THEN it gets that client (201), not 409 "email taken", and the answer is now saved for replays
    assert status == 201 and body["clientId"] == created.client_id
    assert headers["location"] == f"/prod/clients/{created.client_id}" and headers["etag"] == '"1"'
    assert create_client(payload, key)[2] == body
    assert powertools_record("createClient", key)["status"]["S"] == "COMPLETED"


def test_client_retry_after_a_crash_with_another_payload_is_422_from_the_data_layer():
    key = new_key()
    crashed(client_routes.clients, "create", lambda: create_client(client_payload(), key, TimedOutContext()))
    time.sleep(0.01)

    # Powertools' record had expired (nothing to compare); the key recorded with the client refuses it
    assert_problem(create_client(client_payload(), key), 422, "idempotency-key-reused")


def test_order_retry_after_a_crash_before_the_enqueue_returns_the_same_order_and_enqueues_it(orders_queue):
    # GIVEN a first attempt that wrote the order, then died before enqueueing it
    client_id, key = new_client_id(), new_key()
    crashed(order_routes.orders, "place", lambda: place(client_id, {"items": [WIDGET]}, key, TimedOutContext()))
    [order_id] = order_ids(client_id)
    assert orders_queue() == []
    time.sleep(0.01)

    # WHEN the caller retries
    status, _, body = place(client_id, {"items": [WIDGET]}, key)

    # THEN the same order is answered and enqueued, once, and counted open once
    assert status == 202 and body["orderId"] == order_id
    assert order_ids(client_id) == [order_id] and orders_queue() == [order_id]
    assert clients.open_orders(client_id) == 1


def test_failed_request_is_not_replayed_a_retry_runs_again():
    # GIVEN a keyed creation refused because another client holds the email
    taken = client_payload()
    holder = create_client(taken)[2]["clientId"]
    key = new_key()
    assert_problem(create_client(taken, key), 409, "email-taken")
    assert powertools_record("createClient", key) is None

    # WHEN the email is freed and the same request is retried
    call(clients_handler, "DELETE", f"/clients/{holder}")
    status, _, body = create_client(taken, key)

    # THEN it runs again and succeeds
    assert status == 201 and body["email"] == taken["email"] and body["clientId"] != holder


def throttled(operation: str):
    def fail(**kwargs):
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, operation)

    return fail


def test_idempotency_store_throttled_before_the_route_is_a_429_problem_and_creates_nothing(monkeypatch):
    key, payload = new_key(), client_payload()
    monkeypatch.setattr(connection.client, "put_item", throttled("PutItem"))

    status, headers, body = create_client(payload, key)

    assert status == 429 and headers["content-type"] == "application/problem+json" and body["status"] == 429
    assert 1 <= int(headers["retry-after"]) <= 60
    with pytest.raises(EmailGuard.DoesNotExist):
        EmailGuard.get(keys.email_pk(payload["email"]), keys.EMAIL_SK)
    monkeypatch.undo()
    assert create_client(payload, key)[0] == 201  # the retry runs normally


def test_response_not_saved_after_creation_then_retry_returns_the_same_client(monkeypatch):
    # GIVEN the client created, then saving the response to the idempotency record failing
    key, payload = new_key(), client_payload()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connection.client, "update_item", throttled("UpdateItem"))
        assert create_client(payload, key, TimedOutContext())[0] == 429
    created = EmailGuard.get(keys.email_pk(payload["email"]), keys.EMAIL_SK).client_id
    time.sleep(0.01)

    # WHEN the caller retries: the record is still INPROGRESS but no longer in flight, so the route runs again
    status, _, body = create_client(payload, key)

    # THEN the data layer recognises the request: the same client, not 409 "email taken"
    assert status == 201 and body["clientId"] == created


# ---- scope: route and clientId ----


def test_same_key_on_another_clients_orders_is_independent(orders_queue):
    first, second, key = new_client_id(), new_client_id(), new_key()
    a = place(first, {"items": [WIDGET]}, key)
    b = place(second, {"items": [GADGET]}, key)  # another payload too: not a reuse, another scope

    assert a[0] == b[0] == 202
    assert a[2]["orderId"] != b[2]["orderId"] and b[2]["clientId"] == second
    assert powertools_record("createOrder", key, clientId=first) != powertools_record(
        "createOrder", key, clientId=second
    )


def test_same_key_from_another_caller_is_independent(orders_queue):
    # GIVEN a client that placed an order with a key
    client_id, key = new_client_id(), new_key()
    order = {"body": {"items": [WIDGET]}, "headers": {"Idempotency-Key": key}}
    path = f"/clients/{client_id}/orders"
    own = call(orders_handler, "POST", path, claims=client_claims(client_id), **order)
    # WHEN an admin, and another admin, send the same key with another payload on the same client
    other = {"body": {"items": [GADGET]}, "headers": {"Idempotency-Key": key}}
    admin = call(orders_handler, "POST", path, **other)
    another_admin = call(orders_handler, "POST", path, claims=ADMIN_CLAIMS | {"sub": "another-admin"}, **other)
    # THEN each is a request of its own: three orders, no replay of another caller's answer, no 422
    assert own[0] == admin[0] == another_admin[0] == 202
    placed = [own[2]["orderId"], admin[2]["orderId"], another_admin[2]["orderId"]]
    assert len(set(placed)) == 3 and sorted(order_ids(client_id)) == sorted(placed)
    subject = client_claims(client_id)["sub"]
    assert powertools_record("createOrder", key, subject, clientId=client_id)["status"]["S"] == "COMPLETED"


def test_same_key_on_another_route_is_independent(orders_queue):
    key = new_key()
    status, _, client = create_client(client_payload(), key)
    assert status == 201
    assert place(client["clientId"], {"items": [WIDGET]}, key)[0] == 202


@pytest.mark.parametrize("key", ["short", "has space!", "x" * 129, "has#hash"])
def test_malformed_key_on_client_creation_is_400(key):
    assert create_client(client_payload(), key)[0] == 400


# ---- the records in the single table ----


def test_idempotency_record_layout_and_24_hour_expiration():
    key = new_key()
    before = time.time()
    _, _, client = create_client(client_payload(), key)

    record = powertools_record("createClient", key)
    assert record["PK"] == {"S": keys.idempotency_pk(f"{ADMIN_SUBJECT}#{key}")}
    assert record["PK"]["S"].startswith("IDEMPOTENCY#") and record["SK"]["S"].startswith("createClient#")
    assert record["status"] == {"S": "COMPLETED"}
    assert before + EXPIRES_AFTER_SECONDS - 5 <= int(record["expiration"]["N"]) <= time.time() + EXPIRES_AFTER_SECONDS
    assert EXPIRES_AFTER_SECONDS == 86_400
    stored = json.loads(record["data"]["S"])
    assert stored["statusCode"] == 201 and json.loads(stored["body"]) == client
    # in no index, and not an entity PynamoDB would read
    assert not {"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "kind"} & set(record)


def test_data_layer_request_items_expire_with_the_table_ttl_after_24_hours(orders_queue):
    client_key, order_key = new_key(), new_key()
    _, _, client = create_client(client_payload(), client_key)
    _, _, order = place(client["clientId"], {"items": [WIDGET]}, order_key)
    now = time.time()

    client_pk = keys.client_request_pk(caller_key(client_key, ADMIN_SUBJECT))
    client_request = ClientRequest.get(client_pk, keys.CLIENT_REQUEST_SK)
    order_sk = keys.order_request_sk(caller_key(order_key, ADMIN_SUBJECT))
    order_request = OrderRequest.get(keys.client_pk(client["clientId"]), order_sk)
    assert client_request.client_id == client["clientId"] and order_request.order_id == order["orderId"]
    for item in (client_request, order_request):
        assert now + 86_400 - 60 <= item.expiration <= now + 86_400


def test_client_key_is_free_again_once_its_request_item_expired_even_before_ttl_deletes_it():
    # GIVEN a key whose data-layer item is past its 24 h (TTL has not deleted it yet) and no Powertools record
    key, payload = new_key(), client_payload()
    first = create_client(payload, key)[2]
    stale = ClientRequest.get(keys.client_request_pk(caller_key(key, ADMIN_SUBJECT)), keys.CLIENT_REQUEST_SK)
    stale.update(actions=[ClientRequest.expiration.set(int(time.time()) - 1)])
    dynamodb.delete_item(
        TableName=config.TABLE_NAME,
        Key={"PK": {"S": keys.idempotency_pk(f"{ADMIN_SUBJECT}#{key}")}, "SK": powertools_record("createClient", key)["SK"]},
    )

    # WHEN the key is used again for another client
    status, _, second = create_client(client_payload(), key)

    # THEN it is a new request: a new client, not a replay and not 422
    assert status == 201 and second["clientId"] != first["clientId"]


def test_idempotency_records_spread_over_every_partition_and_each_key_keeps_its_own():
    # Each keyed POST writes its record twice: one partition would cap them near 500/s (datamodel/keys.py).
    partitions = {keys.idempotency_pk(f"{ADMIN_SUBJECT}#key-{n:04d}") for n in range(400)}
    assert partitions == {f"IDEMPOTENCY#{n}" for n in range(keys.IDEMPOTENCY_SHARDS)}
    assert keys.idempotency_pk("sub#same-key") == keys.idempotency_pk("sub#same-key")
