"""The data layer's uses of PynamoDB private members: `Model._get_connection`, overridden so that every
entity class does its I/O on one shared `Connection` (one botocore session and DynamoDB client per execution
environment), and `renew_session`, which makes that connection build a new session and client after a SnapStart
restore. Everything else in datamodel/ uses PynamoDB's public API only.

Why a private hook: PynamoDB (6.1) gives each model class a `TableConnection` of its own, and a
`TableConnection` always builds a `Connection` of its own, with its own botocore session and client (the
DynamoDB service model loaded again: tens of ms of cold start and a few MB per entity class). No `Meta` option
takes an existing connection (`Meta` has region, host, timeouts and credentials; `session_cls` was removed in
5.0), no public method either (PynamoDB issues #876 and #1245 ask for one), and every model operation (`get`,
`save`, `update`, `delete`, `batch_get`, `query`, `count`, and the `get_*_kwargs_from_*` that `TransactWrite`
serialises with) reaches DynamoDB through `cls._get_connection()`. Overriding that one classmethod is the only
way short of re-implementing those operations.

tests/unit/test_pynamodb_adapter.py fails on a PynamoDB upgrade that breaks this: it checks that
`Model._get_connection` is still a classmethod without arguments returning a `TableConnection` whose
`connection` can be replaced, that every entity class ends up on the one client, and that each model operation
the data layer uses still sends its request through the shared connection.
"""

from __future__ import annotations

from threading import local
from typing import ClassVar

from pynamodb.connection import Connection, TableConnection
from pynamodb.exceptions import TableError
from pynamodb.models import Model


class SharedConnectionModel(Model):
    """A model whose subclasses all send their requests on `shared_connection` (set by the table's base model,
    before any request)."""

    shared_connection: ClassVar[Connection]

    @classmethod
    def table_connection(cls) -> TableConnection:
        """This model's table on the shared connection, its key schema registered there: for public
        `TableConnection` calls (a key-condition-only query) the model's own methods would not make as such."""
        return cls._get_connection()

    @classmethod
    def _get_connection(cls) -> TableConnection:
        table_connection = super()._get_connection()  # PynamoDB's, cached per class: builds no client yet
        shared = cls.shared_connection
        if table_connection.connection is not shared:
            try:
                shared.get_meta_table(table_connection.table_name)
            except TableError:  # the first entity: every one of them has the same table, keys and indexes
                shared.add_meta_table(table_connection.get_meta_table())
            table_connection.connection = shared
        return table_connection


def close_client(connection: Connection) -> None:
    """Close the pooled HTTP connections of `connection`'s DynamoDB client (botocore's public `close`), if it
    was built: PynamoDB keeps it in `_client` and has no public way to ask whether it exists."""
    if connection._client is not None:
        connection._client.close()


def renew_session(connection: Connection) -> bool:
    """Make `connection` build a new botocore session and DynamoDB client on its next use: after a SnapStart
    restore, credentials resolved again and connections of this environment's own (domain/snapstart.py).
    Answers whether it had a client (built at init, so worth building again at once).

    Why private members: `Connection.session` and `Connection.client` are built lazily, once, into
    `_local.session` and `_client` (`Connection.__init__` sets both), and no public method forgets them; a new
    `Connection` instead would leave every holder of this one (entities, transactions, the idempotency store) on
    the old client. The new session keeps the old one's loader (botocore's public session components), whose
    service models are parsed already: the restore resolves credentials again, it does not read the JSON
    again."""
    loader = connection.session.get_component("data_loader")
    had_client = connection._client is not None
    close_client(connection)
    connection._local = local()
    connection._client = None
    connection.session.register_component("data_loader", loader)
    return had_client
