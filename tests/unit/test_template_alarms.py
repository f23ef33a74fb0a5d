"""template.yaml's alarms that see a stall (issue 15, item 2): queue age, API p99 latency, Lambda throttles and
durations near their Timeout, DynamoDB throttles, failed worker records and busy answers; the pipeline's
dashboard; and a runbook section for every alarm. Asserted on the file itself."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from shoplocal.template import Template

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = (
    "ClientsFunction", "OrdersFunction", "InvoicesFunction", "ApprovalFunction", "PaidOrderFunction", "RedriveFunction",
    "PreTokenFunction",
)


@pytest.fixture(scope="module")
def tpl() -> Template:
    return Template()


def alarm(tpl: Template, name: str) -> dict[str, Any]:
    resource = tpl.resources[name]
    assert resource["Type"] == "AWS::CloudWatch::Alarm", name
    return resource["Properties"]


def math_inputs(props: dict[str, Any]) -> list[dict[str, Any]]:
    return [m["MetricStat"]["Metric"] for m in props["Metrics"] if "MetricStat" in m]


@pytest.mark.parametrize("queue", ["OrdersQueue", "PaidOrdersQueue"])
def test_each_work_queue_alarms_when_its_oldest_message_waits_five_minutes(tpl, queue):
    props = alarm(tpl, f"{queue}AgeAlarm")
    assert (props["Namespace"], props["MetricName"]) == ("AWS/SQS", "ApproximateAgeOfOldestMessage")
    assert props["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
    assert props["Statistic"] == "Maximum" and props["Threshold"] == 300
    assert props["Period"] * props["EvaluationPeriods"] == 300  # five minutes of it, not one sample


def test_the_api_alarms_on_its_p99_latency(tpl):
    props = alarm(tpl, "ApiLatencyAlarm")
    assert (props["Namespace"], props["MetricName"], props["ExtendedStatistic"]) == ("AWS/ApiGateway", "Latency", "p99")
    assert {"Name": "Stage", "Value": {"Ref": "Stage"}} in props["Dimensions"]
    assert props["Threshold"] == 3000


def test_throttles_of_every_function_are_summed_into_one_alarm(tpl):
    props = alarm(tpl, "FunctionThrottlesAlarm")
    inputs = math_inputs(props)
    assert {m["MetricName"] for m in inputs} == {"Throttles"}
    assert [m["Dimensions"][0]["Value"] for m in inputs] == [{"Ref": f} for f in FUNCTIONS]
    assert props["Threshold"] == 0


def test_the_duration_alarm_divides_each_functions_longest_invocation_by_its_own_timeout(tpl):
    # GIVEN each function's Timeout (its own, or the Globals')
    default = tpl.body["Globals"]["Function"]["Timeout"]
    timeouts = [tpl.resources[f]["Properties"].get("Timeout", default) for f in FUNCTIONS]
    # WHEN reading the alarm's expression
    props = alarm(tpl, "FunctionDurationNearTimeoutAlarm")
    [expression] = [m["Expression"] for m in props["Metrics"] if "Expression" in m]
    divisors = [int(d) for d in re.findall(r"d\d+ / (\d+)", expression)]
    # THEN it divides by each Timeout in ms, the inputs are the functions' Maximum Duration, and 80% fires it
    assert divisors == [t * 1000 for t in timeouts]
    inputs = [m for m in props["Metrics"] if "MetricStat" in m]
    assert all(m["MetricStat"]["Stat"] == "Maximum" for m in inputs)
    assert [m["MetricStat"]["Metric"]["Dimensions"][0]["Value"] for m in inputs] == [{"Ref": f} for f in FUNCTIONS]
    assert props["Threshold"] == 0.8


def test_dynamodb_throttles_of_the_table_and_both_indexes_raise_one_alarm(tpl):
    inputs = math_inputs(alarm(tpl, "TableThrottlesAlarm"))
    indexes = {next((d["Value"] for d in m["Dimensions"] if d["Name"] == "GlobalSecondaryIndexName"), None) for m in inputs}
    assert indexes == {None, "GSI1", "GSI2"}
    assert {m["MetricName"] for m in inputs} == {"ReadThrottleEvents", "WriteThrottleEvents"}


def test_failed_worker_records_raise_an_alarm_with_the_dimensions_the_workers_emit(tpl):
    inputs = math_inputs(alarm(tpl, "WorkerFailuresAlarm"))
    workers = sorted(next(d["Value"] for d in m["Dimensions"] if d["Name"] == "worker") for m in inputs)
    emitted = sorted(set(re.findall(r'count_worker_failures\("([a-z-]+)"', "".join(p.read_text() for p in (ROOT / "workers").glob("*.py")))))
    assert workers == emitted
    assert all({"Name": "service", "Value": "shop"} in m["Dimensions"] for m in inputs)


def test_busy_answers_are_counted_from_the_log_line_the_api_writes(tpl):
    # The line handlers/api.py logs when it answers 429 service-busy.
    assert 'logger.warning("busy: answered 429"' in (ROOT / "handlers" / "api.py").read_text()
    filters = [r["Properties"] for r in tpl.resources.values() if r["Type"] == "AWS::Logs::MetricFilter"]
    assert {f["LogGroupName"]["Ref"] for f in filters} == {f"{n}LogGroup" for n in ("ClientsFunction", "OrdersFunction", "InvoicesFunction")}
    assert all(f["FilterPattern"] == '{ $.message = "busy: answered 429" }' for f in filters)
    assert alarm(tpl, "BusyAnswersAlarm")["MetricName"] == "BusyAnswers"


def test_the_dashboard_shows_the_pipelines_flow(tpl):
    body = tpl.resources["PipelineDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(body)["widgets"]
    metrics = {tuple(m[:2]) for w in widgets for m in w["properties"]["metrics"]}
    for expected in [
        ("Shop", "OrdersAccepted"), ("Shop", "OrdersApproved"), ("Shop", "OrdersRejected"), ("Shop", "OrdersInvoiced"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"), ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
        ("AWS/Lambda", "Errors"), ("AWS/ApiGateway", "Latency"), ("AWS/Lambda", "Throttles"),
    ]:
        assert expected in metrics, expected


def test_every_alarm_has_a_runbook_section(tpl):
    runbooks = (ROOT / "docs" / "runbooks.md").read_text()
    for name, resource in tpl.resources.items():
        if resource["Type"] == "AWS::CloudWatch::Alarm":
            alarm_name = resource["Properties"]["AlarmName"]["Fn::Sub"].replace("${AWS::StackName}", "<stack>")
            assert f"`{alarm_name}`" in runbooks, f"{name}: no runbook section names {alarm_name}"
