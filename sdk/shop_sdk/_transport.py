"""The HTTP layer under the generated client: the token (static, or from a provider that refreshes on 401)
and the retries (backoff with jitter, `Retry-After`, one `Idempotency-Key` per POST for all its attempts)."""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Callable, Generator
from dataclasses import dataclass
from time import sleep

import httpx

from .errors import retry_after_seconds

IDEMPOTENCY_KEY = "Idempotency-Key"


def new_idempotency_key() -> str:
    """A fresh key: 32 hex digits, within the contract's `^[A-Za-z0-9_-]+$`, 8..128 characters."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to retry.

    `max_attempts` counts the first one (1 turns retries off). Between attempts the wait is "full jitter"
    exponential backoff, a random time up to `min(max_backoff, initial_backoff * 2**retry)` seconds, or the
    answer's `Retry-After` when that is longer (capped at `max_retry_after`).

    Retried: 429 (nothing was done, says the contract), 502, 503 and 504, a 409 whose type says the same
    Idempotency-Key is still in flight, and connection errors, timeouts and connections dropped mid-answer.
    Every method is retried: GET, PUT and DELETE are idempotent, a PATCH sets fields (a retry sets them
    again), and a POST carries one Idempotency-Key on all its attempts, so the server answers a retry with
    the first attempt's answer instead of placing a second order. Nothing else is retried (no 4xx but 429,
    no 500).
    """

    max_attempts: int = 4
    initial_backoff: float = 0.5
    max_backoff: float = 20.0
    max_retry_after: float = 60.0
    statuses: frozenset[int] = frozenset({429, 502, 503, 504})

    def backoff(self, retry: int) -> float:
        """The wait before retry number `retry` (0 for the first retry), without `Retry-After`."""
        return random.uniform(0, min(self.max_backoff, self.initial_backoff * 2**retry))


IN_FLIGHT = "urn:shop:problem:idempotent-request-in-flight"
# Errors a new attempt may not meet: no connection, a timeout, a connection dropped mid-answer (not, say, a URL
# with an unsupported scheme or a proxy refusing).
TRANSIENT = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class Attempt:
    """One attempt of a request, as `Shop(on_attempt=...)` sees it: the answer (`response`, its body read) or
    the transport error (`error`) of attempt number `number` (1 for the first), and `retry_in`, the seconds
    until the next attempt, or None when the answer or error is the call's own (no attempt follows)."""

    request: httpx.Request
    number: int
    response: httpx.Response | None = None
    error: Exception | None = None
    retry_in: float | None = None

    @property
    def retried(self) -> bool:
        return self.retry_in is not None


def _in_flight(response: httpx.Response) -> bool:
    """A 409 that says a request with the same Idempotency-Key is still being processed (retry later)."""
    if response.status_code != 409:
        return False
    try:
        return json.loads(response.read()).get("type") == IN_FLIGHT
    except (ValueError, AttributeError):
        return False


class RetryTransport(httpx.BaseTransport):
    """Sends each request through `inner`, again after a retryable answer or a connection error. `on_attempt`,
    when given, sees every attempt (an `Attempt`) before the wait for the next one: what the caller of the
    SDK would not see otherwise, e.g. the 429s the retries absorbed. What it raises ends the call."""

    def __init__(
        self, inner: httpx.BaseTransport, policy: RetryPolicy, on_attempt: Callable[[Attempt], None] | None = None
    ):
        self.inner = inner
        self.policy = policy
        self.on_attempt = on_attempt

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # One key for every attempt of this POST (a key the caller gave is kept as it is).
        if request.method == "POST" and IDEMPOTENCY_KEY not in request.headers:
            request.headers[IDEMPOTENCY_KEY] = new_idempotency_key()
        retry = 0
        while True:
            last = retry + 1 >= self.policy.max_attempts
            try:
                response = self.inner.handle_request(request)
            except TRANSIENT as error:
                delay = None if last else self.policy.backoff(retry)
                self._observe(Attempt(request, retry + 1, error=error, retry_in=delay))
                if delay is None:
                    raise
                sleep(delay)
                retry += 1
                continue
            except httpx.TransportError as error:
                self._observe(Attempt(request, retry + 1, error=error))
                raise
            if last or not (response.status_code in self.policy.statuses or _in_flight(response)):
                self._observe(Attempt(request, retry + 1, response=response), response)
                return response
            delay = self.policy.backoff(retry)
            after = retry_after_seconds(response.headers)
            if after is not None:
                delay = max(delay, min(after, self.policy.max_retry_after))
            self._observe(Attempt(request, retry + 1, response=response, retry_in=delay), response)
            response.close()
            sleep(delay)
            retry += 1

    def _observe(self, attempt: Attempt, response: httpx.Response | None = None) -> None:
        if self.on_attempt is None:
            return
        if response is not None:
            response.read()  # the hook may read the body; httpx keeps it for the caller
        try:
            self.on_attempt(attempt)
        except BaseException:
            if response is not None:
                response.close()
            raise

    def close(self) -> None:
        self.inner.close()


class TokenAuth(httpx.Auth):
    """`Authorization: Bearer <token>`. With a provider, the token is asked for on the first request and again
    when an answer is 401, which then repeats the request once with the new token (several threads that meet
    the same 401 ask once)."""

    def __init__(self, token: str | None = None, provider: Callable[[], str] | None = None):
        if (token is None) == (provider is None):
            raise ValueError("give either a token or a token_provider")
        self._token = token
        self._provider = provider
        self._lock = threading.Lock()

    def _current(self) -> str:
        with self._lock:
            if self._token is None:
                self._token = self._provider()  # type: ignore[misc]
            return self._token

    def _refresh(self, stale: str) -> str:
        with self._lock:
            if self._token == stale:  # nobody refreshed it since this request was sent
                self._token = self._provider()  # type: ignore[misc]
            return self._token  # type: ignore[return-value]

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._current()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401 and self._provider is not None:
            request.headers["Authorization"] = f"Bearer {self._refresh(token)}"
            yield request
