"""The generated SDK reads what a later, additive version of the contract may answer: a value its enums do not
know yet (order status, rejection reason, currency) arrives as a plain string instead of failing."""

import httpx

from shop_client import AuthenticatedClient
from shop_client.api.orders import get_order
from shop_client.models import Order, OrderStatus

CLIENT_ID, ORDER_ID = "01KJQDVYM3XCGN4JZ6XYXTN06T", "01KJYMA81MNP3YPF4K85EW1AY1"


def an_order(**fields) -> dict:
    return {
        "orderId": ORDER_ID,
        "clientId": CLIENT_ID,
        "status": "PENDING",
        "items": [{"sku": "WIDGET-1", "description": "Blue widget", "quantity": 3, "unitPrice": 1250}],
        "total": 3750,
        "currency": "USD",
        "createdAt": "2026-03-05T09:12:30.004Z",
        "updatedAt": "2026-03-05T09:12:30.004Z",
        **fields,
    }


def sdk_answered(body: dict) -> AuthenticatedClient:
    """An SDK client whose every request is answered 200 with `body`, over httpx's own transport interface."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    return AuthenticatedClient(base_url="http://shop.test", token="t", httpx_args={"transport": transport})


def test_an_order_with_a_status_the_sdk_does_not_know_is_read_as_a_string():
    # GIVEN a server of a later version that answers a new status, rejection reason and currency
    api = sdk_answered(an_order(status="ON_HOLD", rejectionReason="fraud_suspected", currency="CHF"))
    # WHEN the SDK reads the order
    order = get_order.sync(client_id=CLIENT_ID, order_id=ORDER_ID, client=api)
    # THEN it has the order, with the new values as they were sent
    assert isinstance(order, Order)
    assert (order.status, order.rejection_reason, order.currency) == ("ON_HOLD", "fraud_suspected", "CHF")


def test_a_known_status_is_still_the_enum():
    order = get_order.sync(client_id=CLIENT_ID, order_id=ORDER_ID, client=sdk_answered(an_order()))
    assert order.status is OrderStatus.PENDING
