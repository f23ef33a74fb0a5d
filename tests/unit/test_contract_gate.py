"""The contract gate (`make check-contract`, contract/check.py): breaking changes to openapi.yaml fail it unless the
major version says so.

Each test builds its edit from the real openapi.yaml (loaded, changed, written to tmp_path) and runs the gate on
the temp copies, the unchanged openapi.yaml standing for the released contract: so the tests follow the contract
as it evolves. The gate runs api-smart-diff through node, from node_modules/ (`make test` installs it first).
"""

from __future__ import annotations

import copy
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GATE = ROOT / "contract" / "check.py"
SPEC_PATH = ROOT / "openapi.yaml"
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
SPEC = yaml.load(SPEC_PATH.read_text(), Loader=Loader)
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
BUMP_ADVICE = "bump the major version (and record it in CHANGELOG.md) or make the change additive"

@pytest.fixture(autouse=True, scope="module")
def gate_tools():
    """No skip: `make test` installs node_modules before the tests, so a missing tool is a failure to see."""
    assert shutil.which("node") and (ROOT / "node_modules" / "api-smart-diff" / "package.json").exists(), (
        "the gate needs node and node_modules/api-smart-diff: run `npm ci --no-audit --no-fund --ignore-scripts`"
        " (make test does)"
    )


# --- finding the targets of the edits in the spec -----------------------------------------------------------------


def schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    schemas = spec["components"]["schemas"]
    assert name in schemas, f"openapi.yaml has no components.schemas.{name}: pick another target for this test"
    return schemas[name]


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """The schema a property names: through a $ref, or an allOf of one $ref (a $ref with siblings, in 3.0)."""
    if "$ref" not in node and len(node.get("allOf", [])) == 1:
        node = node["allOf"][0]
    if "$ref" in node:
        prefix = "#/components/schemas/"
        assert node["$ref"].startswith(prefix), f"unexpected $ref {node['$ref']}"
        return resolve(spec, schema(spec, node["$ref"].removeprefix(prefix)))
    return node


def prop(spec: dict[str, Any], schema_name: str, name: str) -> dict[str, Any]:
    properties = schema(spec, schema_name).get("properties", {})
    assert name in properties, f"openapi.yaml has no property {schema_name}.{name}: pick another target for this test"
    return resolve(spec, properties[name])


def operation(spec: dict[str, Any], operation_id: str) -> tuple[str, str]:
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in METHODS and op.get("operationId") == operation_id:
                return path, method
    raise AssertionError(f"openapi.yaml has no operation {operation_id}: pick another target for this test")


def parameter(spec: dict[str, Any], name: str) -> dict[str, Any]:
    parameters = spec["components"]["parameters"]
    assert name in parameters, f"openapi.yaml has no components.parameters.{name}: pick another target for this test"
    return parameters[name]


def new_name(taken: dict[str, Any], stem: str) -> str:
    """stem, or stem2, stem3...: a name the spec does not use yet."""
    return next(name for name in (stem, *(f"{stem}{i}" for i in range(2, 100))) if name not in taken)


def bumped_major(spec: dict[str, Any]) -> str:
    return f"{int(str(spec['info']['version']).split('.')[0]) + 1}.0.0"


# --- running the gate ----------------------------------------------------------------------------------------------


def write(path: Path, spec: dict[str, Any] | None) -> Path:
    """spec as YAML at path; None: a verbatim copy of openapi.yaml."""
    if spec is None:
        shutil.copyfile(SPEC_PATH, path)
    else:
        path.write_text(yaml.dump(spec, Dumper=Dumper, sort_keys=False, allow_unicode=True))
    return path


def gate(tmp_path: Path, current: dict[str, Any] | None, released: dict[str, Any] | None = None, changelog: str = ""):
    """Run the gate on current against released (None: openapi.yaml, verbatim); returns (exit status, output)."""
    current_path = write(tmp_path / "openapi.yaml", current)
    released_path = write(tmp_path / "released.yaml", released)
    changelog_path = tmp_path / "CHANGELOG.md"
    changelog_path.write_text(changelog)
    command = [sys.executable, str(GATE), "--current", str(current_path), "--released", str(released_path)]
    run = subprocess.run(
        [*command, "--changelog", str(changelog_path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode in (0, 1), f"the gate crashed ({run.returncode}):\n{run.stdout}\n{run.stderr}"
    return run.returncode, run.stdout


def load_gate():
    """contract/check.py as a module (contract/ is no package)."""
    spec = importlib.util.spec_from_file_location("contract_check", GATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def edited(edit) -> dict[str, Any]:
    spec = copy.deepcopy(SPEC)
    edit(spec)
    return spec


def assert_fails_naming(status: int, output: str, *expected: str) -> None:
    assert status == 1, f"the gate passed a breaking change:\n{output}"
    assert BUMP_ADVICE in output, output
    for text in expected:
        assert text in output, f"the output does not name {text!r}:\n{output}"


def assert_passes_additive(status: int, output: str) -> None:
    assert status == 0, f"the gate failed an additive change:\n{output}"
    assert "OK: no breaking change" in output, output
    assert "\n0 non-breaking" not in output, f"the gate saw no change at all:\n{output}"


# --- (a) no change -------------------------------------------------------------------------------------------------


def test_openapi_yaml_against_itself_passes_with_no_change(tmp_path):
    status, output = gate(tmp_path, None)
    assert status == 0, output
    assert "OK: no breaking change" in output
    assert "0 non-breaking change(s)" in output


def test_the_committed_baseline_is_a_valid_released_contract():
    released = yaml.safe_load((ROOT / "contract" / "released" / "openapi.yaml").read_text())
    assert released["openapi"].startswith("3.0")
    version = str(released["info"]["version"])
    assert load_gate().SEMVER.match(version), version


def test_api_gateway_extensions_are_not_part_of_the_contract(tmp_path):
    def edit(spec):
        for item in spec["paths"].values():
            for method, op in item.items():
                if method in METHODS:
                    op["x-amazon-apigateway-integration"] = {"type": "mock"}
        spec["x-amazon-apigateway-request-validator"] = "none"

    status, output = gate(tmp_path, edited(edit))
    assert status == 0, output
    assert "0 non-breaking change(s); also 0 deprecation(s), 0 annotation(s)" in output, output
    assert "0 unclassified" in output, output


# --- (b) breaking edits fail, and the output names them ----------------------------------------------------------


def test_removing_an_operation_fails(tmp_path):
    path, method = operation(SPEC, "deleteClient")
    status, output = gate(tmp_path, edited(lambda spec: spec["paths"][path].pop(method)))
    assert_fails_naming(status, output, f"{method.upper()} {path}: operation removed")


def test_removing_an_optional_response_field_fails(tmp_path):
    client = schema(SPEC, "Client")
    assert "document" in client["properties"] and "document" not in client.get("required", []), (
        "Client.document is no longer an optional response field: pick another one for this test"
    )
    status, output = gate(tmp_path, edited(lambda spec: schema(spec, "Client")["properties"].pop("document")))
    path, method = operation(SPEC, "getClient")
    assert_fails_naming(
        status, output, f"{method.upper()} {path} › response 200 (application/json) › document: field removed"
    )


def test_removing_a_required_response_field_fails(tmp_path):
    assert "email" in schema(SPEC, "Client").get("required", []), "Client.email is no longer required: pick another"

    def edit(spec):
        schema(spec, "Client")["properties"].pop("email")
        schema(spec, "Client")["required"].remove("email")

    status, output = gate(tmp_path, edited(edit))
    assert_fails_naming(status, output, "email: field removed", 'field "email" no longer required')


def test_lowering_a_request_fields_max_length_fails(tmp_path):
    before = prop(SPEC, "ClientInput", "name")["maxLength"]
    lower = before // 2

    status, output = gate(tmp_path, edited(lambda spec: prop(spec, "ClientInput", "name").update(maxLength=lower)))
    path, method = operation(SPEC, "createClient")
    assert_fails_naming(
        status,
        output,
        f"{method.upper()} {path} › request body (application/json) › name: maxLength: {before} -> {lower}",
    )


def test_lowering_a_query_parameters_integer_maximum_fails(tmp_path):
    limit = parameter(SPEC, "Limit")
    before = limit["schema"]["maximum"]
    lower = before // 2

    status, output = gate(tmp_path, edited(lambda spec: parameter(spec, "Limit")["schema"].update(maximum=lower)))
    path, method = operation(SPEC, "listClients")
    assert_fails_naming(
        status, output, f"{method.upper()} {path} › query parameter `{limit['name']}`: maximum: {before} -> {lower}"
    )


def test_narrowing_a_request_fields_type_fails(tmp_path):
    assert prop(SPEC, "ClientInput", "name").get("type") == "string", "ClientInput.name is no longer a string"
    status, output = gate(tmp_path, edited(lambda spec: prop(spec, "ClientInput", "name").update(type="integer")))
    assert_fails_naming(status, output, 'name: type: "string" -> "integer"')


def test_a_request_field_that_no_longer_takes_null_fails(tmp_path):
    # api-smart-diff 1.0.6 classifies `nullable` the wrong way round; the gate corrects it (contract/diff.mjs).
    document = schema(SPEC, "ClientPatch").get("properties", {}).get("document", {})
    assert document.get("nullable") is True, "ClientPatch.document is no longer nullable: pick another for this test"

    status, output = gate(
        tmp_path, edited(lambda spec: schema(spec, "ClientPatch")["properties"]["document"].pop("nullable"))
    )
    path, method = operation(SPEC, "updateClient")
    assert_fails_naming(
        status, output, f"{method.upper()} {path} › request body", "document: nullable removed (was true)"
    )


def test_adding_a_required_request_field_fails(tmp_path):
    field = new_name(schema(SPEC, "ClientInput")["properties"], "phone")

    def edit(spec):
        target = schema(spec, "ClientInput")
        target["properties"][field] = {"type": "string", "maxLength": 32}
        target.setdefault("required", []).append(field)

    status, output = gate(tmp_path, edited(edit))
    path, method = operation(SPEC, "createClient")
    assert_fails_naming(
        status, output, f'{method.upper()} {path} › request body (application/json): field "{field}" now required'
    )


def test_removing_a_request_enum_value_fails(tmp_path):
    values = schema(SPEC, "OrderStatus").get("enum", [])
    assert len(values) >= 2, "OrderStatus is no longer an enum of several values: pick another for this test"
    removed = values[-1]

    status, output = gate(tmp_path, edited(lambda spec: schema(spec, "OrderStatus")["enum"].remove(removed)))
    path, method = operation(SPEC, "listOrders")
    assert_fails_naming(
        status, output, f'{method.upper()} {path} › query parameter `status`: enum value "{removed}" removed'
    )


def test_adding_a_value_to_a_closed_response_enum_fails(tmp_path):
    status_field = schema(SPEC, "Health")["properties"]["status"]
    assert "enum" in status_field, "Health.status is no longer a closed enum: pick another for this test"

    status, output = gate(
        tmp_path, edited(lambda spec: schema(spec, "Health")["properties"]["status"]["enum"].append("degraded"))
    )
    assert_fails_naming(
        status, output, 'GET /health › response 200 (application/json) › status: enum value "degraded" added'
    )


# --- (c) additive edits pass ---------------------------------------------------------------------------------------


def test_adding_an_optional_request_field_passes(tmp_path):
    field = new_name(schema(SPEC, "ClientInput")["properties"], "phone")
    status, output = gate(
        tmp_path,
        edited(
            lambda spec: schema(spec, "ClientInput")["properties"].update({field: {"type": "string", "maxLength": 32}})
        ),
    )
    assert_passes_additive(status, output)


def test_adding_an_operation_passes(tmp_path):
    path, _ = operation(SPEC, "getClient")
    new_path = new_name(SPEC["paths"], f"{path}/notes")

    def edit(spec):
        spec["paths"][new_path] = {
            "parameters": [{"$ref": "#/components/parameters/ClientId"}],
            "get": {
                "operationId": "listClientNotes",
                "summary": "List a client's notes",
                "responses": {"200": {"description": "The notes."}},
            },
        }

    assert_passes_additive(*gate(tmp_path, edited(edit)))


def test_adding_a_response_field_passes(tmp_path):
    field = new_name(schema(SPEC, "Client")["properties"], "phone")
    status, output = gate(
        tmp_path,
        edited(lambda spec: schema(spec, "Client")["properties"].update({field: {"type": "string", "maxLength": 32}})),
    )
    assert_passes_additive(status, output)


def test_adding_a_value_to_an_open_response_enum_passes(tmp_path):
    # OrderStatus is a request enum (listOrders' `status`) and an open response one (Order.status is
    # anyOf [OrderStatus, a plain string]): api-smart-diff calls the response side breaking, the gate does not.
    order_status = schema(SPEC, "Order")["properties"]["status"]
    assert any("type" in branch and "enum" not in branch for branch in order_status.get("anyOf", [])), (
        "Order.status is no longer an open enum (anyOf with a plain string branch)"
    )
    value = new_name(dict.fromkeys(schema(SPEC, "OrderStatus")["enum"]), "CANCELLED")

    status, output = gate(tmp_path, edited(lambda spec: schema(spec, "OrderStatus")["enum"].append(value)))
    assert_passes_additive(status, output)


# --- (d) a breaking edit with the major version bumped passes ------------------------------------------------------


def response_header(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["components"]["headers"][name]


def test_a_response_header_made_required_passes_as_a_guarantee_added(tmp_path):
    released = edited(lambda spec: response_header(spec, "RetryAfter").pop("required"))
    status, output = gate(tmp_path, None, released)
    assert_passes_additive(status, output)


def test_a_response_header_no_longer_required_fails(tmp_path):
    assert response_header(SPEC, "RetryAfter").get("required") is True, "Retry-After is no longer required: pick another"
    status, output = gate(tmp_path, edited(lambda spec: response_header(spec, "RetryAfter").pop("required")))
    assert_fails_naming(status, output, "response 429", "headers.Retry-After.required removed (was true)")


def test_a_breaking_change_passes_with_the_major_bumped_and_its_changelog_entry(tmp_path):
    path, method = operation(SPEC, "deleteClient")
    major = bumped_major(SPEC)

    def edit(spec):
        spec["paths"][path].pop(method)
        spec["info"]["version"] = major

    changelog = f"# Changelog\n\n## [{major}] - 2030-01-01\n\n### Removed\n"
    status, output = gate(tmp_path, edited(edit), changelog=changelog)
    assert status == 0, output
    assert f"{method.upper()} {path}: operation removed" in output
    assert f"allowed by the major version bump {SPEC['info']['version']} -> {major}" in output


def test_a_breaking_change_with_the_major_bumped_but_no_changelog_entry_fails(tmp_path):
    path, method = operation(SPEC, "deleteClient")
    major = bumped_major(SPEC)

    def edit(spec):
        spec["paths"][path].pop(method)
        spec["info"]["version"] = major

    status, output = gate(tmp_path, edited(edit), changelog="# Changelog\n\n## [Unreleased]\n")
    assert status == 1, output
    assert f"no '## [{major}]' entry" in output


def test_a_breaking_change_with_only_the_minor_bumped_fails(tmp_path):
    path, method = operation(SPEC, "deleteClient")
    major, minor, _ = (int(part) for part in str(SPEC["info"]["version"]).split("-")[0].split("."))

    def edit(spec):
        spec["paths"][path].pop(method)
        spec["info"]["version"] = f"{major}.{minor + 1}.0"

    assert_fails_naming(*gate(tmp_path, edited(edit), changelog=f"## [{major}.{minor + 1}.0]\n"), "operation removed")


# --- (e) the version itself ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2.0", "v2.0.0", "2.0.0.1", "02.0.0", "latest"])
def test_a_version_that_is_not_semver_fails(tmp_path, version):
    status, output = gate(tmp_path, edited(lambda spec: spec["info"].update(version=version)))
    assert status == 1, output
    assert f"info.version '{version}'" in output and "is not valid semver" in output, output


def test_a_version_lower_than_the_released_one_fails(tmp_path):
    released = edited(lambda spec: spec["info"].update(version=bumped_major(spec)))
    status, output = gate(tmp_path, SPEC, released=released)
    assert status == 1, output
    assert f"info.version {SPEC['info']['version']} is lower than the released {bumped_major(SPEC)}" in output


def test_versions_compare_by_semver_precedence():
    version = load_gate().Version
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0"]
    ordered += ["1.9.0", "1.10.0", "2.0.0-rc.1", "2.0.0"]
    for lower, higher in zip(ordered, ordered[1:], strict=False):
        assert version(lower) < version(higher) and not version(higher) < version(lower), (lower, higher)
    assert not version("2.0.0+build.1") < version("2.0.0")


def test_adding_a_security_scheme_and_an_alternative_requirement_passes(tmp_path):
    # A new scheme asks nothing of a consumer by itself (api-smart-diff calls it breaking: the gate corrects it);
    # an operation offering it as one more alternative still takes what it took.
    path, method = operation(SPEC, "getClient")
    name = new_name(SPEC["components"]["securitySchemes"], "PartnerKey")

    def edit(spec):
        spec["components"]["securitySchemes"][name] = {"type": "apiKey", "name": "X-Partner-Key", "in": "header"}
        spec["paths"][path][method].setdefault("security", list(spec.get("security", []))).append({name: []})

    status, output = gate(tmp_path, edited(edit))
    assert_passes_additive(status, output)


def test_requiring_a_new_scheme_on_every_operation_fails(tmp_path):
    # The correction covers the added scheme only: an operation that now requires it breaks its callers.
    path, method = operation(SPEC, "getClient")
    name = new_name(SPEC["components"]["securitySchemes"], "PartnerKey")

    def edit(spec):
        spec["components"]["securitySchemes"][name] = {"type": "apiKey", "name": "X-Partner-Key", "in": "header"}
        spec["paths"][path][method]["security"] = [{name: []}]

    status, output = gate(tmp_path, edited(edit))
    assert status == 1, output
