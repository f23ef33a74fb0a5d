"""SQS Lambda events built from messages really sent to and received from a queue, as the Lambda event
source mapping (and the local poller, whose builder this re-exports) builds them.

    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                   AttributeNames=["All"], MessageAttributeNames=["All"])["Messages"]
    event = sqs_event(messages, queue_arn(sqs, url))
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from shoplocal.pollers import sqs_event  # noqa: F401  (re-exported: the poller's builder is the one tests use)


def queue_arn(sqs: Any, queue_url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def receive(
    sqs: Any,
    queue_url: str,
    select: Callable[[dict[str, Any]], bool],
    count: int,
    *,
    timeout_s: float = 10.0,
    visibility_s: int = 60,
) -> list[dict[str, Any]]:
    """Receive from a shared queue until `count` messages that `select` accepts are in hand.

    Other messages (left by other tests) are made visible again before returning, untouched.
    """
    found: dict[str, dict[str, Any]] = {}
    others: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(found) < count and time.monotonic() < deadline:
            batch = sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=visibility_s,
                WaitTimeSeconds=1,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            for message in batch:
                if select(message):
                    found[message["MessageId"]] = message
                else:
                    others.append(message)
    finally:
        for message in others:  # kept hidden while searching, so the loop cannot see them twice
            sqs.change_message_visibility(
                QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
    if len(found) < count:
        raise AssertionError(f"received {len(found)} of {count} expected messages from {queue_url}")
    return list(found.values())


def receive_sent(sqs: Any, queue_url: str, message_ids: list[str], **options: Any) -> list[dict[str, Any]]:
    """The messages with these ids (as SendMessage answered them), in the order of `message_ids`."""
    wanted = set(message_ids)
    received = receive(sqs, queue_url, lambda message: message["MessageId"] in wanted, len(wanted), **options)
    by_id = {message["MessageId"]: message for message in received}
    return [by_id[message_id] for message_id in message_ids]


def delete(sqs: Any, queue_url: str, messages: list[dict[str, Any]]) -> None:
    """Delete processed messages, as the event source mapping does for the records that succeeded."""
    for message in messages:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
