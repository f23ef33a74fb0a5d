"""The published contract: `contract/published/openapi.json`, what consumers (the SDKs, Swagger UI, a
generator of their own) read, derived from openapi.yaml.

    python contract/publish.py          write it (`make publish`)
    python contract/publish.py --check  fail when the committed one differs (`make check-publish`)

openapi.yaml is written for API Gateway, and three things in it mean nothing to a consumer or mislead one:
- `x-amazon-*` extensions (the integrations, validators, gateway responses, CloudFormation intrinsics such as
  `Fn::Sub`): removed, at any depth;
- a security scheme that carries `x-amazon-apigateway-authorizer` is an `apiKey` in the `Authorization` header
  only because that is how API Gateway declares an authorizer; the token is a bearer JWT, so it is published
  as `type: http, scheme: bearer, bearerFormat: JWT` (generators then send `Authorization: Bearer <token>`,
  and Swagger UI's Authorize dialog takes the bare token). A scheme that is already standard (`oauth2`,
  `http`, `openIdConnect`, an apiKey without an authorizer) is kept as it is, less its extensions; so are the
  security requirements, which name schemes, not their form;
- `servers` (`/`, the stage API Gateway serves the spec under): replaced by the local stack and the
  deployed stage's URL pattern, its stage defaulting to template.yaml's `Stage` parameter.

Everything else, including `info.version`, is openapi.yaml's. The contract gate (`make check-contract`)
stays on openapi.yaml: this file is derived from it, and `make test` fails when it drifts.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = ROOT / "openapi.yaml"
TEMPLATE = ROOT / "template.yaml"
PUBLISHED = HERE / "published" / "openapi.json"

EXTENSION_PREFIX = "x-amazon-"
AUTHORIZER = "x-amazon-apigateway-authorizer"
# `shop run`'s default port (shoplocal/cli.py DEFAULT_PORT; a unit test keeps them equal).
LOCAL_SERVER = "http://localhost:3000"
DEPLOYED_SERVER = "https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}"

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PublishError(ValueError):
    """openapi.yaml cannot be published as it is (the message says why)."""


def without_amazon_extensions(node: Any) -> Any:
    """`node` without any `x-amazon-*` key, at any depth."""
    if isinstance(node, dict):
        return {k: without_amazon_extensions(v) for k, v in node.items() if not str(k).startswith(EXTENSION_PREFIX)}
    if isinstance(node, list):
        return [without_amazon_extensions(item) for item in node]
    return node


def is_bearer_authorizer(scheme: Mapping[str, Any]) -> bool:
    """API Gateway's form of a token authorizer: an apiKey in the `Authorization` header with an authorizer."""
    return (
        AUTHORIZER in scheme
        and scheme.get("type") == "apiKey"
        and scheme.get("in") == "header"
        and str(scheme.get("name", "")).lower() == "authorization"
    )


def as_bearer(scheme: Mapping[str, Any]) -> dict[str, Any]:
    bearer: dict[str, Any] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    if "description" in scheme:
        bearer["description"] = scheme["description"]
    return bearer


def _requirements(spec: Mapping[str, Any]) -> list[tuple[str, list[Any]]]:
    """Every security requirement list of the spec, with where it is."""
    found = [("the top-level security", spec.get("security") or [])]
    for path, item in (spec.get("paths") or {}).items():
        for method, operation in item.items():
            if isinstance(operation, Mapping) and "security" in operation:
                found.append((f"{method.upper()} {path}", operation["security"] or []))
    return found


def servers(stage: str) -> list[dict[str, Any]]:
    return [
        {"url": LOCAL_SERVER, "description": "The local stack (`make run`)."},
        {
            "url": DEPLOYED_SERVER,
            "description": "A deployed stage: the stack's `ApiUrl` output is this URL with its values.",
            "variables": {
                "restApiId": {"default": "restApiId", "description": "The REST API's id (in the `ApiUrl` output)."},
                "region": {"default": "us-east-1", "description": "The AWS region the stack is deployed in."},
                "stage": {"default": stage, "description": "The stage name (template.yaml's `Stage` parameter)."},
            },
        },
    ]


def publish(spec: Mapping[str, Any], *, stage: str) -> dict[str, Any]:
    """The published form of `spec` (not modified)."""
    document = copy.deepcopy(dict(spec))
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    converted = {name for name, scheme in schemes.items() if is_bearer_authorizer(scheme)}
    for name in converted:
        schemes[name] = as_bearer(schemes[name])
    # OpenAPI 3.0: a requirement of an http scheme lists no scopes (only oauth2 and openIdConnect have them).
    for where, requirements in _requirements(document):
        for requirement in requirements:
            scoped = sorted(name for name in converted if requirement.get(name))
            if scoped:
                raise PublishError(
                    f"{where} asks scopes of {', '.join(scoped)}, which is published as HTTP bearer (no scopes in "
                    "OpenAPI 3.0): declare scopes on an oauth2 scheme instead"
                )
    document = without_amazon_extensions(document)
    document["servers"] = servers(stage)
    return document


def render(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def template_stage(template: Path = TEMPLATE) -> str:
    """template.yaml's `Stage` parameter default (cfn_tools reads its CloudFormation tags)."""
    from cfn_tools import load_yaml

    return str(load_yaml(template.read_text(encoding="utf-8"))["Parameters"]["Stage"]["Default"])


def expected() -> str:
    spec = yaml.load(SPEC.read_text(encoding="utf-8"), Loader=Loader)
    return render(publish(spec, stage=template_stage()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed artefact instead of writing it")
    args = parser.parse_args(argv)
    try:
        text = expected()
    except PublishError as error:
        print(f"publish: openapi.yaml cannot be published: {error}", file=sys.stderr)
        return 1
    relative = PUBLISHED.relative_to(ROOT)
    if args.check:
        if not PUBLISHED.is_file() or PUBLISHED.read_text(encoding="utf-8") != text:
            print(f"{relative} drifted from openapi.yaml: run 'make publish' and commit it", file=sys.stderr)
            return 1
        print(f"{relative} matches openapi.yaml")
        return 0
    PUBLISHED.parent.mkdir(parents=True, exist_ok=True)
    PUBLISHED.write_text(text, encoding="utf-8")
    print(f"{relative}: published from openapi.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
