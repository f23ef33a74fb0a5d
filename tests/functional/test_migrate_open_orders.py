"""`shop migrate open-orders` (shoplocal/migrate.py) on the moto server: a table written by the layout that kept
the open-orders count on the client profile gets each client's `#OPEN` item, and the product then works on it."""

import uuid

import boto3
import pytest

from datamodel import clients, keys
from datamodel.clients import ClientFields
from datamodel.errors import ClientHasOpenOrdersError
from domain import config
from shoplocal.migrate import migrate_open_orders

dynamodb = boto3.client("dynamodb")


def legacy_client(open_orders: int, currency: str = "EUR") -> str:
    """A client as the earlier layout stored it: the count on the profile, no #OPEN item."""
    client = clients.create(ClientFields("Legacy Ltd", f"l-{uuid.uuid4().hex[:10]}@example.com", 1000, currency))
    key = {"PK": {"S": keys.client_pk(client.client_id)}}
    dynamodb.delete_item(TableName=config.TABLE_NAME, Key={**key, "SK": {"S": keys.OPEN_ORDERS}})
    dynamodb.update_item(
        TableName=config.TABLE_NAME,
        Key={**key, "SK": {"S": keys.PROFILE}},
        UpdateExpression="SET openOrders = :n",
        ExpressionAttributeValues={":n": {"N": str(open_orders)}},
    )
    return client.client_id


def profile(client_id: str) -> dict:
    key = {"PK": {"S": keys.client_pk(client_id)}, "SK": {"S": keys.PROFILE}}
    return dynamodb.get_item(TableName=config.TABLE_NAME, Key=key, ConsistentRead=True)["Item"]


def test_each_legacy_client_gets_its_open_orders_item_and_loses_the_count_on_its_profile():
    # GIVEN two clients of the earlier layout, one with 2 open orders
    busy, idle = legacy_client(2), legacy_client(0, currency="JPY")

    # WHEN the migration runs
    result = migrate_open_orders(dynamodb, config.TABLE_NAME)

    # THEN each has its count and currency in its #OPEN item, not on its profile
    assert result.moved >= 2
    assert (clients.open_orders(busy), clients.open_orders(idle)) == (2, 0)
    assert "openOrders" not in profile(busy) and "openOrders" not in profile(idle)
    # AND the product works on them: a client with open orders cannot be deleted, one without can
    with pytest.raises(ClientHasOpenOrdersError):
        clients.delete(busy)
    clients.delete(idle)


def test_a_second_run_changes_nothing():
    client_id = legacy_client(3)
    migrate_open_orders(dynamodb, config.TABLE_NAME)

    again = migrate_open_orders(dynamodb, config.TABLE_NAME)

    assert again.moved == 0 and again.already >= 1
    assert clients.open_orders(client_id) == 3


def shop(*argv: str) -> int:
    import os
    from unittest import mock

    from shoplocal import cli

    with mock.patch.dict(os.environ):
        return cli.main(list(argv))


def test_the_command_migrates_nothing_without_yes_and_without_a_terminal_and_everything_with_yes(emulator, capsys):
    # GIVEN a client of the earlier layout
    client_id = legacy_client(1)

    # WHEN the command runs with no terminal (pytest's stdin), first without --yes, then with it
    refused = shop("migrate", "open-orders", "--endpoint", emulator.url)
    refused_err = capsys.readouterr().err
    untouched = profile(client_id)
    done = shop("migrate", "open-orders", "--yes", "--endpoint", emulator.url)

    # THEN the first changed nothing and said why; the second migrated the client
    assert refused == 2 and "nothing changed" in refused_err and "pass --yes" in refused_err
    assert untouched["openOrders"] == {"N": "1"}
    assert done == 0 and "openOrders" not in profile(client_id) and clients.open_orders(client_id) == 1
