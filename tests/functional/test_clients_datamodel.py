"""Client access patterns against the moto server, on the table provisioned from template.yaml."""

import threading
import uuid

import pytest

from datamodel import clients, keys
from datamodel.clients import ClientFields
from datamodel.entities import ClientOpenOrders, ClientRecord, EmailGuard
from datamodel.errors import (
    ClientHasOpenOrdersError,
    ClientNotFoundError,
    EmailTakenError,
    InvalidCursorError,
    StaleVersionError,
)


def unique_email(prefix: str = "client") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def fields(**overrides) -> ClientFields:
    values = {"name": "Acme", "email": unique_email(), "credit_limit": 100_000, "currency": "USD"}
    return ClientFields(**(values | overrides))


def test_created_client_is_read_back_with_version_1():
    created = clients.create(fields(document="12-345"))
    read = clients.get(created.client_id)
    assert read.name == "Acme" and read.document == "12-345"
    assert read.version == 1 and clients.open_orders(created.client_id) == 0
    assert read.created_at == read.updated_at and read.created_at.endswith("Z")


def test_email_is_unique_case_insensitively():
    email = unique_email()
    clients.create(fields(email=email))
    with pytest.raises(EmailTakenError):
        clients.create(fields(email=email.upper()))


def test_failed_create_leaves_nothing_behind():
    email = unique_email()
    clients.create(fields(email=email))
    before = ClientRecord.count(keys.CLIENTS, index_name="GSI1")
    with pytest.raises(EmailTakenError):
        clients.create(fields(email=email))
    assert ClientRecord.count(keys.CLIENTS, index_name="GSI1") == before


def test_unknown_client_is_not_found():
    with pytest.raises(ClientNotFoundError):
        clients.get("01ARZ3NDEKTSV4RRFFQ69G5FAV")


def test_replace_moves_the_email_guard_and_frees_the_old_address():
    old, new = unique_email("old"), unique_email("new")
    client = clients.create(fields(email=old))
    replaced = clients.replace(client.client_id, fields(email=new, name="Renamed"))
    assert replaced.version == 2 and replaced.name == "Renamed"
    assert EmailGuard.get(keys.email_pk(new), keys.EMAIL_SK).client_id == client.client_id
    assert clients.create(fields(email=old)).email == old


def test_replace_removes_an_omitted_document_and_resets_defaults():
    client = clients.create(fields(document="DOC", credit_limit=5, currency="EUR"))
    replaced = clients.replace(client.client_id, fields(email=client.email))
    read = clients.get(client.client_id)
    assert read.document is None and replaced.document is None
    assert read.credit_limit == 100_000 and read.currency == "USD"


def test_replace_to_a_taken_email_is_refused_and_changes_nothing():
    taken = clients.create(fields()).email
    client = clients.create(fields())
    with pytest.raises(EmailTakenError):
        clients.replace(client.client_id, fields(email=taken, name="Changed"))
    read = clients.get(client.client_id)
    assert read.name == "Acme" and read.version == 1
    assert EmailGuard.get(keys.email_pk(client.email), keys.EMAIL_SK).client_id == client.client_id


def test_replace_with_a_stale_version_is_refused():
    client = clients.create(fields())
    clients.replace(client.client_id, fields(email=client.email), frozenset({1}))
    with pytest.raises(StaleVersionError):
        clients.replace(client.client_id, fields(email=client.email, name="Late"), frozenset({1}))
    assert clients.get(client.client_id).name == "Acme"


def test_replace_of_unknown_client_is_not_found():
    with pytest.raises(ClientNotFoundError):
        clients.replace("01ARZ3NDEKTSV4RRFFQ69G5FAV", fields(), frozenset({1}))


def test_concurrent_replaces_never_lose_a_write():
    # GIVEN one client and 8 writers without If-Match
    client = clients.create(fields())
    errors = []

    def write(n: int) -> None:
        try:
            clients.replace(client.client_id, fields(email=client.email, credit_limit=n))
        except StaleVersionError as error:  # retries exhausted: refused, not lost
            errors.append(error)

    # WHEN they all write at once
    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # THEN every accepted write bumped the version exactly once
    assert clients.get(client.client_id).version == 1 + 8 - len(errors)


def test_delete_removes_profile_and_frees_the_email():
    client = clients.create(fields())
    clients.delete(client.client_id)
    with pytest.raises(ClientNotFoundError):
        clients.get(client.client_id)
    assert clients.create(fields(email=client.email)).email == client.email


def test_delete_is_refused_while_orders_are_open():
    client = clients.create(fields())
    counter = ClientOpenOrders.get(keys.client_pk(client.client_id), keys.OPEN_ORDERS)
    counter.update(actions=[ClientOpenOrders.open_orders.add(1)])
    with pytest.raises(ClientHasOpenOrdersError):
        clients.delete(client.client_id)
    assert clients.get(client.client_id).client_id == client.client_id
    assert clients.open_orders(client.client_id) == 1


def test_delete_of_unknown_client_is_not_found():
    with pytest.raises(ClientNotFoundError):
        clients.delete("01ARZ3NDEKTSV4RRFFQ69G5FAV")


def test_pages_cover_every_client_once_in_creation_order():
    # GIVEN five new clients (other tests' clients share the table)
    created = [clients.create(fields()).client_id for _ in range(5)]
    # WHEN paging through all clients two at a time
    seen, cursor = [], None
    while True:
        page = clients.page(2, cursor)
        assert len(page.items) <= 2
        seen += [record.client_id for record in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    # THEN each client appears exactly once, oldest first
    assert len(seen) == len(set(seen))
    assert [cid for cid in seen if cid in created] == created


def test_cursor_from_another_listing_is_refused_by_the_client_listing():
    from datamodel import cursor as cursors

    foreign = cursors.encode("orders:01ARZ3NDEKTSV4RRFFQ69G5FAV", {"PK": {"S": "x"}, "SK": {"S": "y"}})
    with pytest.raises(InvalidCursorError):
        clients.page(2, foreign)
