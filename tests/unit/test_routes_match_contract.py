"""Powertools validates what its routes declare: each API function's own view of its routes
(`app.get_openapi_schema()`) agrees with openapi.yaml, operation by operation: the same operations, the
same parameters (name, location, required, every schema constraint), the same request body schema and the
same response status codes. A difference fails naming the operation and the field."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
import yaml

from shoplocal.gateway import function_of
from shoplocal.template import OPENAPI_PATH, Template

SPEC = yaml.safe_load(OPENAPI_PATH.read_text())
METHODS = ("get", "put", "post", "delete", "patch")
# What a schema says about the values it admits; descriptions, titles and examples are documentation.
CONSTRAINTS = (
    "type", "format", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "enum", "minItems", "maxItems", "default",
)  # fmt: skip


def api_functions() -> dict[str, Any]:
    """Template function -> its entry module, for each function the contract binds operations to."""
    bound = {function_of(op) for item in SPEC["paths"].values() for m, op in item.items() if m in METHODS}
    functions = Template().functions()
    return {name: importlib.import_module(functions[name].module) for name in sorted(bound)}


def spec_operations(function: str) -> dict[str, tuple[str, str, dict[str, Any], list[dict[str, Any]]]]:
    found = {}
    for path, item in SPEC["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation and function_of(operation) == function:
                found[operation["operationId"]] = (method, path, operation, item.get("parameters", []))
    return found


class Schemas:
    """Resolves `$ref`s of one document and brings a schema to a comparable form."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def normal(self, schema: Any, depth: int = 0) -> Any:
        """The constraints of `schema`, references and single-part `allOf`s merged in, an optional field's
        `null` branch (pydantic's `str | None = None`, OpenAPI 3.0's `nullable`) left out."""
        assert depth < 20, "schema nests too deeply"
        schema = self.deref(schema)
        merged: dict[str, Any] = {}
        for part in schema.get("allOf", []):
            merged.update(self.normal(part, depth + 1))
        for key in CONSTRAINTS:
            if key in schema:
                merged[key] = schema[key]
        branches = [b for b in schema.get("anyOf", []) if self.deref(b).get("type") != "null"]
        if len(branches) == 1:
            merged.update(self.normal(branches[0], depth + 1))
        elif branches:
            merged["anyOf"] = sorted((self.normal(b, depth + 1) for b in branches), key=repr)
        if "properties" in schema:
            merged["properties"] = {k: self.normal(v, depth + 1) for k, v in schema["properties"].items()}
            merged["required"] = sorted(schema.get("required", []))
            merged["additionalProperties"] = schema.get("additionalProperties", True)
        if "items" in schema:
            merged["items"] = self.normal(schema["items"], depth + 1)
        if merged.get("type") == "integer":
            merged.pop("format", None)  # int64 is documentation: pydantic's int has no bound of its own
        return merged

    def deref(self, node: Any) -> dict[str, Any]:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node


def differences(got: Any, want: Any, where: str) -> list[str]:
    """Where two normal schemas differ: `<where>.properties.name.maxLength: Powertools 199, contract 200`."""
    if isinstance(got, dict) and isinstance(want, dict):
        found = []
        for name in sorted(set(got) | set(want)):
            if name not in got or name not in want:
                found.append(f"{where}.{name}: Powertools {got.get(name, '(absent)')}, contract {want.get(name, '(absent)')}")
            else:
                found += differences(got[name], want[name], f"{where}.{name}")
        return found
    return [] if got == want else [f"{where}: Powertools {got!r}, contract {want!r}"]


def identity(parameter: dict[str, Any]) -> tuple[str, str]:
    """A parameter's identity; a header's name in lower case, as HTTP compares it (and Powertools writes it)."""
    name = parameter["name"].lower() if parameter["in"] == "header" else parameter["name"]
    return parameter["in"], name


def powertools_view(module: Any) -> dict[str, Any]:
    return module.app.get_openapi_schema().model_dump(mode="json", by_alias=True, exclude_none=True)


FUNCTIONS = api_functions()


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_each_function_serves_exactly_the_operations_the_contract_binds_to_it(function):
    view = powertools_view(FUNCTIONS[function])
    served = {
        op["operationId"]: (method, path) for path, item in view["paths"].items() for method, op in item.items()
    }
    expected = {op_id: (method, path) for op_id, (method, path, _, _) in spec_operations(function).items()}
    assert served == expected


def every_operation() -> list[tuple[str, str]]:
    return [(function, op_id) for function in sorted(FUNCTIONS) for op_id in sorted(spec_operations(function))]


@pytest.mark.parametrize(("function", "operation_id"), every_operation())
def test_each_operations_parameters_body_and_statuses_are_the_contracts(function, operation_id):
    method, path, spec_op, shared = spec_operations(function)[operation_id]
    view = powertools_view(FUNCTIONS[function])
    ours, theirs = Schemas(SPEC), Schemas(view)
    op = view["paths"][path][method]
    problems: list[str] = []

    # Parameters: the same (location, name), each as required, with the same constraints.
    expected = {identity(p): p for p in (ours.deref(raw) for raw in [*shared, *spec_op.get("parameters", [])])}
    served = {identity(p): p for p in op.get("parameters", [])}
    if set(served) != set(expected):
        problems.append(f"parameters: Powertools {sorted(served)} != contract {sorted(expected)}")
    for key in set(served) & set(expected):
        if bool(served[key].get("required")) != bool(expected[key].get("required")):
            problems.append(f"parameter {key}: required {served[key].get('required')} != {expected[key].get('required')}")
        problems += differences(theirs.normal(served[key]["schema"]), ours.normal(expected[key]["schema"]), f"parameter {key}")

    # The request body: the same media types, required, and schema.
    want_body, got_body = spec_op.get("requestBody"), op.get("requestBody")
    if bool(want_body) != bool(got_body):
        problems.append(f"requestBody: Powertools {bool(got_body)} != contract {bool(want_body)}")
    elif want_body:
        if sorted(got_body["content"]) != sorted(want_body["content"]):
            problems.append(f"requestBody media types {sorted(got_body['content'])} != {sorted(want_body['content'])}")
        if bool(got_body.get("required")) != bool(want_body.get("required")):
            problems.append("requestBody: required differs")
        for media_type in set(got_body["content"]) & set(want_body["content"]):
            got = theirs.normal(got_body["content"][media_type]["schema"])
            want = ours.normal(want_body["content"][media_type]["schema"])
            problems += differences(got, want, f"requestBody {media_type}")

    # Responses: the same status codes. Powertools adds its own 422 to every validated route; the API maps
    # its request validation errors to the contract's 400 instead (handlers/api.py), so that 422 is left out
    # where it is Powertools' default and the contract declares 400, or there is nothing to validate.
    statuses = set(op["responses"])
    default_422 = op["responses"].get("422", {}).get("content", {}).get("application/json", {}).get("schema")
    nothing_to_validate = not expected and not want_body
    if default_422 == {"$ref": "#/components/schemas/HTTPValidationError"} and (
        "400" in spec_op["responses"] or nothing_to_validate
    ):
        statuses.discard("422")
    if statuses != set(spec_op["responses"]):
        problems.append(f"responses: Powertools {sorted(statuses)} != contract {sorted(spec_op['responses'])}")

    assert not problems, f"{operation_id} ({method.upper()} {path}):\n  " + "\n  ".join(problems)


def test_a_constraint_that_differs_deep_in_a_body_is_named_by_its_path():
    # GIVEN the contract's order body, and a copy whose line description allows one character less
    want = Schemas(SPEC).normal({"$ref": "#/components/schemas/OrderCreate"})
    got = Schemas(SPEC).normal({"$ref": "#/components/schemas/OrderCreate"})
    got["properties"]["items"]["items"]["properties"]["description"]["maxLength"] -= 1
    del got["properties"]["currency"]["enum"]
    # THEN each difference is named by where it is
    assert differences(got, want, "body") == [
        "body.properties.currency.enum: Powertools (absent), contract ['USD', 'EUR', 'GBP', 'BRL', 'JPY']",
        "body.properties.items.items.properties.description.maxLength: Powertools 199, contract 200",
    ]
    assert differences(want, want, "body") == []


def test_no_hand_written_handler_module_states_a_parameter_or_field_constraint():
    # The contract is the one place a constraint is written; handlers/contract.py is generated from it.
    import re
    from pathlib import Path

    handlers = Path(__file__).resolve().parents[2] / "handlers"
    constraint = re.compile(r"\b(Query|Path|Header|Body|Field)\(|\b(pattern|min_length|max_length|ge|le|gt|lt)=")
    found = [
        f"{path.relative_to(handlers.parent)}:{number}: {line.strip()}"
        for path in sorted(handlers.rglob("*.py"))
        if path.name != "contract.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if constraint.search(line)
    ]
    assert found == []
