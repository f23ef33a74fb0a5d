"""API Gateway REST proxy events (payload 1.0), as API Gateway sends them to a Lambda proxy integration."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any


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
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
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
            "authorizer": {"claims": claims or {}},
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
