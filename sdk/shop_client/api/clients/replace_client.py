# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.client_input import ClientInput
from ...models.client_record import ClientRecord
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    client_id: str,
    *,
    body: ClientInput,
    if_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["If-Match"] = if_match

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/clients/{client_id}".format(
            client_id=quote(str(client_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ClientRecord | Problem | ValidationProblem | None:
    if response.status_code == 200:
        response_200 = ClientRecord.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 412:
        response_412 = Problem.from_dict(response.json())

        return response_412

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

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
    client_id: str,
    *,
    client: AuthenticatedClient,
    body: ClientInput,
    if_match: str | Unset = UNSET,
) -> Response[ClientRecord | Problem | ValidationProblem]:
    """Replace a client's mutable fields

     Replaces `name`, `email` and `document` (an omitted `document` is removed); an omitted
    `creditLimit` or `currency` keeps its stored value. To change one field alone, use
    `PATCH`. Send the `ETag` you read as `If-Match` to refuse a stale update (412).

    A client token replaces its own profile only (another client's id answers 404), and
    `creditLimit` and `currency` are not its to change: sent, they must equal the stored
    values, or the request is refused with 403 and changes nothing. Body at most 256 KiB (413).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        if_match (str | Unset):
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
        client_id=client_id,
        body=body,
        if_match=if_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    client_id: str,
    *,
    client: AuthenticatedClient,
    body: ClientInput,
    if_match: str | Unset = UNSET,
) -> ClientRecord | Problem | ValidationProblem | None:
    """Replace a client's mutable fields

     Replaces `name`, `email` and `document` (an omitted `document` is removed); an omitted
    `creditLimit` or `currency` keeps its stored value. To change one field alone, use
    `PATCH`. Send the `ETag` you read as `If-Match` to refuse a stale update (412).

    A client token replaces its own profile only (another client's id answers 404), and
    `creditLimit` and `currency` are not its to change: sent, they must equal the stored
    values, or the request is refused with 403 and changes nothing. Body at most 256 KiB (413).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        if_match (str | Unset):
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
        client_id=client_id,
        client=client,
        body=body,
        if_match=if_match,
    ).parsed


async def asyncio_detailed(
    client_id: str,
    *,
    client: AuthenticatedClient,
    body: ClientInput,
    if_match: str | Unset = UNSET,
) -> Response[ClientRecord | Problem | ValidationProblem]:
    """Replace a client's mutable fields

     Replaces `name`, `email` and `document` (an omitted `document` is removed); an omitted
    `creditLimit` or `currency` keeps its stored value. To change one field alone, use
    `PATCH`. Send the `ETag` you read as `If-Match` to refuse a stale update (412).

    A client token replaces its own profile only (another client's id answers 404), and
    `creditLimit` and `currency` are not its to change: sent, they must equal the stored
    values, or the request is refused with 403 and changes nothing. Body at most 256 KiB (413).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        if_match (str | Unset):
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
        client_id=client_id,
        body=body,
        if_match=if_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    client_id: str,
    *,
    client: AuthenticatedClient,
    body: ClientInput,
    if_match: str | Unset = UNSET,
) -> ClientRecord | Problem | ValidationProblem | None:
    """Replace a client's mutable fields

     Replaces `name`, `email` and `document` (an omitted `document` is removed); an omitted
    `creditLimit` or `currency` keeps its stored value. To change one field alone, use
    `PATCH`. Send the `ETag` you read as `If-Match` to refuse a stale update (412).

    A client token replaces its own profile only (another client's id answers 404), and
    `creditLimit` and `currency` are not its to change: sent, they must equal the stored
    values, or the request is refused with 403 and changes nothing. Body at most 256 KiB (413).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        if_match (str | Unset):
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
            client_id=client_id,
            client=client,
            body=body,
            if_match=if_match,
        )
    ).parsed
