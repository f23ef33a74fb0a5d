"""codegen/apis.py: the API Gateway definitions of people's Api (ID tokens) and of MachineApi (access tokens with
scopes), both generated from openapi.yaml."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from codegen import apis
from codegen.apis import HUMAN, MACHINE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def contract() -> dict:
    return yaml.safe_load((ROOT / "openapi.yaml").read_text())


def secured(document: dict) -> list[tuple[str, str, dict]]:
    return [(p, m, op) for p, m, op in apis.operations(document) if op.get("security", document.get("security")) != []]


def test_every_secured_operation_lets_a_person_and_a_back_office_machine_in(contract):
    for path, method, operation in secured(contract):
        assert {HUMAN: []} in operation["security"], (method, path)
        assert {MACHINE: ["shop/backoffice"]} in operation["security"], (method, path)
        # One scope per requirement: OpenAPI needs every scope of a requirement, API Gateway any one.
        assert all(len(r.get(MACHINE, [])) <= 1 for r in operation["security"]), (method, path)


def test_the_people_api_takes_id_tokens_only(contract):
    spec = apis.human_api(contract)
    assert set(spec["components"]["securitySchemes"]) == {HUMAN}
    for path, method, operation in secured(spec):
        assert operation["security"] == [{HUMAN: []}], (method, path)


def test_the_machine_api_asks_each_operation_for_the_scopes_that_grant_it(contract):
    spec = apis.machine_api(contract)
    scheme = spec["components"]["securitySchemes"][MACHINE]
    assert scheme["x-amazon-apigateway-authtype"] == "cognito_user_pools"
    assert scheme["x-amazon-apigateway-authorizer"] == contract["components"]["securitySchemes"][HUMAN][
        "x-amazon-apigateway-authorizer"
    ]
    assert HUMAN not in spec["components"]["securitySchemes"]
    ops = {op["operationId"]: op["security"] for _, _, op in apis.operations(spec)}
    assert ops["getOrder"] == [{MACHINE: ["shop/orders.read", "shop/backoffice"]}]
    assert ops["createOrder"] == [{MACHINE: ["shop/orders.write", "shop/backoffice"]}]
    assert ops["replaceClient"] == [{MACHINE: ["shop/profile", "shop/backoffice"]}]
    assert ops["deleteClient"] == [{MACHINE: ["shop/backoffice"]}]


def test_a_public_operation_stays_public_in_both(contract):
    for spec in (apis.human_api(contract), apis.machine_api(contract)):
        assert spec["paths"]["/health"]["get"]["security"] == []


def test_both_keep_the_integrations_validators_and_gateway_responses(contract):
    for spec in (apis.human_api(contract), apis.machine_api(contract)):
        assert spec["x-amazon-apigateway-gateway-responses"] == contract["x-amazon-apigateway-gateway-responses"]
        assert spec["x-amazon-apigateway-request-validator"] == "all"
        assert spec["paths"]["/clients"]["post"]["x-amazon-apigateway-integration"] == (
            contract["paths"]["/clients"]["post"]["x-amazon-apigateway-integration"]
        )


def test_an_operation_no_machine_scope_grants_is_refused(contract):
    broken = copy.deepcopy(contract)
    broken["paths"]["/clients"]["get"]["security"] = [{HUMAN: []}]
    with pytest.raises(ValueError, match="GET /clients names no ShopMachine scope"):
        apis.machine_api(broken)


def test_an_undeclared_scope_is_refused(contract):
    broken = copy.deepcopy(contract)
    broken["paths"]["/clients"]["get"]["security"].append({MACHINE: ["shop/everything"]})
    with pytest.raises(ValueError, match="not declared"):
        apis.machine_api(broken)


def test_the_committed_definitions_are_what_the_contract_generates(contract):
    for path, text in apis.outputs(contract).items():
        assert path.read_text() == text, f"{path.name} drifted: run 'make apis'"
        assert text.startswith("# GENERATED from openapi.yaml")
