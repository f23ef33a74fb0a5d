"""Operations on a running local stack: `shop orders redrive`, `shop dlq list` and `shop dlq redrive`.

They find the stack through the ready file `shop run` writes (default `.shop/stack.json` at the repo root:
the moto endpoint and the physical id of every resource), or through `--endpoint`, asking the moto server's
CloudFormation for the resources of the local stack. They only ever talk to that local endpoint.

- `orders redrive` runs the scheduled RedriveFunction's logic (`workers.redrive.redrive_stuck_orders`) once.
- `dlq list` shows what sits in a DLQ without consuming it (SQS has no peek: each message is received, then
  made visible again): message id, receive count (SQS counts the worker's receives and earlier listings'),
  when it was first sent, and its body only as the order it refers to (a body that is not an order reference
  is described, never printed, unless `--preview` asks for a short escaped start of it).
- `dlq redrive` moves messages back to their source queue: receive, send to the source, delete from the DLQ.
  moto does not implement SQS's StartMessageMoveTask (on AWS, prefer it: `aws sqs start-message-move-task`).
  A crash between the send and the delete leaves the message in both queues; the workers tolerate duplicates.

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
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

STACK_FILE = Path(__file__).resolve().parent.parent / ".shop" / "stack.json"
STACK_NAME = "shop"  # the CloudFormation stack `shop run` provisions on its moto server
REGION = "us-east-1"

# CLI name -> logical id of the source queue in template.yaml; its DLQ comes from the template's RedrivePolicy.
QUEUES = {"orders": "OrdersQueue", "paid-orders": "PaidOrdersQueue"}

RECEIVE_MAX = 10  # ReceiveMessage's and SendMessageBatch's maximum
HOLD_S = 30  # how long listed or moving messages stay invisible to others
PREVIEW_CHARS = 24

# Exit codes: 0 done, 1 done with failures, 2 the stack cannot be reached (or bad usage).
OK, PARTIAL, UNREACHABLE = 0, 1, 2


class StackUnavailable(RuntimeError):
    """The local stack is not running, or the stack file does not describe a running one."""


# ---- finding the stack ----


@dataclass(frozen=True)
class LocalStack:
    endpoint: str
    resources: dict[str, str]  # logical id -> physical id (table name, queue URL, bucket name)

    def resource(self, logical_id: str) -> str:
        try:
            return self.resources[logical_id]
        except KeyError:
            raise StackUnavailable(f"the local stack has no {logical_id}: is it from an older template.yaml?") from None

    def environment(self) -> dict[str, str]:
        """The variables that point boto3, PynamoDB and domain.config at this stack (the functions' own)."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            # moto accepts any credentials; fixed ones keep a real profile from ever being used here.
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "TABLE_NAME": self.resource("Table"),
            "ORDERS_QUEUE_URL": self.resource("OrdersQueue"),
            "PAID_ORDERS_QUEUE_URL": self.resource("PaidOrdersQueue"),
        }

    def client(self, service: str) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            aws_session_token="testing",
            config=Config(connect_timeout=2, read_timeout=30, retries={"max_attempts": 2}),
        )


def load_stack(stack_file: Path | None = None, endpoint: str | None = None) -> LocalStack:
    """The running local stack, from `--endpoint` or the ready file; `StackUnavailable` when there is none."""
    if endpoint:
        stack = _discover(endpoint.rstrip("/"))
    else:
        stack = _read_stack_file(stack_file or STACK_FILE)
    _check_reachable(stack)
    return stack


def _read_stack_file(path: Path) -> LocalStack:
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
    return LocalStack(info["moto"], {str(k): str(v) for k, v in info["resources"].items()})


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def _discover(endpoint: str) -> LocalStack:
    from botocore.exceptions import BotoCoreError, ClientError

    probe = LocalStack(endpoint, {})
    try:
        resources = probe.client("cloudformation").describe_stack_resources(StackName=STACK_NAME)["StackResources"]
    except ClientError as error:
        raise StackUnavailable(f"no local stack {STACK_NAME!r} on {endpoint}: {_reason(error)}") from None
    except BotoCoreError:
        raise StackUnavailable(f"the local stack is not running: nothing answers at {endpoint}") from None
    return LocalStack(endpoint, {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources})


def _check_reachable(stack: LocalStack) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        stack.client("sqs").get_queue_attributes(QueueUrl=stack.resource("OrdersQueue"), AttributeNames=["QueueArn"])
    except ClientError as error:
        raise StackUnavailable(f"the stack at {stack.endpoint} is not the one described: {_reason(error)}") from None
    except BotoCoreError:
        raise StackUnavailable(
            f"the local stack is not running: nothing answers at {stack.endpoint} (start it with `shop run`)"
        ) from None


def _reason(error: Any) -> str:
    return error.response.get("Error", {}).get("Code", "error")


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


def _command(run: Callable[[argparse.Namespace, LocalStack], int]) -> Callable[[argparse.Namespace], int]:
    """A command against the running stack: one clear line and exit 2 when there is none."""

    def command(args: argparse.Namespace) -> int:
        for name in ("botocore", "pynamodb"):  # their INFO lines say nothing an operator needs here
            logging.getLogger(name).setLevel(logging.WARNING)
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            stack = load_stack(args.stack_file, args.endpoint)
            return run(args, stack)
        except StackUnavailable as error:
            print(f"shop: {error}", file=sys.stderr)
            return UNREACHABLE
        except BotoCoreError as error:  # the stack went away while the command ran
            print(f"shop: the local stack stopped answering: {error}", file=sys.stderr)
            return UNREACHABLE
        except ClientError as error:
            print(f"shop: the local stack refused a call: {_reason(error)}", file=sys.stderr)
            return PARTIAL

    return command


def _queue_names(args: argparse.Namespace) -> list[str]:
    return [args.queue] if args.queue else list(QUEUES)


def _orders_redrive(args: argparse.Namespace, stack: LocalStack) -> int:
    # PynamoDB fixes the table name at import: export the stack's variables before the data layer loads.
    os.environ.update(stack.environment())
    from workers.redrive import Queues, redrive_stuck_orders

    older_than = args.older_than if args.older_than is not None else default_age()
    result = redrive_stuck_orders(
        older_than,
        sqs=stack.client("sqs"),
        queues=Queues(stack.resource("OrdersQueue"), stack.resource("PaidOrdersQueue")),
        dry_run=args.dry_run,
    )
    verb = "would re-send" if args.dry_run else "re-sent"
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


def _dlq_list(args: argparse.Namespace, stack: LocalStack) -> int:
    sqs = stack.client("sqs")
    for name in _queue_names(args):
        dlq_url = stack.resource(dead_letter_queue(QUEUES[name]))
        waiting = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"])
        count = int(waiting["Attributes"]["ApproximateNumberOfMessages"])
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


def _dlq_redrive(args: argparse.Namespace, stack: LocalStack) -> int:
    sqs = stack.client("sqs")
    status = OK
    for name in _queue_names(args):
        source_url = stack.resource(QUEUES[name])
        dlq_url = stack.resource(dead_letter_queue(QUEUES[name]))
        result = move_dead_letters(sqs, dlq_url, source_url, args.limit)
        print(
            f"shop: moved {len(result.moved)} messages from the {name} DLQ back to the {name} queue"
            + (f"; {len(result.failed)} could not be sent and stay in the DLQ" if result.failed else "")
        )
        if result.failed:
            status = PARTIAL
    return status


orders_redrive = _command(_orders_redrive)
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
    """Where the running local stack is: its ready file, or its moto endpoint."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--stack-file",
        type=Path,
        default=STACK_FILE,
        metavar="PATH",
        help="the ready file `shop run` writes (default .shop/stack.json in the repository)",
    )
    where.add_argument(
        "--endpoint",
        metavar="URL",
        help="the local stack's moto server instead (e.g. http://127.0.0.1:5000), which names the resources",
    )
