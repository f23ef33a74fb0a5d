"""Consumer-side contract check: every answer an SDK call gets must be one the contract declares for its
operation, so that the generated types can read it. The generated client is lenient (an undeclared status
parses as None, `from_dict` takes a string where an integer is declared), so this checks what it would let
pass: the status is declared for the operation, each `required` header is there, each declared header
present fits its schema, the media type is declared, and the body fits the response schema (OpenAPI 3.0's
read semantics, through openapi-schema-validator, which openapi-spec-validator brings). The contract read is
the one consumers get and both SDKs are generated from: contract/published/openapi.json (`make publish`).

`ContractCheck(base_url)` is a `Shop(on_attempt=...)` hook: it sees every attempt, the ones the retries
absorbed too (a 429 must carry its `Retry-After`), and raises `ContractViolation` (an AssertionError, so the
test fails there) on the first answer that breaks the contract. Answers from elsewhere (the presigned S3
URL of a PDF) are not the API's and are left alone."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from shop_sdk import Attempt

CONTRACT = Path(__file__).resolve().parent.parent / "contract" / "published" / "openapi.json"

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


class ContractViolation(AssertionError):
    """An answer the contract does not allow for the operation that was called."""


class ContractCheck:
    """Checks each answer of the API at `base_url` against `spec` (the published contract by default)."""

    def __init__(self, base_url: str, spec: Mapping[str, Any] | None = None) -> None:
        self.base = httpx.URL(base_url.rstrip("/") + "/")
        self.spec = dict(spec or json.loads(CONTRACT.read_text()))
        self.checked = 0  # answers checked: a test can tell that the check ran at all

    def __call__(self, attempt: Attempt) -> None:
        if attempt.response is not None:
            self.check(attempt.request, attempt.response)

    @cached_property
    def _routes(self) -> list[tuple[re.Pattern[str], str, str]]:
        """(path regex, template, method) of every operation, literal segments before parameters."""
        routes = []
        for template, item in self.spec["paths"].items():
            pattern = "[^/]+".join(re.escape(part) for part in re.split(r"\{[^}]+\}", template))
            routes += [(re.compile(pattern + "$"), template, m) for m in item if m in METHODS]
        return sorted(routes, key=lambda r: (r[1].count("{"), r[1]))

    def check(self, request: httpx.Request, response: httpx.Response) -> None:
        url = request.url
        if (url.scheme, url.host, url.port) != (self.base.scheme, self.base.host, self.base.port):
            return  # not the API (a presigned S3 URL)
        path = "/" + url.path[len(self.base.path) :] if url.path.startswith(self.base.path) else url.path
        method = request.method.lower()
        where = f"{request.method} {path} answered {response.status_code}"
        template = next((t for regex, t, m in self._routes if m == method and regex.match(path)), None)
        if template is None:
            raise ContractViolation(f"{request.method} {path}: no operation of the contract")
        declared = self.spec["paths"][template][method].get("responses", {})
        status = str(response.status_code)
        answer = declared.get(status) or declared.get(f"{status[0]}XX") or declared.get("default")
        if answer is None:
            raise ContractViolation(f"{where}: a status the contract does not declare (it declares {sorted(declared)})")
        answer = self._resolve(answer)
        self._check_headers(where, answer.get("headers", {}), response.headers)
        self._check_body(where, answer.get("content"), response)
        self.checked += 1

    def _resolve(self, node: Any) -> Any:
        while isinstance(node, Mapping) and "$ref" in node:
            target: Any = self.spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def _check_headers(self, where: str, declared: Mapping[str, Any], headers: httpx.Headers) -> None:
        for name, header in declared.items():
            header = self._resolve(header)
            value = headers.get(name)
            if value is None:
                if header.get("required"):
                    raise ContractViolation(f"{where} without its required header {name}")
                continue
            schema = self._resolve(header.get("schema", {}))
            self._validate(f"{where}: header {name}", _header_value(value, schema), schema)

    def _check_body(self, where: str, content: Mapping[str, Any] | None, response: httpx.Response) -> None:
        if not content:
            if response.content:
                raise ContractViolation(f"{where} with a body, where the contract declares none")
            return
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        entry = next((v for k, v in content.items() if k.lower() == media), None)
        if entry is None:
            raise ContractViolation(f"{where} as {media or 'no media type'}, not one of {sorted(content)}")
        if "json" not in media:
            return
        try:
            body = json.loads(response.content)
        except ValueError:
            raise ContractViolation(f"{where}: a {media} body that is not JSON") from None
        self._validate(f"{where}: body", body, self._resolve(entry.get("schema", {})))

    def _validate(self, what: str, instance: Any, schema: Mapping[str, Any]) -> None:
        # The components ride along, so that the schema's "#/components/..." references resolve.
        root = {"allOf": [schema], "components": self.spec.get("components", {})}
        validator = OAS30ReadValidator(root, format_checker=oas30_format_checker)
        error = next(iter(sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))), None)
        if error is not None:
            at = "/" + "/".join(str(p) for p in error.absolute_path)
            raise ContractViolation(f"{what} breaks the contract at {at}: {error.message}")


def _header_value(value: str, schema: Mapping[str, Any]) -> Any:
    """A header's text as its schema's type (a header is text on the wire; `Retry-After: 1` is an integer)."""
    if schema.get("type") in ("integer", "number"):
        try:
            return int(value) if schema["type"] == "integer" else float(value)
        except ValueError:
            return value  # the validator says what is wrong with it
    return value
