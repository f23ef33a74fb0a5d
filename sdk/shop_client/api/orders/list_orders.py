# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.order_page import OrderPage
from ...models.order_status import OrderStatus
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    client_id: str,
    *,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    status: OrderStatus | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["cursor"] = cursor

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/clients/{client_id}/orders".format(
            client_id=quote(str(client_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> OrderPage | Problem | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = OrderPage.from_dict(response.json())

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
) -> Response[OrderPage | Problem | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    client_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    status: OrderStatus | Unset = UNSET,
) -> Response[OrderPage | Problem | ValidationProblem]:
    """List a client's orders

     Pages through the client's orders, oldest first, optionally only those in one status.
    A client token lists its own orders only (another client's id answers 404).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        status (OrderStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OrderPage | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        client_id=client_id,
        limit=limit,
        cursor=cursor,
        status=status,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    client_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    status: OrderStatus | Unset = UNSET,
) -> OrderPage | Problem | ValidationProblem | None:
    """List a client's orders

     Pages through the client's orders, oldest first, optionally only those in one status.
    A client token lists its own orders only (another client's id answers 404).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        status (OrderStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OrderPage | Problem | ValidationProblem
    """

    return sync_detailed(
        client_id=client_id,
        client=client,
        limit=limit,
        cursor=cursor,
        status=status,
    ).parsed


async def asyncio_detailed(
    client_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    status: OrderStatus | Unset = UNSET,
) -> Response[OrderPage | Problem | ValidationProblem]:
    """List a client's orders

     Pages through the client's orders, oldest first, optionally only those in one status.
    A client token lists its own orders only (another client's id answers 404).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        status (OrderStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OrderPage | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        client_id=client_id,
        limit=limit,
        cursor=cursor,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    client_id: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 20,
    cursor: str | Unset = UNSET,
    status: OrderStatus | Unset = UNSET,
) -> OrderPage | Problem | ValidationProblem | None:
    """List a client's orders

     Pages through the client's orders, oldest first, optionally only those in one status.
    A client token lists its own orders only (another client's id answers 404).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        limit (int | Unset):  Default: 20.
        cursor (str | Unset):
        status (OrderStatus | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OrderPage | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client_id=client_id,
            client=client,
            limit=limit,
            cursor=cursor,
            status=status,
        )
    ).parsed
