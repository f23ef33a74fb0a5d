"""The functions of template.yaml run in this process as Lambda runs them: their environment, the events API
Gateway and SQS send, a context object. Used by the calls and warm sections (cold_start uses subprocesses).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
import uuid
from collections.abc import Callable
from typing import Any

from shoplocal.bench.common import BenchContext

REGION = "us-east-1"

# Modules that read their configuration at import (domain/config.py, PynamoDB `Meta.table_name`).
_CONFIGURED_AT_IMPORT = "domain.config"


def admin_claims() -> dict[str, str]:
    """What API Gateway's Cognito authorizer puts in `requestContext.authorizer.claims` for the admin."""
    from shoplocal.auth import ADMIN, subject_of

    return {"sub": subject_of(ADMIN), "cognito:username": ADMIN, "custom:role": ADMIN, "token_use": "id"}


def api_event(
    method: str,
    path: str,
    resource: str,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway REST proxy event (payload 1.0) from the admin, as the local gateway forwards it."""
    headers = dict(headers or {})
    raw_body = None
    if body is not None:
        raw_body = json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/prod{path}",
            "stage": "prod",
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": {"claims": admin_claims()},
        },
        "body": raw_body,
        "isBase64Encoded": False,
    }


def sqs_event(bodies: list[str], queue_arn: str) -> dict[str, Any]:
    """An SQS event as the event source mapping delivers it, one record per body."""
    records = []
    for body in bodies:
        records.append(
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": uuid.uuid4().hex,
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0"},
                "messageAttributes": {
                    "correlationId": {
                        "stringValue": str(uuid.uuid4()),
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": "String",
                    }
                },
                "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
        )
    return {"Records": records}


def queue_arn(queue_url: str) -> str:
    """The ARN of a moto queue URL (http://host/<account>/<name>)."""
    account, name = queue_url.rstrip("/").split("/")[-2:]
    return f"arn:aws:sqs:{REGION}:{account}:{name}"


def scheduled_event() -> dict[str, Any]:
    """The EventBridge schedule's event (RedriveFunction)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-01-01T00:00:00Z",
        "region": REGION,
        "resources": [],
        "detail": {},
    }


class Functions:
    """The stack's functions, imported in this process under their own environment."""

    def __init__(self, ctx: BenchContext, env: dict[str, dict[str, str]] | None = None) -> None:
        from shoplocal.lambdas import LambdaContext
        from shoplocal.template import Template

        self._context_type = LambdaContext
        self.functions = Template().functions()
        self.env = {name: dict(values) for name, values in (env or ctx.function_env).items()}
        first = next(iter(self.env.values()))
        self._check_configuration(first)
        os.environ.update(first)
        self._handlers: dict[str, Callable[[Any, Any], Any]] = {}

    @staticmethod
    def _check_configuration(env: dict[str, str]) -> None:
        config = sys.modules.get(_CONFIGURED_AT_IMPORT)
        if config is not None and config.TABLE_NAME != env["TABLE_NAME"]:
            raise RuntimeError(f"{_CONFIGURED_AT_IMPORT} was imported with another table: run this section alone")

    def enter(self, logical_id: str) -> None:
        """The function's environment, as Lambda sets it before the runtime starts."""
        os.environ.update(self.env[logical_id])

    def handler(self, logical_id: str) -> Callable[[Any, Any], Any]:
        handler = self._handlers.get(logical_id)
        if handler is None:
            self.enter(logical_id)
            function = self.functions[logical_id]
            handler = getattr(importlib.import_module(function.module), function.attribute)
            self._handlers[logical_id] = handler
        return handler

    def context(self, logical_id: str) -> Any:
        function = self.functions[logical_id]
        return self._context_type(logical_id, function.memory_mb, function.timeout)

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        handler = self.handler(logical_id)
        self.enter(logical_id)
        return handler(event, self.context(logical_id))
