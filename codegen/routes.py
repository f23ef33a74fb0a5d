"""Writes handlers/contract.py, the Powertools route layer of every operation in openapi.yaml.

`python -m codegen.routes` (`make handlers`) regenerates it; `--check` (`make check-handlers`, run by
`make test`) fails when the committed file differs from what the spec generates.

Per operation the output holds a decorator factory named after the operationId in snake case
(`create_client(router)`): it registers, on the router, a route with the operation's method, path,
operationId, summary, tags and responses, whose parameters carry every constraint the spec gives them
(pattern, lengths, bounds, enum, default) and whose body is the contract model `make models` generated.
The hand-written implementation it decorates receives the validated values as keyword arguments named
in snake case (`client_id`, `idempotency_key`, `body`). Beside them, `OPERATIONS` (method and path
template -> operationId, accepted query names and body media types, public or not, the machine scopes that grant it) serves the request
gate, and `DEFAULTS_ON_CREATE` the `x-default-on-create` values of each request schema.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path
from typing import Any

import black
import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
OUTPUT = ROOT / "handlers" / "contract.py"
METHODS = ("get", "put", "post", "delete", "patch")
MACHINE = "ShopMachine"  # the contract's security scheme of machines (codegen/apis.py)
PARAM_CLASS = {"path": "Path", "query": "Query", "header": "Header"}
PY_TYPE = {"string": "str", "integer": "int", "boolean": "bool", "number": "float"}
# JSON Schema keyword -> pydantic Field/Param keyword
CONSTRAINTS = {
    "pattern": "pattern",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
}

HEADER = '''# GENERATED from openapi.yaml by codegen/routes.py (`make handlers`). Do not edit by hand.
"""The contract's operations as Powertools routes (see codegen/routes.py).

Decorate an operation's implementation with its factory, e.g. `@contract.get_client(router)`; it receives
the validated parameters and body as keyword arguments. Every constraint lives in openapi.yaml.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query

from domain import models

Implementation = TypeVar("Implementation", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    operation_id: str
    query: frozenset[str]  # the query parameters it accepts
    media_types: frozenset[str]  # the request body media types it accepts; empty without a body
    public: bool  # `security: []`: no token needed
    scopes: frozenset[str] = frozenset()  # the ShopMachine scopes that grant it, any one (machines' access tokens)
'''


class Spec:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = self.lookup(node["$ref"])
        return node

    def lookup(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported: {ref}")
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def flat_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A parameter's schema with its `$ref`s and `allOf` parts merged into one set of keywords."""
        schema = self.resolve(schema)
        merged: dict[str, Any] = {}
        for part in schema.get("allOf", []):
            merged.update(self.flat_schema(part))
        merged.update({k: v for k, v in schema.items() if k != "allOf"})
        return merged

    def ref_name(self, node: dict[str, Any]) -> str | None:
        ref = node.get("$ref") if isinstance(node, dict) else None
        return ref.rsplit("/", 1)[1] if ref else None


def snake(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "_", name)
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower().strip("_")


def camel_type(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def literal(value: Any) -> str:
    return repr(value)


def param_type(spec: Spec, parameter: dict[str, Any]) -> tuple[str, Any]:
    """(the annotation, the default or `...` when required) of one parameter."""
    schema = spec.flat_schema(parameter.get("schema", {}))
    if "enum" in schema:
        base = "Literal[" + ", ".join(literal(v) for v in schema["enum"]) + "]"
    else:
        base = PY_TYPE[schema.get("type", "string")]
    kwargs = [f"alias={literal(parameter['name'])}"]
    if parameter.get("description"):
        kwargs.append(f"description={literal(parameter['description'].strip())}")
    for keyword, name in CONSTRAINTS.items():
        if keyword in schema:
            kwargs.append(f"{name}={literal(schema[keyword])}")
    required = bool(parameter.get("required"))
    default = schema.get("default", ... if required else None)
    if default is None:
        base = f"{base} | None"
    annotation = f"Annotated[{base}, {PARAM_CLASS[parameter['in']]}({', '.join(kwargs)})]"
    return annotation, default


def operations(spec: Spec) -> list[dict[str, Any]]:
    found = []
    for path, item in spec.document["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                found.append({"path": path, "method": method, "op": item[method], "shared": shared})
    return found


def generate(document: dict[str, Any]) -> str:
    spec = Spec(document)
    aliases: dict[str, str] = {}  # type alias name -> annotation
    blocks: list[str] = []
    table: list[str] = []
    for entry in operations(spec):
        op, method, path = entry["op"], entry["method"], entry["path"]
        operation_id = op["operationId"]
        signature: list[str] = []
        passed: list[str] = []
        query: list[str] = []
        for raw in [*entry["shared"], *op.get("parameters", [])]:
            parameter = spec.resolve(raw)
            annotation, default = param_type(spec, parameter)
            alias = spec.ref_name(raw) or camel_type(operation_id) + camel_type(parameter["name"])
            aliases.setdefault(alias, annotation)
            if aliases[alias] != annotation:
                raise ValueError(f"{operation_id}: parameter type {alias} is defined twice, differently")
            name = snake(parameter["name"])
            signature.append(f"{name}: {alias}" + ("" if default is ... else f" = {literal(default)}"))
            passed.append(f"{name}={name}")
            if parameter["in"] == "query":
                query.append(parameter["name"])
        media_types: list[str] = []
        body = op.get("requestBody")
        if body:
            content = body["content"]
            media_types = sorted(content)
            (media_type,) = media_types  # one body model per operation
            model = spec.ref_name(content[media_type]["schema"])
            if model is None:
                raise ValueError(f"{operation_id}: the request body schema must be a $ref to a components schema")
            body_type = f"models.{model}"
            if media_type != "application/json":
                body_type = f"Annotated[models.{model}, Body(media_type={literal(media_type)})]"
            signature.insert(0, f"body: {body_type}")
            passed.insert(0, "body=body")
        # Required parameters first: Python needs them before those with defaults.
        signature.sort(key=lambda s: "=" in s)
        responses = _responses(spec, op)
        rule = re.sub(r"\{([^}]+)\}", r"<\1>", path)
        function = snake(operation_id)
        blocks.append(
            f'''

def {function}(router: Router) -> Callable[[Implementation], Implementation]:
    """{method.upper()} {path} ({operation_id}): {op.get("summary", "").strip()}."""

    def register(implementation: Implementation) -> Implementation:
        @router.{method}(
            {literal(rule)},
            operation_id={literal(operation_id)},
            summary={literal(op.get("summary", "").strip())},
            tags={literal(op.get("tags", []))},
            responses={{{responses}}},
        )
        def {operation_id}({", ".join(signature)}):
            return implementation({", ".join(passed)})

        return implementation

    return register'''
        )
        requirements = op.get("security", document.get("security"))
        public = requirements == []
        scopes = sorted({scope for requirement in requirements or [] for scope in requirement.get(MACHINE, [])})
        table.append(
            f"({literal(method.upper())}, {literal(path)}): Operation({literal(operation_id)}, "
            f"frozenset({literal(sorted(query)) if query else ''}), "
            f"frozenset({literal(media_types) if media_types else ''}), {public}"
            + (f", frozenset({literal(scopes)})" if scopes else "")
            + "),"
        )
    defaults = _defaults_on_create(spec)
    parts = [HEADER, "\n# Parameters: components/parameters by name, an operation's own by operationId and name.\n"]
    parts += [f"{name} = {annotation}\n" for name, annotation in aliases.items()]
    parts.append(
        "\n# (method, path template as API Gateway's `resource`) -> the operation.\n"
        "OPERATIONS: dict[tuple[str, str], Operation] = {\n" + "\n".join(table) + "\n}\n"
    )
    shared = {name: _response(spec, response, name) for name, response in document["components"]["responses"].items()}
    parts.append(
        "\n# components/responses, which operations share.\n"
        "RESPONSES: dict[str, dict[str, Any]] = {"
        + ", ".join(f"{literal(name)}: {value}" for name, value in shared.items())
        + "}\n"
    )
    parts.append(
        "\n# Request schema -> {property: value} of its `x-default-on-create` (applied by the create operation).\n"
        f"DEFAULTS_ON_CREATE: dict[str, dict[str, Any]] = {literal(defaults)}\n"
    )
    parts += blocks
    return black.format_str("".join(parts), mode=black.Mode(line_length=120))


def _responses(spec: Spec, op: dict[str, Any]) -> str:
    entries = []
    for status, raw in op["responses"].items():
        name = spec.ref_name(raw)
        value = f"RESPONSES[{literal(name)}]" if name else _response(spec, raw, f"{op['operationId']} {status}")
        entries.append(f"{int(status)}: {value}")
    return ", ".join(entries)


def _response(spec: Spec, response: dict[str, Any], where: str) -> str:
    """One response as Powertools' `OpenAPIResponse`: its description and the contract model of each media type."""
    fields = [f'"description": {literal(response["description"].strip())}']
    content = response.get("content") or {}
    if content:
        media = []
        for media_type, media_object in content.items():
            model = spec.ref_name(media_object.get("schema", {}))
            if model is None:
                raise ValueError(f"{where}: a response schema must be a $ref to a components schema")
            media.append(f'{literal(media_type)}: {{"model": models.{model}}}')
        fields.append('"content": {' + ", ".join(media) + "}")
    return "{" + ", ".join(fields) + "}"


def _defaults_on_create(spec: Spec) -> dict[str, dict[str, Any]]:
    defaults: dict[str, dict[str, Any]] = {}
    for name, schema in spec.document["components"]["schemas"].items():
        for prop, definition in (schema.get("properties") or {}).items():
            if isinstance(definition, dict) and "x-default-on-create" in definition:
                defaults.setdefault(name, {})[prop] = definition["x-default-on-create"]
    return defaults


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the committed file is out of date")
    args = parser.parse_args(argv)
    text = generate(yaml.safe_load(SPEC.read_text()))
    if args.check:
        current = OUTPUT.read_text() if OUTPUT.exists() else ""
        if current != text:
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(True), text.splitlines(True), str(OUTPUT.relative_to(ROOT)), "generated"
                )
            )
            print(f"{OUTPUT.relative_to(ROOT)} drifted from openapi.yaml: run 'make handlers' and commit")
            return 1
        return 0
    OUTPUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
