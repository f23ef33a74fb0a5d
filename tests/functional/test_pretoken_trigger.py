"""The pre-token-generation trigger (handlers/pretoken.py, V3_0) against the moto server: it reads the machine
client item the back office wrote (datamodel/machine_clients.py) and binds the access token to that client."""

from __future__ import annotations

import copy
import uuid

import pytest

from datamodel import keys, machine_clients
from domain.ids import new_id
from domain.machine_tokens import MACHINE_CLIENT_CLAIM, UnmappedAppClient
from handlers.pretoken import lambda_handler
from tests.events import LambdaContext
from tests.unit.test_machine_tokens import event


def app_client() -> str:
    return uuid.uuid4().hex[:26]


def test_a_mapped_app_clients_token_acts_for_the_client_the_table_names():
    app, client_id = app_client(), new_id()
    machine_clients.put(app, client_id, "2026-12-03T00:00:00+00:00")
    answer = lambda_handler(event(app=app, scopes=("shop/orders.read",)), LambdaContext())
    claims = answer["response"]["claimsAndScopeOverrideDetails"]["accessTokenGeneration"]["claimsToAddOrOverride"]
    assert claims == {MACHINE_CLIENT_CLAIM: client_id}


def test_an_app_client_without_an_item_gets_no_token():
    with pytest.raises(UnmappedAppClient):
        lambda_handler(event(app=app_client(), scopes=("shop/orders.read",)), LambdaContext())


def test_a_deleted_mapping_stops_new_tokens_at_once():
    app = app_client()
    machine_clients.put(app, new_id(), "2026-12-03T00:00:00+00:00")
    machine_clients.delete(app)
    with pytest.raises(UnmappedAppClient):
        lambda_handler(event(app=app), LambdaContext())


def test_a_back_office_app_client_gets_its_token_unchanged():
    sent = event(app=app_client(), scopes=("shop/backoffice",))
    assert lambda_handler(copy.deepcopy(sent), LambdaContext()) == sent


def test_a_persons_sign_in_passes_unchanged():
    sent = event(trigger="TokenGeneration_Authentication", app=app_client())
    assert lambda_handler(copy.deepcopy(sent), LambdaContext()) == sent


def test_an_app_client_never_moves_to_another_client():
    app, first = app_client(), new_id()
    machine_clients.put(app, first, "2026-12-03T00:00:00+00:00")
    with pytest.raises(machine_clients.MachineClientExists):
        machine_clients.put(app, new_id(), "2026-12-03T00:00:01+00:00")
    assert machine_clients.client_of(app) == first


def test_the_item_is_keyed_as_datamodel_keys_says():
    app, client_id = app_client(), new_id()
    record = machine_clients.put(app, client_id, "2026-12-03T00:00:00+00:00")
    assert (record.pk, record.sk) == (f"MACHINE#{app}", keys.MACHINE_SK) == (keys.machine_client_pk(app), "#MACHINE")
