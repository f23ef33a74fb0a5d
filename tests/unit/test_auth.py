"""handlers/auth.py without I/O: who calls (claims), what each role may do (the rights table), and how a
client's replace treats creditLimit and currency."""

import re

import pytest

from datamodel.errors import ClientNotFoundError
from domain.models import ClientInput
from handlers import auth
from handlers.auth import ADMIN_ONLY_FIELDS, RIGHTS, Caller, ForbiddenError, Right, UnauthenticatedError
from shoplocal.template import OPENAPI_PATH
from tests.events import ADMIN_CLAIMS, NO_AUTHORIZER, api_event, client_claims

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


def _routes(module) -> set[tuple[str, str]]:
    app = module.app
    return {(route.method, route.path) for route in app._static_routes + app._dynamic_routes}


def test_every_route_of_every_api_function_has_a_right_and_nothing_else_does():
    from handlers import clients, invoices, orders

    routes = _routes(clients) | _routes(orders) | _routes(invoices)
    assert routes == set(RIGHTS)


def test_the_rights_match_the_contract_security():
    # GIVEN openapi.yaml: an operation is open iff its `security` is empty
    import yaml

    spec = yaml.safe_load(OPENAPI_PATH.read_text())
    assert spec["security"] == [{"CognitoUserPool": []}]
    for (method, rule), right in RIGHTS.items():
        path = re.sub(r"<(\w+)>", lambda m: "{" + _camel(m.group(1)) + "}", rule)
        operation = spec["paths"][path][method.lower()]
        open_ = operation.get("security", spec["security"]) == []
        # THEN only the public right is open, and every protected operation declares 401 and 403
        assert open_ == (right is Right.PUBLIC), f"{method} {path}"
        if not open_:
            assert {"401", "403"} <= set(operation["responses"]), f"{method} {path}"
        if right is Right.OWN_CLIENT:
            assert "404" in operation["responses"], f"{method} {path}"


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.capitalize() for part in rest)


ADMIN, CLIENT_A = Caller("admin", None, "admin-sub"), Caller("client", A, "a-sub")


@pytest.mark.parametrize("right", list(Right))
def test_an_admin_holds_every_right_on_every_client(right):
    auth.check(ADMIN, right, B)


def test_a_client_holds_the_own_client_right_on_itself_only():
    auth.check(CLIENT_A, Right.OWN_CLIENT, A)
    auth.check(CLIENT_A, Right.PUBLIC, None)
    with pytest.raises(ClientNotFoundError):  # 404, as for an unknown client: existence does not leak
        auth.check(CLIENT_A, Right.OWN_CLIENT, B)


@pytest.mark.parametrize("client_id", [A, B, None])
def test_a_client_never_holds_the_admin_right_whatever_the_id(client_id):
    with pytest.raises(ForbiddenError):
        auth.check(CLIENT_A, Right.ADMIN, client_id)


def test_what_a_client_may_do_is_what_the_design_says():
    own = {key for key, right in RIGHTS.items() if right is Right.OWN_CLIENT}
    admin = {key for key, right in RIGHTS.items() if right is Right.ADMIN}
    assert admin == {("GET", "/clients"), ("POST", "/clients"), ("DELETE", "/clients/<client_id>")}
    assert ("PUT", "/clients/<client_id>") in own and ("POST", "/clients/<client_id>/orders") in own
    assert all("<client_id>" in rule for _, rule in own)


# ---- a client's replace: creditLimit and currency ----

STORED = {"credit_limit": 500_000, "currency": "EUR"}


def body(**fields) -> ClientInput:
    return ClientInput.model_validate({"name": "Acme", "email": "a@example.com", **fields})


def test_an_admins_replace_takes_the_body_as_sent_with_defaults():
    assert auth.admin_only_values(ADMIN, body(), STORED) == {"credit_limit": 100_000, "currency": "USD"}
    assert auth.admin_only_values(ADMIN, body(creditLimit=7, currency="JPY"), STORED) == {
        "credit_limit": 7,
        "currency": "JPY",
    }


def test_a_clients_replace_keeps_the_stored_values_when_omitted_or_equal():
    assert auth.admin_only_values(CLIENT_A, body(), STORED) == STORED
    assert auth.admin_only_values(CLIENT_A, body(creditLimit=500_000, currency="EUR"), STORED) == STORED


@pytest.mark.parametrize(
    "fields",
    [{"creditLimit": 500_001}, {"currency": "USD"}, {"creditLimit": 100_000}, {"creditLimit": 0, "currency": "EUR"}],
)
def test_a_client_changing_its_credit_limit_or_currency_is_403(fields):
    with pytest.raises(ForbiddenError):
        auth.admin_only_values(CLIENT_A, body(**fields), STORED)


def test_the_admin_only_fields_are_fields_of_the_client_input():
    assert set(ADMIN_ONLY_FIELDS) <= set(ClientInput.model_fields)
