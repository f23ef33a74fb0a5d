"""openapi.yaml, template.yaml and the code agree with each other."""

import re

import yaml

from domain.ids import ULID_PATTERN
from shoplocal.template import OPENAPI_PATH, Template

SPEC = yaml.safe_load(OPENAPI_PATH.read_text())
OPERATIONS = [
    (path, method, operation)
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if method in {"get", "put", "post", "delete", "patch"}
]


def test_the_ulid_pattern_in_code_is_the_contracts():
    assert SPEC["components"]["schemas"]["Ulid"]["pattern"] == ULID_PATTERN


def test_every_operation_is_bound_to_the_live_alias_of_a_function_of_the_template():
    """`${Function.Alias}`, not `${Function.Arn}`: API Gateway invokes the published version behind the alias,
    the only one SnapStart applies to (template.yaml's SnapStart parameter); `$LATEST` would never use it."""
    functions = Template().functions()
    for path, method, operation in OPERATIONS:
        uri = operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
        name = re.search(r"functions/\$\{(\w+)\.Alias\}/invocations", uri).group(1)
        assert name in functions, f"{method} {path} names {name}"
        assert operation["x-amazon-apigateway-integration"]["type"] == "aws_proxy"


def test_every_error_response_is_problem_json():
    responses = SPEC["components"]["responses"]
    for path, method, operation in OPERATIONS:
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                response = responses[response["$ref"].rsplit("/", 1)[1]]
                assert list(response["content"]) == ["application/problem+json"], f"{method} {path} {status}"


def test_every_operation_has_an_id_and_a_summary():
    ids = [operation["operationId"] for _, _, operation in OPERATIONS]
    assert len(ids) == len(set(ids))
    assert all(operation.get("summary") for _, _, operation in OPERATIONS)
