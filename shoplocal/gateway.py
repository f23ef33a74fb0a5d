"""The local API Gateway: connexion validates each request against openapi.yaml and forwards it, as an
API Gateway REST proxy event (format 1.0), to the function the operation's
`x-amazon-apigateway-integration` names in template.yaml.

connexion 3 behaviours worked around here (see docs/pitfalls.md):
- a 405's `Allow` lists one route's methods, and `/clients/` answers 307: a route table built from the
  spec answers 404 and 405 (with every method of the path) before connexion's router sees the request;
- a non-UTF-8 JSON body raises `UnicodeDecodeError` (a 500): the JSON body validator answers 400;
- the operation cannot await the request body (it hangs): the raw body is captured before validation.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl

import yaml
from connexion import AsyncApp
from connexion.context import scope as current_scope
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem, TypeValidationError
from connexion.exceptions import problem as connexion_problem
from connexion.middleware import ConnexionMiddleware, MiddlewarePosition
from connexion.middleware.security import SecurityMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolution, Resolver
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.limits import MAX_BODY_BYTES
from shoplocal.lambdas import FunctionError, FunctionTimeout
from shoplocal.template import OPENAPI_PATH, ROOT

# The machine API's definition (codegen/apis.py): the contract with each operation's scopes.
MACHINE_API_PATH = ROOT / "apigateway" / "machine-api.yaml"

# The published contract (contract/publish.py, `make publish`): what /openapi.json serves and Swagger UI renders.
PUBLISHED_PATH = ROOT / "contract" / "published" / "openapi.json"
SPEC_URL = "/openapi.json"

logger = logging.getLogger(__name__)

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# `${Function.Alias}`: the function's AutoPublishAlias (template.yaml, SnapStart), which SAM resolves in the
# spec's Fn::Sub to the alias resource; `${Function.Arn}`: the unqualified function. Locally both are the
# function itself (the local runtime has no versions).
_FUNCTION_IN_URI = re.compile(r"functions/\$\{([A-Za-z0-9]+)\.(?:Arn|Alias)\}/invocations")
_BODY_KEY = "shoplocal.body"
_AUTHORIZER_KEY = "shoplocal.authorizer"
_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}


class Runner(Protocol):
    def __contains__(self, logical_id: object) -> bool: ...

    def invoke(self, logical_id: str, event: Any) -> Any: ...


class GatewayConfigError(ValueError):
    """openapi.yaml and template.yaml disagree: an operation has no function to run."""


# ---- the route table: the spec's paths and the function bound to each operation ----


@dataclass(frozen=True)
class Route:
    path: str  # the OpenAPI path template, API Gateway's `resource`
    functions: dict[str, str]  # HTTP method (upper case) -> logical id of the function
    pattern: re.Pattern[str] = field(repr=False)

    @property
    def allow(self) -> str:
        methods = set(self.functions) | ({"HEAD"} if "GET" in self.functions else set())
        return ", ".join(sorted(methods))

    def parameters(self, path: str) -> dict[str, str] | None:
        match = self.pattern.fullmatch(path)
        return match.groupdict() if match else None


def _path_pattern(template: str) -> re.Pattern[str]:
    # A path parameter is one whole segment, as in API Gateway's `{name}`.
    parts = re.split(r"\{([^}/]+)\}", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
    return re.compile(regex)


def function_of(operation: Mapping[str, Any]) -> str | None:
    """The logical id in an operation's `x-amazon-apigateway-integration` uri, or None."""
    uri = (operation.get("x-amazon-apigateway-integration") or {}).get("uri")
    if isinstance(uri, Mapping):
        uri = uri.get("Fn::Sub")
    if isinstance(uri, list):
        uri = uri[0]
    match = _FUNCTION_IN_URI.search(uri) if isinstance(uri, str) else None
    return match.group(1) if match else None


def route_table(spec: Mapping[str, Any], functions: Container[str]) -> list[Route]:
    """Every path of the spec with its operations' functions; refuses an unbound operation."""
    routes, problems = [], []
    for path, item in spec.get("paths", {}).items():
        bound = {}
        for method in HTTP_METHODS:
            if method not in item:
                continue
            logical_id = function_of(item[method])
            label = f"{method.upper()} {path}"
            if logical_id is None:
                problems.append(f"{label} has no x-amazon-apigateway-integration naming ${{Function.Alias}}")
            elif logical_id not in functions:
                problems.append(f"{label} names {logical_id}, which is not a function in template.yaml")
            else:
                bound[method.upper()] = logical_id
        routes.append(Route(path, bound, _path_pattern(path)))
    if problems:
        raise GatewayConfigError("openapi.yaml does not bind to template.yaml:\n  " + "\n  ".join(problems))
    # Literal segments win over parameters, as in API Gateway.
    return sorted(routes, key=lambda r: [(s.startswith("{"), s) for s in r.path.split("/")])


def match_route(routes: Iterable[Route], path: str) -> Route | None:
    return next((route for route in routes if route.pattern.fullmatch(path)), None)


def without_extensions(node: Any, prefix: str = "x-amazon-") -> Any:
    """The spec without API Gateway's extensions (what connexion validates with and serves)."""
    if isinstance(node, dict):
        return {k: without_extensions(v, prefix) for k, v in node.items() if not str(k).startswith(prefix)}
    if isinstance(node, list):
        return [without_extensions(v, prefix) for v in node]
    return node


# ---- the proxy event and the proxy result ----


def anonymous(route: Route, method: str, headers: Mapping[str, str]) -> dict[str, Any]:
    """`requestContext.authorizer` for a request: no verified claims (the default, for tests of the gateway).

    The one place a token check slots in: return the verified claims, or raise a connexion
    `ProblemException` (401/403). It runs before request validation, as API Gateway's authorizer does.
    `shop run` passes `shoplocal.auth.JwtAuthorizer`, which verifies the stack's tokens."""
    return {"claims": {}}


Authorizer = Callable[[Route, str, Mapping[str, str]], dict[str, Any]]


def _canonical(name: str) -> str:
    # ASGI lower-cases header names; HTTP/1.1 clients send them like this, and API Gateway keeps them.
    return "-".join(part.capitalize() for part in name.split("-"))


def _multi(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for name, value in pairs:
        merged.setdefault(name, []).append(value)
    return merged


def proxy_event(
    *,
    route: Route,
    method: str,
    path: str,
    path_parameters: Mapping[str, str],
    headers: Iterable[tuple[str, str]],
    query: Iterable[tuple[str, str]],
    body: bytes,
    source_ip: str,
    stage: str,
    authorizer: Mapping[str, Any],
) -> dict[str, Any]:
    """An API Gateway REST API Lambda proxy integration event (payload format 1.0)."""
    multi_headers = _multi((_canonical(k), v) for k, v in headers)
    multi_query = _multi(query)
    try:
        text, encoded = (body.decode("utf-8"), False) if body else (None, False)
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode("ascii"), True
    now = time.time()
    lower = {k.lower(): v[-1] for k, v in multi_headers.items()}
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": method,
        "headers": {k: v[-1] for k, v in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(path_parameters) or None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "local",
            "resourcePath": route.path,
            "httpMethod": method,
            "extendedRequestId": str(uuid.uuid4()),
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "path": path,
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": lower.get("host", "localhost").split(":")[0].split(".")[0],
            "requestTimeEpoch": int(now * 1000),
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": source_ip, "userAgent": lower.get("user-agent")},
            "domainName": lower.get("host", "localhost"),
            "apiId": "local",
            "authorizer": dict(authorizer),
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


class MalformedProxyResult(ValueError):
    """The function's result is not a Lambda proxy response (API Gateway answers 502)."""


def proxy_response(result: Any) -> Response:
    """The HTTP response API Gateway makes of a Lambda proxy result."""
    if not isinstance(result, dict):
        raise MalformedProxyResult(f"the result is a {type(result).__name__}, not an object")
    try:
        status = int(result.get("statusCode"))
    except (TypeError, ValueError):
        raise MalformedProxyResult(f"statusCode {result.get('statusCode')!r} is not an integer") from None
    if not 100 <= status <= 599:
        raise MalformedProxyResult(f"statusCode {status} is not an HTTP status")
    headers = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    if not isinstance(headers, dict) or not isinstance(multi, dict):
        raise MalformedProxyResult("headers and multiValueHeaders must be objects")
    body = result.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedProxyResult("body must be a string")
    content = (body or "").encode("utf-8")
    if result.get("isBase64Encoded"):
        try:
            content = base64.b64decode(body or "", validate=True)
        except binascii.Error as error:
            raise MalformedProxyResult(f"isBase64Encoded but the body is not base64: {error}") from None
    if status < 200 or status in (204, 304):
        content = b""
    # API Gateway merges both maps; a name in multiValueHeaders replaces the same name in headers.
    overridden = {name.lower() for name in multi}
    pairs = [(k, v) for k, v in headers.items() if k.lower() not in overridden]
    pairs += [(k, v) for k, values in multi.items() for v in (values or [])]
    pairs = [(str(k), str(v)) for k, v in pairs if str(k).lower() not in _HOP_BY_HOP]
    if content and not any(k.lower() == "content-type" for k, _ in pairs):
        pairs.append(("Content-Type", "application/json"))  # API Gateway's default
    try:
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in pairs]
    except UnicodeEncodeError as error:
        raise MalformedProxyResult(f"a header is not Latin-1: {error}") from None
    response = Response(content, status_code=status)
    response.raw_headers += raw
    return response


def problem(status: int, title: str, detail: str, instance: str | None = None) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    return Response(json.dumps(body), status, media_type="application/problem+json")


BAD_GATEWAY = partial(problem, 502, "Bad Gateway")
GATEWAY_TIMEOUT = partial(problem, 504, "Gateway Timeout")


# ---- connexion plumbing ----


class FieldsProblem(BadRequestProblem):
    """A 400 with its field-level errors (the contract's `ValidationProblem`): one entry per violation, with
    where it is (`in`, and a parameter's `name` or a JSON `pointer` into the body) and what is wrong."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(detail="; ".join(_where(e) + f": {e['detail']}" for e in errors)[:1000])
        self.ext = {"errors": errors}


def _where(error: Mapping[str, str]) -> str:
    return f"{error['in']} {error.get('name', error.get('pointer')) or '(whole)'}"


def body_error(detail: str, path: Iterable[Any] = ()) -> dict[str, str]:
    pointer = "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)
    return {"in": "body", "pointer": pointer, "detail": detail}


class Utf8JSONBodyValidator(JSONRequestBodyValidator):
    """JSON as RFC 8259 has it: UTF-8, no NaN or Infinity, nesting Python can parse; anything else is
    a 400, never a 500. Every violation of the body's schema is named, each by its JSON pointer."""

    async def _parse(self, stream, scope):  # type: ignore[no-untyped-def]
        raw = b"".join([chunk async for chunk in stream])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FieldsProblem([body_error(f"the body is not UTF-8: {error.reason}")]) from None
        if not text:
            return None
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except ValueError as error:
            raise FieldsProblem([body_error(f"the body is not JSON: {error}")]) from None
        except RecursionError:
            raise FieldsProblem([body_error("the body nests too deeply")]) from None

    def _validate(self, body: Any) -> None:
        if body is None and not self._nullable:
            raise FieldsProblem([body_error("must not be null")])
        errors = [
            body_error(_without_value(error.message, error.instance), error.absolute_path)
            for error in sorted(self._validator.iter_errors(body), key=lambda e: list(map(str, e.absolute_path)))
        ]
        if errors:
            raise FieldsProblem(errors[:50])


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _without_value(message: str, value: Any) -> str:
    """jsonschema's message less the rejected value it starts with (`'a@@b' does not match ...` becomes
    `the value does not match ...`): a problem names the field and the rule, never echoes what was sent,
    which may be personal data (and connexion logs every problem's detail)."""
    shown = repr(value)
    return "the value" + message[len(shown) :] if message.startswith(shown) else message


_TYPE_ERROR = re.compile(r"for (\w+) parameter '([^']+)'")


class ConciseParameterValidator(ParameterValidator):
    """Names every parameter in error, one `errors` entry each (unknown query names included), without the
    schema dump or the value sent."""

    @staticmethod
    def validate_parameter(parameter_type, value, param, param_name=None):  # type: ignore[no-untyped-def]
        error = ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        return error and _without_value(error.splitlines()[0], value)

    def validate_request(self, request):  # type: ignore[no-untyped-def]
        errors = []
        try:
            if self.strict_validation:
                unknown = self.validate_query_parameter_list(request, security_params=self.security_query_params)
                errors += [{"in": "query", "name": name, "detail": "unknown query parameter"} for name in sorted(unknown)]
            checks = (
                ("query", self.validate_query_parameter),
                ("path", self.validate_path_parameter),
                ("header", self.validate_header_parameter),
            )
            for location, validate in checks:
                for param in self.parameters.get(location, []):
                    error = validate(param, request)
                    if error:
                        errors.append({"in": location, "name": param["name"], "detail": error})
        except TypeValidationError as error:  # a value that cannot be read as its schema's type
            match = _TYPE_ERROR.search(error.detail or "")
            location, name = match.groups() if match else ("query", "")
            errors.append({"in": location, "name": name, "detail": error.detail})
        if errors:
            raise FieldsProblem(errors)


def _validator_map() -> dict[str, Any]:
    body = MediaTypeDict(VALIDATOR_MAP["body"])
    body["*/*json"] = Utf8JSONBodyValidator
    return {"body": body, "parameter": ConciseParameterValidator}


class RouteGuard:
    """Answers what connexion's router gets wrong (404, 405 with a full `Allow`, HEAD), and keeps the
    raw body for the event. Sits after connexion's exception middleware, so its errors are problems."""

    def __init__(self, app: ASGIApp, *, routes: list[Route], authorizer: Authorizer) -> None:
        self.app = app
        self.routes = routes
        self.authorizer = authorizer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = match_route(self.routes, scope["path"])
        if route is None:
            raise HTTPException(404, detail=f"no resource at {scope['path']}")
        method = scope["method"]
        head = method == "HEAD" and "GET" in route.functions
        if method not in route.functions and not head:
            raise HTTPException(405, detail=f"{method} is not allowed on {route.path}", headers={"Allow": route.allow})
        method = "GET" if head else method
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        authorizer = self.authorizer(route, method, headers)
        body, receive = await _read_body(receive, headers.get("content-length"))
        # A copy: the server keeps its own scope (uvicorn drops a HEAD response's body by it).
        scope = {**scope, "method": method, _BODY_KEY: body, _AUTHORIZER_KEY: authorizer}
        if head:
            send = _without_body(send)
        await self.app(scope, receive, send)


def _too_large() -> HTTPException:
    return HTTPException(413, detail=f"the request body exceeds {MAX_BODY_BYTES} bytes")


async def _read_body(receive: Receive, declared_length: str | None = None) -> tuple[bytes, Receive]:
    """The whole body, read before validation; 413 (`MAX_BODY_BYTES`, domain/limits.py) for a declared
    `Content-Length` above the limit without reading any of it, or as soon as what arrived exceeds it."""
    if declared_length and declared_length.strip().isdigit() and int(declared_length) > MAX_BODY_BYTES:
        raise _too_large()
    chunks, messages, size = [], [], 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_BODY_BYTES:
            raise _too_large()
        if not message.get("more_body", False):
            break
    pending = iter(messages)

    async def replay() -> Message:
        return next(pending, None) or await receive()

    return b"".join(chunks), replay


def _without_body(send: Send) -> Send:
    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_head


class ProxyResolver(Resolver):
    """Resolves every operation to a coroutine that invokes the operation's function."""

    def __init__(self, runner: Runner, routes: list[Route], *, stage: str) -> None:
        super().__init__()
        self.runner = runner
        self.routes = {route.path: route for route in routes}
        self.stage = stage

    def resolve(self, operation) -> Resolution:  # type: ignore[no-untyped-def]
        route = self.routes[operation.path]
        logical_id = route.functions[operation.method.upper()]

        # connexion passes the parsed parameters; the event is built from the request as sent instead.
        async def forward(**_parsed: Any) -> Response:
            return await self.forward(route, logical_id, current_scope)

        forward.__name__ = operation.operation_id or f"{operation.method}_{operation.path}"
        return Resolution(forward, operation.operation_id)

    async def forward(self, route: Route, logical_id: str, scope: Scope) -> Response:
        event = proxy_event(
            route=route,
            method=scope["method"],
            path=scope["path"],
            path_parameters=route.parameters(scope["path"]) or {},
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
            query=parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True),
            body=scope[_BODY_KEY],
            source_ip=(scope.get("client") or ("127.0.0.1", 0))[0],
            stage=self.stage,
            authorizer=scope[_AUTHORIZER_KEY],
        )
        try:
            result = await run_in_threadpool(self.runner.invoke, logical_id, event)
        except FunctionTimeout as error:
            return GATEWAY_TIMEOUT(f"the function {error.error_message}", f"urn:uuid:{error.request_id}")
        except FunctionError as error:
            # `instance` names the invocation whose traceback went to stderr.
            return BAD_GATEWAY("the function failed", f"urn:uuid:{error.request_id}")
        try:
            return proxy_response(result)
        except MalformedProxyResult as error:
            logger.error("%s returned a malformed Lambda proxy response: %s", logical_id, error)
            return BAD_GATEWAY(f"malformed Lambda proxy response: {error}")


def load_spec(path: Path = OPENAPI_PATH) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


class PublishedSpec:
    """Serves the published contract at /openapi.json (connexion would serve the spec it validates with, in
    API Gateway's form). Its `servers` are led by the origin the request reached, when not already listed, so
    Swagger UI's "Try it out" calls this stack on whatever port it runs."""

    def __init__(self, app: ASGIApp, *, document: Mapping[str, Any]) -> None:
        self.app = app
        self.document = dict(document)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != SPEC_URL or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origin = f"{scope.get('scheme', 'http')}://{headers.get('host', '127.0.0.1')}"
        servers = list(self.document.get("servers") or [])
        if all(server.get("url") != origin for server in servers):
            servers.insert(0, {"url": origin, "description": "This local stack (the server of this document)."})
        body = json.dumps({**self.document, "servers": servers}, ensure_ascii=False).encode("utf-8")
        await Response(body, media_type="application/json")(scope, receive, send)


def create_app(
    runner: Runner,
    *,
    validate_responses: bool = False,
    stage: str = "local",
    authorizer: Authorizer = anonymous,
    spec: Mapping[str, Any] | None = None,
    published: Mapping[str, Any] | None = None,
) -> AsyncApp:
    """The local API Gateway as an ASGI app. Raises `GatewayConfigError` when an operation of the
    spec names no function of the runner. `published` is what /openapi.json serves (by default the committed
    published contract)."""
    spec = copy.deepcopy(dict(spec or load_spec()))
    if published is None:
        published = json.loads(PUBLISHED_PATH.read_text(encoding="utf-8"))
    routes = route_table(spec, runner)
    # Authentication is the authorizer's, in RouteGuard, as API Gateway's: connexion's own security
    # middleware (which would want an `x-apikeyInfoFunc`) is left out.
    middlewares = [m for m in ConnexionMiddleware.default_middlewares if m is not SecurityMiddleware]
    # connexion's Swagger UI stays (at /ui/, reading /openapi.json); the spec it serves is PublishedSpec's.
    app = AsyncApp(__name__, middlewares=middlewares, swagger_ui_options=SwaggerUIOptions(serve_spec=False))
    app.add_middleware(PublishedSpec, position=MiddlewarePosition.BEFORE_SWAGGER, document=published)
    app.add_middleware(RouteGuard, position=MiddlewarePosition.BEFORE_ROUTING, routes=routes, authorizer=authorizer)
    app.add_api(
        without_extensions(spec),
        resolver=ProxyResolver(runner, routes, stage=stage),
        strict_validation=True,
        validate_responses=validate_responses,
        validator_map=_validator_map(),
    )
    app.add_error_handler(BadRequestProblem, _with_field_errors)
    return app


def _with_field_errors(request: Any, error: BadRequestProblem) -> Any:
    """Every 400 names where it is: connexion's own (a required body missing, say) as the body as a whole."""
    ext = dict(error.ext or {})
    ext.setdefault("errors", [body_error(error.detail or "the request is not valid")])
    return connexion_problem(400, error.title or "Bad Request", error.detail, type=error.type, ext=ext)
