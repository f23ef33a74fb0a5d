"""template.yaml as the local stack reads it: data resources to provision, functions to run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfn_tools import load_yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"
OPENAPI_PATH = ROOT / "openapi.yaml"

_SUB_VAR = re.compile(r"\$\{([^}!]+)\}")


@dataclass(frozen=True)
class Function:
    logical_id: str
    handler: str
    environment: dict[str, Any]
    timeout: int
    memory_mb: int = 128
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    reserved_concurrency: int | None = None  # ReservedConcurrentExecutions

    @property
    def module(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]


# Resource types the local stack does not provision: SAM's, and Cognito's (stood in for by shoplocal/auth.py).
LOCAL_STAND_INS = ("AWS::Serverless::", "AWS::Cognito::")
# Types moto's CloudFormation cannot create (it skips them, and describe_stack_resources then fails):
# resource policies and the account's API Gateway logging role, which the local stack would not enforce,
# and the alarms and the topic's email subscription, which have no metrics or inbox to act on locally.
MOTO_UNSUPPORTED = frozenset(
    {
        "AWS::S3::BucketPolicy",
        "AWS::SQS::QueuePolicy",
        "AWS::ApiGateway::Account",
        "AWS::CloudWatch::Alarm",
        "AWS::CloudWatch::Dashboard",
        "AWS::Logs::MetricFilter",
        "AWS::SNS::Subscription",
    }
)


# Types moto's CloudFormation cannot create either, but the functions need locally: shoplocal/provision.py
# creates them through their service's API (as CloudFormation would) and records their physical ids.
PROVISIONED_BY_API = frozenset({"AWS::SecretsManager::Secret"})


class Template:
    def __init__(self, path: Path = TEMPLATE_PATH) -> None:
        self.path = path
        self.body: dict[str, Any] = load_yaml(path.read_text())
        self.resources: dict[str, dict[str, Any]] = dict(self.body.get("Resources", {}))
        self.parameters: dict[str, dict[str, Any]] = dict(self.body.get("Parameters", {}))

    def functions(self) -> dict[str, Function]:
        defaults = self.body.get("Globals", {}).get("Function", {})
        functions = {}
        for logical_id, resource in self.resources.items():
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            props = resource["Properties"]
            env = dict(defaults.get("Environment", {}).get("Variables", {}))
            env.update(props.get("Environment", {}).get("Variables", {}))
            functions[logical_id] = Function(
                logical_id=logical_id,
                handler=props["Handler"],
                environment=env,
                timeout=int(props.get("Timeout", defaults.get("Timeout", 3))),
                memory_mb=int(props.get("MemorySize", defaults.get("MemorySize", 128))),
                events=dict(props.get("Events", {})),
                reserved_concurrency=_optional_int(props.get("ReservedConcurrentExecutions")),
            )
        return functions

    def data_template(self) -> dict[str, Any]:
        """The template less SAM: moto's CloudFormation skips `AWS::Serverless::*`, so drop those and
        everything that refers to them, leaving the stateful resources to provision. The Cognito user pool
        goes too (moto's CloudFormation has no Cognito): the local stack signs and verifies its own tokens
        (shoplocal/auth.py)."""
        dropped = {
            k
            for k, r in self.resources.items()
            if r["Type"].startswith(LOCAL_STAND_INS) or r["Type"] in MOTO_UNSUPPORTED | PROVISIONED_BY_API
        }
        kept = dict(self.resources)
        changed = True
        while changed:
            changed = False
            for logical_id, resource in list(kept.items()):
                if logical_id in dropped or references(resource) & dropped:
                    dropped.add(logical_id)
                    del kept[logical_id]
                    changed = True
        outputs = {k: v for k, v in self.body.get("Outputs", {}).items() if not references(v) & dropped}
        body = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": kept, "Outputs": outputs}
        if self.parameters:
            body["Parameters"] = self.parameters
        return body


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def references(node: Any) -> set[str]:
    """Logical ids a template fragment refers to through Ref, Fn::GetAtt or Fn::Sub."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value.split(".")[0])  # SAM's `!Ref Function.Alias` refers to the function
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                found.add(target)
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found |= {name.split(".")[0] for name in _SUB_VAR.findall(text)}
                if isinstance(value, list):
                    found |= references(value[1])
            else:
                found |= references(value)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return {name for name in found if not name.startswith("AWS::")}
