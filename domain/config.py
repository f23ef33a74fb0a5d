"""Runtime configuration, read once at import from the variables template.yaml's `Globals` declare.

Import this before any PynamoDB model: a model's `Meta.table_name` is fixed when its module loads.
On AWS, `AWS_ENDPOINT_URL` is unset and boto3 reaches the real services; locally it points at the
embedded moto server and the same code runs unchanged.
"""

import os

TABLE_NAME: str = os.environ.get("TABLE_NAME", "shop")
BUCKET_NAME: str = os.environ.get("BUCKET_NAME", "")
ORDERS_QUEUE_URL: str = os.environ.get("ORDERS_QUEUE_URL", "")
PAID_ORDERS_QUEUE_URL: str = os.environ.get("PAID_ORDERS_QUEUE_URL", "")
CURSOR_SECRET: bytes = os.environ.get("CURSOR_SECRET", "").encode()
AWS_REGION: str = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
