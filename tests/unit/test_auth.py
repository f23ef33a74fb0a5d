"""handlers/auth.py without I/O: who calls (claims), what each role may do (the rights table), and how a
client's replace treats creditLimit and currency."""

import pytest

from datamodel.errors import ClientNotFoundError
from domain.models import ClientInput, ClientPatch
from handlers import auth
from handlers.auth import ADMIN_ONLY_FIELDS, RIGHTS, Caller, ForbiddenError, Right, UnauthenticatedError
from shoplocal.template import OPENAPI_PATH
from tests.events import ADMIN_CLAIMS, NO_AUTHORIZER, api_event, client_claims, machine_claims

A, B = "01ARZ3NDEKTSV4RRFFQ69G5FAV", "01BX5ZZKBKACTAV9WEVGEMMVRZ"


# ---- claims -> caller ----


def test_an_admin_token_is_an_admin_caller_with_its_subject():
    assert auth.caller_from_claims(ADMIN_CLAIMS) == Caller("admin", None, ADMIN_CLAIMS["sub"])


def test_a_client_token_is_bound_to_its_client_id():
    claims = client_claims(A)
    caller = auth.caller_from_claims(claims)
    assert caller == Caller("client", A, claims["sub"])
    assert caller.may_act_for(A) and not caller.may_act_for(B) and not caller.is_admin


def test_an_admin_may_act_for_any_client():
    assert auth.caller_from_claims(ADMIN_CLAIMS).may_act_for(B)


@pytest.mark.parametrize(
    "claims",
    [None, {}, {"custom:role": "admin"}, {"sub": "", "custom:role": "admin"}, {"sub": 7, "custom:role": "admin"}],
    ids=["none", "empty", "no sub", "empty sub", "sub not a string"],
)
def test_no_claims_or_no_subject_is_401(claims):
    with pytest.raises(UnauthenticatedError) as refused:
        auth.caller_from_claims(claims)
    assert refused.value.status == 401 and refused.value.headers == {"WWW-Authenticate": "Bearer"}


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "s"},
        {"sub": "s", "custom:role": "superuser"},
        {"sub": "s", "custom:role": "Admin"},
        {"sub": "s", "custom:role": "client"},
        {"sub": "s", "custom:role": "client", "custom:clientId": "not-a-ulid"},
        {"sub": "s", "custom:role": "client", "custom:clientId": A.lower()},
    ],
    ids=["no role", "unknown role", "role case", "client without id", "malformed client id", "lower-case id"],
)
def test_a_token_that_grants_no_role_is_403(claims):
    with pytest.raises(ForbiddenError):
        auth.caller_from_claims(claims)


def test_the_caller_is_read_from_request_context_authorizer_claims_only():
    event = api_event("GET", "/clients", claims=client_claims(A), headers={"X-Role": "admin"})
    event["requestContext"]["identity"]["user"] = "admin"
    assert auth.caller_of(event) == auth.caller_from_claims(client_claims(A))
    with pytest.raises(UnauthenticatedError):
        auth.caller_of(api_event("GET", "/clients", claims=NO_AUTHORIZER))
    with pytest.raises(UnauthenticatedError):
        auth.caller_of(api_event("GET", "/clients", claims=None))


# ---- the rights table ----


def _spec():
    import yaml

    return yaml.safe_load(OPENAPI_PATH.read_text())


def test_every_protected_operation_of_the_contract_has_a_right_and_nothing_else_does():
    # GIVEN openapi.yaml: an operation is open iff its `security` is empty
    spec = _spec()
    assert spec["security"] == [{"CognitoUserPool": []}]
    protected = {
        operation["operationId"]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in {"get", "put", "post", "patch", "delete"} and operation.get("security", spec["security"]) != []
    }
    # THEN the rights table holds exactly the protected operations
    assert set(RIGHTS) == protected


def test_every_protected_operation_declares_401_and_403_and_every_own_client_one_404():
    spec = _spec()
    for item in spec["paths"].values():
        for method, operation in item.items():
            right = RIGHTS.get(operation.get("operationId")) if isinstance(operation, dict) else None
            if right is None:
                continue
            assert {"401", "403"} <= set(operation["responses"]), operation["operationId"]
            if right is Right.OWN_CLIENT:
                assert "404" in operation["responses"], operation["operationId"]


ADMIN, CLIENT_A = Caller("admin", None, "admin-sub"), Caller("client", A, "a-sub")


@pytest.mark.parametrize("right", list(Right))
def test_an_admin_holds_every_right_on_every_client(right):
    auth.check(ADMIN, right, B)


def test_a_client_holds_the_own_client_right_on_itself_only():
    auth.check(CLIENT_A, Right.OWN_CLIENT, A)
    with pytest.raises(ClientNotFoundError):  # 404, as for an unknown client: existence does not leak
        auth.check(CLIENT_A, Right.OWN_CLIENT, B)


@pytest.mark.parametrize("client_id", [A, B, None])
def test_a_client_never_holds_the_admin_right_whatever_the_id(client_id):
    with pytest.raises(ForbiddenError):
        auth.check(CLIENT_A, Right.ADMIN, client_id)


def test_what_a_client_may_do_is_what_the_design_says():
    own = {key for key, right in RIGHTS.items() if right is Right.OWN_CLIENT}
    admin = {key for key, right in RIGHTS.items() if right is Right.ADMIN}
    assert admin == {"listClients", "createClient", "deleteClient"}
    assert {"getClient", "replaceClient", "updateClient", "createOrder", "getInvoicePdf"} <= own


# ---- creditLimit and currency on a replace or update ----

STORED = {"credit_limit": 500_000, "currency": "EUR"}


def test_an_admins_write_takes_what_it_sends_and_keeps_what_it_omits():
    assert auth.settled_terms(ADMIN, {}, STORED) == STORED
    assert auth.settled_terms(ADMIN, {"credit_limit": 7, "currency": "JPY"}, STORED) == {
        "credit_limit": 7,
        "currency": "JPY",
    }
    assert auth.settled_terms(ADMIN, {"credit_limit": 7}, STORED) == {"credit_limit": 7, "currency": "EUR"}


def test_a_clients_write_keeps_the_stored_values_when_omitted_or_equal():
    assert auth.settled_terms(CLIENT_A, {}, STORED) == STORED
    assert auth.settled_terms(CLIENT_A, {"credit_limit": 500_000, "currency": "EUR"}, STORED) == STORED


@pytest.mark.parametrize(
    "sent",
    [{"credit_limit": 500_001}, {"currency": "USD"}, {"credit_limit": 100_000}, {"credit_limit": 0, "currency": "EUR"}],
)
def test_a_client_changing_its_credit_limit_or_currency_is_403(sent):
    with pytest.raises(ForbiddenError):
        auth.settled_terms(CLIENT_A, sent, STORED)


def test_the_admin_only_fields_are_fields_of_the_client_input_and_patch():
    assert set(ADMIN_ONLY_FIELDS) <= set(ClientInput.model_fields) & set(ClientPatch.model_fields)


# ---- machines: access tokens of the client credentials grant (issue 15) ----


def test_a_machine_token_with_a_client_claim_acts_as_that_client_only():
    caller = auth.caller_from_claims(machine_claims(A, "shop/orders.read shop/profile"))
    assert (caller.role, caller.client_id) == ("client", A)
    assert caller.scopes == {"shop/orders.read", "shop/profile"}
    assert caller.may_act_for(A) and not caller.may_act_for(B)


def test_a_machine_token_acting_for_a_client_is_a_client_even_with_the_back_office_scope():
    # The trigger suppresses shop/backoffice for a mapped app client; should one slip through, the claim wins.
    caller = auth.caller_from_claims(machine_claims(A, "shop/backoffice"))
    assert (caller.role, caller.client_id) == ("client", A)


def test_a_machine_token_without_client_claim_with_the_back_office_scope_is_an_admin():
    caller = auth.caller_from_claims(machine_claims(None, "shop/backoffice"))
    assert caller.is_admin and caller.scopes == {"shop/backoffice"}


@pytest.mark.parametrize("scopes", ["shop/orders.read", "", "shop/backoffice.read"])
def test_a_machine_token_naming_no_client_and_no_back_office_scope_is_403(scopes):
    with pytest.raises(ForbiddenError):
        auth.caller_from_claims(machine_claims(None, scopes))


@pytest.mark.parametrize("client_id", ["", "not-a-ulid", A.lower()])
def test_a_machine_token_with_a_malformed_client_claim_is_403(client_id):
    with pytest.raises(ForbiddenError):
        auth.caller_from_claims(machine_claims(client_id))


def test_a_machine_token_ignores_a_role_claim_it_could_not_have_been_given():
    # An access token gets its role from its scopes and client claim only, never from `custom:role`.
    claims = {**machine_claims(None, "shop/orders.read"), "custom:role": "admin"}
    with pytest.raises(ForbiddenError):
        auth.caller_from_claims(claims)


def test_a_persons_id_token_is_not_limited_by_scopes():
    assert auth.caller_from_claims(client_claims(A)).scopes is None
    auth.check_scopes(auth.caller_from_claims(client_claims(A)), frozenset())  # no raise


def test_a_machine_needs_one_of_the_operations_scopes():
    caller = auth.caller_from_claims(machine_claims(A, "shop/orders.read"))
    auth.check_scopes(caller, frozenset({"shop/orders.read", "shop/backoffice"}))
    with pytest.raises(ForbiddenError):
        auth.check_scopes(caller, frozenset({"shop/orders.write", "shop/backoffice"}))
