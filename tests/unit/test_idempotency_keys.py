"""The pure parts of idempotent POSTs: scope, payload hash, stored response, key strings."""

from http import HTTPStatus

import pytest
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyInconsistentStateError,
    IdempotencyValidationError,
)

from datamodel import keys
from datamodel.errors import IdempotencyKeyReusedError
from domain.models import ClientInput
from handlers.idempotency import Replayable, StoredResponse, caller_key, payload_hash, scope
from handlers.problems import IdempotentRequestInFlightError


def test_scope_names_the_route_the_path_parameters_and_the_callers_key():
    assert scope("createOrder", "key-0001", {"clientId": "01ABC"}, "sub-1") == {
        "route": "createOrder",
        "clientId": "01ABC",
        "key": "sub-1#key-0001",
    }
    assert scope("createClient", "key-0001", {}, "sub-1") != scope("createOrder", "key-0001", {}, "sub-1")
    assert scope("createClient", "key-0001", {}, "sub-1") != scope("createClient", "key-0001", {}, "sub-2")


def test_caller_key_puts_the_subject_before_the_key():
    # A key cannot contain `#` (its pattern), so the key is what follows the last `#`.
    assert caller_key("key-0001", "a#b") == "a#b#key-0001"
    assert caller_key("key-0001", "a").rpartition("#")[2] == "key-0001"


def test_payload_hash_ignores_field_order_but_not_values():
    a = ClientInput.model_validate({"name": "Acme", "email": "a@example.com"})
    b = ClientInput.model_validate({"email": "a@example.com", "name": "Acme"})
    c = ClientInput.model_validate({"name": "Acme", "email": "b@example.com"})
    assert payload_hash(a) == payload_hash(b) != payload_hash(c)


def test_stored_response_keeps_status_headers_and_body():
    original = Response(HTTPStatus.CREATED, "application/json", '{"a":1}', {"Location": "/x", "ETag": '"1"'})
    replayed = StoredResponse.from_dict(StoredResponse.to_dict(original))
    assert replayed.status_code == 201 and replayed.body == '{"a":1}'
    assert replayed.headers == {"Content-Type": "application/json", "Location": "/x", "ETag": '"1"'}


def test_idempotency_partitions_cannot_meet_other_entities():
    assert keys.client_request_pk("key-0001") == "REQUEST#key-0001"
    others = (keys.client_pk("01A"), keys.email_pk("a@b.c"), keys.INVOICE_COUNTER, keys.client_request_pk("k"))
    assert not any(pk.startswith(keys.IDEMPOTENCY) or keys.IDEMPOTENCY.startswith(pk) for pk in others)


@pytest.mark.parametrize(
    "raised, expected",
    [
        (IdempotencyValidationError, IdempotencyKeyReusedError),
        (IdempotencyAlreadyInProgressError, IdempotentRequestInFlightError),
        (IdempotencyInconsistentStateError, IdempotentRequestInFlightError),
    ],
)
def test_powertools_refusals_become_the_errors_problems_maps(raised, expected):
    def once(**kwargs):
        raise raised("refused")

    with pytest.raises(expected):
        Replayable._translated(once)
