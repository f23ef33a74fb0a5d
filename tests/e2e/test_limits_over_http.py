"""The request body limit (domain/limits.py) over real HTTP, against `shop run`.

`GET /health` needs no token, and the gateway reads any request's body before forwarding it, so it
shows the limit without a token: a body of exactly `MAX_BODY_BYTES` is forwarded, one byte more is a 413
problem, and a declared `Content-Length` above the limit is refused before a byte of the body is sent.
Raw HTTP on purpose: an SDK cannot send a body to `GET /health`, nor one above the limit it models.
"""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlsplit

import httpx

from domain.limits import MAX_BODY_BYTES


def test_a_body_of_exactly_the_limit_is_forwarded(local_stack):
    response = httpx.request("GET", f"{local_stack}/health", content=b" " * MAX_BODY_BYTES)
    assert response.status_code == 200, response.text


def test_one_byte_over_the_limit_is_a_413_problem(local_stack):
    response = httpx.request("GET", f"{local_stack}/health", content=b" " * (MAX_BODY_BYTES + 1))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413 and str(MAX_BODY_BYTES) in response.json()["detail"]


def test_a_huge_declared_content_length_is_refused_before_the_body_is_sent(local_stack):
    url = urlsplit(local_stack)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.putrequest("GET", "/health")
        connection.putheader("Content-Length", str(10**12))
        connection.endheaders()  # headers only: not one byte of the declared terabyte follows
        started = time.monotonic()
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 413 and body["status"] == 413
    assert time.monotonic() - started < 5
