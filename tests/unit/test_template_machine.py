"""template.yaml's machine access (issue 15, item 1), asserted on the file itself: the resource server's scopes
are the contract's, the user pool runs the V3_0 pre-token trigger (Essentials plan), the token endpoint's domain,
and MachineApi, the second REST API, with its stage settings, logs, grants, alarms and outputs as Api's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen import apis
from shoplocal.template import Template

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tpl() -> Template:
    return Template()


@pytest.fixture(scope="module")
def contract() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "openapi.yaml").read_text())


def props(tpl: Template, name: str, resource_type: str) -> dict[str, Any]:
    assert tpl.resources[name]["Type"] == resource_type, name
    return tpl.resources[name]["Properties"]


def test_the_resource_servers_scopes_are_the_contracts_with_their_descriptions(tpl, contract):
    # GIVEN the scopes the contract's ShopMachine client credentials flow declares (the one source)
    declared = apis.contract_scopes(contract)

    # WHEN reading the user pool's resource server
    server = props(tpl, "ResourceServer", "AWS::Cognito::UserPoolResourceServer")

    # THEN its scopes, as `<identifier>/<name>`, are exactly those, with the same descriptions
    assert server["UserPoolId"] == {"Ref": "UserPool"}
    found = {f"{server['Identifier']}/{s['ScopeName']}": s["ScopeDescription"] for s in server["Scopes"]}
    assert found == declared


def test_the_user_pool_runs_the_pre_token_trigger_whose_event_covers_client_credentials(tpl):
    pool = props(tpl, "UserPool", "AWS::Cognito::UserPool")
    # V3_0 is the event Cognito sends for client credentials grants; it needs the Essentials (or Plus) plan.
    assert pool["UserPoolTier"] in ("ESSENTIALS", "PLUS")
    config = pool["LambdaConfig"]["PreTokenGenerationConfig"]
    assert config == {"LambdaArn": {"Ref": "PreTokenFunction.Alias"}, "LambdaVersion": "V3_0"}
    assert "PreTokenGeneration" not in pool["LambdaConfig"]  # the V1_0 form would bypass the V3_0 event


def test_only_this_user_pool_may_invoke_the_trigger(tpl):
    [permission] = [
        r["Properties"]
        for r in tpl.resources.values()
        if r["Type"] == "AWS::Lambda::Permission" and r["Properties"]["Principal"] == "cognito-idp.amazonaws.com"
    ]
    assert permission["FunctionName"] == {"Ref": "PreTokenFunction.Alias"}
    assert permission["SourceArn"] == {"Fn::GetAtt": ["UserPool", "Arn"]}
    assert props(tpl, "PreTokenFunction", "AWS::Serverless::Function")["Handler"] == "handlers.pretoken.lambda_handler"


def test_the_trigger_answers_within_cognitos_five_seconds(tpl):
    assert props(tpl, "PreTokenFunction", "AWS::Serverless::Function")["Timeout"] <= 5


def test_the_token_endpoints_domain_defaults_to_one_unique_to_the_stack(tpl):
    domain = props(tpl, "UserPoolDomain", "AWS::Cognito::UserPoolDomain")
    assert domain["UserPoolId"] == {"Ref": "UserPool"}
    condition, given, default = domain["Domain"]["Fn::If"]
    assert (condition, given) == ("HasAuthDomainPrefix", {"Ref": "AuthDomainPrefix"})
    assert default == {"Fn::Join": ["-", ["shop", {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}]]}
    assert tpl.parameters["AuthDomainPrefix"]["Default"] == ""


def test_people_keep_their_app_client_and_id_tokens(tpl):
    client = props(tpl, "UserPoolClient", "AWS::Cognito::UserPoolClient")
    assert client["GenerateSecret"] is False
    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert "AllowedOAuthFlows" not in client


@pytest.mark.parametrize(("api", "definition"), [("Api", "shop-api.yaml"), ("MachineApi", "machine-api.yaml")])
def test_each_api_is_defined_by_its_generated_variant_of_the_contract(tpl, api, definition):
    body = props(tpl, api, "AWS::Serverless::Api")["DefinitionBody"]["Fn::Transform"]
    assert body["Name"] == "AWS::Include"
    assert body["Parameters"]["Location"] == f"./apigateway/{definition}"


def test_the_machine_api_has_the_stage_settings_of_the_api(tpl):
    api = props(tpl, "Api", "AWS::Serverless::Api")
    machine = props(tpl, "MachineApi", "AWS::Serverless::Api")
    assert machine["Name"] == {"Fn::Sub": "${AWS::StackName}-machine-api"} != api["Name"]
    assert machine["StageName"] == api["StageName"]
    assert machine["MethodSettings"] == api["MethodSettings"]  # throttle, ERROR logs, no data trace
    assert machine["TracingEnabled"] is True
    assert machine["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["MachineApiAccessLogGroup", "Arn"]}
    log_format = machine["AccessLogSetting"]["Format"]
    assert "$context.authorizer.claims.client_id" in log_format
    for never in ("$input.body", "$context.requestOverride", "Authorization"):
        assert never not in log_format
    group = props(tpl, "MachineApiExecutionLogGroup", "AWS::Logs::LogGroup")
    assert group["LogGroupName"] == {"Fn::Sub": "API-Gateway-Execution-Logs_${MachineApi}/${Stage}"}
    assert tpl.resources["MachineApi"]["DependsOn"] == "ApiGatewayAccount"


@pytest.mark.parametrize("function", ["ClientsFunction", "OrdersFunction", "InvoicesFunction"])
def test_the_machine_api_may_invoke_each_api_function_and_nothing_else(tpl, function):
    grants = [
        r["Properties"]
        for r in tpl.resources.values()
        if r["Type"] == "AWS::Lambda::Permission"
        and "${MachineApi}" in str(r["Properties"].get("SourceArn"))
    ]
    assert {g["FunctionName"]["Ref"] for g in grants} == {
        "ClientsFunction.Alias", "OrdersFunction.Alias", "InvoicesFunction.Alias"
    }
    [grant] = [g for g in grants if g["FunctionName"] == {"Ref": f"{function}.Alias"}]
    assert grant["Principal"] == "apigateway.amazonaws.com"
    assert grant["SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${MachineApi}/*"
    }


@pytest.mark.parametrize(
    ("alarm", "metric", "statistic"),
    [("MachineApiServerErrorsAlarm", "5XXError", "Sum"), ("MachineApiLatencyAlarm", "Latency", None)],
)
def test_the_machine_api_has_the_alarms_of_the_api(tpl, alarm, metric, statistic):
    twin = {"MachineApiServerErrorsAlarm": "ApiServerErrorsAlarm", "MachineApiLatencyAlarm": "ApiLatencyAlarm"}[alarm]
    mine, theirs = tpl.resources[alarm]["Properties"], tpl.resources[twin]["Properties"]
    assert mine["MetricName"] == metric
    assert {"Name": "ApiName", "Value": {"Fn::Sub": "${AWS::StackName}-machine-api"}} in mine["Dimensions"]
    same = ("Namespace", "Statistic", "ExtendedStatistic", "Period", "EvaluationPeriods", "Threshold",
            "ComparisonOperator", "TreatMissingData", "AlarmActions", "OKActions")
    assert {k: mine.get(k) for k in same} == {k: theirs.get(k) for k in same}


def test_the_machine_api_url_and_the_token_url_are_outputs(tpl):
    outputs = tpl.body["Outputs"]
    assert outputs["MachineApiUrl"]["Value"] == {
        "Fn::Sub": "https://${MachineApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}"
    }
    assert outputs["TokenUrl"]["Value"] == {
        "Fn::Sub": "https://${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com/oauth2/token"
    }


def test_every_function_sam_builds_with_the_makefile_has_its_build_target(tpl):
    import re

    built = {
        name for name, r in tpl.resources.items()
        if r["Type"] == "AWS::Serverless::Function" and r.get("Metadata", {}).get("BuildMethod") == "makefile"
    }
    makefile = (ROOT / "Makefile").read_text()
    targets = {
        name
        for line in re.findall(r"^(build-[A-Za-z]+(?: build-[A-Za-z]+)*):\s*$", makefile, re.MULTILINE)
        for name in line.replace("build-", "").split()
    }
    assert "PreTokenFunction" in built
    assert built <= targets, built - targets


def test_the_dashboard_shows_the_machine_apis_errors_and_latency(tpl):
    import json
    import re

    body = tpl.resources["PipelineDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    dashboard = json.loads(re.sub(r"\$\{[^}]+\}", "x", body.replace("${AWS::StackName}", "STACK")))
    lines = [m for w in dashboard["widgets"] for m in w["properties"].get("metrics", [])]
    machine = {(m[1], m[-1].get("stat")) for m in lines if m[0] == "AWS/ApiGateway" and m[3] == "STACK-machine-api"}
    assert ("5XXError", None) in machine and ("Latency", "p99") in machine
