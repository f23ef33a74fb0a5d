# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.order import Order
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import Response


def _get_kwargs(
    client_id: str,
    order_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/clients/{client_id}/orders/{order_id}".format(
            client_id=quote(str(client_id), safe=""),
            order_id=quote(str(order_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Order | Problem | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = Order.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ValidationProblem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Order | Problem | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    client_id: str,
    order_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Order | Problem | ValidationProblem]:
    """Read an order

     Returns the order with its current status. A client token reads its own orders only:
    another client's id, or another client's order id under its own, answers 404.

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        order_id (str): 26-character ULID (Crockford base 32).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Order | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        client_id=client_id,
        order_id=order_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    client_id: str,
    order_id: str,
    *,
    client: AuthenticatedClient,
) -> Order | Problem | ValidationProblem | None:
    """Read an order

     Returns the order with its current status. A client token reads its own orders only:
    another client's id, or another client's order id under its own, answers 404.

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        order_id (str): 26-character ULID (Crockford base 32).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Order | Problem | ValidationProblem
    """

    return sync_detailed(
        client_id=client_id,
        order_id=order_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    client_id: str,
    order_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Order | Problem | ValidationProblem]:
    """Read an order

     Returns the order with its current status. A client token reads its own orders only:
    another client's id, or another client's order id under its own, answers 404.

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        order_id (str): 26-character ULID (Crockford base 32).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Order | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        client_id=client_id,
        order_id=order_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    client_id: str,
    order_id: str,
    *,
    client: AuthenticatedClient,
) -> Order | Problem | ValidationProblem | None:
    """Read an order

     Returns the order with its current status. A client token reads its own orders only:
    another client's id, or another client's order id under its own, answers 404.

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        order_id (str): 26-character ULID (Crockford base 32).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Order | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client_id=client_id,
            order_id=order_id,
            client=client,
        )
    ).parsed
