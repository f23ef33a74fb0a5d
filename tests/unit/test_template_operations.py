"""template.yaml's operations (issue 6, item 5): alarms on the DLQs, the workers and the API, the topic
they notify, and the stack outputs an operator needs, asserted on the file itself."""

from __future__ import annotations

from typing import Any

import pytest

from shoplocal.template import Template

TOPIC = {"Ref": "AlarmTopic"}
WORKERS = ("ApprovalFunction", "PaidOrderFunction", "RedriveFunction")


@pytest.fixture(scope="module")
def tpl() -> Template:
    return Template()


# ---- helpers ----


def of_type(tpl: Template, resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in tpl.resources.items() if r["Type"] == resource_type}


def alarms(tpl: Template) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in of_type(tpl, "AWS::CloudWatch::Alarm").items()}


def alarms_on(tpl: Template, namespace: str, metric: str, dimension: str, value: Any) -> list[str]:
    """The alarms watching `metric` in `namespace` whose `dimension` is exactly `value`."""
    return [
        name
        for name, props in alarms(tpl).items()
        if props.get("Namespace") == namespace
        and props.get("MetricName") == metric
        and {"Name": dimension, "Value": value} in [dict(d) for d in props["Dimensions"]]
    ]


def dead_letter_queues(tpl: Template) -> set[str]:
    """The queues some queue's RedrivePolicy sends its dead messages to."""
    return {
        r["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for r in of_type(tpl, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in r["Properties"]
    }


def fires_on_the_first_bad_datapoint(props: dict[str, Any]) -> bool:
    return (
        props["ComparisonOperator"] == "GreaterThanThreshold"
        and props["Threshold"] == 0
        and props["EvaluationPeriods"] >= 1
        and props["Period"] % 60 == 0
    )


# ---- alarms ----


def test_both_dead_letter_queues_are_found_in_the_redrive_policies(tpl):
    assert dead_letter_queues(tpl) == {"OrdersDeadLetterQueue", "PaidOrdersDeadLetterQueue"}


@pytest.mark.parametrize("dlq", ["OrdersDeadLetterQueue", "PaidOrdersDeadLetterQueue"])
def test_each_dead_letter_queue_alarms_on_any_visible_message(tpl, dlq):
    # GIVEN the DLQ's name as CloudWatch knows it: its QueueName attribute
    queue_name = {"Fn::GetAtt": [dlq, "QueueName"]}

    # WHEN looking for the alarm on its visible messages
    found = alarms_on(tpl, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue_name)

    # THEN there is exactly one, and one message is enough
    assert len(found) == 1, found
    props = alarms(tpl)[found[0]]
    assert props["Statistic"] == "Maximum"
    assert fires_on_the_first_bad_datapoint(props)


def test_the_workers_are_the_functions_with_an_event_source(tpl):
    """API functions are bound through openapi.yaml; only the workers declare Events (SQS, schedule)."""
    with_events = {
        name for name, r in of_type(tpl, "AWS::Serverless::Function").items() if r["Properties"].get("Events")
    }
    assert with_events == set(WORKERS)


@pytest.mark.parametrize("function", WORKERS)
def test_each_worker_alarms_on_any_failed_invocation(tpl, function):
    found = alarms_on(tpl, "AWS/Lambda", "Errors", "FunctionName", {"Ref": function})
    assert len(found) == 1, found
    props = alarms(tpl)[found[0]]
    assert props["Statistic"] == "Sum"
    assert fires_on_the_first_bad_datapoint(props)


def test_the_api_alarms_on_any_5xx_of_its_stage(tpl):
    # GIVEN the API's name and stage as the template sets them (REST API metrics are keyed by both)
    api = tpl.resources["Api"]["Properties"]
    assert api["StageName"] == {"Ref": "Stage"}

    # WHEN looking for the 5XXError alarm on that API name
    found = alarms_on(tpl, "AWS/ApiGateway", "5XXError", "ApiName", api["Name"])

    # THEN it watches that stage too, and one 5xx is enough
    assert len(found) == 1, found
    props = alarms(tpl)[found[0]]
    assert {"Name": "Stage", "Value": {"Ref": "Stage"}} in [dict(d) for d in props["Dimensions"]]
    assert props["Statistic"] == "Sum"
    assert fires_on_the_first_bad_datapoint(props)


def test_the_api_name_is_unique_to_the_stack(tpl):
    """Without its own name the API takes openapi.yaml's title, the same in every stack of the account,
    and the 5xx alarm would count other stacks' errors."""
    name = tpl.resources["Api"]["Properties"]["Name"]
    assert "${AWS::StackName}" in name["Fn::Sub"]


def test_every_alarm_notifies_the_topic_on_alarm_and_on_ok(tpl):
    assert len(alarms(tpl)) == 16
    for name, props in alarms(tpl).items():
        assert props.get("AlarmActions") == [TOPIC], name
        assert props.get("OKActions") == [TOPIC], name
        assert props.get("TreatMissingData") == "notBreaching", name
        assert props.get("ActionsEnabled", True) is True, name


# ---- the topic ----


def test_the_alarm_topic_is_encrypted_with_a_key_cloudwatch_may_use(tpl):
    """CloudWatch can publish to an encrypted topic only if the key policy lets it use the key, which the
    AWS managed alias/aws/sns does not."""
    topic = tpl.resources["AlarmTopic"]
    key_ref = topic["Properties"]["KmsMasterKeyId"]
    assert key_ref == {"Ref": "AlarmTopicKey"}
    key = tpl.resources["AlarmTopicKey"]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    grants = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s["Effect"] == "Allow" and s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert len(grants) == 1
    assert set(grants[0]["Action"]) == {"kms:GenerateDataKey", "kms:Decrypt"}
    assert grants[0]["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


def test_the_account_can_always_change_the_key_policy(tpl):
    """A key policy nobody may change is a key nobody can manage again."""
    account = {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    statements = tpl.resources["AlarmTopicKey"]["Properties"]["KeyPolicy"]["Statement"]
    assert any(s["Principal"] == account and "kms:PutKeyPolicy" in s["Action"] for s in statements)


def test_the_email_subscription_exists_only_when_an_address_is_given(tpl):
    # GIVEN the parameter, empty by default
    assert tpl.parameters["AlarmEmail"]["Default"] == ""

    # WHEN the subscription is created: under a condition that is false for the empty address
    subscription = tpl.resources["AlarmEmailSubscription"]
    condition = tpl.body["Conditions"][subscription["Condition"]]
    assert condition == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}

    # THEN it sends that address the topic's notifications
    assert subscription["Properties"] == {"TopicArn": TOPIC, "Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}


# ---- outputs ----

OUTPUTS = {
    "TableName": {"Ref": "Table"},
    "InvoiceBucketName": {"Ref": "InvoiceBucket"},
    "OrdersQueueUrl": {"Ref": "OrdersQueue"},
    "PaidOrdersQueueUrl": {"Ref": "PaidOrdersQueue"},
    "OrdersDeadLetterQueueUrl": {"Ref": "OrdersDeadLetterQueue"},
    "PaidOrdersDeadLetterQueueUrl": {"Ref": "PaidOrdersDeadLetterQueue"},
    "AlarmTopicArn": TOPIC,
}


@pytest.mark.parametrize(("output", "value"), OUTPUTS.items())
def test_each_resource_an_operator_needs_is_an_output(tpl, output, value):
    assert tpl.body["Outputs"][output]["Value"] == value


def test_the_api_url_output_is_the_stage_invoke_url(tpl):
    url = tpl.body["Outputs"]["ApiUrl"]["Value"]["Fn::Sub"]
    assert url == "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}"


# ---- the local stack ----


def test_the_local_stack_leaves_out_alarms_and_the_subscription_but_keeps_the_topic(tpl):
    """moto's CloudFormation creates neither alarms nor subscriptions (the stack would fail to start); the
    topic and its key provision, so the AlarmTopicArn output exists locally too."""
    data = tpl.data_template()
    kept_types = {r["Type"] for r in data["Resources"].values()}
    assert not kept_types & {"AWS::CloudWatch::Alarm", "AWS::SNS::Subscription"}
    assert {"AlarmTopic", "AlarmTopicKey"} <= set(data["Resources"])
    assert set(OUTPUTS) <= set(data["Outputs"])
    # Conditions are not carried to the local stack, so no kept resource may need one.
    assert not [name for name, r in data["Resources"].items() if "Condition" in r]
