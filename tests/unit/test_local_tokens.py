"""shoplocal/auth.py: the local stack's tokens, as Cognito ID tokens look, and their verification."""

import json
import stat
import time

import jwt
import pytest

from handlers.auth import caller_from_claims
from shoplocal.auth import (
    AUDIENCE,
    ISSUER,
    InvalidToken,
    LocalIssuer,
    NoLocalKey,
    api_gateway_claims,
    key_file,
    open_operations,
    subject_of,
    token_for,
)
from shoplocal.gateway import load_spec

A = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


@pytest.fixture(scope="module")
def issuer() -> LocalIssuer:
    return LocalIssuer.generate()


def test_a_client_token_carries_cognito_id_token_claims(issuer):
    token = issuer.client_token(A)
    header = jwt.get_unverified_header(token)
    claims = issuer.verifier().verify(f"Bearer {token}")
    assert header["alg"] == "RS256" and header["kid"] == issuer.kid
    assert claims["token_use"] == "id" and claims["iss"] == ISSUER and claims["aud"] == AUDIENCE
    assert claims["custom:role"] == "client" and claims["custom:clientId"] == A
    assert claims["sub"] == subject_of("client", A) and claims["cognito:username"] == f"client-{A}"
    assert claims["exp"] - claims["iat"] == 3600 and abs(claims["iat"] - time.time()) < 60


def test_an_admin_token_has_no_client_id_and_one_subject_across_tokens(issuer):
    first, second = (issuer.verifier().verify(issuer.admin_token()) for _ in range(2))
    assert first["custom:role"] == "admin" and "custom:clientId" not in first
    assert first["sub"] == second["sub"] != subject_of("client", A)
    assert first["jti"] != second["jti"]


def test_a_bare_token_is_accepted_as_well_as_a_bearer_one(issuer):
    token = issuer.admin_token()
    verifier = issuer.verifier()
    assert verifier.verify(token) == verifier.verify(f"Bearer {token}") == verifier.verify(f"bearer  {token}")


@pytest.mark.parametrize("role, client_id", [("client", None), ("client", "nope"), ("root", None)])
def test_no_token_for_an_unknown_role_or_a_client_without_an_id(issuer, role, client_id):
    with pytest.raises(ValueError):
        issuer.token(role, client_id)


def forged(issuer: LocalIssuer, **changes) -> str:
    claims = jwt.decode(issuer.admin_token(), options={"verify_signature": False}) | changes
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, issuer.private_key, algorithm="RS256")


def refusals(issuer: LocalIssuer) -> dict:
    now = int(time.time())
    return {
        "absent": None,
        "empty": "",
        "bearer only": "Bearer ",
        "not a JWT": "Bearer not-a-token",
        "expired": issuer.token("admin", now=now - 7200),
        "signed by another key": LocalIssuer.generate().admin_token(),
        "alg none": jwt.encode({"sub": "x", "token_use": "id", "iss": ISSUER, "aud": AUDIENCE}, None, "none"),
        "HS256 with the public key as secret": "Bearer " + _hs256_confusion(issuer),
        "other issuer": forged(issuer, iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"),
        "other audience": forged(issuer, aud="another-app-client"),
        "access token": forged(issuer, token_use="access"),
        "no exp": forged(issuer, exp=None),
        "no sub": forged(issuer, sub=None),
        "too long": "Bearer " + "a" * 9000,
    }


def _hs256_confusion(issuer: LocalIssuer) -> str:
    import base64
    import hashlib
    import hmac

    from cryptography.hazmat.primitives import serialization

    pem = issuer.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": "x", "token_use": "id", "iss": ISSUER, "aud": AUDIENCE}).encode())
    return f"{head}.{body}." + b64(hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest())


def test_every_token_the_stack_did_not_issue_or_no_longer_honours_is_refused(issuer):
    verifier = issuer.verifier()
    for case, value in refusals(issuer).items():
        with pytest.raises(InvalidToken):
            verifier.verify(value)
            pytest.fail(f"accepted: {case}")


def test_claims_reach_the_function_as_api_gateway_formats_them(issuer):
    claims = issuer.verifier().verify(issuer.client_token(A))
    converted = api_gateway_claims(claims | {"exp": 1783299600, "iat": 1783296000, "email_verified": True})
    assert all(isinstance(value, str) for value in converted.values())
    assert converted["exp"] == "Mon Jul 06 01:00:00 UTC 2026" and converted["iat"] == "Mon Jul 06 00:00:00 UTC 2026"
    assert converted["email_verified"] == "true" and converted["auth_time"] == str(claims["auth_time"])
    # and the one function the handlers use reads them
    assert caller_from_claims(converted).client_id == A


def test_the_key_is_kept_beside_the_stack_file_readable_by_its_owner_only(issuer, tmp_path):
    stack_file = tmp_path / "stack.json"
    path = issuer.save(key_file(stack_file))
    assert path == tmp_path / "stack.key.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = LocalIssuer.load(path)
    assert issuer.verifier().verify(loaded.admin_token())["custom:role"] == "admin"
    assert loaded.kid == issuer.kid


def test_a_command_uses_its_token_else_shop_token_else_signs_one(issuer, tmp_path, monkeypatch):
    stack_file = tmp_path / "stack.json"
    monkeypatch.delenv("SHOP_TOKEN", raising=False)
    with pytest.raises(NoLocalKey, match="shop run"):
        token_for(stack_file)
    issuer.save(key_file(stack_file))
    assert issuer.verifier().verify(token_for(stack_file))["custom:role"] == "admin"
    monkeypatch.setenv("SHOP_TOKEN", "from-env")
    assert token_for(stack_file) == "from-env" and token_for(stack_file, "given") == "given"


def test_only_the_health_probe_is_open():
    assert open_operations(load_spec()) == {("GET", "/health")}
    assert open_operations({"paths": {"/x": {"get": {"security": [{}, {"S": []}]}}}}) == {("GET", "/x")}


def test_the_local_stack_stands_in_for_the_cognito_user_pool(tmp_path):
    # GIVEN template.yaml with a user pool, its app client and outputs naming them (moto has no Cognito)
    from shoplocal.template import TEMPLATE_PATH, Template

    text = TEMPLATE_PATH.read_text().replace(
        "\nResources:\n",
        "\nResources:\n"
        "  UserPool:\n    Type: AWS::Cognito::UserPool\n"
        "  UserPoolClient:\n    Type: AWS::Cognito::UserPoolClient\n"
        "    Properties:\n      UserPoolId: !Ref UserPool\n",
        1,
    )
    outputs = "  UserPoolId:\n    Value: !Ref UserPool\n  PoolArn:\n    Value: !GetAtt UserPool.Arn\n"
    text = text.replace("\nOutputs:\n", "\nOutputs:\n" + outputs, 1)
    (tmp_path / "template.yaml").write_text(text)
    # WHEN the local stack takes the resources it provisions
    data = Template(tmp_path / "template.yaml").data_template()
    # THEN no Cognito resource and no output naming one is among them; the data resources all are
    assert not any(r["Type"].startswith("AWS::Cognito::") for r in data["Resources"].values())
    assert not {"UserPoolId", "PoolArn"} & set(data["Outputs"])
    assert set(data["Resources"]) == set(Template().data_template()["Resources"])


# ---- machines (issue 15): access tokens and the machine API's scopes ----


def test_a_local_access_token_is_shaped_like_cognitos_client_credentials_one():
    import jwt as pyjwt

    from shoplocal.auth import LocalIssuer

    issuer = LocalIssuer.generate()
    token = issuer.access_token("appclient", ["shop/orders.read", "shop/profile"], {"shop:clientId": "X"})
    claims = issuer.verifier().verify(f"Bearer {token}", token_use="access")
    assert claims["token_use"] == "access" and claims["client_id"] == claims["sub"] == "appclient"
    assert claims["scope"] == "shop/orders.read shop/profile" and claims["shop:clientId"] == "X"
    assert "aud" not in claims and pyjwt.get_unverified_header(token)["kid"] == issuer.kid


def test_an_id_token_is_not_an_access_token_nor_the_reverse():
    from shoplocal.auth import InvalidToken, LocalIssuer

    issuer = LocalIssuer.generate()
    with pytest.raises(InvalidToken):
        issuer.verifier().verify(issuer.admin_token(), token_use="access")
    with pytest.raises(InvalidToken):
        issuer.verifier().verify(issuer.access_token("app", ["shop/backoffice"]))


def test_the_machine_apis_scopes_per_operation_come_from_its_generated_definition():
    from shoplocal.auth import required_scopes
    from shoplocal.gateway import MACHINE_API_PATH, load_spec

    scopes = required_scopes(load_spec(MACHINE_API_PATH))
    assert scopes[("GET", "/clients/{clientId}/orders")] == {"shop/orders.read", "shop/backoffice"}
    assert scopes[("POST", "/clients")] == {"shop/backoffice"}
    assert ("GET", "/health") not in scopes


@pytest.mark.parametrize(
    ("client_id", "scopes"),
    [
        ("01ARZ3NDEKTSV4RRFFQ69G5FAV", ["shop/backoffice"]),  # a client's system is never back office
        ("01ARZ3NDEKTSV4RRFFQ69G5FAV", ["shop/everything"]),  # not declared by the contract
        ("01ARZ3NDEKTSV4RRFFQ69G5FAV", []),
        (None, ["shop/orders.read"]),  # acting for no client, and no back office either
    ],
)
def test_a_machine_client_is_refused_scopes_it_may_not_have(client_id, scopes):
    from shoplocal.machine import MachineClientError, check_scopes

    with pytest.raises(MachineClientError):
        check_scopes(client_id, scopes)


def test_local_app_client_ids_are_stable_one_per_client_and_of_cognitos_form():
    import re

    from shoplocal.machine import local_app_client_id

    a, b = local_app_client_id("01ARZ3NDEKTSV4RRFFQ69G5FAV"), local_app_client_id("01BX5ZZKBKACTAV9WEVGEMMVRZ")
    assert a == local_app_client_id("01ARZ3NDEKTSV4RRFFQ69G5FAV") != b != local_app_client_id(None)
    assert re.fullmatch(r"[a-z0-9]{26}", a)
