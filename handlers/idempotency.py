"""Idempotent POSTs. An `Idempotency-Key` is honoured by two layers, because neither suffices alone:

1. Powertools' idempotency utility (records in the single table, see datamodel/keys.py) replays the
   ORIGINAL response of a completed request (status, body, Location, ETag) without calling the data layer,
   answers 409 while the first is still in flight and 422 to another payload. But "create, then save the
   response" is not atomic: after a crash between the two, the INPROGRESS record expires with the Lambda
   timeout and the retry runs the route again. A route that raises leaves no record (errors are not replayed).
2. So the data layer also writes the key in the creating transaction (`OrderRequest`, `ClientRequest`): the
   re-run finds the order (and enqueues it again) or the client (not 409 "email taken") the crashed attempt
   created, and refuses another payload with 422.

Without the header a route runs as before. A record's SK is the route's operationId (Powertools'
`key_prefix`, rather than `<function>.<module>.<qualname>`, which renames and physical function names would
change) and a hash of `scope()`, whose key is the caller's own (`caller_key`: the token's subject and the
key), so that callers choosing the same key never see each other's answers. Powertools' idempotency package
is imported on the first keyed request (tens of ms of cold start otherwise); its exceptions become the errors
problems.py maps, here, once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel

from datamodel import keys
from datamodel.base import connection
from datamodel.errors import IdempotencyKeyReusedError
from datamodel.requests import REQUEST_TTL_SECONDS, Request
from domain import config
from handlers.auth import current_caller
from handlers.problems import IdempotentRequestInFlightError

# Keys are kept 24 h (the contract's promise), as long as the data layer's request items.
EXPIRES_AFTER_SECONDS = REQUEST_TTL_SECONDS

def caller_key(key: str, subject: str) -> str:
    """The key as the caller's own, `<caller sub>#<key>` (a key cannot contain `#`): two callers that pick
    the same key never meet, in Powertools' records or in the data layer's request items."""
    return f"{subject}#{key}"


def scope(route: str, key: str, path: dict[str, str], subject: str) -> dict[str, str]:
    """What one idempotency record stands for: the route, its path parameters (the clientId) and the
    caller's key."""
    return {"route": route, **path, "key": caller_key(key, subject)}


def payload_hash(body: BaseModel) -> str:
    """The request as validated, canonically serialised and hashed (what a replay must match)."""
    canonical = json.dumps(body.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class StoredResponse:
    """Powertools' output serializer interface (`to_dict`/`from_dict`): the route's Response, as kept in
    the record's `data` attribute and rebuilt for a replay."""

    @staticmethod
    def to_dict(response: Response) -> dict[str, Any]:
        return {"statusCode": response.status_code, "headers": response.headers, "body": response.body}

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Response:
        return Response(status_code=data["statusCode"], body=data["body"], headers=data["headers"])


class Replayable:
    """One idempotent route: `Replayable("createOrder", router)(key, body, respond, clientId=...)` answers
    `respond(request)`, once per key; `request` is the data layer's `Request`, None without a key.

    One instance per route, so its Powertools config serves one function; one persistence layer per
    idempotency partition (`keys.idempotency_pk`), built on the first request that needs it."""

    def __init__(self, route: str, router: Router) -> None:
        self.route = route
        self._router = router
        self._once: dict[str, Callable[..., Response]] = {}  # per idempotency partition (keys.idempotency_pk)
        self._config: Any = None

    def __call__(
        self, key: str | None, body: BaseModel, respond: Callable[[Request | None], Response], **path: str
    ) -> Response:
        if key is None:
            return respond(None)
        subject = current_caller(self._router).subject
        request = Request(caller_key(key, subject), payload_hash(body))
        partition = keys.idempotency_pk(request.key)
        once = self._once.get(partition) or self._build(partition)
        self._config.register_lambda_context(self._router.lambda_context)  # INPROGRESS ends with the timeout
        return self._translated(
            once,
            request={"scope": scope(self.route, key, path, subject), "payload": request.payload_hash},
            respond=lambda: respond(request),
        )

    def _build(self, partition: str) -> Callable[..., Response]:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )

        self._config = self._config or IdempotencyConfig(
            event_key_jmespath="scope",
            payload_validation_jmespath="payload",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=EXPIRES_AFTER_SECONDS,
            hash_function="sha256",
        )
        store = DynamoDBPersistenceLayer(
            table_name=config.TABLE_NAME,
            key_attr="PK",
            sort_key_attr="SK",
            static_pk_value=partition,
            boto3_client=connection.client,  # the data layer's DynamoDB client: no second one to create
        )

        @idempotent_function(
            data_keyword_argument="request",
            persistence_store=store,
            config=self._config,
            output_serializer=StoredResponse(),
            key_prefix=self.route,
        )
        def respond_once(request: dict[str, Any], respond: Callable[[], Response]) -> Response:
            return respond()

        self._once[partition] = respond_once
        return respond_once

    @staticmethod
    def _translated(once: Callable[..., Response], **kwargs: Any) -> Response:
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyInconsistentStateError,
            IdempotencyValidationError,
        )

        try:
            return once(**kwargs)
        except IdempotencyValidationError as error:
            raise IdempotencyKeyReusedError("Idempotency-Key reused with another payload") from error
        except (IdempotencyAlreadyInProgressError, IdempotencyInconsistentStateError) as error:
            # Inconsistent state: the record changed under three attempts in a row (a concurrent request).
            raise IdempotentRequestInFlightError() from error
