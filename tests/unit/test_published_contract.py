"""The published contract (contract/publish.py): openapi.yaml as consumers read it."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

ROOT = Path(__file__).resolve().parents[2]


def _load_publish():
    spec = importlib.util.spec_from_file_location("contract_publish", ROOT / "contract" / "publish.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


publish = _load_publish()

AUTHORIZER_SCHEME = {
    "type": "apiKey",
    "name": "Authorization",
    "in": "header",
    "description": "A Cognito ID token.",
    "x-amazon-apigateway-authtype": "cognito_user_pools",
    "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools", "providerARNs": [{"Fn::GetAtt": ["P", "Arn"]}]},
}
# A machine scheme as the contract declares one: standard oauth2, client credentials, scopes.
MACHINE_SCHEME = {
    "type": "oauth2",
    "description": "A client-credentials access token.",
    "flows": {
        "clientCredentials": {
            "tokenUrl": "http://localhost:3000/oauth2/token",
            "scopes": {"shop/orders.write": "place orders", "shop/backoffice": "everything"},
        }
    },
    "x-amazon-apigateway-something": {"deep": True},
}


def fixture_spec() -> dict:
    """A small spec in API Gateway's form: extensions at several depths, an authorizer scheme, a machine scheme
    and per-operation security alternatives."""
    ok = {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1.2.3", "x-amazon-apigateway-policy": {"Version": "2012-10-17"}},
        "servers": [{"url": "/"}],
        "x-amazon-apigateway-request-validators": {"all": {"validateRequestBody": True}},
        "security": [{"CognitoUserPool": []}],
        "paths": {
            "/health": {"get": {"operationId": "health", "security": [], "responses": {"200": ok}}},
            "/orders": {
                "post": {
                    "operationId": "createOrder",
                    "security": [
                        {"CognitoUserPool": []},
                        {"ShopMachine": ["shop/orders.write"]},
                        {"ShopMachine": ["shop/backoffice"]},
                    ],
                    "responses": {"200": ok},
                    "x-amazon-apigateway-integration": {"uri": {"Fn::Sub": "arn:...${F.Arn}/invocations"}},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "CognitoUserPool": copy.deepcopy(AUTHORIZER_SCHEME),
                "ShopMachine": copy.deepcopy(MACHINE_SCHEME),
            },
            "schemas": {"Thing": {"type": "object", "properties": {"a": {"type": "string", "x-amazon-x": 1}}}},
        },
    }


def test_every_amazon_extension_is_removed_at_any_depth():
    published = publish.publish(fixture_spec(), stage="prod")
    assert "x-amazon-" not in json.dumps(published)
    assert published["components"]["schemas"]["Thing"]["properties"]["a"] == {"type": "string"}


def test_the_authorizer_scheme_is_published_as_http_bearer_jwt_with_its_description():
    published = publish.publish(fixture_spec(), stage="prod")
    assert published["components"]["securitySchemes"]["CognitoUserPool"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A Cognito ID token.",
    }


def test_a_standard_oauth2_scheme_and_the_security_alternatives_are_kept_less_extensions():
    spec = fixture_spec()
    published = publish.publish(spec, stage="prod")
    machine = {k: v for k, v in MACHINE_SCHEME.items() if not k.startswith("x-amazon-")}
    assert published["components"]["securitySchemes"]["ShopMachine"] == machine
    assert published["paths"]["/orders"]["post"]["security"] == spec["paths"]["/orders"]["post"]["security"]
    assert published["security"] == [{"CognitoUserPool": []}]
    assert published["paths"]["/health"]["get"]["security"] == []


def test_the_published_fixture_is_valid_openapi():
    validate(publish.publish(fixture_spec(), stage="prod"))


def test_an_authorizer_in_another_header_stays_an_api_key():
    # `Authorization: Bearer` would be wrong for a token API Gateway reads from another header.
    spec = fixture_spec()
    spec["components"]["securitySchemes"]["CognitoUserPool"]["name"] = "X-Shop-Token"
    scheme = publish.publish(spec, stage="prod")["components"]["securitySchemes"]["CognitoUserPool"]
    assert scheme == {"type": "apiKey", "name": "X-Shop-Token", "in": "header", "description": "A Cognito ID token."}


def test_scopes_asked_of_a_scheme_published_as_bearer_are_refused_with_where():
    spec = fixture_spec()
    spec["paths"]["/orders"]["post"]["security"] = [{"CognitoUserPool": ["shop/orders.write"]}]
    with pytest.raises(publish.PublishError, match=r"POST /orders asks scopes of CognitoUserPool"):
        publish.publish(spec, stage="prod")


def test_the_input_spec_is_not_modified():
    spec = fixture_spec()
    before = copy.deepcopy(spec)
    publish.publish(spec, stage="prod")
    assert spec == before


def test_servers_name_the_local_stack_and_the_deployed_stage_pattern():
    servers = publish.publish(fixture_spec(), stage="beta")["servers"]
    assert [server["url"] for server in servers] == [
        "http://localhost:3000",
        "https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}",
    ]
    variables = servers[1]["variables"]
    assert set(variables) == {"restApiId", "region", "stage"} and variables["stage"]["default"] == "beta"


def test_the_local_server_is_shop_runs_default_port():
    from shoplocal.cli import DEFAULT_PORT, HOST

    assert publish.LOCAL_SERVER == f"http://localhost:{DEFAULT_PORT}" and HOST == "127.0.0.1"


def test_the_deployed_stage_defaults_to_the_templates_stage_parameter():
    text = (ROOT / "template.yaml").read_text(encoding="utf-8")
    assert "  Stage:\n    Type: String\n    Default: prod\n" in text
    assert publish.template_stage() == "prod"


def test_the_committed_artefact_is_what_openapi_yaml_publishes():
    # What `make check-publish` checks, here too so a unit run sees the drift.
    assert (ROOT / "contract" / "published" / "openapi.json").read_text(encoding="utf-8") == publish.expected()


def test_the_committed_artefact_is_valid_and_keeps_the_contract():
    published = json.loads((ROOT / "contract" / "published" / "openapi.json").read_text(encoding="utf-8"))
    validate(published)
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    assert published["info"] == spec["info"] and published["paths"].keys() == spec["paths"].keys()
    assert published["components"]["schemas"] == publish.without_amazon_extensions(spec["components"]["schemas"])


def test_the_published_text_does_not_ask_for_bearer_in_the_bearer_dialog():
    # The HTTP bearer dialog adds `Bearer ` itself: pasting `Bearer <token>` there would send it twice.
    text = (ROOT / "contract" / "published" / "openapi.json").read_text(encoding="utf-8")
    assert "paste `Bearer" not in text and "paste the token alone" in text


def test_check_fails_on_drift_and_passes_when_equal(tmp_path, monkeypatch, capsys):
    target = tmp_path / "openapi.json"
    monkeypatch.setattr(publish, "PUBLISHED", target)
    monkeypatch.setattr(publish, "ROOT", tmp_path)
    assert publish.main(["--check"]) == 1  # missing
    assert publish.main([]) == 0 and target.read_text(encoding="utf-8") == publish.expected()
    assert publish.main(["--check"]) == 0
    target.write_text(target.read_text(encoding="utf-8").replace("Shop API", "Other API"), encoding="utf-8")
    assert publish.main(["--check"]) == 1
    assert "drifted from openapi.yaml" in capsys.readouterr().err
