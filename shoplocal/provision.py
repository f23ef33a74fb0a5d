"""Provision the stateful resources of template.yaml on the moto server, through its CloudFormation."""

from __future__ import annotations

import json
import os
import secrets
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from shoplocal.template import PROVISIONED_BY_API, Template


@dataclass(frozen=True)
class Stack:
    name: str
    physical_ids: dict[str, str]
    parameters: dict[str, str]
    outputs: dict[str, str]

    def resolve(self, value: Any) -> str:
        """A template value (a literal or a Ref) as the functions' environment sees it."""
        if isinstance(value, dict) and "Ref" in value:
            name = value["Ref"]
            if name in self.parameters:
                return self.parameters[name]
            return self.physical_ids[name]
        if isinstance(value, (dict, list)):
            raise ValueError(f"the local stack resolves only literals and Ref in environments: {value!r}")
        return str(value)


# Values for the parameters a deploy must give (no Default in template.yaml): example values, so that a
# local invoice shows where its seller comes from. Override one with `SHOP_PARAMETER_<Name>` (e.g.
# SHOP_PARAMETER_SellerName="Acme Ltd." make run).
LOCAL_PARAMETERS = {
    "SellerName": "Serverless Shop Ltd. (example)",
    "SellerAddress": "1 Cloud Street|Seattle, WA 98101|United States",
    "SellerTaxId": "EIN 00-0000000 (example)",
}
PARAMETER_OVERRIDE_PREFIX = "SHOP_PARAMETER_"


def local_parameters(template: Template) -> dict[str, str]:
    """Parameter values for the local stack: `SHOP_PARAMETER_<Name>` overrides, then LOCAL_PARAMETERS, then
    defaults, and fresh random values for secrets."""
    values = {}
    for name, spec in template.parameters.items():
        override = os.environ.get(PARAMETER_OVERRIDE_PREFIX + name)
        if override is not None:
            values[name] = override
        elif name in LOCAL_PARAMETERS:
            values[name] = LOCAL_PARAMETERS[name]
        elif "Default" in spec:
            values[name] = str(spec["Default"])
        elif spec.get("NoEcho"):
            values[name] = secrets.token_urlsafe(48)
        else:
            raise ValueError(f"template parameter {name} has no default and no local value")
    return values


def provision(
    endpoint_url: str, template: Template | None = None, stack_name: str = "shop", state_dir: Path | None = None
) -> Stack:
    """The stack of template.yaml's data resources: created through moto's CloudFormation, or, when a durable
    emulator replayed it from `state_dir` (shoplocal/persistence.py), found there as it was left, with the
    parameter values it was created with."""
    from shoplocal import persistence

    template = template or Template()
    session = boto3.session.Session()
    cloudformation = session.client("cloudformation", endpoint_url=endpoint_url)
    existing = _stack_exists(cloudformation, stack_name)
    parameters = persistence.load_parameters(state_dir)
    if existing and parameters is None:
        raise RuntimeError(f"stack {stack_name} exists but its parameters were not kept; start with --fresh")
    if parameters is None:
        parameters = local_parameters(template)
        persistence.save_parameters(state_dir, parameters)  # before the stack exists: never one without them
    if not existing:
        cloudformation.create_stack(
            StackName=stack_name,
            TemplateBody=json.dumps(template.data_template()),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        )
    resources = cloudformation.describe_stack_resources(StackName=stack_name)["StackResources"]
    failed = [r for r in resources if r["ResourceStatus"] != "CREATE_COMPLETE"]
    if failed:
        raise RuntimeError(f"local stack resources failed to create: {failed}")
    physical_ids = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    # A replayed stack has these already (its journal replayed their creation): found, not made again.
    physical_ids.update(_provision_by_api(session, endpoint_url, template, stack_name))
    if not existing:
        _apply_what_moto_skips(session, endpoint_url, template, physical_ids)
    _apply_local_overrides(session, endpoint_url, template, physical_ids)
    description = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in description.get("Outputs", [])}
    return Stack(stack_name, physical_ids, parameters, outputs)


def _stack_exists(cloudformation, stack_name: str) -> bool:
    stacks = cloudformation.list_stacks()["StackSummaries"]
    return any(s["StackName"] == stack_name and s["StackStatus"] != "DELETE_COMPLETE" for s in stacks)


def _provision_by_api(session, endpoint_url: str, template: Template, stack_name: str) -> dict[str, str]:
    """The resources of PROVISIONED_BY_API, created as CloudFormation would: a Secrets Manager secret with a
    generated value (GenerateSecretString's length; letters and digits, a subset of what it allows). Its
    physical id is its ARN, what `!Ref` of a secret gives."""
    created = {}
    for logical_id, resource in template.resources.items():
        if resource["Type"] not in PROVISIONED_BY_API:
            continue
        if resource["Type"] != "AWS::SecretsManager::Secret":
            raise ValueError(f"the local stack cannot provision {resource['Type']} ({logical_id})")
        props = resource.get("Properties", {})
        generate = props.get("GenerateSecretString")
        if "SecretString" in props:
            value = str(props["SecretString"])
        elif generate is not None and "SecretStringTemplate" not in generate:
            length = int(generate.get("PasswordLength", 32))
            alphabet = string.ascii_letters + string.digits
            value = "".join(secrets.choice(alphabet) for _ in range(length))
        else:
            raise ValueError(f"the local stack provisions {logical_id} from SecretString or a plain GenerateSecretString only")
        client = session.client("secretsmanager", endpoint_url=endpoint_url)
        prefix = f"{stack_name}-{logical_id}-"
        found = [
            secret["ARN"]
            for secret in client.list_secrets(Filters=[{"Key": "name", "Values": [prefix]}]).get("SecretList", [])
            if secret["Name"].startswith(prefix)
        ]
        if found:  # a durable stack's, replayed from its journal
            created[logical_id] = found[0]
            continue
        name = f"{prefix}{secrets.token_hex(6)}"
        created[logical_id] = client.create_secret(
            Name=name, Description=str(props.get("Description", "")), SecretString=value
        )["ARN"]
    return created


def _apply_what_moto_skips(session, endpoint_url: str, template: Template, physical_ids: dict[str, str]) -> None:
    """moto's CloudFormation ignores a table's TimeToLiveSpecification; set it through the API."""
    dynamodb = session.client("dynamodb", endpoint_url=endpoint_url)
    for logical_id, resource in template.resources.items():
        ttl = resource.get("Properties", {}).get("TimeToLiveSpecification")
        if resource["Type"] == "AWS::DynamoDB::Table" and ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=physical_ids[logical_id],
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )


# Local-only knobs: on AWS-like values a poison message needs many minutes to reach its DLQ.
VISIBILITY_TIMEOUT_VAR = "SHOP_QUEUE_VISIBILITY_TIMEOUT"
MAX_RECEIVE_COUNT_VAR = "SHOP_QUEUE_MAX_RECEIVE_COUNT"


def _apply_local_overrides(session, endpoint_url: str, template: Template, physical_ids: dict[str, str]) -> None:
    visibility = os.environ.get(VISIBILITY_TIMEOUT_VAR)
    max_receives = os.environ.get(MAX_RECEIVE_COUNT_VAR)
    if not (visibility or max_receives):
        return
    sqs = session.client("sqs", endpoint_url=endpoint_url)
    for logical_id, resource in template.resources.items():
        if resource["Type"] != "AWS::SQS::Queue":
            continue
        url = physical_ids[logical_id]
        attributes = {}
        if visibility:
            attributes["VisibilityTimeout"] = str(int(visibility))
        if max_receives and "RedrivePolicy" in resource.get("Properties", {}):
            policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"])
            policy["maxReceiveCount"] = int(max_receives)
            attributes["RedrivePolicy"] = json.dumps(policy)
        if attributes:
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)


def function_environment(template: Template, stack: Stack, logical_id: str) -> dict[str, str]:
    """The environment template.yaml gives one function, resolved against the local stack."""
    function = template.functions()[logical_id]
    env = {name: stack.resolve(value) for name, value in function.environment.items()}
    env["AWS_LAMBDA_FUNCTION_NAME"] = logical_id
    return env
