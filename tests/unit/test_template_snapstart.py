"""template.yaml's SnapStart option (issue 14, item 4), asserted on the file itself: one parameter, off by
default, applied to every function, which publishes versions behind the `live` alias that API Gateway invokes
(SnapStart applies to published versions only). SAM points the SQS event sources and the schedule at the alias
by itself when AutoPublishAlias is set; the API integrations (openapi.yaml, tests/unit/test_contract.py) and
their permissions are the template's to point there."""

from __future__ import annotations

import pytest

from shoplocal.template import Template

API_FUNCTIONS = ("ClientsFunction", "OrdersFunction", "InvoicesFunction")


@pytest.fixture(scope="module")
def tpl() -> Template:
    return Template()


def test_snapstart_is_one_parameter_off_by_default(tpl):
    parameter = tpl.parameters["SnapStart"]
    assert parameter["Default"] == "None"
    assert parameter["AllowedValues"] == ["None", "PublishedVersions"]


@pytest.mark.parametrize("function", Template().functions())
def test_every_function_publishes_versions_behind_the_live_alias_with_the_snapstart_option(tpl, function):
    props = tpl.resources[function]["Properties"]
    assert props["AutoPublishAlias"] == "live"
    # A version freezes the configuration too: without this, a change of environment or memory alone would
    # publish nothing, and the alias would keep serving the old configuration.
    assert props["AutoPublishAliasAllProperties"] is True
    # SAM retains replaced versions by default; with SnapStart each keeps a cached snapshot, billed for Python
    # for as long as the version exists, so a replaced version is deleted.
    assert props["VersionDeletionPolicy"] == "Delete"
    assert props["SnapStart"] == {"ApplyOn": {"Ref": "SnapStart"}}
    assert tpl.body["Globals"]["Function"]["Runtime"] == "python3.12"  # SnapStart: Python 3.12 and later


@pytest.mark.parametrize("function", API_FUNCTIONS)
def test_api_gateway_may_invoke_the_alias_it_integrates_with(tpl, function):
    # One grant per API that integrates with it (people's Api, machines' MachineApi), each on the alias.
    permissions = [
        r["Properties"]
        for r in tpl.resources.values()
        if r["Type"] == "AWS::Lambda::Permission" and r["Properties"]["Principal"] == "apigateway.amazonaws.com"
        and r["Properties"]["FunctionName"]["Ref"].split(".")[0] == function
    ]
    assert len(permissions) == 2
    for permission in permissions:
        assert permission["FunctionName"] == {"Ref": f"{function}.Alias"}
        assert permission["Action"] == "lambda:InvokeFunction"
