"""openapi.yaml shows an example for every request and response body, and every example is valid against
its schema: a schema change that invalidates an example fails here (spectral checks the same in `make lint`)."""

from typing import NamedTuple

import pytest
import yaml
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from shoplocal.template import OPENAPI_PATH

SPEC = yaml.safe_load(OPENAPI_PATH.read_text())
SPEC_URI = "urn:shop:openapi"
# The OpenAPI 3.0 schema dialect is JSON Schema draft 4 with extensions (nullable and the like).
REGISTRY = Registry().with_resource(SPEC_URI, Resource.from_contents(SPEC, default_specification=DRAFT4))
RESOLVER = REGISTRY.resolver(SPEC_URI)
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

# The schemas' `date-time` only says RFC 3339; the contract says UTC too, which the API writes with a `Z`.
FORMATS = FormatChecker(formats=())
FORMATS.checkers.update(oas30_format_checker.checkers)


@FORMATS.checks("date-time")
def is_utc_rfc3339(value: object) -> bool:
    return not isinstance(value, str) or (oas30_format_checker.conforms(value, "date-time") and value.endswith("Z"))


def resolved(node: dict) -> dict:
    """`node`, or what its `$ref` points to (within openapi.yaml)."""
    while "$ref" in node:
        node = RESOLVER.lookup(node["$ref"]).contents
    return node


class Body(NamedTuple):
    where: str  # `METHOD path request|status media-type`
    status: int | None  # None for a request body
    content: dict  # the media type object


def bodies() -> list[Body]:
    """Every request and response body of every operation."""
    found = []
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            where = f"{method.upper()} {path}"
            request = resolved(operation.get("requestBody", {}))
            for media_type, content in request.get("content", {}).items():
                found.append(Body(f"{where} request {media_type}", None, content))
            for status, response in operation["responses"].items():
                for media_type, content in resolved(response).get("content", {}).items():
                    found.append(Body(f"{where} {status} {media_type}", int(status), content))
    return found


def examples_of(content: dict) -> dict[str, object]:
    """The example values of a media type object, by name (`example` is named `example`)."""
    if "example" in content:
        return {"example": content["example"]}
    return {name: resolved(example)["value"] for name, example in content.get("examples", {}).items()}


def anchored(node: object) -> object:
    """`node` with its local `$ref`s (`#/components/...`) made to point into openapi.yaml's resource."""
    if isinstance(node, dict):
        return {
            key: f"{SPEC_URI}{value}" if key == "$ref" and value.startswith("#") else anchored(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [anchored(item) for item in node]
    return node


def validator(schema: dict) -> OAS30Validator:
    return OAS30Validator(anchored(schema), registry=REGISTRY, format_checker=FORMATS)


BODIES = bodies()
EXAMPLES = [
    pytest.param(body.content.get("schema", {}), value, id=f"{body.where} {name}")
    for body in BODIES
    for name, value in examples_of(body.content).items()
]
ERROR_EXAMPLES = [
    pytest.param(body.status, value, id=f"{body.where} {name}")
    for body in BODIES
    if body.status and body.status >= 400
    for name, value in examples_of(body.content).items()
]


def errors_of(schema: dict, value: object) -> list[str]:
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator(schema).iter_errors(value)]


def test_the_spec_has_bodies_to_check():
    # GIVEN the contract's operations  THEN the walk finds request, response and error bodies.
    places = " ".join(body.where for body in BODIES)
    assert " request application/json" in places
    assert " 200 application/json" in places
    assert " 404 application/problem+json" in places


@pytest.mark.parametrize("content", [body.content for body in BODIES], ids=[body.where for body in BODIES])
def test_every_body_of_every_operation_has_an_example(content):
    assert "schema" in content
    assert ("example" in content) != ("examples" in content), "give `example` or `examples`, not both nor neither"
    assert examples_of(content), "an empty `examples`"


@pytest.mark.parametrize(("schema", "value"), EXAMPLES)
def test_every_example_is_valid_against_its_schema(schema, value):
    assert errors_of(schema, value) == []


@pytest.mark.parametrize(("status", "value"), ERROR_EXAMPLES)
def test_every_problem_example_states_the_status_it_is_declared_under(status, value):
    assert value["status"] == status


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        pytest.param({"$ref": "#/components/schemas/Ulid"}, "01KJQDVYM3XCGN4JZ6XYXTN0OU", id="ULID with O and U"),
        pytest.param({"$ref": "#/components/schemas/InvoiceId"}, "INV-26-000042", id="invoice id with a short year"),
        pytest.param({"$ref": "#/components/schemas/Money"}, 37.5, id="money as a float"),
        pytest.param({"$ref": "#/components/schemas/Money"}, "3750", id="money as a string"),
        pytest.param({"$ref": "#/components/schemas/Timestamp"}, "2026-03-05T10:12:30.004+01:00", id="time not in UTC"),
        pytest.param({"$ref": "#/components/schemas/Timestamp"}, "2026-13-05T09:12:30Z", id="time not RFC 3339"),
        pytest.param({"$ref": "#/components/schemas/Email"}, "billing@acme", id="email without a dot in the domain"),
        pytest.param({"$ref": "#/components/schemas/Problem"}, {"title": "Not Found", "status": 404}, id="no type"),
    ],
)
def test_the_example_check_refuses_what_the_contract_refuses(schema, value):
    # GIVEN a value the contract forbids  WHEN checked as an example is  THEN it is refused.
    assert errors_of(schema, value) != []
