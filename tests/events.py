"""API Gateway REST proxy events (payload 1.0), as API Gateway sends them to a Lambda proxy integration."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any


# Claims as API Gateway's Cognito authorizer puts them in `requestContext.authorizer.claims` (every value a
# string; `exp` and `iat` as API Gateway formats them).
_TOKEN_CLAIMS = {
    "token_use": "id",
    "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TESTPOOL",
    "aud": "testclientid",
    "auth_time": "1767225600",
    "iat": "Thu Jan 01 00:00:00 UTC 2026",
    "exp": "Thu Jan 01 01:00:00 UTC 2026",
}
ADMIN_SUBJECT = "00000000-0000-4000-8000-00000000a0a0"
ADMIN_CLAIMS = {"sub": ADMIN_SUBJECT, "cognito:username": "admin", "custom:role": "admin", **_TOKEN_CLAIMS}


def client_claims(client_id: str, subject: str | None = None) -> dict[str, str]:
    """The claims of a `client` token bound to `client_id`."""
    return {
        "sub": subject or str(uuid.uuid5(uuid.NAMESPACE_URL, f"client:{client_id}")),
        "cognito:username": f"client-{client_id}",
        "custom:role": "client",
        "custom:clientId": client_id,
        **_TOKEN_CLAIMS,
    }


def machine_claims(client_id: str | None, scopes: str = "shop/orders.read", app_client: str = "4app0client0test0id000000") -> dict[str, str]:
    """The claims of a machine's access token (client credentials grant) as API Gateway passes them: acting
    for `client_id` (the `shop:clientId` the pre-token trigger adds), or, with None, for none (a back-office
    system when `scopes` holds `shop/backoffice`). Its `sub` and `client_id` are the app client's id."""
    claims = {
        "sub": app_client,
        "token_use": "access",
        "scope": scopes,
        "client_id": app_client,
        "iss": _TOKEN_CLAIMS["iss"],
        "auth_time": "1767225600",
        "iat": _TOKEN_CLAIMS["iat"],
        "exp": _TOKEN_CLAIMS["exp"],
        "version": "2",
        "jti": str(uuid.uuid4()),
    }
    if client_id is not None:
        claims["shop:clientId"] = client_id
    return claims


NO_AUTHORIZER = object()  # `claims=NO_AUTHORIZER`: an event with no `requestContext.authorizer` at all


def _path_templates() -> list[tuple[str, re.Pattern[str]]]:
    import yaml

    from shoplocal.template import OPENAPI_PATH

    templates = []
    for template in yaml.safe_load(OPENAPI_PATH.read_text())["paths"]:
        parts = re.split(r"\{([^}/]+)\}", template)
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
        templates.append((template, re.compile(regex)))
    # Literal segments win over parameters, as in API Gateway.
    return sorted(templates, key=lambda t: [(s.startswith("{"), s) for s in t[0].split("/")])


_TEMPLATES = _path_templates()


def route_of(path: str) -> tuple[str, dict[str, str] | None]:
    """API Gateway's `resource` (the contract's path template) and `pathParameters` for a request path; the
    path itself and no parameters when no template matches (API Gateway would answer 404 itself)."""
    for template, regex in _TEMPLATES:
        match = regex.fullmatch(path)
        if match:
            return template, match.groupdict() or None
    return path, None


def api_event(
    method: str,
    path: str,
    *,
    resource: str | None = None,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
    claims: Any = ADMIN_CLAIMS,
) -> dict[str, Any]:
    """A proxy event; by default from an admin (`claims=...` for another caller, `{}` for none). Its
    `resource` and `pathParameters` are the contract's, as API Gateway routes the path."""
    template, parameters = route_of(path)
    resource = resource or template
    path_parameters = parameters if path_parameters is None else path_parameters
    headers = dict(headers or {})
    if body is not None:
        raw_body = json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource or path,
            "httpMethod": method,
            "path": f"/prod{path}",
            "stage": "prod",
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": "127.0.0.1"},
            **({} if claims is NO_AUTHORIZER else {"authorizer": {"claims": claims}}),
        },
        "body": raw_body,
        "isBase64Encoded": False,
    }


@dataclass(frozen=True)
class LambdaContext:
    function_name: str = "test"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id: str = "test-request"

    def get_remaining_time_in_millis(self) -> int:
        return 15_000
