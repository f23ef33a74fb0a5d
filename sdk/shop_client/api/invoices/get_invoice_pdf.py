# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.validation_problem import ValidationProblem
from ...types import Response


def _get_kwargs(
    client_id: str,
    invoice_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/clients/{client_id}/invoices/{invoice_id}/pdf".format(
            client_id=quote(str(client_id), safe=""),
            invoice_id=quote(str(invoice_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | ValidationProblem | None:
    if response.status_code == 302:
        response_302 = cast(Any, None)
        return response_302

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
) -> Response[Any | Problem | ValidationProblem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    client_id: str,
    invoice_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Problem | ValidationProblem]:
    """Download an invoice PDF

     Redirects (302) to a presigned URL of the PDF, valid for at most 300 s. A client token
    downloads its own invoices only (another client's answer 404).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        invoice_id (str): Invoice number, gapless per UTC year of issue. Example: INV-2026-000001.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        client_id=client_id,
        invoice_id=invoice_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    client_id: str,
    invoice_id: str,
    *,
    client: AuthenticatedClient,
) -> Any | Problem | ValidationProblem | None:
    """Download an invoice PDF

     Redirects (302) to a presigned URL of the PDF, valid for at most 300 s. A client token
    downloads its own invoices only (another client's answer 404).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        invoice_id (str): Invoice number, gapless per UTC year of issue. Example: INV-2026-000001.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | ValidationProblem
    """

    return sync_detailed(
        client_id=client_id,
        invoice_id=invoice_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    client_id: str,
    invoice_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Problem | ValidationProblem]:
    """Download an invoice PDF

     Redirects (302) to a presigned URL of the PDF, valid for at most 300 s. A client token
    downloads its own invoices only (another client's answer 404).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        invoice_id (str): Invoice number, gapless per UTC year of issue. Example: INV-2026-000001.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | ValidationProblem]
    """

    kwargs = _get_kwargs(
        client_id=client_id,
        invoice_id=invoice_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    client_id: str,
    invoice_id: str,
    *,
    client: AuthenticatedClient,
) -> Any | Problem | ValidationProblem | None:
    """Download an invoice PDF

     Redirects (302) to a presigned URL of the PDF, valid for at most 300 s. A client token
    downloads its own invoices only (another client's answer 404).

    Args:
        client_id (str): 26-character ULID (Crockford base 32).
        invoice_id (str): Invoice number, gapless per UTC year of issue. Example: INV-2026-000001.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | ValidationProblem
    """

    return (
        await asyncio_detailed(
            client_id=client_id,
            invoice_id=invoice_id,
            client=client,
        )
    ).parsed
