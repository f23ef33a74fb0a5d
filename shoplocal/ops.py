"""Operations on a running stack, local or deployed: `shop orders redrive|get`, `shop dlq list|redrive`.

They find the stack in one of three ways:
- `--stack NAME` (or env `SHOP_STACK`): a CloudFormation stack's Outputs (`TableName`, `OrdersQueueUrl`,
  `PaidOrdersQueueUrl`, the two DLQ URLs, `InvoiceBucketName`) name its resources. Alone, that is a deployed
  stack, read and changed with the shell's AWS credentials and region (no endpoint override); with
  `--endpoint URL`, the same stack name on a moto server (`shop run` provisions its stack there as `shop`).
- `--endpoint URL`: the local stack `shop` on that moto server, through the same Outputs.
- the ready file `shop run` writes (default `.shop/stack.json` at the repo root: the moto endpoint and the
  physical id of every resource), when none of the above is given.

- `orders redrive` runs the scheduled RedriveFunction's logic (`workers.redrive.redrive_stuck_orders`) once.
- `orders get` shows one order's state: status, timestamps, invoice id, rejection reason (ids only).
- `dlq list` shows what sits in a DLQ without consuming it (SQS has no peek: each message is received, then
  made visible again): message id, receive count (SQS counts the worker's receives and earlier listings'),
  when it was first sent, and its body only as the order it refers to (a body that is not an order reference
  is described, never printed, unless `--preview` asks for a short escaped start of it).
- `dlq redrive` moves messages back to their source queue: receive, send to the source, delete from the DLQ.
  moto does not implement SQS's StartMessageMoveTask (on AWS it is an alternative: `aws sqs
  start-message-move-task`). A crash between the send and the delete leaves the message in both queues; the
  workers tolerate duplicates.

The commands that change data (`dlq redrive`, `orders redrive` without `--dry-run`) ask on the terminal
first, unless `--yes`; without a terminal and without `--yes` they change nothing and exit 2.

This module imports only the standard library at load (`shop run` builds its parsers from it); the data layer
is imported once the stack's variables are exported, because PynamoDB reads the table name at import.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

STACK_FILE = Path(__file__).resolve().parent.parent / ".shop" / "stack.json"
STACK_NAME = "shop"  # the CloudFormation stack `shop run` provisions on its moto server
STACK_VARIABLE = "SHOP_STACK"  # the default of --stack
REGION = "us-east-1"

# CLI name -> logical id of the source queue in template.yaml; its DLQ comes from the template's RedrivePolicy.
QUEUES = {"orders": "OrdersQueue", "paid-orders": "PaidOrdersQueue"}

# The stack outputs the commands read -> the logical id each names (in template.yaml, each is `!Ref` of it).
OUTPUTS = {
    "TableName": "Table",
    "InvoiceBucketName": "InvoiceBucket",
    "OrdersQueueUrl": "OrdersQueue",
    "PaidOrdersQueueUrl": "PaidOrdersQueue",
    "OrdersDeadLetterQueueUrl": "OrdersDeadLetterQueue",
    "PaidOrdersDeadLetterQueueUrl": "PaidOrdersDeadLetterQueue",
}
# Outputs some commands read when the stack has them (`shop machine-client create`): kept as they are.
OPTIONAL_OUTPUTS = ("UserPoolId", "ApiUrl", "MachineApiUrl", "TokenUrl")

RECEIVE_MAX = 10  # ReceiveMessage's and SendMessageBatch's maximum
HOLD_S = 30  # how long listed or moving messages stay invisible to others
PREVIEW_CHARS = 24

# Exit codes: 0 done, 1 done with failures (or declined, or no such order), 2 the stack cannot be reached,
# bad usage, or a change that needs confirming with no terminal to confirm on.
OK, PARTIAL, UNREACHABLE = 0, 1, 2
DECLINED = NOT_FOUND = PARTIAL
UNCONFIRMED = UNREACHABLE


class StackUnavailable(RuntimeError):
    """The stack is not running or not there, or what names it (stack file, outputs) does not describe one."""


class Unconfirmed(RuntimeError):
    """A change needs confirming, and there is no terminal to ask on and no `--yes`."""


# ---- finding the stack ----


@dataclass(frozen=True)
class OpsStack:
    """The stack the commands act on: a local one (`endpoint` is its moto server) or a deployed one
    (`endpoint` None: the shell's AWS credentials and region)."""

    endpoint: str | None
    resources: dict[str, str]  # logical id -> physical id (table name, queue URL, bucket name)
    name: str | None = None  # the CloudFormation stack's, when found through its outputs
    region: str = REGION
    outputs: dict[str, str] = field(default_factory=dict)  # its OPTIONAL_OUTPUTS, when found through them

    @property
    def local(self) -> bool:
        return self.endpoint is not None

    @property
    def label(self) -> str:
        if not self.local:
            return f"stack {self.name} ({self.region})"
        return "the local stack" if self.name in (None, STACK_NAME) else f"stack {self.name} on {self.endpoint}"

    def resource(self, logical_id: str) -> str:
        try:
            return self.resources[logical_id]
        except KeyError:
            raise StackUnavailable(f"{self.label} has no {logical_id}: is it from an older template.yaml?") from None

    def environment(self) -> dict[str, str]:
        """The variables that point boto3, PynamoDB and domain.config at this stack (the functions' own)."""
        names = {
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "TABLE_NAME": self.resource("Table"),
            "ORDERS_QUEUE_URL": self.resource("OrdersQueue"),
            "PAID_ORDERS_QUEUE_URL": self.resource("PaidOrdersQueue"),
        }
        if self.local:
            names["AWS_ENDPOINT_URL"] = self.endpoint
            # moto accepts any credentials; fixed ones keep a real profile from ever being used here.
            names.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_SESSION_TOKEN="testing")
        return names

    def client(self, service: str) -> Any:
        import boto3
        from botocore.config import Config

        config = Config(connect_timeout=2 if self.local else 10, read_timeout=30, retries={"max_attempts": 2})
        if not self.local:
            return boto3.session.Session(region_name=self.region).client(service, config=config)
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            aws_session_token="testing",
            config=config,
        )


def resources_from_outputs(stack_name: str, outputs: list[dict[str, Any]]) -> dict[str, str]:
    """A stack's Outputs (as `describe_stacks` gives them) as logical id -> physical id of what the commands
    use; `StackUnavailable` naming every output that is missing."""
    values = {output["OutputKey"]: output["OutputValue"] for output in outputs}
    missing = [key for key in OUTPUTS if not values.get(key)]
    if missing:
        raise StackUnavailable(
            f"stack {stack_name} has no output {', '.join(missing)}: is it deployed from this template.yaml?"
        )
    return {logical_id: values[key] for key, logical_id in OUTPUTS.items()}


def stack_from_outputs(stack_name: str, endpoint: str | None = None) -> OpsStack:
    """The stack `stack_name` through CloudFormation's `describe_stacks`: on the moto server at `endpoint`,
    or, without one, the deployed stack of the shell's AWS account and region."""
    from botocore.exceptions import BotoCoreError, ClientError

    if endpoint:
        probe = OpsStack(endpoint.rstrip("/"), {}, stack_name)
    else:
        import boto3

        region = boto3.session.Session().region_name
        if not region:
            raise StackUnavailable(
                f"no AWS region for stack {stack_name}: set AWS_REGION (or AWS_PROFILE to a profile with one)"
            )
        probe = OpsStack(None, {}, stack_name, region)
    where = f"on {probe.endpoint}" if probe.local else f"in {probe.region}"
    try:
        stacks = probe.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        message = error.response.get("Error", {}).get("Message") or _reason(error)
        raise StackUnavailable(f"no stack {stack_name} {where}: {message}") from None
    except BotoCoreError as error:
        if probe.local:
            raise StackUnavailable(f"the local stack is not running: nothing answers at {probe.endpoint}") from None
        raise StackUnavailable(f"cannot reach CloudFormation {where}: {error}") from None
    if not stacks:
        raise StackUnavailable(f"no stack {stack_name} {where}")
    resources = resources_from_outputs(stack_name, stacks[0].get("Outputs", []))
    values = {output["OutputKey"]: output["OutputValue"] for output in stacks[0].get("Outputs", [])}
    outputs = {key: values[key] for key in OPTIONAL_OUTPUTS if values.get(key)}
    return OpsStack(probe.endpoint, resources, stack_name, probe.region, outputs)


def load_stack(stack_file: Path | None = None, endpoint: str | None = None, name: str | None = None) -> OpsStack:
    """The stack named by `name` (its outputs, on `endpoint` if given), else the local stack on `endpoint`,
    else the one of the ready file; `StackUnavailable` when there is none."""
    if name or endpoint:
        stack = stack_from_outputs(name or STACK_NAME, endpoint)
    else:
        stack = _read_stack_file(stack_file or STACK_FILE)
    _check_reachable(stack)
    return stack


def stack_of(args: argparse.Namespace) -> OpsStack:
    """The stack a command's options (add_stack_options) name; `SHOP_STACK` when they name none."""
    name, stack_file, endpoint = getattr(args, "stack", None), args.stack_file, args.endpoint
    if stack_file is not None and name:
        raise StackUnavailable("--stack-file is a local stack's ready file: give it or --stack, not both")
    if not (name or stack_file or endpoint):
        name = os.environ.get(STACK_VARIABLE) or None
    return load_stack(stack_file, endpoint, name)


def _read_stack_file(path: Path) -> OpsStack:
    try:
        info = json.loads(path.read_text())
    except FileNotFoundError:
        raise StackUnavailable(f"no local stack: {path} not found (start one with `shop run`)") from None
    except (OSError, ValueError) as error:
        raise StackUnavailable(f"unreadable stack file {path}: {error}") from None
    if (
        not isinstance(info, dict)
        or not isinstance(info.get("moto"), str)
        or not isinstance(info.get("resources"), dict)
    ):
        raise StackUnavailable(f"{path} is not a `shop run` ready file")
    pid = info.get("pid")
    if isinstance(pid, int) and not _process_alive(pid):
        raise StackUnavailable(
            f"the local stack that wrote {path} (pid {pid}) is not running (start it with `shop run`)"
        )
    return OpsStack(info["moto"], {str(k): str(v) for k, v in info["resources"].items()})


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def _check_reachable(stack: OpsStack) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        stack.client("sqs").get_queue_attributes(QueueUrl=stack.resource("OrdersQueue"), AttributeNames=["QueueArn"])
    except ClientError as error:
        raise StackUnavailable(f"{stack.label} is not the one described: {_reason(error)}") from None
    except BotoCoreError as error:
        if stack.local:
            raise StackUnavailable(
                f"the local stack is not running: nothing answers at {stack.endpoint} (start it with `shop run`)"
            ) from None
        raise StackUnavailable(f"cannot reach {stack.label}: {error}") from None


def _reason(error: Any) -> str:
    return error.response.get("Error", {}).get("Code", "error")


# ---- confirming a change ----


def confirm(question: str, yes: bool, stdin: IO[str] | None = None, prompt_to: IO[str] | None = None) -> bool:
    """True when a change may go ahead: `yes` (the operator's `--yes`), or "y" answered on the terminal.
    Without `yes` and without a terminal, raises `Unconfirmed` rather than wait for an answer."""
    if yes:
        return True
    stdin = sys.stdin if stdin is None else stdin
    if stdin is None or not stdin.isatty():
        raise Unconfirmed(question)
    prompt_to = sys.stderr if prompt_to is None else prompt_to
    print(f"{question} [y/N] ", end="", file=prompt_to, flush=True)
    return stdin.readline().strip().lower() in {"y", "yes"}


def default_age(template: Any = None) -> float:
    """The scheduled sweep's threshold: template.yaml's `STUCK_ORDER_AGE_SECONDS` (Globals)."""
    from workers.redrive import AGE_VARIABLE, DEFAULT_AGE_SECONDS

    if template is None:
        from shoplocal.template import Template

        template = Template()
    variables = template.body.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    return float(variables.get(AGE_VARIABLE, DEFAULT_AGE_SECONDS))


def dead_letter_queue(source_logical_id: str, template: Any = None) -> str:
    """The logical id of a queue's DLQ, as template.yaml's RedrivePolicy names it."""
    if template is None:
        from shoplocal.template import Template

        template = Template()
    target = template.resources[source_logical_id]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]
    attribute = target["Fn::GetAtt"]
    return attribute[0] if isinstance(attribute, list) else attribute.split(".")[0]


# ---- message bodies, safely ----


def describe_body(body: str, preview: bool = False) -> str:
    """A message body as the order it refers to; anything else only by its size and what is wrong with it."""
    from domain import messages

    try:
        ref = messages.parse(body)
    except messages.MalformedMessageError as error:
        text = f"not an order reference ({error}; {len(body.encode())} bytes)"
        return f"{text} starts {safe_preview(body)}" if preview else text
    return f"client {ref.client_id} order {ref.order_id}"


def safe_preview(body: str, chars: int = PREVIEW_CHARS) -> str:
    """The first `chars` characters, quoted, with everything but printable ASCII escaped, so that a body can
    neither run on nor send control sequences to the terminal."""
    escaped = "".join(_escape(c) for c in body[:chars])
    return f'"{escaped}"' + ("..." if len(body) > chars else "")


def _escape(c: str) -> str:
    if c == '"':
        return '\\"'
    if " " <= c <= "~" and c != "\\":
        return c
    return c.encode("unicode_escape").decode("ascii")


# ---- DLQ: list and move ----


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    # Receives before this listing: SQS counts every receive, the worker's and earlier listings' alike.
    receives: int
    sent_at: str  # RFC 3339, when it was first sent to its source queue
    body: str


def list_dead_letters(sqs: Any, queue_url: str, limit: int) -> list[DeadLetter]:
    """Up to `limit` messages of a DLQ, left in it: each is received once, then made visible again."""
    held: list[dict[str, Any]] = []
    try:
        while len(held) < limit:
            batch = sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=min(RECEIVE_MAX, limit - len(held)),
                VisibilityTimeout=HOLD_S,
                WaitTimeSeconds=0,
                AttributeNames=["All"],
            ).get("Messages", [])
            if not batch:
                break
            held.extend(batch)
    finally:
        _release(sqs, queue_url, held)
    return [_dead_letter(message) for message in held]


def _dead_letter(message: dict[str, Any]) -> DeadLetter:
    from domain.clock import rfc3339

    attributes = message.get("Attributes", {})
    sent_at = datetime.fromtimestamp(int(attributes.get("SentTimestamp", "0")) / 1000, timezone.utc)
    return DeadLetter(
        message_id=message["MessageId"],
        receives=max(0, int(attributes.get("ApproximateReceiveCount", "1")) - 1),
        sent_at=rfc3339(sent_at),
        body=message["Body"],
    )


def _release(sqs: Any, queue_url: str, messages: list[dict[str, Any]]) -> None:
    for start in range(0, len(messages), RECEIVE_MAX):
        chunk = messages[start : start + RECEIVE_MAX]
        sqs.change_message_visibility_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0} for i, m in enumerate(chunk)
            ],
        )


@dataclass(frozen=True)
class MoveResult:
    moved: list[str]  # message ids, as they were in the DLQ
    failed: list[str]


def move_dead_letters(sqs: Any, dlq_url: str, source_url: str, limit: int | None = None) -> MoveResult:
    """Move up to `limit` messages (default: as many as the DLQ holds when the move starts) from a DLQ back to
    its source queue, body and message attributes unchanged. Bounded by that count, so a message that fails
    again and returns to the DLQ while this runs is not moved a second time by the same run."""
    present = int(
        sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
            "ApproximateNumberOfMessages"
        ]
    )
    budget = present if limit is None else min(limit, present)
    moved: list[str] = []
    failed: list[str] = []
    while len(moved) + len(failed) < budget:
        batch = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=min(RECEIVE_MAX, budget - len(moved) - len(failed)),
            VisibilityTimeout=HOLD_S,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not batch:
            break
        entries = []
        for i, message in enumerate(batch):
            entry = {"Id": str(i), "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                entry["MessageAttributes"] = message["MessageAttributes"]
            entries.append(entry)
        response = sqs.send_message_batch(QueueUrl=source_url, Entries=entries)
        not_sent = {entry["Id"] for entry in response.get("Failed", [])}
        sent = [m for i, m in enumerate(batch) if str(i) not in not_sent]
        if sent:  # only what reached the source queue leaves the DLQ
            sqs.delete_message_batch(
                QueueUrl=dlq_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(sent)],
            )
        unsent = [m for i, m in enumerate(batch) if str(i) in not_sent]
        _release(sqs, dlq_url, unsent)
        moved.extend(m["MessageId"] for m in sent)
        failed.extend(m["MessageId"] for m in unsent)
    return MoveResult(moved, failed)


# ---- the commands ----


def _command(run: Callable[[argparse.Namespace, OpsStack], int]) -> Callable[[argparse.Namespace], int]:
    """A command against the stack its options name: one clear line and exit 2 when there is none."""

    def command(args: argparse.Namespace) -> int:
        for name in ("botocore", "pynamodb"):  # their INFO lines say nothing an operator needs here
            logging.getLogger(name).setLevel(logging.WARNING)
        from botocore.exceptions import BotoCoreError, ClientError

        stack = None
        try:
            stack = stack_of(args)
            return run(args, stack)
        except StackUnavailable as error:
            print(f"shop: {error}", file=sys.stderr)
            return UNREACHABLE
        except Unconfirmed as error:
            print(
                f"shop: nothing changed: {error} needs confirming, and there is no terminal to ask on "
                "(pass --yes to go ahead)",
                file=sys.stderr,
            )
            return UNCONFIRMED
        except BotoCoreError as error:  # the stack went away while the command ran
            print(f"shop: {stack.label if stack else 'the stack'} stopped answering: {error}", file=sys.stderr)
            return UNREACHABLE
        except ClientError as error:
            print(f"shop: {stack.label if stack else 'the stack'} refused a call: {_reason(error)}", file=sys.stderr)
            return PARTIAL

    return command


def _queue_names(args: argparse.Namespace) -> list[str]:
    return [args.queue] if args.queue else list(QUEUES)


def _orders_redrive(args: argparse.Namespace, stack: OpsStack) -> int:
    # PynamoDB fixes the table name at import: export the stack's variables before the data layer loads.
    os.environ.update(stack.environment())
    from domain.clock import utc_now
    from workers.redrive import Queues, redrive_stuck_orders

    older_than = args.older_than if args.older_than is not None else default_age()
    now = utc_now()  # one threshold for the count that is confirmed and the run that follows

    def sweep(dry_run: bool) -> Any:
        return redrive_stuck_orders(
            older_than,
            sqs=stack.client("sqs"),
            queues=Queues(stack.resource("OrdersQueue"), stack.resource("PaidOrdersQueue")),
            now=now,
            dry_run=dry_run,
        )

    if not args.dry_run and not args.yes:
        plan = sweep(dry_run=True)
        if plan.redriven:
            targets = ", ".join(f"{n} to {target}" for target, n in plan.counts()["sent"].items())
            question = (
                f"Send {len(plan.redriven)} messages again ({targets}) for orders of {stack.label} "
                f"not updated since {plan.threshold}?"
            )
            if not confirm(question, args.yes):
                print("shop: nothing re-sent", file=sys.stderr)
                return DECLINED
        else:
            return _report_redrive(plan, "re-sent")
    result = sweep(dry_run=args.dry_run)
    return _report_redrive(result, "would re-send" if args.dry_run else "re-sent")


def _report_redrive(result: Any, verb: str) -> int:
    for redriven in result.redriven:
        order = redriven.order
        print(
            f"{order.status:<9} {verb} to {redriven.target:<12} client {order.client_id} order {order.order_id}"
            f"  last updated {order.updated_at}"
        )
    for redriven in result.failed:
        order = redriven.order
        print(f"{order.status:<9} NOT re-sent to {redriven.target:<8} client {order.client_id} order {order.order_id}")
    for order in result.skipped:
        print(f"{order.status:<9} skipped (not re-drivable)     client {order.client_id} order {order.order_id}")
    counts = result.counts()
    sent = ", ".join(f"{n} to {target}" for target, n in counts["sent"].items())
    print(
        f"shop: {counts['found']} stuck orders not updated since {result.threshold}: {verb} {sent}"
        + (f"; {counts['failed']} failed" if result.failed else "")
    )
    return PARTIAL if result.failed else OK


# What `orders get` reads of an order item: its state and ids, nothing of the client.
ORDER_FIELDS = {
    "order": "orderId",
    "client": "clientId",
    "status": "status",
    "created": "createdAt",
    "approved": "approvedAt",
    "updated": "updatedAt",
    "invoice": "invoiceId",
    "rejection": "rejectionReason",
}


def read_order(dynamodb: Any, table: str, client_id: str, order_id: str) -> dict[str, str] | None:
    """One order's state (ORDER_FIELDS, absent ones as "-"), read strongly consistent; None if there is none."""
    from datamodel import keys

    names = {f"#a{i}": attribute for i, attribute in enumerate(["kind", *ORDER_FIELDS.values()])}
    item = dynamodb.get_item(
        TableName=table,
        Key={"PK": {"S": keys.client_pk(client_id)}, "SK": {"S": keys.order_sk(order_id)}},
        ProjectionExpression=", ".join(names),
        ExpressionAttributeNames=names,
        ConsistentRead=True,
    ).get("Item")
    if not item or item.get("kind", {}).get("S") != "Order":
        return None
    return {label: item.get(attribute, {}).get("S", "-") for label, attribute in ORDER_FIELDS.items()}


def _orders_get(args: argparse.Namespace, stack: OpsStack) -> int:
    order = read_order(stack.client("dynamodb"), stack.resource("Table"), args.client_id, args.order_id)
    if order is None:
        print(
            f"shop: no order {safe_preview(args.order_id, 64)} of client {safe_preview(args.client_id, 64)} "
            f"in {stack.label}",
            file=sys.stderr,
        )
        return NOT_FOUND
    for label, value in order.items():
        print(f"{label:<10} {''.join(_escape(c) for c in value)}")
    return OK


def _dlq_list(args: argparse.Namespace, stack: OpsStack) -> int:
    sqs = stack.client("sqs")
    for name in _queue_names(args):
        dlq_url = stack.resource(dead_letter_queue(QUEUES[name]))
        count = _waiting(sqs, dlq_url)
        letters = list_dead_letters(sqs, dlq_url, args.limit)
        print(f"{name} DLQ: about {count} messages" + (f", showing {len(letters)}" if count > len(letters) else ""))
        if letters:
            print(f"  {'MESSAGE ID':<36}  {'RECEIVES':>8}  {'SENT':<24}  BODY")
        for letter in letters:
            print(
                f"  {letter.message_id:<36}  {letter.receives:>8}  {letter.sent_at:<24}  "
                f"{describe_body(letter.body, preview=args.preview)}"
            )
    return OK


def _waiting(sqs: Any, queue_url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def _dlq_redrive(args: argparse.Namespace, stack: OpsStack) -> int:
    sqs = stack.client("sqs")
    plan = []  # (name, source url, dlq url, messages to move)
    for name in _queue_names(args):
        dlq_url = stack.resource(dead_letter_queue(QUEUES[name]))
        waiting = _waiting(sqs, dlq_url)
        plan.append((name, stack.resource(QUEUES[name]), dlq_url, waiting if args.limit is None else min(args.limit, waiting)))
    moves = [f"{count} messages from the {name} DLQ back to the {name} queue" for name, _, _, count in plan if count]
    if moves and not confirm(f"Move {' and '.join(moves)} of {stack.label}?", args.yes):
        print("shop: nothing moved", file=sys.stderr)
        return DECLINED
    status = OK
    for name, source_url, dlq_url, _ in plan:
        result = move_dead_letters(sqs, dlq_url, source_url, args.limit)
        print(
            f"shop: moved {len(result.moved)} messages from the {name} DLQ back to the {name} queue"
            + (f"; {len(result.failed)} could not be sent and stay in the DLQ" if result.failed else "")
        )
        if result.failed:
            status = PARTIAL
    return status


orders_redrive = _command(_orders_redrive)
orders_get = _command(_orders_get)
dlq_list = _command(_dlq_list)
dlq_redrive = _command(_dlq_redrive)


# ---- argument types (for the parsers in shoplocal/cli.py) ----


def seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not number >= 0:
        raise argparse.ArgumentTypeError("must be 0 or more seconds")
    return number


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def add_stack_options(parser: argparse.ArgumentParser) -> None:
    """Which stack: a deployed one by name (its outputs), or the running local stack (its ready file, or its
    moto endpoint)."""
    parser.add_argument(
        "--stack",
        metavar="NAME",
        help=f"a deployed CloudFormation stack, found through its outputs with the shell's AWS credentials and "
        f"region (default: env {STACK_VARIABLE}); with --endpoint, that stack on a moto server instead",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--stack-file",
        type=Path,
        default=None,
        metavar="PATH",
        help="the ready file `shop run` writes (default .shop/stack.json in the repository)",
    )
    where.add_argument(
        "--endpoint",
        metavar="URL",
        help=f"a moto server (e.g. http://127.0.0.1:5000) holding the stack (--stack, default {STACK_NAME!r}, "
        "the one `shop run` provisions): its outputs name the resources",
    )


def add_confirm_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--yes",
        "-y",
        action="store_true",
        help="go ahead without asking (needed when not on a terminal)",
    )
