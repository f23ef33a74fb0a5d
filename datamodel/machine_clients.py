"""Machine clients: which client id the access tokens of a Cognito app client act for.

The back office makes one app client (client credentials grant) per customer system and records here the one
client id it acts for (`shop machine-client create`); the pre-token-generation trigger (handlers/pretoken.py)
reads it by key and writes it into every access token the app client gets. One item per app client, keys in
datamodel/keys.py (`MACHINE#<appClientId>` / `#MACHINE`): one GetItem per token issued.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError

from datamodel import keys
from datamodel.base import TableItem


class MachineClientRecord(TableItem, discriminator="MachineClient"):
    app_client_id = UnicodeAttribute(attr_name="appClientId")
    client_id = UnicodeAttribute(attr_name="clientId")
    created_at = UnicodeAttribute(attr_name="createdAt")


class MachineClientExists(ValueError):
    """The app client already acts for a client: a mapping is never moved to another client."""


def put(app_client_id: str, client_id: str, created_at: str) -> MachineClientRecord:
    """Record that `app_client_id` acts for `client_id`; `MachineClientExists` if it already acts for one."""
    record = MachineClientRecord(
        pk=keys.machine_client_pk(app_client_id),
        sk=keys.MACHINE_SK,
        app_client_id=app_client_id,
        client_id=client_id,
        created_at=created_at,
    )
    try:
        record.save(condition=MachineClientRecord.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise MachineClientExists(f"app client {app_client_id} already acts for a client") from None
        raise
    return record


def client_of(app_client_id: str) -> str | None:
    """The client id `app_client_id` acts for, or None when it acts for none (strongly consistent: a token
    issued right after `put` must see it)."""
    try:
        record = MachineClientRecord.get(
            keys.machine_client_pk(app_client_id), keys.MACHINE_SK, consistent_read=True
        )
    except DoesNotExist:
        return None
    return record.client_id


def delete(app_client_id: str) -> None:
    MachineClientRecord(pk=keys.machine_client_pk(app_client_id), sk=keys.MACHINE_SK).delete()
