"""`shop migrate open-orders`: move each client's open-orders count off its profile into its own `#OPEN` item.

Before this layout, the count (`openOrders`) lived on the client profile, which carries GSI1 keys: every order
placed and invoiced rewrote the profile's entry in GSI1's one `CLIENTS` partition (datamodel/keys.py). The code
that reads `#OPEN` items needs them to exist: placing an order is conditional on the client's `#OPEN` item.

Run it against a deployed table before deploying that code, with order intake paused (the API stage throttled
to 0, and the two SQS event source mappings disabled, so that no count moves while it runs), then deploy and
resume. It is idempotent: a client whose `#OPEN` item exists is left as it is, so a rerun after an interruption
finishes the job. One Scan of the table (a one-off: no access pattern of the product scans) and one small
transaction per client.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

from datamodel import keys

OPEN_ORDERS_ATTRIBUTE = "openOrders"  # datamodel.entities.ClientOpenOrders.open_orders


@dataclass(frozen=True)
class Migrated:
    moved: int  # clients given their #OPEN item
    already: int  # clients that had one


def migrate_open_orders(dynamodb: Any, table: str) -> Migrated:
    """Give every client profile of `table` its `#OPEN` item (count and currency), and remove the count from
    the profile, one transaction per client."""
    moved = already = 0
    paginator = dynamodb.get_paginator("scan")
    pages = paginator.paginate(
        TableName=table,
        FilterExpression="SK = :profile AND kind = :client",
        ExpressionAttributeValues={":profile": {"S": keys.PROFILE}, ":client": {"S": "Client"}},
        ProjectionExpression="PK, currency, #open",
        ExpressionAttributeNames={"#open": OPEN_ORDERS_ATTRIBUTE},
    )
    for page in pages:
        for profile in page.get("Items", []):
            open_item = {
                "PK": profile["PK"],
                "SK": {"S": keys.OPEN_ORDERS},
                "kind": {"S": "ClientOpenOrders"},
                OPEN_ORDERS_ATTRIBUTE: profile.get(OPEN_ORDERS_ATTRIBUTE, {"N": "0"}),
                "currency": profile["currency"],
            }
            try:
                dynamodb.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": table, "Item": open_item, "ConditionExpression": "attribute_not_exists(PK)"}},
                        {
                            "Update": {
                                "TableName": table,
                                "Key": {"PK": profile["PK"], "SK": {"S": keys.PROFILE}},
                                "UpdateExpression": "REMOVE #open",
                                "ConditionExpression": "attribute_exists(PK)",
                                "ExpressionAttributeNames": {"#open": OPEN_ORDERS_ATTRIBUTE},
                            }
                        },
                    ]
                )
            except dynamodb.exceptions.TransactionCanceledException as error:
                reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    already += 1  # migrated by an earlier run
                    continue
                raise
            moved += 1
    return Migrated(moved, already)


def main(args: argparse.Namespace) -> int:
    from shoplocal.ops import StackUnavailable, Unconfirmed, confirm, stack_of

    if args.table:
        import boto3

        dynamodb, table, where = boto3.client("dynamodb"), args.table, f"table {args.table}"
    else:
        try:
            stack = stack_of(args)
        except StackUnavailable as error:
            print(f"shop: {error}", file=sys.stderr)
            return 2
        dynamodb, table, where = stack.client("dynamodb"), stack.resource("Table"), f"the table of {stack.label}"
    try:
        if not confirm(f"Move the open-orders count of every client of {where} to its #OPEN item?", args.yes):
            print("shop: nothing migrated", file=sys.stderr)
            return 1
    except Unconfirmed as error:
        print(
            f"shop: nothing changed: {error} needs confirming, and there is no terminal to ask on "
            "(pass --yes to go ahead)",
            file=sys.stderr,
        )
        return 2
    result = migrate_open_orders(dynamodb, table)
    print(f"open-orders items: {result.moved} client(s) migrated, {result.already} already had one")
    return 0
