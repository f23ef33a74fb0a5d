"""The single table: one PynamoDB base model holding the keys, a discriminator, and the two GSIs."""

from __future__ import annotations

from typing import Any
from weakref import WeakSet

from pynamodb.attributes import DiscriminatorAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.constants import NONE, RETURN_CONSUMED_CAPACITY
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.pagination import ResultIterator

from datamodel.pynamodb_adapter import SharedConnectionModel, close_client, renew_session
from domain import config, snapstart

# Operations that take ReturnConsumedCapacity: PynamoDB leaves the table-management ones alone too.
_DATA_OPERATIONS = frozenset(
    {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
     "TransactGetItems", "TransactWriteItems"}
)


class _Connection(Connection):
    """PynamoDB's connection without the `ReturnConsumedCapacity: TOTAL` it adds to every data call: nothing
    here reads the consumed capacity, which DynamoDB (and the local emulator) would compute for each call."""

    def dispatch(self, operation_name: str, operation_kwargs: dict) -> dict:
        if operation_name in _DATA_OPERATIONS:
            operation_kwargs.setdefault(RETURN_CONSUMED_CAPACITY, NONE)  # an explicit request still wins
        return super().dispatch(operation_name, operation_kwargs)


# One connection per execution environment (one botocore session and DynamoDB client), shared by every
# entity (datamodel.pynamodb_adapter) and every transaction.
connection = _Connection(region=config.AWS_REGION)


class Gsi1(GlobalSecondaryIndex):
    """Listings: all clients by creation; a client's orders by status."""

    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(range_key=True, attr_name="GSI1SK")


class Gsi2(GlobalSecondaryIndex):
    """Sparse: orders that are not yet terminal, for stuck-order sweeps (projection as in template.yaml)."""

    class Meta:
        index_name = "GSI2"
        projection = IncludeProjection(["kind", "clientId", "orderId", "status", "updatedAt"])

    gsi2pk = UnicodeAttribute(hash_key=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(range_key=True, attr_name="GSI2SK")


class TableItem(SharedConnectionModel):
    """Base of every entity in the table. The discriminator is an attribute, never a key. Every entity sends
    its requests on `connection` (datamodel.pynamodb_adapter)."""

    shared_connection = connection

    class Meta:
        table_name = config.TABLE_NAME
        region = config.AWS_REGION

    pk = UnicodeAttribute(hash_key=True, attr_name="PK")
    sk = UnicodeAttribute(range_key=True, attr_name="SK")
    kind = DiscriminatorAttribute(attr_name="kind")

    gsi1pk = UnicodeAttribute(null=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(null=True, attr_name="GSI1SK")
    gsi2pk = UnicodeAttribute(null=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(null=True, attr_name="GSI2SK")

    gsi1 = Gsi1()
    gsi2 = Gsi2()

    @classmethod
    def key_query(
        cls,
        hash_key: str,
        range_key_condition: Condition | None = None,
        *,
        index_name: str | None = None,
        scan_index_forward: bool | None = None,
        limit: int | None = None,
        last_evaluated_key: dict[str, dict[str, Any]] | None = None,
    ) -> ResultIterator[Any]:
        """`Model.query` for a listing whose key condition holds one entity only (keys.py's layout), less the
        `kind IN (...)` FilterExpression PynamoDB adds to every query of a subclass: DynamoDB would evaluate
        it on every item read (on the local stack: 0.3 ms of a one-invoice listing's 0.7 ms of overhead)."""
        query_kwargs = dict(
            range_key_condition=range_key_condition,
            index_name=index_name,
            exclusive_start_key=last_evaluated_key,
            scan_index_forward=scan_index_forward,
            limit=limit,
        )
        return ResultIterator(
            cls.table_connection().query, (hash_key,), query_kwargs, map_fn=cls.from_raw_data, limit=limit
        )


def connect() -> None:
    """Build the DynamoDB client now. For an entry module's init phase (AWS's advice: SDK clients outside the
    handler): its ~60 ms of service-model loading then runs without the garbage collector's passes and is
    frozen with the rest of the init (domain/coldstart.py), instead of running in the first request."""
    connection.client  # noqa: B018 - the property builds the client on first access


def aws_client(service_name: str, **kwargs: Any) -> Any:
    """A client of another AWS service on the data layer's botocore session: no second session (credentials,
    endpoints, loaders) and no `import boto3` (hundreds of ms of cold start, mostly s3transfer). A module that
    keeps one for the environment's life rebuilds it `@snapstart.on_restore`."""
    client = connection.session.create_client(service_name, region_name=config.AWS_REGION, **kwargs)
    _clients.add(client)
    return client


# The clients `aws_client` made on the current session: closed before a SnapStart snapshot, forgotten after.
_clients: WeakSet[Any] = WeakSet()


@snapstart.on_snapshot
def disconnect() -> None:
    """Before a SnapStart snapshot: no open socket in the image (the init makes no request, so this is a
    guard). The clients stay usable: botocore opens new connections on their next request."""
    close_client(connection)
    for client in _clients:
        client.close()


@snapstart.on_restore
def reconnect() -> None:
    """After a SnapStart restore, before the modules rebuild their clients (`aws_client`, on the new session):
    a new botocore session, so credentials are resolved again, and a new DynamoDB client, built now when the
    init's `connect` had built one (the restore, not the first request, pays for it); a function whose init did
    not (RedriveFunction) builds it on its first request, as before."""
    _clients.clear()
    if renew_session(connection):
        connect()


PRIMARY_KEY = frozenset({"PK", "SK"})
GSI1_KEY = frozenset({"PK", "SK", "GSI1PK", "GSI1SK"})
