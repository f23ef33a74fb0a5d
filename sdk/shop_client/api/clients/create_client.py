# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.client_input import ClientInput
from ...models.client_record import ClientRecord
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ClientInput,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/clients",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ClientRecord | Problem | ValidationProblem | None:
    if response.status_code == 201:
        response_201 = ClientRecord.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = ValidationProblem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

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
) -> Response[ClientRecord | Problem | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ClientInput,
    idempotency_key: str | Unset = UNSET,
) -> Response[ClientRecord | Problem | ValidationProblem]:
    """Create a client

     Creates a client record. The email is unique, compared case-insensitively. A retry with the
    same `Idempotency-Key` and payload returns the original answer (keys are the caller's own:
    another caller's use of the same key is another request). Admin only (403 for a client token).
    Body at most 256 KiB (413).

    Args:
        idempotency_key (str | Unset):
        body (ClientInput): The mutable fields of a client (create, and replace). An omitted field
            is not sent: on
            create, `creditLimit` and `currency` then take the values their `x-default-on-create`
            names (the create operation applies them); on replace they keep their stored values.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ClientRecord | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: ClientInput,
    idempotency_key: str | Unset = UNSET,
) -> ClientRecord | Problem | ValidationProblem | None:
    """Create a client

     Creates a client record. The email is unique, compared case-insensitively. A retry with the
    same `Idempotency-Key` and payload returns the original answer (keys are the caller's own:
    another caller's use of the same key is another request). Admin only (403 for a client token).
    Body at most 256 KiB (413).

    Args:
        idempotency_key (str | Unset):
        body (ClientInput): The mutable fields of a client (create, and replace). An omitted field
            is not sent: on
            create, `creditLimit` and `currency` then take the values their `x-default-on-create`
            names (the create operation applies them); on replace they keep their stored values.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ClientRecord | Problem | ValidationProblem
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ClientInput,
    idempotency_key: str | Unset = UNSET,
) -> Response[ClientRecord | Problem | ValidationProblem]:
    """Create a client

     Creates a client record. The email is unique, compared case-insensitively. A retry with the
    same `Idempotency-Key` and payload returns the original answer (keys are the caller's own:
    another caller's use of the same key is another request). Admin only (403 for a client token).
    Body at most 256 KiB (413).

    Args:
        idempotency_key (str | Unset):
        body (ClientInput): The mutable fields of a client (create, and replace). An omitted field
            is not sent: on
            create, `creditLimit` and `currency` then take the values their `x-default-on-create`
            names (the create operation applies them); on replace they keep their stored values.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ClientRecord | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ClientInput,
    idempotency_key: str | Unset = UNSET,
) -> ClientRecord | Problem | ValidationProblem | None:
    """Create a client

     Creates a client record. The email is unique, compared case-insensitively. A retry with the
    same `Idempotency-Key` and payload returns the original answer (keys are the caller's own:
    another caller's use of the same key is another request). Admin only (403 for a client token).
    Body at most 256 KiB (413).

    Args:
        idempotency_key (str | Unset):
        body (ClientInput): The mutable fields of a client (create, and replace). An omitted field
            is not sent: on
            create, `creditLimit` and `currency` then take the values their `x-default-on-create`
            names (the create operation applies them); on replace they keep their stored values.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ClientRecord | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
