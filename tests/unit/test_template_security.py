"""template.yaml's security posture (issue 5, item 4), asserted on the file itself.

`make lint` runs the generic scanners (cfn-lint with the serverless rules, checkov). They do not read the
statements of SAM function `Policies`, and moto does not enforce IAM, so a missing or excess grant would
only show on AWS. This module pins what the project decided instead: the exact grants of each function
(`GRANTS`, to change together with the code's AWS calls), no wildcard action, TLS-only resource policies,
encryption, log retention, API throttling and access logs, and a written reason for each suppression.
"""

from __future__ import annotations

import json
import re
from fnmatch import fnmatch
from typing import Any

import pytest

from datamodel.invoices import pdf_key
from shoplocal.template import TEMPLATE_PATH, Template

TABLE = "${Table.Arn}"
GSI1 = "${Table.Arn}/index/GSI1"
GSI2 = "${Table.Arn}/index/GSI2"
PDFS = "${InvoiceBucket.Arn}/invoices/*"
ORDERS_QUEUE = "${OrdersQueue.Arn}"
PAID_ORDERS_QUEUE = "${PaidOrdersQueue.Arn}"
SELLER_LOGO = "${InvoiceBucket.Arn}/${SellerLogoKey}"  # that one object, never the bucket
CURSOR_SECRET = "${CursorSecret}"  # `!Ref` of a Secrets Manager secret is its ARN

# What each function's code calls, by resource (PynamoDB transactions are authorised per operation inside
# them: PutItem, UpdateItem, DeleteItem, ConditionCheckItem; Powertools idempotency uses Get/Put/Update/
# DeleteItem; SendMessageBatch is authorised as sqs:SendMessage). A new AWS call in a function means a new
# line here and in its template statement.
GRANTS: dict[str, dict[str, set[str]]] = {
    "ClientsFunction": {
        TABLE: {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"},
        GSI1: {"dynamodb:Query"},
        CURSOR_SECRET: {"secretsmanager:GetSecretValue"},
    },
    "OrdersFunction": {
        TABLE: {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"},
        GSI1: {"dynamodb:Query"},
        ORDERS_QUEUE: {"sqs:SendMessage"},
        CURSOR_SECRET: {"secretsmanager:GetSecretValue"},
    },
    "InvoicesFunction": {
        TABLE: {"dynamodb:GetItem", "dynamodb:Query"},
        PDFS: {"s3:GetObject"},
        CURSOR_SECRET: {"secretsmanager:GetSecretValue"},
    },
    "ApprovalFunction": {
        TABLE: {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:UpdateItem"},
        PAID_ORDERS_QUEUE: {"sqs:SendMessage"},
    },
    "PaidOrderFunction": {
        TABLE: {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        PDFS: {"s3:PutObject"},
        SELLER_LOGO: {"s3:GetObject"},  # only when SellerLogoKey is set (condition HasSellerLogo)
    },
    # The pre-token trigger (machine access): one GetItem of a machine client item, a condition narrowing it to
    # those keys (test_the_pre_token_trigger_reads_machine_client_items_only).
    "PreTokenFunction": {
        TABLE: {"dynamodb:GetItem"},
    },
    "RedriveFunction": {
        GSI2: {"dynamodb:Query"},
        ORDERS_QUEUE: {"sqs:SendMessage"},
        PAID_ORDERS_QUEUE: {"sqs:SendMessage"},
    },
}

# What SAM's AWSLambdaSQSQueueExecutionRole grants an SQS consumer on every queue ("*").
SQS_CONSUMER_ACTIONS = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}


@pytest.fixture(scope="module")
def tpl() -> Template:
    return Template()


# ---- helpers ----


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def arn(node: Any) -> str:
    """A resource reference as one string, whatever its form: `!GetAtt X.Arn` and `!Sub "${X.Arn}"` alike."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict) and len(node) == 1:
        [(function, value)] = node.items()
        if function == "Fn::GetAtt":
            name, attribute = value if isinstance(value, list) else value.split(".", 1)
            return f"${{{name}.{attribute}}}"
        if function == "Fn::Sub" and isinstance(value, str):
            return value
        if function == "Ref":
            return f"${{{value}}}"
    raise AssertionError(f"unexpected resource reference {node!r}")


def policy_statements(node: Any) -> list[dict[str, Any]]:
    """Every IAM statement (a dict with Effect and Action or NotAction) anywhere under `node`."""
    found = []
    if isinstance(node, dict):
        if "Effect" in node and ("Action" in node or "NotAction" in node):
            found.append(node)
        for value in node.values():
            found += policy_statements(value)
    elif isinstance(node, list):
        for item in node:
            found += policy_statements(item)
    return found


def of_type(tpl: Template, resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in tpl.resources.items() if r["Type"] == resource_type}


def function_statements(tpl: Template, name: str) -> list[dict[str, Any]]:
    """A function's statements; a conditional one (`!If [Condition, statement, !Ref AWS::NoValue]`) counts as
    granted, as it is when its condition holds."""
    statements = []
    for policy in tpl.resources[name]["Properties"].get("Policies", []):
        for statement in policy["Statement"]:
            if "Fn::If" in statement:
                _, statement, otherwise = statement["Fn::If"]
                assert otherwise == {"Ref": "AWS::NoValue"}, name
            statements.append(statement)
    return statements


def allowed(tpl: Template, name: str) -> dict[str, set[str]]:
    """A function's Allow grants as {resource: actions}."""
    grants: dict[str, set[str]] = {}
    for statement in function_statements(tpl, name):
        if statement["Effect"] != "Allow":
            continue
        for resource in as_list(statement["Resource"]):
            grants.setdefault(arn(resource), set()).update(as_list(statement["Action"]))
    return grants


def resolved(tpl: Template, value: Any) -> Any:
    """A literal, or the default of the parameter it refers to."""
    if isinstance(value, dict) and "Ref" in value:
        return tpl.parameters[value["Ref"]]["Default"]
    return value


def tls_denials(document: dict[str, Any], service: str) -> list[dict[str, Any]]:
    return [
        s
        for s in as_list(document["Statement"])
        if s["Effect"] == "Deny"
        and s.get("Principal") in ("*", {"AWS": "*"})
        and f"{service}:*" in as_list(s["Action"])
        and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") in ("false", False)
    ]


# ---- IAM ----


def test_no_allow_statement_grants_a_wildcard_action(tpl):
    statements = policy_statements(tpl.resources)
    assert statements
    for statement in statements:
        if statement["Effect"] != "Allow":
            continue  # the TLS-only denials deny `s3:*` / `sqs:*` on purpose
        assert "NotAction" not in statement, statement
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"wildcard action {action!r} in {statement}"


def test_functions_declare_explicit_statements_only(tpl):
    """No SAM policy templates (DynamoDBReadPolicy, S3ReadPolicy, SQSSendMessagePolicy grant more than they
    say), no managed policies by name, no own Role: every grant of a function is in the statements here."""
    for name in of_type(tpl, "AWS::Serverless::Function"):
        props = tpl.resources[name]["Properties"]
        assert "Role" not in props, name
        for policy in props.get("Policies", []):
            assert isinstance(policy, dict) and set(policy) == {"Statement"}, f"{name}: {policy!r}"


def test_each_function_is_granted_exactly_what_its_code_calls(tpl):
    assert set(of_type(tpl, "AWS::Serverless::Function")) == set(GRANTS)
    for name, expected in GRANTS.items():
        assert allowed(tpl, name) == expected, name


def test_the_pre_token_trigger_reads_machine_client_items_only(tpl):
    from datamodel import keys

    [statement] = function_statements(tpl, "PreTokenFunction")
    assert statement["Action"] == "dynamodb:GetItem"
    leading = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
    # The pattern is the machine client partition of datamodel/keys.py, nothing wider.
    assert leading == [f"{keys.MACHINE_PREFIX}*"]
    assert fnmatch(keys.machine_client_pk("3abc"), leading[0])
    assert not fnmatch(keys.client_pk("01J0000000000000000000000A"), leading[0])


def test_clients_function_cannot_touch_s3_or_sqs(tpl):
    actions = {a for actions in allowed(tpl, "ClientsFunction").values() for a in actions}
    assert actions and not {a for a in actions if a.startswith(("s3:", "sqs:"))}
    assert not any(
        str(r).startswith(("${InvoiceBucket", "${OrdersQueue", "${PaidOrdersQueue"))
        for r in allowed(tpl, "ClientsFunction")
    )


def test_invoices_function_only_reads_the_table_the_pdfs_and_the_cursor_key(tpl):
    grants = allowed(tpl, "InvoicesFunction")
    assert grants == {
        TABLE: {"dynamodb:GetItem", "dynamodb:Query"},
        PDFS: {"s3:GetObject"},
        CURSOR_SECRET: {"secretsmanager:GetSecretValue"},
    }


# ---- configuration and secrets (issue 15) ----

LIST_FUNCTIONS = {"ClientsFunction", "OrdersFunction", "InvoicesFunction"}
SELLER_VARIABLES = {"SELLER_NAME": "SellerName", "SELLER_ADDRESS": "SellerAddress", "SELLER_TAX_ID": "SellerTaxId"}


def test_the_cursor_key_is_a_generated_secret_not_a_parameter_or_a_variable(tpl):
    secret = tpl.resources["CursorSecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    generated = secret["Properties"]["GenerateSecretString"]
    assert generated["PasswordLength"] >= 32 and "SecretStringTemplate" not in generated
    assert "CursorSecret" not in tpl.parameters
    assert not [p for p, spec in tpl.parameters.items() if spec.get("NoEcho")]  # no secret is asked for
    for name, function in tpl.functions().items():
        assert "CURSOR_SECRET" not in function.environment, name


def test_the_paid_order_worker_reads_the_seller_logo_only_when_one_is_configured(tpl):
    [conditional] = [s for p in tpl.resources["PaidOrderFunction"]["Properties"]["Policies"] for s in p["Statement"]
                     if "Fn::If" in s]
    condition, statement, _ = conditional["Fn::If"]
    assert condition == "HasSellerLogo"
    assert tpl.body["Conditions"]["HasSellerLogo"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "SellerLogoKey"}, ""]}]}
    assert (statement["Action"], arn(statement["Resource"])) == ("s3:GetObject", SELLER_LOGO)
    # AND the worker learns the key from the same parameter; empty (no logo) by default
    assert tpl.functions()["PaidOrderFunction"].environment["SELLER_LOGO_KEY"] == {"Ref": "SellerLogoKey"}
    assert tpl.parameters["SellerLogoKey"]["Default"] == ""


def test_only_the_list_routes_read_the_cursor_key(tpl):
    for name, function in tpl.functions().items():
        reads = CURSOR_SECRET in allowed(tpl, name)
        assert reads == (name in LIST_FUNCTIONS), name
        assert ("CURSOR_SECRET_ARN" in function.environment) == reads, name
        if reads:
            assert function.environment["CURSOR_SECRET_ARN"] == {"Ref": "CursorSecret"}, name
    assert "CURSOR_SECRET_ARN" not in tpl.body["Globals"]["Function"]["Environment"]["Variables"]


def test_only_the_paid_order_worker_gets_the_seller(tpl):
    for name, function in tpl.functions().items():
        seller = {v: function.environment[v] for v in SELLER_VARIABLES if v in function.environment}
        expected = {v: {"Ref": p} for v, p in SELLER_VARIABLES.items()} if name == "PaidOrderFunction" else {}
        assert seller == expected, name
    for parameter in SELLER_VARIABLES.values():
        spec = tpl.parameters[parameter]
        assert "Default" not in spec, f"{parameter}: a deploy must say who issues its invoices"
        assert spec["MinLength"] == 1 and spec["MaxLength"] <= 404, parameter


def test_pdfs_are_written_and_read_under_the_granted_prefix():
    key = pdf_key("01ARZ3NDEKTSV4RRFFQ69G5FAV", "01BX5ZZKBKACTAV9WEVGEMMVRZ")
    assert fnmatch(f"${{InvoiceBucket.Arn}}/{key}", PDFS)


def test_sqs_consumers_are_narrowed_to_their_own_queue(tpl):
    """SAM gives an SQS consumer AWSLambdaSQSQueueExecutionRole (receive/delete on every queue); a Deny with
    NotResource leaves only the queue of its event source."""
    consumers = {
        name: event["Properties"]["Queue"]
        for name, r in of_type(tpl, "AWS::Serverless::Function").items()
        for event in r["Properties"].get("Events", {}).values()
        if event["Type"] == "SQS"
    }
    assert set(consumers) == {"ApprovalFunction", "PaidOrderFunction"}
    for name, queue in consumers.items():
        denials = [
            s
            for s in function_statements(tpl, name)
            if s["Effect"] == "Deny" and SQS_CONSUMER_ACTIONS <= set(as_list(s["Action"]))
        ]
        assert [arn(d["NotResource"]) for d in denials] == [arn(queue)], name


def test_api_gateway_logging_role_is_set_before_the_stage(tpl):
    [account] = of_type(tpl, "AWS::ApiGateway::Account").values()
    role = tpl.resources[arn(account["Properties"]["CloudWatchRoleArn"])[2:].split(".")[0]]
    [trust] = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert role.get("DeletionPolicy") == "Retain"  # the account setting outlives the stack
    assert "ApiGatewayAccount" in as_list(tpl.resources["Api"].get("DependsOn", []))


# ---- storage ----


def test_buckets_are_private_encrypted_versioned_and_tls_only(tpl):
    buckets = of_type(tpl, "AWS::S3::Bucket")
    policies = {arn(p["Properties"]["Bucket"]): p["Properties"]["PolicyDocument"] for p in of_type(tpl, "AWS::S3::BucketPolicy").values()}
    assert set(buckets) == {"InvoiceBucket", "AccessLogBucket"}
    for name, bucket in buckets.items():
        props = bucket["Properties"]
        assert all(props["PublicAccessBlockConfiguration"][k] is True for k in (
            "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"
        )), name
        [rule] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms"), name
        assert props["VersioningConfiguration"]["Status"] == "Enabled", name
        assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}], name
        assert any("NoncurrentVersionExpiration" in r for r in props["LifecycleConfiguration"]["Rules"]), name
        assert bucket.get("DeletionPolicy") == "Retain", name
        denials = tls_denials(policies[f"${{{name}}}"], "s3")
        assert denials, f"{name} accepts plain HTTP"
        covered = {arn(r) for d in denials for r in as_list(d["Resource"])}
        assert {f"${{{name}.Arn}}", f"${{{name}.Arn}}/*"} <= covered, name


def test_invoice_downloads_are_logged(tpl):
    logging = tpl.resources["InvoiceBucket"]["Properties"]["LoggingConfiguration"]
    assert arn(logging["DestinationBucketName"]) == "${AccessLogBucket}"
    [policy] = [p for p in of_type(tpl, "AWS::S3::BucketPolicy").values() if arn(p["Properties"]["Bucket"]) == "${AccessLogBucket}"]
    [delivery] = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Action"] == "s3:PutObject"
    assert arn(delivery["Condition"]["ArnLike"]["aws:SourceArn"]) == "${InvoiceBucket.Arn}"
    assert "aws:SourceAccount" in delivery["Condition"]["StringEquals"]


def test_queues_are_encrypted_and_tls_only(tpl):
    queues = of_type(tpl, "AWS::SQS::Queue")
    assert len(queues) == 4
    for name, queue in queues.items():
        props = queue["Properties"]
        assert props.get("SqsManagedSseEnabled") is True or "KmsMasterKeyId" in props, name
    covered = set()
    for policy in of_type(tpl, "AWS::SQS::QueuePolicy").values():
        props = policy["Properties"]
        denials = tls_denials(props["PolicyDocument"], "sqs")
        assert denials
        denied = {arn(r) for d in denials for r in as_list(d["Resource"])}
        for queue in props["Queues"]:
            name = arn(queue)[2:-1]
            assert f"${{{name}.Arn}}" in denied, name
            covered.add(name)
    assert covered == set(queues)


def test_table_is_encrypted_recoverable_and_protected(tpl):
    props = tpl.resources["Table"]["Properties"]
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["DeletionProtectionEnabled"] is True


# ---- logs ----


def retention(tpl: Template, log_group: dict[str, Any]) -> int:
    days = int(resolved(tpl, log_group["Properties"]["RetentionInDays"]))
    assert days > 0
    return days


def test_every_function_has_a_log_group_with_retention(tpl):
    groups = {
        r["Properties"]["LogGroupName"]["Fn::Sub"]: r
        for r in of_type(tpl, "AWS::Logs::LogGroup").values()
        if isinstance(r["Properties"].get("LogGroupName"), dict)
    }
    for name in of_type(tpl, "AWS::Serverless::Function"):
        group = groups.get(f"/aws/lambda/${{{name}}}")
        assert group is not None, f"{name} has no log group"
        assert retention(tpl, group) <= 365, name


def test_every_log_group_has_retention(tpl):
    for name, group in of_type(tpl, "AWS::Logs::LogGroup").items():
        assert retention(tpl, group), name


# ---- API ----


def test_api_stage_is_throttled(tpl):
    props = tpl.resources["Api"]["Properties"]
    [default] = [m for m in props["MethodSettings"] if m["ResourcePath"] == "/*" and m["HttpMethod"] == "*"]
    rate = float(resolved(tpl, default["ThrottlingRateLimit"]))
    burst = int(resolved(tpl, default["ThrottlingBurstLimit"]))
    assert 0 < rate <= burst
    assert default.get("DataTraceEnabled") is False  # execution logs never carry bodies


def test_api_access_logs_are_json_lines_without_secrets(tpl):
    props = tpl.resources["Api"]["Properties"]
    setting = props["AccessLogSetting"]
    group = tpl.resources[arn(setting["DestinationArn"])[2:].split(".")[0]]
    assert group["Type"] == "AWS::Logs::LogGroup" and retention(tpl, group)
    record = json.loads(setting["Format"])
    assert {"requestId", "ip", "caller", "method", "resourcePath", "status", "latency"} <= set(record)
    assert record["ip"] == "$context.identity.sourceIp"
    assert record["status"] == "$context.status"
    variables = " ".join(record.values()).lower()
    for leak in ("$input", "body", "header", "authorization", "querystring", "requestoverride"):
        assert leak not in variables, leak
    assert props["TracingEnabled"] is True


def test_functions_are_traced(tpl):
    assert tpl.body["Globals"]["Function"]["Tracing"] == "Active"


# ---- suppressions ----


def test_every_checkov_suppression_has_a_reason(tpl):
    skips = [
        (name, skip)
        for name, r in tpl.resources.items()
        for skip in r.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    for name, skip in skips:
        assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), (name, skip)
        assert len(skip.get("comment", "").split()) >= 6, f"{name}: {skip['id']} needs a written reason"


def test_every_cfn_lint_suppression_has_a_reason(tpl):
    ignored = {
        name: r["Metadata"]["cfn-lint"]["config"]["ignore_checks"]
        for name, r in tpl.resources.items()
        if "cfn-lint" in r.get("Metadata", {})
    }
    assert ignored
    lines = TEMPLATE_PATH.read_text().splitlines()
    for number, line in enumerate(lines):
        if line.strip().startswith("ignore_checks:"):
            comment = lines[number - 1].strip()
            assert comment.startswith("#") and len(comment.split()) >= 6, f"line {number + 1}: give the reason above it"
