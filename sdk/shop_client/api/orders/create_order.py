# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.order import Order
from ...models.order_create import OrderCreate
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    client_id: str,
    *,
    body: OrderCreate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/clients/{client_id}/orders".format(
            client_id=quote(str(client_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Order | Problem | ValidationProblem | None:
    if response.status_code == 202:
        response_202 = Order.from_dict(response.json())

        return response_202

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

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

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
    *,
    client: AuthenticatedClient,
    body: OrderCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[Order | Problem | ValidationProblem]:
    """Place a purchase order

     Accepts the order for asynchronous approval (202). The server computes `total`; a body
    that carries one is refused. A retry with the same `Idempotency-Key` and payload returns
    the original answer (keys are the caller's own). A client token places orders for itself
    only (another client's id answers 404). Body at most 256 KiB (413).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        idempotency_key (str | Unset):
        body (OrderCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Order | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        client_id=client_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    client_id: str,
    *,
    client: AuthenticatedClient,
    body: OrderCreate,
    idempotency_key: str | Unset = UNSET,
) -> Order | Problem | ValidationProblem | None:
    """Place a purchase order

     Accepts the order for asynchronous approval (202). The server computes `total`; a body
    that carries one is refused. A retry with the same `Idempotency-Key` and payload returns
    the original answer (keys are the caller's own). A client token places orders for itself
    only (another client's id answers 404). Body at most 256 KiB (413).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        idempotency_key (str | Unset):
        body (OrderCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Order | Problem | ValidationProblem
    """

    return sync_detailed(
        client_id=client_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    client_id: str,
    *,
    client: AuthenticatedClient,
    body: OrderCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[Order | Problem | ValidationProblem]:
    """Place a purchase order

     Accepts the order for asynchronous approval (202). The server computes `total`; a body
    that carries one is refused. A retry with the same `Idempotency-Key` and payload returns
    the original answer (keys are the caller's own). A client token places orders for itself
    only (another client's id answers 404). Body at most 256 KiB (413).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        idempotency_key (str | Unset):
        body (OrderCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Order | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        client_id=client_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    client_id: str,
    *,
    client: AuthenticatedClient,
    body: OrderCreate,
    idempotency_key: str | Unset = UNSET,
) -> Order | Problem | ValidationProblem | None:
    """Place a purchase order

     Accepts the order for asynchronous approval (202). The server computes `total`; a body
    that carries one is refused. A retry with the same `Idempotency-Key` and payload returns
    the original answer (keys are the caller's own). A client token places orders for itself
    only (another client's id answers 404). Body at most 256 KiB (413).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        idempotency_key (str | Unset):
        body (OrderCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Order | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client_id=client_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
