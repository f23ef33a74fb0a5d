"""Machine clients (issue 15): the app clients of customers' systems, on a deployed stack and on the local stack.

- `create_machine_client`: what the back office runs once per customer system (`shop machine-client create`).
  On a deployed stack: Cognito's CreateUserPoolClient (a secret, the client credentials grant only, the scopes
  asked for), then the table item that binds the new app client to its one client id (datamodel/
  machine_clients.py), which the pre-token trigger reads. The secret is printed once, never stored here.
  On the local stack (no Cognito): an app client id of Cognito's form, and the same table item.
- `local_machine_token`: the local stand-in for the token endpoint (`shop token --machine`). It makes the V3_0
  event Cognito would send the trigger for a client credentials grant and runs the trigger's own code on it
  (domain/machine_tokens.py with datamodel/machine_clients.py, so the table item is read as on AWS), then signs
  the access token with the stack's key, with the claims and scopes the trigger answered.
- `TokenEndpoint`: the local token endpoint, `POST /oauth2/token` on the machine API's port, where an app client
  trades its id and secret (`shop machine-client create` prints them) for an access token, through
  PreTokenFunction run by the local runtime.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shoplocal.auth import TOKEN_SECONDS, LocalIssuer
from shoplocal.ops import OpsStack

RESOURCE_SERVER = "shop"  # template.yaml ResourceServer Identifier
BACK_OFFICE_SCOPE = "shop/backoffice"
_APP_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


class MachineClientError(ValueError):
    """A machine client that may not be made or used as asked (the message says why)."""


@dataclass(frozen=True)
class MachineClient:
    app_client_id: str
    client_id: str | None
    scopes: tuple[str, ...]
    secret: str | None = None  # Cognito's, on a deployed stack; printed once


def declared_scopes() -> dict[str, str]:
    """The scopes the contract declares (openapi.yaml ShopMachine): the one source."""
    import yaml

    from shoplocal.template import OPENAPI_PATH

    schemes = yaml.safe_load(OPENAPI_PATH.read_text())["components"]["securitySchemes"]
    return dict(schemes["ShopMachine"]["flows"]["clientCredentials"]["scopes"])


def check_scopes(client_id: str | None, scopes: Sequence[str]) -> tuple[str, ...]:
    """The scopes, each declared, at least one; the back-office scope for no client and only then."""
    declared = declared_scopes()
    unknown = [scope for scope in scopes if scope not in declared]
    if unknown or not scopes:
        raise MachineClientError(
            f"scopes must be some of {', '.join(declared)}" + (f" (not {', '.join(unknown)})" if unknown else "")
        )
    if client_id is not None and BACK_OFFICE_SCOPE in scopes:
        raise MachineClientError(f"{BACK_OFFICE_SCOPE} is for back-office systems, which act for no one client")
    if client_id is None and BACK_OFFICE_SCOPE not in scopes:
        raise MachineClientError(f"a machine client acts for one client (--client-id), or is a back-office one ({BACK_OFFICE_SCOPE})")
    return tuple(dict.fromkeys(scopes))


def local_app_client_id(client_id: str | None) -> str:
    """A stable app client id of Cognito's form (26 lower-case letters and digits) for the local stack: one per
    client, one for the back office."""
    digest = hashlib.sha256(f"shoplocal-machine:{client_id or BACK_OFFICE_SCOPE}".encode()).digest()
    return "".join(_APP_ID_ALPHABET[b % len(_APP_ID_ALPHABET)] for b in digest[:26])


@contextmanager
def _table_of(stack: OpsStack) -> Iterator[Any]:
    """datamodel.machine_clients on the stack's table (domain.config reads the variables at import: the data
    layer is imported here, after they are set, and only here)."""
    saved = {name: os.environ.get(name) for name in stack.environment()}
    os.environ.update(stack.environment())
    try:
        from datamodel import machine_clients

        yield machine_clients
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def create_machine_client(
    stack: OpsStack,
    client_id: str | None,
    scopes: Sequence[str],
    user_pool_id: str | None = None,
    name: str = "",
    issuer: LocalIssuer | None = None,
) -> MachineClient:
    """Make the app client of one customer system (or of a back-office system, `client_id` None) and record the
    client id it acts for. On a deployed stack `user_pool_id` (output UserPoolId) is where it is made; on the
    local stack, its secret is derived from `issuer`'s key (none without it)."""
    import re

    from domain.ids import ULID_PATTERN

    if client_id is not None and not re.fullmatch(ULID_PATTERN, client_id):
        raise MachineClientError(f"{client_id!r} is not a client id (a ULID)")
    scopes = check_scopes(client_id, scopes)
    secret = None
    if stack.local:
        app_client_id = local_app_client_id(client_id)
        if issuer is not None:
            secret = local_secret(issuer, app_client_id)
    else:
        if not user_pool_id:
            raise MachineClientError(f"{stack.label} names no user pool (output UserPoolId)")
        created = stack.client("cognito-idp").create_user_pool_client(
            UserPoolId=user_pool_id,
            ClientName=(name or f"machine-{client_id or 'backoffice'}")[:128],
            GenerateSecret=True,
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=list(scopes),
            ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"],
            PreventUserExistenceErrors="ENABLED",
            EnableTokenRevocation=True,
            AccessTokenValidity=60,
            TokenValidityUnits={"AccessToken": "minutes"},
        )["UserPoolClient"]
        app_client_id, secret = created["ClientId"], created["ClientSecret"]
    if client_id is not None:
        with _table_of(stack) as machine_clients:
            try:
                machine_clients.put(app_client_id, client_id, datetime.now(UTC).isoformat(timespec="seconds"))
            except machine_clients.MachineClientExists:
                if machine_clients.client_of(app_client_id) != client_id:
                    raise MachineClientError(f"app client {app_client_id} acts for another client") from None
    return MachineClient(app_client_id, client_id, scopes, secret)


def client_credentials_event(app_client_id: str, scopes: Sequence[str]) -> dict[str, Any]:
    """The V3_0 pre-token-generation event Cognito sends for a client credentials grant."""
    return {
        "version": "3",
        "triggerSource": "TokenGeneration_ClientCredentials",
        "region": "us-east-1",
        "userPoolId": "us-east-1_shoplocal",
        "userName": None,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": app_client_id},
        "request": {"userAttributes": {}, "groupConfiguration": {}, "scopes": list(scopes)},
        "response": {"claimsAndScopeOverrideDetails": None},
    }


def local_machine_token(
    stack: OpsStack,
    issuer: LocalIssuer,
    client_id: str | None,
    scopes: Sequence[str],
    seconds: int = TOKEN_SECONDS,
) -> str:
    """An access token of the local stack for the machine client of `client_id` (made on first use), or of the
    back office (None), through the pre-token trigger's code, as the token endpoint would issue it."""
    from domain.machine_tokens import customize

    app = create_machine_client(stack, client_id, scopes)
    with _table_of(stack) as machine_clients:
        answer = customize(client_credentials_event(app.app_client_id, app.scopes), machine_clients.client_of)
    generation = ((answer.get("response") or {}).get("claimsAndScopeOverrideDetails") or {}).get(
        "accessTokenGeneration"
    ) or {}
    suppressed = set(generation.get("scopesToSuppress") or [])
    granted = [scope for scope in app.scopes if scope not in suppressed]
    return issuer.access_token(
        app.app_client_id, granted, generation.get("claimsToAddOrOverride") or {}, seconds=seconds
    )


# ---- the local token endpoint (the user pool domain's /oauth2/token on AWS) ----

TOKEN_PATH = "/oauth2/token"


def local_secret(issuer: LocalIssuer, app_client_id: str) -> str:
    """A local app client's secret: derived from the stack's signing key, so nothing more is kept, and a new key
    (`shop run --fresh`) changes every secret, as a new user pool would."""
    import base64
    import hmac

    from cryptography.hazmat.primitives import serialization

    key = issuer.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    digest = hmac.new(key, f"app-client-secret:{app_client_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().rstrip("=").lower()


class TokenEndpoint:
    """ASGI: `POST /oauth2/token` with the client credentials grant, as Cognito's token endpoint answers it
    (RFC 6749 section 4.4; the app client's id and secret in HTTP Basic or in the form), in front of `app` (the
    machine API's gateway), which gets every other request. The token goes through PreTokenFunction itself, run
    by the local runtime as Cognito runs the trigger, so its table read is the one on AWS. Unlike Cognito, the
    local stack keeps no app client settings: it grants the scopes asked for (`scope`), or every client scope,
    and the trigger decides who the token acts for."""

    def __init__(self, app: Any, issuer: LocalIssuer, runner: Any) -> None:
        self.app, self.issuer, self.runner = app, issuer, runner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != TOKEN_PATH:
            await self.app(scope, receive, send)
            return
        from starlette.concurrency import run_in_threadpool
        from starlette.requests import Request
        from starlette.responses import JSONResponse

        request = Request(scope, receive)
        if request.method != "POST":
            response = JSONResponse({"error": "invalid_request"}, 405, headers={"Allow": "POST"})
        else:
            form = dict(await request.form())
            status, body = await run_in_threadpool(self.grant, request.headers.get("authorization"), form)
            headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
            if status == 401:
                headers["WWW-Authenticate"] = 'Basic realm="shoplocal"'
            response = JSONResponse(body, status, headers=headers)
        await response(scope, receive, send)

    def grant(self, authorization: str | None, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        import hmac

        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        app_client_id, secret = _client_credentials(authorization, form)
        if not app_client_id or not secret or not hmac.compare_digest(secret, local_secret(self.issuer, app_client_id)):
            return 401, {"error": "invalid_client"}
        declared = declared_scopes()
        asked = str(form.get("scope") or "").split() or [s for s in declared if s != BACK_OFFICE_SCOPE]
        if any(scope not in declared for scope in asked):
            return 400, {"error": "invalid_scope"}
        from shoplocal.lambdas import FunctionError

        try:
            answer = self.runner.invoke("PreTokenFunction", client_credentials_event(app_client_id, asked))
        except FunctionError:
            # Cognito refuses the token when the trigger fails (its log has why).
            return 400, {"error": "invalid_request", "error_description": "the pre-token trigger refused the token"}
        generation = ((answer or {}).get("response") or {}).get("claimsAndScopeOverrideDetails") or {}
        generation = generation.get("accessTokenGeneration") or {}
        suppressed = set(generation.get("scopesToSuppress") or [])
        granted = [scope for scope in asked if scope not in suppressed]
        token = self.issuer.access_token(app_client_id, granted, generation.get("claimsToAddOrOverride") or {})
        return 200, {"access_token": token, "expires_in": TOKEN_SECONDS, "token_type": "Bearer"}


def _client_credentials(authorization: str | None, form: dict[str, Any]) -> tuple[str, str]:
    import base64
    import binascii
    from urllib.parse import unquote

    if authorization and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        app_client_id, _, secret = decoded.partition(":")
        return unquote(app_client_id), unquote(secret)
    return str(form.get("client_id") or ""), str(form.get("client_secret") or "")
