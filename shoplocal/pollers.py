"""SQS event source mappings for the local stack: poll each queue template.yaml wires to a function,
invoke the function with a real SQS batch event, and delete only the records that succeeded.

As on AWS, a record the function reports in `batchItemFailures` (or every record of a batch whose
invocation failed) stays on the queue, reappears after its visibility timeout, and reaches the DLQ
after the queue's `maxReceiveCount` receives.

Each mapping keeps up to its function's concurrency limit of batches in flight (the runner's `limits`:
`ScalingConfig.MaximumConcurrency`, `ReservedConcurrentExecutions`, else the local default), one polling
loop per concurrent batch, as Lambda's pollers scale out with a backlog.
"""

from __future__ import annotations

import base64
import logging
import threading
from dataclasses import dataclass
from typing import Any

import boto3

from shoplocal.lambdas import FunctionError, FunctionRunner
from shoplocal.provision import Stack
from shoplocal.template import Template

logger = logging.getLogger(__name__)

# ReceiveMessage returns at most 10 messages; a larger BatchSize takes several receives.
_RECEIVE_MAX = 10
_WAIT_SECONDS = 1


@dataclass(frozen=True)
class Mapping:
    function: str
    queue_url: str
    queue_arn: str
    batch_size: int
    report_item_failures: bool


def mappings(template: Template, stack: Stack) -> list[Mapping]:
    """The SQS event sources of template.yaml's functions, resolved against the local stack."""
    sqs = boto3.client("sqs")
    found = []
    for function in template.functions().values():
        for event in function.events.values():
            if event.get("Type") != "SQS":
                continue
            props = event["Properties"]
            queue = props["Queue"]["Fn::GetAtt"]
            logical_id = queue[0] if isinstance(queue, list) else queue.split(".")[0]
            url = stack.physical_ids[logical_id]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            found.append(
                Mapping(
                    function=function.logical_id,
                    queue_url=url,
                    queue_arn=arn,
                    batch_size=int(props.get("BatchSize", 10)),
                    report_item_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
                )
            )
    return found


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The Lambda event for received `messages`, as an SQS event source mapping builds it."""
    region = queue_arn.split(":")[3]
    return {"Records": [_record(message, queue_arn, region) for message in messages]}


def _record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """The API's `{StringValue, BinaryValue, DataType}` in Lambda's camelCase form (binary as base64)."""
    attribute: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return attribute


# One receive at a time per queue, across a mapping's concurrent loops: moto's ReceiveMessage is not
# thread-safe (two at once may hand out the same message, or both move it to the DLQ and one fails).
_receiving: dict[str, threading.Lock] = {}
_receiving_guard = threading.Lock()


def _receive_lock(queue_url: str) -> threading.Lock:
    with _receiving_guard:
        return _receiving.setdefault(queue_url, threading.Lock())


class Poller(threading.Thread):
    """One event source mapping: receive a batch, invoke, delete what succeeded; until stopped. Up to
    `concurrency` batches at once (default: the function's limit in the runner, else 1)."""

    def __init__(
        self, runner: FunctionRunner, mapping: Mapping, stop: threading.Event, concurrency: int | None = None
    ) -> None:
        super().__init__(name=f"poller-{mapping.function}", daemon=True)
        self.runner = runner
        self.mapping = mapping
        self.stop = stop
        self.sqs = boto3.client("sqs")
        limits = getattr(runner, "limits", {})
        self.concurrency = concurrency or limits.get(mapping.function, 1)

    def run(self) -> None:
        loops = [
            threading.Thread(target=self._loop, name=f"{self.name}-{n}", daemon=True)
            for n in range(1, self.concurrency)
        ]
        for loop in loops:
            loop.start()
        self._loop()
        for loop in loops:
            loop.join(5)

    def _loop(self) -> None:
        while not self.stop.is_set():
            try:
                self.poll_once()
            except Exception:  # the emulator going away at shutdown, mostly: keep polling until stopped
                if not self.stop.is_set():
                    logger.exception("poller for %s failed; retrying", self.mapping.function)
                    self.stop.wait(1)

    def poll_once(self) -> int:
        """One batch; returns how many records it deleted."""
        messages = self._receive()
        if not messages:
            return 0
        try:
            result = self.runner.invoke(self.mapping.function, sqs_event(messages, self.mapping.queue_arn))
        except FunctionError:
            return 0  # the whole batch failed: every record comes back after its visibility timeout
        failed = set()
        if self.mapping.report_item_failures and isinstance(result, dict):
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures") or []}
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), _RECEIVE_MAX):
            chunk = done[start : start + _RECEIVE_MAX]
            self.sqs.delete_message_batch(
                QueueUrl=self.mapping.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        return len(done)

    def _receive(self) -> list[dict[str, Any]]:
        with _receive_lock(self.mapping.queue_url):
            return self._receive_batch()

    def _receive_batch(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        wait = _WAIT_SECONDS
        while len(messages) < self.mapping.batch_size:
            received = self.sqs.receive_message(
                QueueUrl=self.mapping.queue_url,
                MaxNumberOfMessages=min(_RECEIVE_MAX, self.mapping.batch_size - len(messages)),
                WaitTimeSeconds=wait,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not received:
                break
            messages += received
            wait = 0  # fill the batch with what is already there, then go
        return messages


def start_pollers(runner: FunctionRunner, template: Template, stack: Stack) -> tuple[list[Poller], threading.Event]:
    stop = threading.Event()
    pollers = [Poller(runner, mapping, stop) for mapping in mappings(template, stack)]
    for poller in pollers:
        poller.start()
    return pollers, stop
