"""The local gateway's JWT authorizer (shoplocal/auth.py `JwtAuthorizer`), in process, before a fake function
(tests/functional/fake_lambda.py): 401 for a missing, invalid, expired or wrongly signed token, before
request validation; the verified claims in `requestContext.authorizer.claims` as API Gateway puts them."""

from __future__ import annotations

import base64
import calendar
import json
import os
import time
from unittest import mock

import jwt
import pytest

from shoplocal.auth import JwtAuthorizer, LocalIssuer
from shoplocal.gateway import create_app, load_spec
from tests.functional import fake_lambda
from tests.functional.test_gateway import A_CLIENT, CLIENT_ID, fake_runner

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def issuer() -> LocalIssuer:
    return LocalIssuer.generate()


@pytest.fixture(scope="module")
def gateway(issuer):
    with mock.patch.dict(os.environ):  # the runner exports its functions' variables
        spec = load_spec()
        app = create_app(fake_runner(), stage="prod", authorizer=JwtAuthorizer(issuer.verifier(), spec), spec=spec)
        with app.test_client() as client:
            yield client


@pytest.fixture(autouse=True)
def fresh_fake():
    fake_lambda.reset()
    yield
    fake_lambda.reset()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_unauthorized(response) -> dict:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized" and body["detail"]
    assert fake_lambda.events == []  # the function never ran
    return body


PROTECTED = [
    ("GET", "/clients"),
    ("POST", "/clients"),
    ("GET", f"/clients/{CLIENT_ID}"),
    ("PUT", f"/clients/{CLIENT_ID}"),
    ("DELETE", f"/clients/{CLIENT_ID}"),
    ("POST", f"/clients/{CLIENT_ID}/orders"),
    ("GET", f"/clients/{CLIENT_ID}/orders"),
    ("GET", f"/clients/{CLIENT_ID}/orders/{CLIENT_ID}"),
    ("GET", f"/clients/{CLIENT_ID}/invoices"),
    ("GET", f"/clients/{CLIENT_ID}/invoices/INV-2026-000001"),
    ("GET", f"/clients/{CLIENT_ID}/invoices/INV-2026-000001/pdf"),
    ("HEAD", f"/clients/{CLIENT_ID}"),
]


@pytest.mark.parametrize("method, url", PROTECTED)
def test_every_protected_route_without_a_token_is_401_before_validation(gateway, method, url):
    # An empty body: invalid for the POST and PUT, yet the answer is about the token, as on API Gateway.
    response = gateway.request(method, url, content=b"{}", headers={"Content-Type": "application/json"})
    if method == "HEAD":
        assert response.status_code == 401 and fake_lambda.events == []
    else:
        assert_unauthorized(response)


def bad_tokens(issuer: LocalIssuer) -> dict[str, dict[str, str]]:
    other_issuer = LocalIssuer.generate()
    claims = jwt.decode(issuer.admin_token(), options={"verify_signature": False})
    return {
        "empty": {"Authorization": ""},
        "scheme only": {"Authorization": "Bearer"},
        "garbage": bearer("garbage"),
        "basic auth": {"Authorization": "Basic YWRtaW46YWRtaW4="},
        "expired": bearer(issuer.token("admin", now=time.time() - 3601)),
        "wrongly signed": bearer(other_issuer.admin_token()),
        "tampered claims": bearer(_tampered(issuer.client_token(CLIENT_ID))),
        "other audience": bearer(
            jwt.encode(claims | {"aud": "someone-else"}, issuer.private_key, "RS256", headers={"kid": issuer.kid})
        ),
        "unsigned": bearer(jwt.encode(claims, None, "none")),
    }


def _tampered(token: str) -> str:
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["custom:role"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


@pytest.mark.parametrize(
    "case",
    [
        "empty",
        "scheme only",
        "garbage",
        "basic auth",
        "expired",
        "wrongly signed",
        "tampered claims",
        "other audience",
        "unsigned",
    ],
)
def test_an_invalid_token_is_401_and_never_reaches_the_function(gateway, issuer, case):
    body = assert_unauthorized(gateway.get(f"/clients/{CLIENT_ID}", headers=bad_tokens(issuer)[case]))
    assert "eyJ" not in body["detail"]  # the token is never echoed


def test_an_expired_token_says_so(gateway, issuer):
    body = assert_unauthorized(gateway.get("/clients", headers=bad_tokens(issuer)["expired"]))
    assert "expired" in body["detail"]


@pytest.mark.parametrize("form", ["Bearer {}", "bearer {}", "{}"], ids=["Bearer", "lower-case bearer", "bare"])
def test_a_valid_token_reaches_the_function_with_its_claims_as_api_gateway_passes_them(gateway, issuer, form):
    token = issuer.client_token(CLIENT_ID)
    fake_lambda.reply = {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(A_CLIENT),
    }
    response = gateway.get(f"/clients/{CLIENT_ID}", headers={"Authorization": form.format(token)})
    assert response.status_code == 200, response.text
    (event,) = fake_lambda.events
    authorizer = event["requestContext"]["authorizer"]
    claims = authorizer["claims"]
    assert set(authorizer) == {"claims"} and all(isinstance(value, str) for value in claims.values())
    assert claims["custom:role"] == "client" and claims["custom:clientId"] == CLIENT_ID
    assert claims["token_use"] == "id" and claims["sub"] and claims["aud"] and claims["iss"]
    # `exp` and `iat` as API Gateway writes them: `Thu Jan 01 01:00:00 UTC 2026`
    expires = calendar.timegm(time.strptime(claims["exp"], "%a %b %d %H:%M:%S UTC %Y"))
    issued = calendar.timegm(time.strptime(claims["iat"], "%a %b %d %H:%M:%S UTC %Y"))
    assert expires - issued == 3600 and abs(issued - time.time()) < 60
    # the Authorization header itself is passed on too, as API Gateway does
    assert event["headers"]["Authorization"] == form.format(token)


def test_with_a_valid_token_an_invalid_request_is_still_a_400(gateway, issuer):
    response = gateway.post("/clients", json={"name": "Acme"}, headers=bearer(issuer.admin_token()))
    assert response.status_code == 400 and fake_lambda.events == []


def test_the_health_probe_needs_no_token_and_ignores_a_bad_one(gateway):
    assert gateway.get("/health").status_code == 200
    assert gateway.get("/health", headers=bearer("garbage")).status_code == 200
    assert [event["requestContext"]["authorizer"] for event in fake_lambda.events] == [{"claims": {}}] * 2


def test_the_served_spec_declares_the_scheme_for_swagger_uis_authorize_button(gateway):
    served = gateway.get("/openapi.json").json()
    # The published contract's form: HTTP bearer, whose Authorize dialog takes the bare token and adds `Bearer `.
    scheme = served["components"]["securitySchemes"]["CognitoUserPool"]
    assert scheme == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": scheme["description"]}
    assert "paste the token alone" in scheme["description"]
    assert served["security"] == [{"CognitoUserPool": []}] and served["paths"]["/health"]["get"]["security"] == []


# ---- the machine API (issue 15): access tokens of the client credentials grant, with scopes ----

APP_CLIENT = "4app0client0test0id000000"


@pytest.fixture(scope="module")
def machine_gateway(issuer):
    from shoplocal.auth import MachineJwtAuthorizer
    from shoplocal.gateway import MACHINE_API_PATH

    with mock.patch.dict(os.environ):
        spec = load_spec(MACHINE_API_PATH)
        authorizer = MachineJwtAuthorizer(issuer.verifier(), spec)
        app = create_app(fake_runner(), stage="prod", authorizer=authorizer, spec=spec)
        with app.test_client() as client:
            yield client


def machine_token(issuer: LocalIssuer, scopes=("shop/profile",), client_id=CLIENT_ID, **kwargs) -> str:
    claims = {"shop:clientId": client_id} if client_id else {}
    return issuer.access_token(APP_CLIENT, list(scopes), claims, **kwargs)


def test_a_machine_token_with_a_granting_scope_reaches_the_function_with_its_claims(machine_gateway, issuer):
    fake_lambda.reply = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(A_CLIENT)}
    token = machine_token(issuer, ("shop/orders.read", "shop/profile"))
    response = machine_gateway.get(f"/clients/{CLIENT_ID}", headers=bearer(token))
    assert response.status_code == 200, response.text
    (event,) = fake_lambda.events
    claims = event["requestContext"]["authorizer"]["claims"]
    assert all(isinstance(value, str) for value in claims.values())
    assert claims["token_use"] == "access" and claims["scope"] == "shop/orders.read shop/profile"
    assert claims["shop:clientId"] == CLIENT_ID and claims["client_id"] == claims["sub"] == APP_CLIENT
    assert "aud" not in claims and "custom:role" not in claims


@pytest.mark.parametrize(
    ("method", "url", "scopes"),
    [
        ("GET", f"/clients/{CLIENT_ID}", ("shop/orders.read",)),  # needs shop/profile or shop/backoffice
        ("POST", f"/clients/{CLIENT_ID}/orders", ("shop/orders.read", "shop/profile")),  # needs shop/orders.write
        ("GET", f"/clients/{CLIENT_ID}/invoices", ("shop/orders.write",)),  # needs shop/orders.read
        ("GET", "/clients", ("shop/profile", "shop/orders.read", "shop/orders.write")),  # back office only
        ("DELETE", f"/clients/{CLIENT_ID}", ("shop/profile",)),  # back office only
    ],
)
def test_a_machine_token_without_a_scope_of_the_operation_is_401_as_api_gateway_answers(
    machine_gateway, issuer, method, url, scopes
):
    # API Gateway's Cognito authorizer refuses a token whose scopes meet none of the method's with its
    # UNAUTHORIZED gateway response (401), before validation: the function never runs.
    response = machine_gateway.request(
        method, url, headers=bearer(machine_token(issuer, scopes)) | {"Content-Type": "application/json"}, content=b"{}"
    )
    body = assert_unauthorized(response)
    assert "scope" in body["detail"]


def test_a_back_office_machine_token_reaches_every_operation(machine_gateway, issuer):
    fake_lambda.reply = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(A_CLIENT)}
    token = machine_token(issuer, ("shop/backoffice",), client_id=None)
    assert machine_gateway.get(f"/clients/{CLIENT_ID}", headers=bearer(token)).status_code == 200
    fake_lambda.reply = {"statusCode": 204, "headers": {}, "body": ""}
    assert machine_gateway.delete(f"/clients/{CLIENT_ID}", headers=bearer(token)).status_code == 204


def test_a_persons_id_token_is_401_on_the_machine_api(machine_gateway, issuer):
    assert_unauthorized(machine_gateway.get(f"/clients/{CLIENT_ID}", headers=bearer(issuer.admin_token())))
    assert_unauthorized(machine_gateway.get(f"/clients/{CLIENT_ID}", headers=bearer(issuer.client_token(CLIENT_ID))))


def test_a_machine_token_is_401_on_the_peoples_api(gateway, issuer):
    token = machine_token(issuer, ("shop/backoffice",), client_id=None)
    assert_unauthorized(gateway.get(f"/clients/{CLIENT_ID}", headers=bearer(token)))


def _tampered_access(token: str) -> str:
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["scope"], claims["shop:clientId"] = "shop/backoffice", "01BX5ZZKBKACTAV9WEVGEMMVRZ"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


@pytest.mark.parametrize("case", ["expired", "wrongly signed", "tampered scope", "unsigned", "no token"])
def test_an_invalid_machine_token_is_401_and_never_reaches_the_function(machine_gateway, issuer, case):
    valid = machine_token(issuer)
    tokens = {
        "expired": machine_token(issuer, now=time.time() - 3601),
        "wrongly signed": machine_token(LocalIssuer.generate()),
        "tampered scope": _tampered_access(valid),
        "unsigned": jwt.encode(jwt.decode(valid, options={"verify_signature": False}), None, "none"),
        "no token": "",
    }
    body = assert_unauthorized(machine_gateway.get(f"/clients/{CLIENT_ID}", headers=bearer(tokens[case])))
    assert "eyJ" not in body["detail"]


def test_the_machine_apis_health_probe_needs_no_token(machine_gateway):
    assert machine_gateway.get("/health").status_code == 200
