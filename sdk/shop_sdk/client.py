"""`Shop`, the one client object, and its resources: `shop.clients`, `shop.orders`, `shop.invoices`."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from time import monotonic, sleep
from typing import Any

import httpx

from shop_client import Client
from shop_client.api.clients import (
    create_client,
    delete_client,
    get_client,
    list_clients,
    replace_client,
    update_client,
)
from shop_client.api.health import get_health
from shop_client.api.invoices import get_invoice, get_invoice_pdf, list_invoices
from shop_client.api.orders import create_order, get_order, list_orders
from shop_client.models import (
    ClientInput,
    ClientPatch,
    ClientRecord,
    Currency,
    Health,
    Invoice,
    Order,
    OrderCreate,
    OrderItem,
    OrderStatus,
)
from shop_client.types import UNSET, Response

from ._transport import Attempt, RetryPolicy, RetryTransport, TokenAuth
from ._version import sdk_version
from .errors import APIConnectionError, APIError, ShopError, WaitTimeout, error_from_response
from .pagination import Paginator

TERMINAL = frozenset({OrderStatus.INVOICED, OrderStatus.REJECTED})
USER_AGENT = f"shop-sdk-python/{sdk_version()} httpx/{httpx.__version__}"


def _opt(value: Any) -> Any:
    """None (the Pythonic "not given") as the generated models' UNSET."""
    return UNSET if value is None else value


class Shop:
    """The shop's API.

        shop = Shop("https://api.example.com", token="...")            # or token_provider=get_token
        client = shop.clients.create(name="Acme Ltd", email="ap@acme.example")
        order = shop.orders.create(client.client_id, items=[OrderItem(sku="W-1", description="Widget", quantity=3, unit_price=1250)])
        order = shop.orders.wait(client.client_id, order.order_id)   # INVOICED or REJECTED

    `token` is a token string; `token_provider` a callable that returns one, called before the first request
    and again whenever the API answers 401 (the request is then repeated once with the new token), so it
    should return a fresh token when called (e.g. sign in to Cognito again). `timeout` is httpx's, per request
    attempt. `retry` says when and how long to retry (`RetryPolicy(max_attempts=1)` turns retries off).
    `transport` replaces httpx's own (tests use `httpx.MockTransport`); it carries the presigned PDF
    downloads too. `on_attempt` is called with every attempt of every request (an `Attempt`: its answer or
    transport error, and whether a retry follows), to count or log the retries or check each answer; what it
    raises ends the call. A `Shop` holds connection pools: use it as a context manager, or call `close()`.

    Every method returns the generated models of `shop_client.models` or raises a `shop_sdk.errors.ShopError`:
    an `APIError` subclass per problem status, `APIConnectionError` when no answer came.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        token_provider: Callable[[], str] | None = None,
        timeout: float | httpx.Timeout = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        on_attempt: Callable[[Attempt], None] | None = None,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self._auth = TokenAuth(token, token_provider)
        self._inner = transport or httpx.HTTPTransport()
        retrying = RetryTransport(self._inner, self.retry, on_attempt)
        timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        headers = {"User-Agent": USER_AGENT}
        self._local = threading.local()
        #: The generated client (`shop_client`) under this layer, with its token and retries: pass it as
        #: `client=` to any `shop_client.api` function this layer does not wrap.
        self.api = Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=timeout,
            httpx_args={"transport": retrying, "auth": self._auth, "event_hooks": {"response": [self._remember]}},
        )
        # The operations the contract leaves open (`security: []`, the health probe) send no token, so they never
        # ask a token provider: a probe works before there is a token to send.
        self._public = Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=timeout,
            httpx_args={"transport": retrying, "event_hooks": {"response": [self._remember]}},
        )
        # Presigned S3 URLs are not the shop's API: no token (S3 refuses a second authentication), redirects followed.
        self._downloads = httpx.Client(transport=retrying, timeout=timeout, headers=headers, follow_redirects=True)
        self.clients = Clients(self)
        self.orders = Orders(self)
        self.invoices = Invoices(self)

    def health(self) -> Health:
        """The liveness probe (no token sent)."""
        return self._call(get_health.sync_detailed, client=self._public)

    def close(self) -> None:
        self.api.get_httpx_client().close()
        self._public.get_httpx_client().close()
        self._downloads.close()

    def __enter__(self) -> Shop:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _remember(self, response: httpx.Response) -> None:
        self._local.response = response

    def _call(self, operation: Callable[..., Response[Any]], *args: Any, **kwargs: Any) -> Any:
        """The operation's typed answer, or the exception of its problem."""
        self._local.response = None
        try:
            response = operation(*args, **{"client": self.api, **kwargs})
        except httpx.TransportError as exc:
            raise APIConnectionError(f"no answer from the shop's API: {exc!r}") from exc
        except (KeyError, TypeError, ValueError) as exc:  # an answer the generated models cannot read
            raw: httpx.Response | None = self._local.response
            if raw is not None and raw.status_code >= 400:
                raise error_from_response(raw) from exc
            raise ShopError(f"unreadable answer from the shop's API: {exc!r}") from exc
        if response.status_code >= 400:
            raise error_from_response(self._local.response or _as_httpx(response))
        return response.parsed

    def _get_url(self, url: str) -> httpx.Response:
        try:
            return self._downloads.get(url)
        except httpx.TransportError as exc:
            raise APIConnectionError(f"no answer from {httpx.URL(url).host}: {exc!r}") from exc


def _as_httpx(response: Response[Any]) -> httpx.Response:
    return httpx.Response(int(response.status_code), headers=dict(response.headers), content=response.content)


class Clients:
    """`shop.clients`: the client records (the back office's; a client token reads and replaces its own)."""

    def __init__(self, shop: Shop) -> None:
        self._shop = shop

    def create(
        self,
        *,
        name: str,
        email: str,
        document: str | None = None,
        credit_limit: int | None = None,
        currency: Currency | str | None = None,
        idempotency_key: str | None = None,
    ) -> ClientRecord:
        """Create a client; without `idempotency_key`, one is made for this call (and its retries)."""
        body = ClientInput(
            name=name,
            email=email,
            document=_opt(document),
            credit_limit=_opt(credit_limit),
            currency=_opt(currency and Currency(currency)),
        )
        return self._shop._call(create_client.sync_detailed, body=body, idempotency_key=_opt(idempotency_key))

    def get(self, client_id: str) -> ClientRecord:
        return self._shop._call(get_client.sync_detailed, client_id)

    def list(self, *, page_size: int = 100, cursor: str | None = None) -> Paginator[ClientRecord]:
        """Every client, oldest first (admin only)."""

        def fetch(cursor: str | None, limit: int) -> Any:
            return self._shop._call(list_clients.sync_detailed, limit=limit, cursor=_opt(cursor))

        return Paginator(fetch, page_size=page_size, cursor=cursor)

    def update(self, client_id: str, *, if_match: str | None = None, **fields: Any) -> ClientRecord:
        """Change some fields (a JSON Merge Patch): `name`, `email`, `document` (None removes it),
        `credit_limit`, `currency`. With `if_match` (an ETag), a stale version raises `PreconditionFailed`."""
        unknown = set(fields) - {"name", "email", "document", "credit_limit", "currency"}
        if unknown:
            raise TypeError(f"unknown client fields: {sorted(unknown)}")
        if fields.get("currency") is not None:
            fields["currency"] = Currency(fields["currency"])
        body = ClientPatch(**fields)
        return self._shop._call(update_client.sync_detailed, client_id, body=body, if_match=_opt(if_match))

    def replace(self, client_id: str, body: ClientInput, *, if_match: str | None = None) -> ClientRecord:
        return self._shop._call(replace_client.sync_detailed, client_id, body=body, if_match=_opt(if_match))

    def delete(self, client_id: str) -> None:
        """Delete a client (`Conflict` while it has orders that are not terminal)."""
        self._shop._call(delete_client.sync_detailed, client_id)


class Orders:
    """`shop.orders`: purchase orders, approved and invoiced asynchronously."""

    TERMINAL = TERMINAL

    def __init__(self, shop: Shop) -> None:
        self._shop = shop

    def create(
        self,
        client_id: str,
        *,
        items: Iterable[OrderItem | Mapping[str, Any]],
        currency: Currency | str | None = None,
        idempotency_key: str | None = None,
    ) -> Order:
        """Place an order (PENDING; `wait` for its outcome). Items are `OrderItem`s or the contract's JSON
        objects (`{"sku", "description", "quantity", "unitPrice"}`). Without `idempotency_key`, one is made
        for this call and sent on every retry, so a retry never places a second order."""
        lines = [item if isinstance(item, OrderItem) else OrderItem.from_dict(item) for item in items]
        body = OrderCreate(items=lines, currency=_opt(currency and Currency(currency)))
        return self._shop._call(create_order.sync_detailed, client_id, body=body, idempotency_key=_opt(idempotency_key))

    def get(self, client_id: str, order_id: str) -> Order:
        return self._shop._call(get_order.sync_detailed, client_id, order_id)

    def list(
        self,
        client_id: str,
        *,
        status: OrderStatus | str | None = None,
        page_size: int = 100,
        cursor: str | None = None,
    ) -> Paginator[Order]:
        """Every order of the client, oldest first; only those in `status` when given."""
        wanted = _opt(status and OrderStatus(status))

        def fetch(cursor: str | None, limit: int) -> Any:
            return self._shop._call(
                list_orders.sync_detailed, client_id, limit=limit, cursor=_opt(cursor), status=wanted
            )

        return Paginator(fetch, page_size=page_size, cursor=cursor)

    def wait(self, client_id: str, order_id: str, *, timeout: float = 120.0, poll_interval: float = 1.0) -> Order:
        """Poll the order until it is terminal (INVOICED or REJECTED) and return it; `WaitTimeout` (with the
        last state read) after `timeout` seconds. A status this version does not know is not terminal."""
        deadline = monotonic() + timeout
        while True:
            order = self.get(client_id, order_id)
            if order.status in TERMINAL:
                return order
            left = deadline - monotonic()
            if left <= 0:
                raise WaitTimeout(f"order {order_id} is still {order.status} after {timeout:g} s", order)
            sleep(min(poll_interval, left))


class Invoices:
    """`shop.invoices`: the invoices of invoiced orders, and their PDFs."""

    def __init__(self, shop: Shop) -> None:
        self._shop = shop

    def get(self, client_id: str, invoice_id: str) -> Invoice:
        """The invoice, with a presigned `download_url` of its PDF (valid until `expires_at`)."""
        return self._shop._call(get_invoice.sync_detailed, client_id, invoice_id)

    def list(self, client_id: str, *, page_size: int = 100, cursor: str | None = None) -> Paginator[Invoice]:
        """Every invoice of the client, oldest first."""

        def fetch(cursor: str | None, limit: int) -> Any:
            return self._shop._call(list_invoices.sync_detailed, client_id, limit=limit, cursor=_opt(cursor))

        return Paginator(fetch, page_size=page_size, cursor=cursor)

    def download_pdf(self, client_id: str, invoice_id: str, path: str | os.PathLike[str]) -> Path:
        """Write the invoice's PDF to `path` and return the file's path. `path` is a file, or a directory (made
        when it ends with `/`) to hold `<invoice_id>.pdf`. The API redirects to a presigned URL, fetched
        without the token; the file appears complete or not at all (written beside it, then renamed)."""
        self._shop._call(get_invoice_pdf.sync_detailed, client_id, invoice_id)
        redirect: httpx.Response = self._shop._local.response
        location = redirect.headers.get("location")
        if redirect.status_code != 302 or not location:
            raise ShopError(f"expected a 302 to the PDF, got {redirect.status_code} without a Location")
        response = self._shop._get_url(location)
        if response.status_code != 200:
            raise APIError(
                status=response.status_code,
                title=response.reason_phrase,
                detail=f"the presigned PDF URL answered {response.status_code}",
                headers=response.headers,
            )
        target = Path(path)
        if target.is_dir() or os.fspath(path).endswith(("/", os.sep)):
            target.mkdir(parents=True, exist_ok=True)
            target = target / f"{invoice_id}.pdf"
        fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(response.content)
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        return target


__all__ = ["TERMINAL", "Clients", "Invoices", "Orders", "Shop"]
