"""Writes the two API Gateway definitions of the contract: apigateway/shop-api.yaml and machine-api.yaml.

`python -m codegen.apis` (`make apis`) regenerates them; `--check` (`make check-apis`, run by `make test`)
fails when a committed file differs from what openapi.yaml generates.

Why two: API Gateway's Cognito authorizer takes an ID token on a method without OAuth scopes and an access
token (checking its `scope`) on a method with scopes; one method cannot take both. openapi.yaml lists both
alternatives per operation (`CognitoUserPool: []`, then `ShopMachine: [<scope>]` once per granting scope), so:

- shop-api.yaml (template.yaml `Api`, people's ID tokens): the contract with only the `CognitoUserPool`
  requirements and without the `ShopMachine` scheme, which API Gateway's import does not understand (an
  `oauth2` scheme without `x-amazon-apigateway-authorizer`, and more than one requirement per method);
- machine-api.yaml (template.yaml `MachineApi`, access tokens of the client credentials grant): one
  requirement per operation, `ShopMachine` with every scope that grants it (API Gateway's
  AuthorizationScopes: any one suffices), `ShopMachine` being a Cognito authorizer on the same user pool.

Public operations (`security: []`) stay public in both. A secured operation that names no machine scope is an
error: the machine API would have no way to authorise it.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
OUTPUT_DIR = ROOT / "apigateway"
HUMAN, MACHINE = "CognitoUserPool", "ShopMachine"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
HEADER = (
    "# GENERATED from openapi.yaml by codegen/apis.py (`make apis`). Do not edit by hand.\n"
    "# {what}\n"
)


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, item[method])
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    ]


def machine_scopes(requirements: list[dict[str, list[str]]]) -> list[str]:
    """Every scope of the `ShopMachine` requirements, in order, each once (any one grants the operation)."""
    scopes: list[str] = []
    for requirement in requirements:
        for scope in requirement.get(MACHINE, []):
            if scope not in scopes:
                scopes.append(scope)
    return scopes


def contract_scopes(document: dict[str, Any]) -> dict[str, str]:
    """scope -> description, as the contract's `ShopMachine` client credentials flow declares them."""
    return dict(document["components"]["securitySchemes"][MACHINE]["flows"]["clientCredentials"]["scopes"])


def human_api(document: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(document)
    spec["components"]["securitySchemes"].pop(MACHINE)
    spec["security"] = [r for r in spec.get("security", []) if HUMAN in r]
    for _path, _method, operation in operations(spec):
        if "security" in operation and operation["security"]:
            operation["security"] = [r for r in operation["security"] if HUMAN in r]
    return spec


def machine_api(document: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(document)
    schemes = spec["components"]["securitySchemes"]
    human = schemes.pop(HUMAN)
    declared = contract_scopes(document)
    schemes[MACHINE] = {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "description": (
            "A Cognito user pool access token of the client credentials grant, as `Bearer <token>`; the method's "
            "scopes are the authorizer's AuthorizationScopes (any one of them)."
        ),
        "x-amazon-apigateway-authtype": "cognito_user_pools",
        "x-amazon-apigateway-authorizer": copy.deepcopy(human["x-amazon-apigateway-authorizer"]),
    }
    spec["info"]["title"] = f"{spec['info']['title']} (machine access)"
    # The default of an operation without `security` (there is none today): the back office only.
    spec["security"] = [{MACHINE: ["shop/backoffice"]}]
    problems = []
    default = document.get("security", [])
    for path, method, operation in operations(spec):
        requirements = operation.get("security", default)
        if requirements == []:
            continue
        scopes = machine_scopes(requirements)
        unknown = [scope for scope in scopes if scope not in declared]
        if not scopes:
            problems.append(f"{method.upper()} {path} names no {MACHINE} scope")
        elif unknown:
            problems.append(f"{method.upper()} {path}: scopes {unknown} are not declared by {MACHINE}")
        operation["security"] = [{MACHINE: scopes}]
    if problems:
        raise ValueError("openapi.yaml:\n  " + "\n  ".join(problems))
    return spec


def render(spec: dict[str, Any], what: str) -> str:
    body = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=120)
    return HEADER.format(what=what) + body


def outputs(document: dict[str, Any]) -> dict[Path, str]:
    return {
        OUTPUT_DIR / "shop-api.yaml": render(
            human_api(document), "API Gateway definition of template.yaml `Api`: people, Cognito ID tokens."
        ),
        OUTPUT_DIR / "machine-api.yaml": render(
            machine_api(document),
            "API Gateway definition of template.yaml `MachineApi`: machines, access tokens with scopes.",
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a committed file is out of date")
    args = parser.parse_args(argv)
    generated = outputs(yaml.safe_load(SPEC.read_text()))
    drifted = False
    for path, text in generated.items():
        if args.check:
            current = path.read_text() if path.exists() else ""
            if current != text:
                drifted = True
                name = str(path.relative_to(ROOT))
                sys.stdout.writelines(
                    difflib.unified_diff(current.splitlines(True), text.splitlines(True), name, "generated")
                )
                print(f"{name} drifted from openapi.yaml: run 'make apis' and commit")
        else:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
    return 1 if drifted else 0


if __name__ == "__main__":
    sys.exit(main())
