"""The pre-token-generation trigger's logic (domain/machine_tokens.py): a machine's access token acts for the one
client its app client is mapped to; people's tokens pass unchanged; an unmapped customer app client gets none."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from codegen import apis
from domain.machine_tokens import (
    BACK_OFFICE_SCOPE,
    MACHINE_CLIENT_CLAIM,
    UnmappedAppClient,
    customize,
)

ROOT = Path(__file__).resolve().parents[2]
A = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
APP = "4app0client0test0id000000"


def event(trigger: str = "TokenGeneration_ClientCredentials", scopes=("shop/orders.read",), app=APP) -> dict:
    """A V3_0 pre-token-generation event as Cognito sends it."""
    return {
        "version": "3",
        "triggerSource": trigger,
        "region": "us-east-1",
        "userPoolId": "us-east-1_TESTPOOL",
        "userName": None,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": app},
        "request": {"userAttributes": {}, "groupConfiguration": {}, "scopes": list(scopes)},
        "response": {"claimsAndScopeOverrideDetails": None},
    }


def mapped(mapping: dict[str, str]):
    calls = []

    def client_of(app_client_id: str) -> str | None:
        calls.append(app_client_id)
        return mapping.get(app_client_id)

    client_of.calls = calls
    return client_of


def test_a_mapped_app_clients_access_token_gets_the_client_claim():
    lookup = mapped({APP: A})
    answer = customize(event(), lookup)
    assert answer["response"]["claimsAndScopeOverrideDetails"] == {
        "accessTokenGeneration": {"claimsToAddOrOverride": {MACHINE_CLIENT_CLAIM: A}}
    }
    assert lookup.calls == [APP]  # by the app client Cognito authenticated, nothing the caller chose


def test_a_mapped_app_client_never_keeps_the_back_office_scope():
    answer = customize(event(scopes=("shop/orders.read", BACK_OFFICE_SCOPE)), mapped({APP: A}))
    generation = answer["response"]["claimsAndScopeOverrideDetails"]["accessTokenGeneration"]
    assert generation["scopesToSuppress"] == [BACK_OFFICE_SCOPE]
    assert generation["claimsToAddOrOverride"] == {MACHINE_CLIENT_CLAIM: A}


def test_an_unmapped_back_office_app_client_gets_its_token_unchanged():
    sent = event(scopes=(BACK_OFFICE_SCOPE,))
    assert customize(copy.deepcopy(sent), mapped({})) == sent


@pytest.mark.parametrize("scopes", [("shop/orders.read",), ()])
def test_an_unmapped_customer_app_client_gets_no_token(scopes):
    with pytest.raises(UnmappedAppClient, match=APP):
        customize(event(scopes=scopes), mapped({}))


def test_a_mapping_to_a_malformed_client_id_gets_no_token():
    with pytest.raises(UnmappedAppClient):
        customize(event(), mapped({APP: "not-a-client-id"}))


@pytest.mark.parametrize("app", [None, ""])
def test_an_event_naming_no_app_client_gets_no_token(app):
    with pytest.raises(UnmappedAppClient):
        customize(event(app=app), mapped({}))


@pytest.mark.parametrize(
    "trigger",
    ["TokenGeneration_HostedAuth", "TokenGeneration_Authentication", "TokenGeneration_RefreshTokens",
     "TokenGeneration_NewPasswordChallenge", "TokenGeneration_AuthenticateDevice"],
)
def test_peoples_tokens_pass_unchanged_and_nothing_is_looked_up(trigger):
    sent = event(trigger=trigger)
    lookup = mapped({APP: A})
    assert customize(copy.deepcopy(sent), lookup) == sent
    assert lookup.calls == []


def test_the_back_office_scope_is_one_the_contract_declares():
    contract = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    assert BACK_OFFICE_SCOPE in apis.contract_scopes(contract)
