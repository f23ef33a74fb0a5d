"""Every key string of the single table, and nothing else: the only module that knows them.

| entity          | PK                   | SK                 | GSI1PK / GSI1SK                            | GSI2PK / GSI2SK (sparse)      |
|-----------------|----------------------|--------------------|--------------------------------------------|-------------------------------|
| Client          | CLIENT#<clientId>    | #PROFILE           | CLIENTS / <createdAt>#<clientId>           |                               |
| Open orders     | CLIENT#<clientId>    | #OPEN              |                                            |                               |
| Email guard     | EMAIL#<lower email>  | #EMAIL             |                                            |                               |
| Order           | CLIENT#<clientId>    | ORDER#<orderId>    | CLIENT#<clientId> / STATUS#<status>#<id>   | OPEN#<shard> / <updatedAt>#id |
| Invoice index   | CLIENT#<clientId>    | INVOICE#<invoiceId>|                                            |                               |
| Invoice counter | COUNTER#INVOICE      | <year>             |                                            |                               |
| Order request   | CLIENT#<clientId>    | REQUEST#<key>      |                                            |                               |
| Client request  | REQUEST#<key>        | #CLIENT            |                                            |                               |
| Idempotency     | IDEMPOTENCY#<shard>  | <opId>#<scope hash>|                                            |                               |
| Machine client  | MACHINE#<appClientId>| #MACHINE           |                                            |                               |

`<key>` in request items is the caller's `Idempotency-Key` scoped to the caller, `<caller sub>#<key>`
(handlers/idempotency.py `caller_key`).

One Query on CLIENT#<id> returns the profile, orders and invoices together; each access pattern is a key
condition (`begins_with` on a sort key), never a filter that discards items. The workers read an order and
its client's profile, both keys named by their message, in one BatchGetItem (orders.py `with_client`). The
AWS calls each operation needs at the minimum (the table's "calls" column) are in
datamodel/access_patterns.py, which `shop bench` compares with the calls it counts.

A machine client maps a Cognito app client (client credentials grant, `shop machine-client create`) to the one
client id its access tokens act for; the pre-token-generation trigger (handlers/pretoken.py) reads it by key.

Idempotency records are written by Powertools' DynamoDBPersistenceLayer (handlers/idempotency.py) with
`key_attr="PK", sort_key_attr="SK", static_pk_value=idempotency_pk(<caller's key>)` and
`key_prefix=<operationId>`: the PK is one of `IDEMPOTENCY_SHARDS` partitions, `IDEMPOTENCY#<0..15>`, picked by
a stable hash of the caller's key (so a retry finds its record), and the SK is
`createClient#<hash>` or `createOrder#<hash>`, the hash (sha256) of the request's scope (route, clientId path
parameter, the caller's key). Their other attributes are Powertools' own (`status`, `data`, `validation`,
`expiration`, `in_progress_expiration`); they carry no `kind`, no GSI keys (so they are in no index) and expire through the
table's TTL on `expiration` (24 h). No other entity's PK starts with `IDEMPOTENCY`. Sharded because each keyed
POST writes its record twice: one partition (about 1,000 writes/s) would cap keyed POSTs near 500/s; 16 give
~8,000/s. Migration from the single `IDEMPOTENCY` partition: nothing to move; the old records expire within
24 h, and a retry of a request made before the deploy runs again and is deduplicated by the data layer's
request items (`OrderRequest`, `ClientRequest`), as after an expired record.
The client's count of orders not yet terminal lives in an item of its own (`#OPEN`, with a copy of the client's
currency that order placement is conditional on), not on the profile: the profile carries GSI1 keys (the client
listing, one `CLIENTS` partition, all attributes projected), so a count on it would rewrite its `CLIENTS` entry on
every order placed and invoiced (two index writes an order: a 500 orders/s ceiling). Migration from counts on the
profile: `shop migrate open-orders` (shoplocal/migrate.py) writes each client's `#OPEN` item from its profile;
run it before deploying the code that reads them.
Open orders are spread over `OPEN_SHARDS` GSI2 partitions (each order writes GSI2 about four times in its life).
Raising it (4 -> 8) needs no migration: the sweep queries every shard, and orders already open stay in theirs.
"""

import hashlib

CLIENTS = "CLIENTS"
PROFILE = "#PROFILE"
OPEN_ORDERS = "#OPEN"
EMAIL_SK = "#EMAIL"
ORDER_PREFIX = "ORDER#"
INVOICE_PREFIX = "INVOICE#"
REQUEST_PREFIX = "REQUEST#"
CLIENT_REQUEST_SK = "#CLIENT"
IDEMPOTENCY = "IDEMPOTENCY"
IDEMPOTENCY_SHARDS = 16
STATUS_PREFIX = "STATUS#"
INVOICE_COUNTER = "COUNTER#INVOICE"
MACHINE_PREFIX = "MACHINE#"
MACHINE_SK = "#MACHINE"
OPEN_SHARDS = 8  # GSI2 partitions of open orders: 4 index writes an order, so 8 x 1,000 WCU / 4 = 2,000 orders/s


def idempotency_pk(caller_key: str) -> str:
    """The partition of a caller's idempotency records: a stable hash of its key, so every retry finds it."""
    digest = hashlib.sha256(caller_key.encode()).digest()
    return f"{IDEMPOTENCY}#{int.from_bytes(digest[:4], 'big') % IDEMPOTENCY_SHARDS}"


def machine_client_pk(app_client_id: str) -> str:
    """A Cognito app client's partition: the client id its access tokens act for (datamodel/machine_clients.py)."""
    return f"{MACHINE_PREFIX}{app_client_id}"


def client_pk(client_id: str) -> str:
    return f"CLIENT#{client_id}"


def email_pk(email: str) -> str:
    """Emails are unique case-insensitively: the guard's key is the lowercased address."""
    return f"EMAIL#{email.lower()}"


def client_listing_sk(created_at: str, client_id: str) -> str:
    return f"{created_at}#{client_id}"


def order_sk(order_id: str) -> str:
    return f"{ORDER_PREFIX}{order_id}"


def order_status_sk(status: str, order_id: str) -> str:
    return f"{STATUS_PREFIX}{status}#{order_id}"


def status_prefix(status: str) -> str:
    return f"{STATUS_PREFIX}{status}#"


def open_order_pk(order_id: str) -> str:
    """Spread open orders over a few partitions, chosen by the id's last character (random bits)."""
    return f"OPEN#{ord(order_id[-1]) % OPEN_SHARDS}"


def open_order_sk(updated_at: str, order_id: str) -> str:
    return f"{updated_at}#{order_id}"


def invoice_sk(invoice_id: str) -> str:
    return f"{INVOICE_PREFIX}{invoice_id}"


def order_request_sk(idempotency_key: str) -> str:
    return f"{REQUEST_PREFIX}{idempotency_key}"


def client_request_pk(idempotency_key: str) -> str:
    """A POST /clients `Idempotency-Key`: its own partition (creating a client has no client to scope it)."""
    return f"{REQUEST_PREFIX}{idempotency_key}"


def counter_sk(year: int) -> str:
    return f"{year:04d}"


def open_order_shards() -> list[str]:
    """Every partition of the sparse open-orders index: a sweep queries each of them."""
    return [f"OPEN#{shard}" for shard in range(OPEN_SHARDS)]


def open_order_sk_before(updated_before: str) -> str:
    """The exclusive upper bound of open-order sort keys last updated strictly before `updated_before`:
    `<updatedAt>#<orderId>` sorts below `<moment>` exactly when `updatedAt < moment` (fixed-width RFC 3339)."""
    return updated_before
