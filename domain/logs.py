"""What the functions' logs may carry: ids, statuses, counts, exception types. Never a payload.

The functions' own log lines (Powertools loggers in handlers/ and workers/) name ids only, the request's
`correlation_id` included (set by handlers/api.py `resolve`, carried through the queues by domain/messages.py). The libraries
under them log whole payloads at DEBUG: botocore its requests and responses ("Making request ... with
params", response bodies, the canonical request), PynamoDB every call's arguments ("Calling PutItem with
arguments"). Those hold client names, emails and tax documents (an email is even part of a key,
`EMAIL#...`), idempotency records with stored responses, and message bodies. Lambda's log level control
sets the root logger's level, DEBUG included, so every function caps these loggers at INFO when it loads:
a DEBUG application log level shows the functions' debug lines, never these.

tests/functional/test_no_personal_data_in_logs.py runs a full flow at DEBUG and checks the output.
"""

from __future__ import annotations

import logging

# Powertools' package logger debug-logs route arguments (validated bodies); it is silent unless
# POWERTOOLS_DEBUG is set, and capped here too so that setting it cannot print client data.
PAYLOAD_LOGGERS = ("botocore", "boto3", "s3transfer", "urllib3", "pynamodb", "aws_lambda_powertools")


def keep_payloads_out_of_logs() -> None:
    """Pin each payload logger at INFO, or higher where its level already is (never louder than before)."""
    for name in PAYLOAD_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(max(logging.INFO, logger.getEffectiveLevel()))
