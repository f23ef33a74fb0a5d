"""The local API Gateway (shoplocal.gateway), in process.

A fake function (tests/functional/fake_lambda.py) stands in for every API function, invoked in the test's
process (tests/inprocess.py): it records the proxy event it gets and answers what the test sets, so these
tests pin the gateway's side of the contract. How the gateway answers for a function whose process fails
(502) or times out (504) is tested through the real runtime, here too; the runtime itself in
tests/functional/test_lambda_runtime.py.
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from unittest import mock

import pytest
from connexion.exceptions import Unauthorized

from shoplocal.gateway import PUBLISHED_PATH, GatewayConfigError, create_app, load_spec, route_table
from shoplocal.lambdas import FunctionRunner
from shoplocal.template import Function, Template
from tests.functional import fake_lambda
from tests.inprocess import InProcessRunner

API_FUNCTIONS = ("ClientsFunction", "OrdersFunction", "InvoicesFunction")
HANDLER = f"{fake_lambda.__name__}.handler"
CLIENT_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
PROBLEM = "application/problem+json"
A_CLIENT = {
    "clientId": CLIENT_ID,
    "name": "Acme",
    "email": "billing@acme.example",
    "creditLimit": 100000,
    "currency": "USD",
    "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-01-01T00:00:00Z",
}


def fake_functions(handlers: dict[str, str] | None = None, timeout: int = 3) -> dict[str, Function]:
    handlers = handlers or {name: HANDLER for name in API_FUNCTIONS}
    return {name: Function(name, handler, {}, timeout, memory_mb=256) for name, handler in handlers.items()}


def fake_runner(handlers: dict[str, str] | None = None) -> InProcessRunner:
    return InProcessRunner(fake_functions(handlers))


@pytest.fixture(scope="module")
def runner():
    return fake_runner()


@pytest.fixture(scope="module")
def client(runner):
    with create_app(runner, validate_responses=True, stage="prod").test_client() as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def fresh_fake():
    fake_lambda.reset()
    yield
    fake_lambda.reset()


def replies(status: int, body=None, headers=None, **extra):
    fake_lambda.reply = {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": None if body is None else json.dumps(body),
        **extra,
    }


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "about:blank" and body["status"] == status and body["title"] and body["detail"]
    return body


# ---- binding: openapi.yaml -> template.yaml ----


def test_every_operation_of_openapi_yaml_binds_to_a_function_of_template_yaml():
    spec, functions = load_spec(), Template().functions()
    routes = route_table(spec, functions)
    bound = {(method, route.path): name for route in routes for method, name in route.functions.items()}
    declared = {(m.upper(), path) for path, item in spec["paths"].items() for m in item if m != "parameters"}
    assert set(bound) == declared
    assert all(functions[name].module.startswith("handlers.") for name in bound.values())


def test_startup_fails_when_an_operation_has_no_integration():
    spec = copy.deepcopy(load_spec())
    del spec["paths"]["/health"]["get"]["x-amazon-apigateway-integration"]
    with pytest.raises(GatewayConfigError, match="GET /health"):
        create_app(fake_runner(), spec=spec)


def test_startup_fails_when_an_operation_names_a_function_template_yaml_lacks():
    spec = copy.deepcopy(load_spec())
    spec["paths"]["/health"]["get"]["x-amazon-apigateway-integration"]["uri"][
        "Fn::Sub"
    ] = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${GhostFunction.Arn}/invocations"
    with pytest.raises(GatewayConfigError, match="GhostFunction"):
        create_app(fake_runner(), spec=spec)


# ---- the proxy event ----


def test_event_carries_resource_path_parameters_query_and_headers(client):
    replies(200, {"items": [], "nextCursor": None})
    # WHEN
    response = client.get(
        f"/clients/{CLIENT_ID}/orders?limit=5&status=PENDING&status=APPROVED",
        headers=[("X-Trace", "one"), ("X-Trace", "two"), ("Accept", "application/json")],
    )
    # THEN
    assert response.status_code == 200, response.text
    (event,) = fake_lambda.events
    assert event["resource"] == "/clients/{clientId}/orders"
    assert event["path"] == f"/clients/{CLIENT_ID}/orders"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"clientId": CLIENT_ID}
    assert event["queryStringParameters"] == {"limit": "5", "status": "APPROVED"}
    assert event["multiValueQueryStringParameters"] == {"limit": ["5"], "status": ["PENDING", "APPROVED"]}
    assert event["headers"]["X-Trace"] == "two" and event["multiValueHeaders"]["X-Trace"] == ["one", "two"]
    assert event["headers"]["Accept"] == "application/json"
    assert event["stageVariables"] is None
    assert event["body"] is None and event["isBase64Encoded"] is False


def test_event_request_context_names_resource_stage_caller_and_empty_claims(client):
    client.get("/health")
    context = fake_lambda.events[0]["requestContext"]
    assert context["resourcePath"] == "/health" and context["httpMethod"] == "GET"
    assert context["path"] == "/health" and context["stage"] == "prod"
    assert uuid.UUID(context["requestId"])
    assert context["identity"]["sourceIp"]
    assert context["authorizer"] == {"claims": {}}


def test_event_body_is_the_request_body_as_sent(client):
    replies(201, A_CLIENT, {"Location": f"/clients/{CLIENT_ID}"})
    sent = '{"name": "Acme",   "email": "billing@acme.example"}'
    response = client.post("/clients", content=sent, headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    (event,) = fake_lambda.events
    assert event["body"] == sent and event["isBase64Encoded"] is False
    assert event["httpMethod"] == "POST" and event["resource"] == "/clients"
    assert event["headers"]["Content-Type"] == "application/json"
    assert event["pathParameters"] is None and event["queryStringParameters"] is None


def test_a_json_body_without_content_type_is_validated_and_forwarded(client):
    replies(201, A_CLIENT)
    response = client.post("/clients", content=b'{"name": "Acme", "email": "billing@acme.example"}')
    assert response.status_code == 201, response.text
    assert json.loads(fake_lambda.events[0]["body"])["name"] == "Acme"


# ---- the proxy result ----


def test_result_status_headers_multi_value_headers_and_body_become_the_response(client):
    replies(200, {"status": "ok"}, {"X-Single": "1"}, multiValueHeaders={"X-Many": ["a", "b"]})
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-single"] == "1"
    assert response.headers.get_list("x-many") == ["a", "b"]


def test_multi_value_headers_replace_the_same_single_value_header(client):
    replies(200, {"status": "ok"}, {"X-Both": "single"}, multiValueHeaders={"x-both": ["multi"]})
    assert client.get("/health").headers.get_list("x-both") == ["multi"]


def test_a_base64_encoded_result_body_is_decoded(client):
    fake_lambda.reply = {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": base64.b64encode(b'{"status":"ok"}').decode(),
        "isBase64Encoded": True,
    }
    assert client.get("/health").json() == {"status": "ok"}


def test_a_result_without_content_type_is_served_as_json(client):
    fake_lambda.reply = {"statusCode": 200, "body": '{"status":"ok"}'}
    assert client.get("/health").headers["content-type"] == "application/json"


def test_a_redirect_result_keeps_its_location_and_has_no_body(client):
    location = "http://127.0.0.1:5000/bucket/invoice.pdf?X-Amz-Expires=300"
    fake_lambda.reply = {"statusCode": 302, "headers": {"Location": location}}
    response = client.get(f"/clients/{CLIENT_ID}/invoices/INV-2026-000001/pdf", follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"] == location and response.content == b""


def test_a_no_content_result_has_no_body(client):
    fake_lambda.reply = {"statusCode": 204, "headers": {}, "body": ""}
    response = client.delete(f"/clients/{CLIENT_ID}")
    assert response.status_code == 204 and response.content == b""


def test_head_is_served_as_get_without_a_body(client):
    response = client.head("/health")
    assert response.status_code == 200
    assert response.content == b"" and response.headers["content-length"] == str(len('{"status":"ok"}'))
    assert fake_lambda.events[0]["httpMethod"] == "GET"


def test_a_response_breaking_the_contract_is_flagged_when_responses_are_validated(client):
    replies(200, {"status": "broken"})
    body = assert_problem(client.get("/health"), 500)
    assert "does not conform" in body["detail"]


# ---- gateway errors: problem+json, and the function is never called ----


def posted_client(**fields):
    """POST /clients with a valid client body changed by `fields`."""
    return "POST", "/clients", {"json": {"name": "Acme", "email": "billing@acme.example", **fields}}


def posted_bytes(body: bytes):
    return "POST", "/clients", {"content": body, "headers": {"Content-Type": "application/json"}}


AN_ORDER = {"items": [{"sku": "W-1", "description": "Widget", "quantity": 1, "unitPrice": 1}]}
INVALID_REQUESTS = {
    "missing required field": ("POST", "/clients", {"json": {"name": "Acme"}}),
    "unknown body field": posted_client(nickname="A"),
    "string where an integer is due": posted_client(creditLimit="7"),
    "float where an integer is due": posted_client(creditLimit=7.0),
    "body not JSON": posted_bytes(b"{not json"),
    "body not UTF-8": posted_bytes(b'{"name": "\xff\xfe", "email": "a@b.co"}'),
    "body NaN": posted_bytes(b'{"name": "A", "email": "a@b.co", "creditLimit": NaN}'),
    "body nested too deeply": posted_bytes(b"[" * 100_000),
    "body empty": posted_bytes(b""),
    "body null": posted_bytes(b"null"),
    "body an array": posted_bytes(b"[]"),
    "unknown query parameter": ("GET", "/clients?nickname=a", {}),
    "query of the wrong type": ("GET", "/clients?limit=abc", {}),
    "query out of range": ("GET", "/clients?limit=0", {}),
    "malformed path id": ("GET", "/clients/not-a-ulid", {}),
    "header too short": (
        "POST",
        f"/clients/{CLIENT_ID}/orders",
        {"json": AN_ORDER, "headers": {"Idempotency-Key": "short"}},
    ),
}


@pytest.mark.parametrize("method, url, kwargs", INVALID_REQUESTS.values(), ids=INVALID_REQUESTS.keys())
def test_an_invalid_request_is_a_400_problem_that_never_reaches_the_function(client, method, url, kwargs):
    assert_problem(client.request(method, url, **kwargs), 400)
    assert fake_lambda.events == []


def test_a_validation_problem_names_each_violation_where_it_is(client):
    # GIVEN a bad query parameter and an unknown one
    problem = assert_problem(client.get("/clients?limit=abc&sort=name"), 400)
    # THEN each has an entry naming its location and parameter, and the value sent is never echoed
    assert {(e["in"], e["name"]) for e in problem["errors"]} == {("query", "limit"), ("query", "sort")}
    assert all(e["detail"] for e in problem["errors"]) and "abc" not in json.dumps(problem)
    # GIVEN a body with two violations, one deep in a list
    body = {"items": [{"sku": "W-1", "description": "Widget", "quantity": 0, "unitPrice": 1}], "currency": "ABC"}
    problem = assert_problem(client.post(f"/clients/{CLIENT_ID}/orders", json=body), 400)
    # THEN each has a JSON pointer into the body
    assert {(e["in"], e["pointer"]) for e in problem["errors"]} == {("body", "/items/0/quantity"), ("body", "/currency")}
    assert fake_lambda.events == []


def test_a_body_that_is_not_json_is_a_400_naming_the_body_as_a_whole(client):
    response = client.post("/clients", content=b"{not json", headers={"Content-Type": "application/json"})
    assert assert_problem(response, 400)["errors"] == [{"in": "body", "pointer": "", "detail": ANY_STRING}]


class _AnyString(str):
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(other)

    __hash__ = str.__hash__


ANY_STRING = _AnyString()


def test_a_merge_patch_is_validated_as_json_and_forwarded(client):
    fake_lambda.reply = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(A_CLIENT)}
    patch = client.patch(
        f"/clients/{CLIENT_ID}", content=b'{"document": null}', headers={"Content-Type": "application/merge-patch+json"}
    )
    assert patch.status_code == 200
    assert fake_lambda.events[-1]["httpMethod"] == "PATCH"
    assert fake_lambda.events[-1]["body"] == '{"document": null}'
    wrong = client.patch(f"/clients/{CLIENT_ID}", content=b'{"name": 7}', headers={"Content-Type": "application/merge-patch+json"})
    assert assert_problem(wrong, 400)["errors"][0]["pointer"] == "/name"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_a_body_that_is_not_json_is_a_415_problem(client, content_type):
    response = client.post("/clients", content=b"name=Acme", headers={"Content-Type": content_type})
    assert_problem(response, 415)
    assert fake_lambda.events == []


@pytest.mark.parametrize("url", ["/nope", "/clients/", f"/clients/{CLIENT_ID}/unknown", "/health/"])
def test_an_unknown_path_is_a_404_problem_and_never_a_redirect(client, url):
    assert_problem(client.get(url, follow_redirects=False), 404)


@pytest.mark.parametrize(
    "method, url, allow",
    [
        ("PATCH", "/clients", "GET, HEAD, POST"),
        ("POST", "/health", "GET, HEAD"),
        ("POST", f"/clients/{CLIENT_ID}", "DELETE, GET, HEAD, PATCH, PUT"),
        ("OPTIONS", f"/clients/{CLIENT_ID}/orders", "GET, HEAD, POST"),
        ("TRACE", f"/clients/{CLIENT_ID}/invoices/INV-2026-000001/pdf", "GET, HEAD"),
    ],
)
def test_a_method_the_path_lacks_is_a_405_problem_allowing_every_method_of_the_path(client, method, url, allow):
    response = client.request(method, url)
    assert_problem(response, 405)
    assert response.headers["allow"] == allow


def test_a_failing_function_is_a_502_problem_and_its_traceback_goes_to_stderr(client, capsys):
    # GIVEN a function that raises
    fake_lambda.reply = RuntimeError("boom")
    # WHEN it is called through the gateway
    response = client.get("/health")
    # THEN the caller gets API Gateway's 502 as a problem, and the traceback is on stderr
    body = assert_problem(response, 502)
    assert body["title"] == "Bad Gateway" and body["detail"] == "the function failed"
    err = capsys.readouterr().err
    assert "ClientsFunction failed" in err and "RuntimeError: boom" in err and "Traceback" in err
    assert body["instance"].removeprefix("urn:uuid:") in err


@pytest.mark.parametrize(
    "result",
    [["not", "an", "object"], {"statusCode": "abc"}, {"statusCode": 200, "body": {"not": "a string"}}],
    ids=["not an object", "status not an integer", "body not a string"],
)
def test_a_malformed_proxy_result_is_a_502_problem(client, result):
    fake_lambda.reply = result
    assert "malformed" in assert_problem(client.get("/health"), 502)["detail"]


def test_a_function_whose_module_does_not_import_is_a_502_problem(capfd):
    # Through the real runtime: the import fails in the function's new process, as its init.
    functions = fake_functions({name: "tests.functional.no_such_module.handler" for name in API_FUNCTIONS})
    with FunctionRunner(functions, {}) as runner, create_app(runner).test_client() as broken:
        assert_problem(broken.get("/health"), 502)
    assert "ModuleNotFoundError" in capfd.readouterr().err


def test_a_function_whose_process_dies_is_a_502_problem(capfd):
    functions = fake_functions({name: f"{fake_lambda.__name__}.crash" for name in API_FUNCTIONS})
    with FunctionRunner(functions, {}) as runner, mock.patch("shoplocal.gateway.proxy_event", return_value={"crash": True}):
        with create_app(runner).test_client() as client:
            body = assert_problem(client.get("/health"), 502)
    assert "process exited with 3" in capfd.readouterr().err
    assert body["instance"].startswith("urn:uuid:")


def test_a_function_past_its_timeout_is_a_504_problem(capfd):
    functions = fake_functions({name: f"{fake_lambda.__name__}.sleep" for name in API_FUNCTIONS}, timeout=1)
    with FunctionRunner(functions, {}) as runner, mock.patch("shoplocal.gateway.proxy_event", return_value={"seconds": 30}):
        with create_app(runner).test_client() as client:
            body = assert_problem(client.get("/health"), 504)
    assert body["title"] == "Gateway Timeout" and "timed out after 1 s" in body["detail"]
    output = capfd.readouterr()
    assert "Task timed out after 1.00 seconds" in output.err and "Status: timeout" in output.out


def test_the_authorizer_runs_before_validation_and_its_claims_reach_the_event():
    def authorizer(route, method, headers):
        if headers.get("authorization") != "Bearer good":
            raise Unauthorized(detail="no valid token")
        return {"claims": {"custom:role": "admin"}}

    with create_app(fake_runner(), authorizer=authorizer).test_client() as guarded:
        # An invalid body without a token: refused for the token first, as on API Gateway.
        assert_problem(guarded.post("/clients", json={}), 401)
        guarded.get("/health", headers={"Authorization": "Bearer good"})
    (event,) = fake_lambda.events
    assert event["requestContext"]["authorizer"] == {"claims": {"custom:role": "admin"}}


# ---- Swagger UI and the served spec ----


def test_swagger_ui_is_served_at_ui(client):
    response = client.get("/ui/")
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    assert "swagger" in response.text.lower()


def test_the_served_spec_is_the_published_contract_led_by_this_servers_origin(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    served, published = response.json(), json.loads(PUBLISHED_PATH.read_text(encoding="utf-8"))
    assert set(served["paths"]) == set(load_spec()["paths"])
    assert "x-amazon-" not in json.dumps(served)
    # The published contract, with the origin the request reached first, so "Try it out" calls this stack.
    assert served["servers"][0]["url"] == "http://testserver" and served["servers"][1:] == published["servers"]
    assert {**served, "servers": published["servers"]} == published


def test_the_served_spec_does_not_list_an_origin_twice(client):
    served = client.get("/openapi.json", headers={"Host": "localhost:3000"}).json()
    assert served["servers"] == json.loads(PUBLISHED_PATH.read_text(encoding="utf-8"))["servers"]


def test_only_get_and_head_of_the_spec_are_served(client):
    assert client.head("/openapi.json").status_code == 200
    assert client.post("/openapi.json").status_code in {404, 405}


def test_memory_sizes_come_from_template_globals():
    template = Template()
    assert {f.memory_mb for f in template.functions().values()} == {512}
