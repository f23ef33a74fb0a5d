"""The data layer's one use of a PynamoDB private member: `Model._get_connection`, overridden so that every
entity class does its I/O on one shared `Connection` (one botocore session and DynamoDB client per execution
environment). Everything else in datamodel/ uses PynamoDB's public API only.

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
