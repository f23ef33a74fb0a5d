"""The local stack's stand-in for the Cognito user pool: it issues ID tokens and the gateway verifies them.

On AWS, API Gateway's Cognito user pool authorizer (openapi.yaml `CognitoUserPool`) verifies the ID token of
the `Authorization` header and passes its claims to the function in `requestContext.authorizer.claims`. Here:

- `shop run` makes an RS256 key pair for the stack (`LocalIssuer.generate`) and keeps it next to the stack
  file (`.shop/stack.json` -> `.shop/stack.key.json`, mode 0600; `.shop/` is not versioned), so that
  `shop token`, `shop demo` and `shop load`, in other terminals, sign with the key the running gateway trusts.
  A new key at each start: tokens of an earlier run are refused.
- Tokens look like Cognito ID tokens: `sub`, `token_use: id`, `iss`, `aud`, `iat`, `auth_time`, `exp` (1 h),
  `jti`, `cognito:username`, `custom:role` (`admin` or `client`) and, for a client, `custom:clientId`.
  A client's `sub` is derived from its client id, so its tokens share one subject (idempotency keys are
  scoped to the subject).
- `JwtAuthorizer` is the gateway's authorizer hook (shoplocal/gateway.py): on an operation whose `security`
  is not empty it checks the signature (RS256 only), `exp`, `iss`, `aud` and `token_use`, and answers 401
  problem+json (with `WWW-Authenticate: Bearer`) for a missing, malformed, wrongly signed or expired token,
  before request validation, as API Gateway does. The token may come as `Bearer <token>` or bare (API
  Gateway's Cognito authorizer accepts both). The claims go into the event as API Gateway puts them: every
  value a string, `exp` and `iat` as `Thu Jan 01 01:00:00 UTC 2026`.

Machines (issue 15): `LocalIssuer.access_token` signs access tokens shaped like those of Cognito's client
credentials grant (`token_use: access`, `client_id` and `sub` the app client's id, `scope`, no `aud`), with
the claims the pre-token-generation trigger adds (shoplocal/machine.py runs the trigger's code for them).
`MachineJwtAuthorizer` is the machine API's authorizer (the second listener of `shop run`): an access token
only, holding one of the operation's scopes (apigateway/machine-api.yaml, the method's AuthorizationScopes),
else 401 `Unauthorized`, as API Gateway's Cognito authorizer answers a token it does not accept, scopes
included. An ID token there is refused, as an access token is on the people's API.

Only the local runtime imports this module (PyJWT is in the `local` extra): on AWS API Gateway verifies.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://cognito-idp.local/shop-local-user-pool"
AUDIENCE = "shop-local-app-client"
TOKEN_SECONDS = 3600  # Cognito's default ID token lifetime
ALGORITHM = "RS256"
MAX_TOKEN_CHARS = 8192  # as openapi.yaml's CognitoUserPool says; API Gateway's header limit is 10 KiB
ADMIN, CLIENT = "admin", "client"
_SUBJECTS = uuid.UUID("8f0c5b4e-3d0a-4c43-9a51-4b1f4c6d2e10")  # namespace of the derived `sub` values
_CLIENT_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")  # domain.ids.ULID_PATTERN
_BEARER = re.compile(r"^\s*bearer\s+", re.IGNORECASE)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class NoLocalKey(RuntimeError):
    """No key for the local stack: `shop run` has not started (with this stack file)."""


class InvalidToken(ValueError):
    """The token is missing or not one the local stack issued and still honours (the message says why)."""


def key_file(stack_file: Path) -> Path:
    """Where `shop run` keeps the stack's signing key: next to its stack file."""
    return stack_file.with_name(f"{stack_file.stem}.key.json")


def subject_of(role: str, client_id: str | None = None) -> str:
    """The `sub` of the local admin, or of a client's tokens: stable across tokens and runs."""
    return str(uuid.uuid5(_SUBJECTS, ADMIN if role == ADMIN else f"{CLIENT}:{client_id}"))


@dataclass(frozen=True)
class LocalIssuer:
    """The local user pool: a private key, its key id, the issuer and the audience (the app client)."""

    private_key: rsa.RSAPrivateKey
    kid: str
    issuer: str = ISSUER
    audience: str = AUDIENCE

    @classmethod
    def generate(cls) -> LocalIssuer:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048), kid=uuid.uuid4().hex)

    @classmethod
    def load(cls, path: Path) -> LocalIssuer:
        try:
            data = json.loads(path.read_text())
            key = serialization.load_pem_private_key(data["privateKey"].encode(), password=None)
        except FileNotFoundError:
            raise NoLocalKey(f"no local signing key at {path} (start the stack with `shop run`)") from None
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise NoLocalKey(f"unreadable local signing key {path}: {error}") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise NoLocalKey(f"{path} does not hold an RSA key")
        return cls(key, kid=data["kid"], issuer=data["issuer"], audience=data["audience"])

    def save(self, path: Path) -> Path:
        """Write the key, readable by its owner only, atomically (a reader never sees half a file)."""
        pem = self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        data = {"issuer": self.issuer, "audience": self.audience, "kid": self.kid, "privateKey": pem}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as sink:
            sink.write(json.dumps(data, indent=2))
        os.chmod(tmp, 0o600)  # an earlier file's mode survives O_CREAT
        tmp.replace(path)
        return path

    def token(
        self,
        role: str,
        client_id: str | None = None,
        *,
        subject: str | None = None,
        seconds: int = TOKEN_SECONDS,
        now: float | None = None,
    ) -> str:
        """An ID token for `role` (`admin`, or `client` with its `client_id`)."""
        if role not in (ADMIN, CLIENT):
            raise ValueError(f"role must be {ADMIN!r} or {CLIENT!r}, not {role!r}")
        if role == CLIENT and not (client_id and _CLIENT_ID.fullmatch(client_id)):
            raise ValueError(f"a client token needs a client id (a ULID), not {client_id!r}")
        issued = int(time.time() if now is None else now)
        claims: dict[str, Any] = {
            "sub": subject or subject_of(role, client_id),
            "token_use": "id",
            "iss": self.issuer,
            "aud": self.audience,
            "auth_time": issued,
            "iat": issued,
            "exp": issued + seconds,
            "jti": str(uuid.uuid4()),
            "cognito:username": ADMIN if role == ADMIN else f"{CLIENT}-{client_id}",
            "custom:role": role,
        }
        if role == CLIENT:
            claims["custom:clientId"] = client_id
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid})

    def access_token(
        self,
        app_client_id: str,
        scopes: list[str] | tuple[str, ...],
        claims: Mapping[str, Any] | None = None,
        *,
        seconds: int = TOKEN_SECONDS,
        now: float | None = None,
    ) -> str:
        """An access token of the client credentials grant for the app client `app_client_id`, granted `scopes`
        (space-separated in `scope`, as Cognito writes it), with `claims` added (the trigger's)."""
        issued = int(time.time() if now is None else now)
        payload: dict[str, Any] = dict(claims or {})
        payload.update(
            {
                "sub": app_client_id,
                "token_use": "access",
                "scope": " ".join(scopes),
                "auth_time": issued,
                "iss": self.issuer,
                "exp": issued + seconds,
                "iat": issued,
                "version": 2,
                "jti": str(uuid.uuid4()),
                "client_id": app_client_id,
            }
        )
        return jwt.encode(payload, self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid})

    def admin_token(self) -> str:
        return self.token(ADMIN)

    def client_token(self, client_id: str) -> str:
        return self.token(CLIENT, client_id)

    def verifier(self) -> TokenVerifier:
        return TokenVerifier(self.private_key.public_key(), self.issuer, self.audience)


@dataclass(frozen=True)
class TokenVerifier:
    public_key: rsa.RSAPublicKey
    issuer: str
    audience: str

    def verify(self, authorization: str | None, token_use: str = "id") -> dict[str, Any]:
        """The claims of the token in an `Authorization` header value (`Bearer <token>` or bare), or
        `InvalidToken`. Checks the signature (RS256 only), `exp`, `iat`, `iss`, `token_use` and, for an ID
        token, `aud` (an access token has none: its app client is `client_id`)."""
        if token_use == "access":
            return self._verify(authorization, "access", audience=None, required=["client_id", "scope"])
        return self._verify(authorization, "id", audience=self.audience, required=["aud"])

    def _verify(
        self, authorization: str | None, token_use: str, audience: str | None, required: list[str]
    ) -> dict[str, Any]:
        token = _BEARER.sub("", authorization or "").strip()
        if not token:
            raise InvalidToken("no token in the Authorization header")
        if len(token) > MAX_TOKEN_CHARS:
            raise InvalidToken(f"the token is longer than {MAX_TOKEN_CHARS} characters")
        try:
            claims = jwt.decode(
                token,
                self.public_key,
                algorithms=[ALGORITHM],
                audience=audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "sub", "token_use", *required]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.InvalidTokenError as error:
            raise InvalidToken(f"the token is not valid: {error}") from None
        if claims.get("token_use") != token_use:
            raise InvalidToken("not an ID token" if token_use == "id" else "not an access token")
        if audience is None and "aud" in claims:  # PyJWT skips `aud` without an audience to compare with
            raise InvalidToken("an access token has no audience")
        return claims


def api_gateway_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """The claims as API Gateway's Cognito authorizer hands them to a proxy integration: strings only,
    `exp` and `iat` as dates (`Thu Jan 01 01:00:00 UTC 2026`), booleans as `true`/`false`."""
    converted = {}
    for name, value in claims.items():
        if name in ("exp", "iat") and isinstance(value, int | float):
            converted[name] = _date(value)
        elif isinstance(value, bool):
            converted[name] = "true" if value else "false"
        elif isinstance(value, list | tuple):
            converted[name] = ",".join(str(item) for item in value)
        else:
            converted[name] = str(value)
    return converted


def _date(epoch: float) -> str:
    t = time.gmtime(epoch)
    clock = f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
    return f"{_DAYS[t.tm_wday]} {_MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} {clock} UTC {t.tm_year}"


def token_for(stack_file: Path, token: str | None = None) -> str:
    """The token a command sends: `token` when given (`--token`), else `SHOP_TOKEN`, else a fresh admin
    token signed with the key of the stack that `stack_file` describes (`NoLocalKey` without one)."""
    return token or os.environ.get("SHOP_TOKEN") or LocalIssuer.load(key_file(stack_file)).admin_token()


def open_operations(spec: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(METHOD, path) of the operations that need no token: their `security` (or the spec's) is empty, or
    allows `{}` (no requirement)."""
    default = spec.get("security") or []
    found = set()
    for path, item in (spec.get("paths") or {}).items():
        for method, operation in item.items():
            if not isinstance(operation, Mapping) or method == "parameters":
                continue
            security = operation.get("security", default)
            if not security or any(not requirement for requirement in security):
                found.add((method.upper(), path))
    return found


class JwtAuthorizer:
    """The local gateway's authorizer (`create_app(authorizer=...)`): verified claims for a secured
    operation, or a 401 problem; open operations pass without a token (and get no claims)."""

    def __init__(self, verifier: TokenVerifier, spec: Mapping[str, Any]) -> None:
        self.verifier = verifier
        self.open = open_operations(spec)

    def __call__(self, route: Any, method: str, headers: Mapping[str, str]) -> dict[str, Any]:
        from connexion.exceptions import ProblemException

        if (method, route.path) in self.open:
            return {"claims": {}}
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        try:
            claims = self.verifier.verify(authorization)
        except InvalidToken as error:
            raise ProblemException(
                status=401, title="Unauthorized", detail=str(error), headers={"WWW-Authenticate": "Bearer"}
            ) from None
        return {"claims": api_gateway_claims(claims)}


def required_scopes(spec: Mapping[str, Any], scheme: str = "ShopMachine") -> dict[tuple[str, str], frozenset[str]]:
    """(METHOD, path) -> the scopes of `scheme` that grant the operation (any one), for every secured operation
    of a machine API definition (apigateway/machine-api.yaml)."""
    default = spec.get("security") or []
    found = {}
    for path, item in (spec.get("paths") or {}).items():
        for method, operation in item.items():
            if not isinstance(operation, Mapping) or method == "parameters":
                continue
            security = operation.get("security", default)
            if security:
                found[(method.upper(), path)] = frozenset(s for r in security for s in r.get(scheme, []))
    return found


class MachineJwtAuthorizer(JwtAuthorizer):
    """The machine API's authorizer: an access token holding one of the operation's scopes, or 401
    `Unauthorized` (API Gateway's answer to a token its Cognito authorizer does not accept, a missing scope
    included); open operations pass without a token."""

    def __init__(self, verifier: TokenVerifier, spec: Mapping[str, Any]) -> None:
        super().__init__(verifier, spec)
        self.scopes = required_scopes(spec)

    def __call__(self, route: Any, method: str, headers: Mapping[str, str]) -> dict[str, Any]:
        from connexion.exceptions import ProblemException

        if (method, route.path) in self.open:
            return {"claims": {}}
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        try:
            claims = self.verifier.verify(authorization, token_use="access")
            granted = set(str(claims.get("scope", "")).split())
            if not granted & self.scopes.get((method, route.path), frozenset()):
                raise InvalidToken("the token holds none of the scopes this operation needs")
        except InvalidToken as error:
            raise ProblemException(
                status=401, title="Unauthorized", detail=str(error), headers={"WWW-Authenticate": "Bearer"}
            ) from None
        return {"claims": api_gateway_claims(claims)}
