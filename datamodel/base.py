"""The single table: one PynamoDB base model holding the keys, a discriminator, and the two GSIs."""

from __future__ import annotations

from pynamodb.attributes import DiscriminatorAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from domain import config


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


class TableItem(Model):
    """Base of every entity in the table. The discriminator is an attribute, never a key."""

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


# One connection per execution environment, shared by every transaction.
connection = Connection(region=config.AWS_REGION)

PRIMARY_KEY = frozenset({"PK", "SK"})
GSI1_KEY = frozenset({"PK", "SK", "GSI1PK", "GSI1SK"})
