"""PaidOrderFunction's handler with real SQS events from the template's paid-orders queue on the moto
server: invoice numbers, index entries, order status and the PDF in the template's bucket.

The invoice counter is shared by every test of this process: numbers are checked relative to the
counter's value read before each test acts.
"""

from __future__ import annotations

import importlib.util
import io
import threading
import uuid

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from pypdf import PdfReader

from datamodel import clients, invoices, keys, orders
from datamodel.clients import ClientFields
from datamodel.entities import InvoiceCounter, InvoiceRecord, LineItem, OrderRecord
from datamodel.orders import Line
from domain.clock import now_rfc3339, utc_now
from domain.ids import new_id
from shoplocal.lambdas import FunctionError, FunctionRunner
from shoplocal.provision import LOCAL_PARAMETERS, function_environment
from tests.events import LambdaContext
from tests.faults import FaultInjector
from tests.sqs_events import delete, queue_arn, receive_sent, sqs_event
from domain import messages
from workers import paid_order

sqs = boto3.client("sqs")
s3 = boto3.client("s3")
LINES = [Line("WIDGET-1", "Blue widget", 3, 1_250), Line("GADGET-2", "Red gadget", 2, 100_000)]
TOTAL = 3 * 1_250 + 2 * 100_000  # 203,750 → "2,037.50 USD"


@pytest.fixture(scope="module")
def paid_queue(stack):
    url = stack.physical_ids["PaidOrdersQueue"]
    return url, queue_arn(sqs, url)


@pytest.fixture(scope="module")
def bucket(stack):
    return stack.physical_ids["InvoiceBucket"]


def new_client(document: str | None = "12-345") -> tuple[str, str]:
    email = f"p-{uuid.uuid4().hex[:12]}@example.com"
    client = clients.create(
        ClientFields(name="Ada Lovelace", email=email, credit_limit=10**9, currency="USD", document=document)
    )
    return client.client_id, email


def order_in(client_id: str, status: str = orders.APPROVED) -> str:
    """An order placed by the data layer and moved to `status` (PENDING, APPROVED or REJECTED)."""
    order_id = new_id()
    orders.place(client_id, order_id, LINES, "USD", TOTAL)
    if status == orders.APPROVED:
        assert orders.approve(orders.get(client_id, order_id))
    elif status == orders.REJECTED:
        assert orders.reject(orders.get(client_id, order_id), "credit_limit_exceeded")
    return order_id


def counter() -> int:
    try:
        return int(InvoiceCounter.get(keys.INVOICE_COUNTER, keys.counter_sk(utc_now().year)).value)
    except InvoiceCounter.DoesNotExist:
        return 0


def send(queue, *bodies: str) -> list[dict]:
    url, _ = queue
    ids = [sqs.send_message(QueueUrl=url, MessageBody=body)["MessageId"] for body in bodies]
    return receive_sent(sqs, url, ids)


def redeliver(queue, message: dict) -> dict:
    """The same message delivered again, as SQS does once its visibility timeout ends."""
    url, _ = queue
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    [again] = receive_sent(sqs, url, [message["MessageId"]])
    return again


def invoke(queue, received: list[dict], worker=paid_order) -> dict:
    """One invocation; the records that succeeded are deleted, as the event source mapping does."""
    url, arn = queue
    response = worker.lambda_handler(sqs_event(received, arn), LambdaContext())
    failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
    delete(sqs, url, [m for m in received if m["MessageId"] not in failed])
    return response


def pdf_bytes(bucket: str, client_id: str, order_id: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=invoices.pdf_key(client_id, order_id))["Body"].read()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_exists(bucket: str, client_id: str, order_id: str) -> bool:
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=invoices.pdf_key(client_id, order_id))
    return listed.get("KeyCount", 0) > 0


def test_approved_order_is_invoiced_with_its_pdf_in_the_bucket(paid_queue, bucket):
    # GIVEN an APPROVED order and the counter's current value
    client_id, email = new_client()
    order_id = order_in(client_id)
    start = counter()

    # WHEN its paid message is processed
    response = invoke(paid_queue, send(paid_queue, messages.body(client_id, order_id)))

    # THEN the order is INVOICED with the next number, indexed, closed on the client
    assert response == {"batchItemFailures": []}
    number = f"INV-{utc_now().year}-{start + 1:06d}"
    order = orders.get(client_id, order_id)
    assert (order.status, order.invoice_id) == (orders.INVOICED, number)
    index = InvoiceRecord.get(keys.client_pk(client_id), keys.invoice_sk(number))
    assert (index.order_id, index.total, index.currency) == (order_id, TOTAL, "USD")
    assert clients.open_orders(client_id) == 0 and counter() == start + 1
    # AND the PDF is private, typed, encrypted, and shows the number, client, items and total
    head = s3.head_object(Bucket=bucket, Key=invoices.pdf_key(client_id, order_id))
    assert head["ContentType"] == "application/pdf" and head["ServerSideEncryption"] == "AES256"
    text = pdf_text(pdf_bytes(bucket, client_id, order_id))
    for expected in (number, order_id, "Ada Lovelace", email, "12-345", "WIDGET-1", "Blue widget",
                     "GADGET-2", "Red gadget", "12.50 USD", "1,000.00 USD", "2,037.50 USD",
                     f"Issue date: {utc_now():%Y-%m-%d}"):
        assert expected in text, expected
    # AND the seller is the one configured (template parameters -> SELLER_* -> domain.config.seller())
    assert seller_lines() <= {line.strip() for line in text.splitlines()}


def seller_lines() -> set[str]:
    """What the local stack's Seller* parameters print on an invoice, line by line."""
    address = LOCAL_PARAMETERS["SellerAddress"].split("|")
    return {LOCAL_PARAMETERS["SellerName"], *address, f"Tax id: {LOCAL_PARAMETERS['SellerTaxId']}"}


def test_the_worker_prints_the_seller_of_its_own_template_environment(paid_queue, bucket, template, stack):
    # GIVEN PaidOrderFunction in a process of its own, with exactly its template environment
    environment = function_environment(template, stack, "PaidOrderFunction")
    assert environment["SELLER_ADDRESS"] == LOCAL_PARAMETERS["SellerAddress"]
    client_id, _ = new_client()
    order_id = order_in(client_id)
    received = send(paid_queue, messages.body(client_id, order_id))
    functions = {"PaidOrderFunction": template.functions()["PaidOrderFunction"]}

    # WHEN it processes the order's paid message
    with FunctionRunner(functions, {"PaidOrderFunction": environment}, report=False) as runner:
        response = runner.invoke("PaidOrderFunction", sqs_event(received, paid_queue[1]))
    delete(sqs, paid_queue[0], received)

    # THEN the invoice shows the seller the Seller* parameters gave it, each address part on its own line
    assert response == {"batchItemFailures": []}
    text = pdf_text(pdf_bytes(bucket, client_id, order_id))
    assert seller_lines() <= {line.strip() for line in text.splitlines()}
    assert PdfReader(io.BytesIO(pdf_bytes(bucket, client_id, order_id))).metadata.author == LOCAL_PARAMETERS["SellerName"]


def logo_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 90), (20, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def worker_with(template, stack, **variables: str) -> FunctionRunner:
    environment = {**function_environment(template, stack, "PaidOrderFunction"), **variables}
    functions = {"PaidOrderFunction": template.functions()["PaidOrderFunction"]}
    return FunctionRunner(functions, {"PaidOrderFunction": environment}, report=False)


def test_the_seller_logo_uploaded_under_branding_is_printed_on_the_invoice(paid_queue, bucket, template, stack):
    # GIVEN a logo uploaded to the invoice bucket and SELLER_LOGO_KEY (template parameter SellerLogoKey) naming it
    key = f"branding/{uuid.uuid4().hex[:8]}/logo.png"
    s3.put_object(Bucket=bucket, Key=key, Body=logo_png(), ContentType="image/png")
    client_id, _ = new_client()
    order_id = order_in(client_id)
    received = send(paid_queue, messages.body(client_id, order_id))

    # WHEN the worker, started with that key, invoices the order
    with worker_with(template, stack, SELLER_LOGO_KEY=key) as runner:
        response = runner.invoke("PaidOrderFunction", sqs_event(received, paid_queue[1]))
    delete(sqs, paid_queue[0], received)

    # THEN the invoice's first page holds the logo, at its own pixel size, above the seller block
    assert response == {"batchItemFailures": []}
    page = PdfReader(io.BytesIO(pdf_bytes(bucket, client_id, order_id))).pages[0]
    assert [image.image.size for image in page.images] == [(300, 90)]
    assert LOCAL_PARAMETERS["SellerName"] in page.extract_text()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (None, r"cannot be read \((404|NoSuchKey|Not Found)\)"),
        (b"GIF89a not a png", "not a PNG or JPEG image"),
        (b"\x89PNG" + b"\0" * (512 * 1024), "a logo is at most 524,288 bytes"),
    ],
    ids=["missing", "not-an-image", "too-large"],
)
def test_a_logo_key_that_names_no_usable_image_fails_the_init_naming_the_variable(bucket, template, stack, body, reason):
    # GIVEN SELLER_LOGO_KEY naming a missing object, a non-image, or an image too large for every cold start
    key = f"branding/{uuid.uuid4().hex[:8]}.png"
    if body is not None:
        s3.put_object(Bucket=bucket, Key=key, Body=body)

    # WHEN the worker starts, THEN its init fails, naming the variable and the object, before any event
    with worker_with(template, stack, SELLER_LOGO_KEY=key) as runner:
        with pytest.raises(FunctionError, match=rf"ConfigurationError SELLER_LOGO_KEY names s3://{bucket}/{key}, .*{reason}"):
            runner.invoke("PaidOrderFunction", {"Records": []})


def test_the_order_and_its_client_are_read_in_one_call_and_the_counter_in_its_own_consistent_one(paid_queue):
    # GIVEN an APPROVED order
    client_id, _ = new_client()
    order_id = order_in(client_id)
    received = send(paid_queue, messages.body(client_id, order_id))

    # WHEN its paid message is processed
    with FaultInjector() as faults, faults.recording() as calls:
        assert invoke(paid_queue, received) == {"batchItemFailures": []}

    # THEN order and client (bill-to) came in one BatchGetItem; the one GetItem is the counter's
    assert [str(call) for call in calls] == [
        "dynamodb.BatchGetItem#1", "dynamodb.GetItem#1", "dynamodb.TransactWriteItems#1", "s3.PutObject#1"
    ]
    assert orders.get(client_id, order_id).status == orders.INVOICED


def test_approved_order_whose_client_is_gone_fails_and_takes_no_number(paid_queue, bucket):
    # GIVEN an APPROVED order whose client does not exist (written directly: a client with an open order
    # cannot be deleted), in a batch with a good one
    client_id, order_id, now = new_id(), new_id(), now_rfc3339()
    OrderRecord(
        keys.client_pk(client_id), keys.order_sk(order_id), order_id=order_id, client_id=client_id,
        status=orders.APPROVED, items=[LineItem(sku="W-1", description="Widget", quantity=1, unit_price=1)],
        total=1, currency="USD", created_at=now, updated_at=now, approved_at=now,
    ).save()
    good_client, _ = new_client()
    good_order = order_in(good_client)
    start = counter()
    received = send(paid_queue, messages.body(client_id, order_id), messages.body(good_client, good_order))

    # WHEN processed
    response = invoke(paid_queue, received)

    # THEN that record fails (retried, then dead-lettered) with no number taken and no PDF; the other is invoiced
    assert response == {"batchItemFailures": [{"itemIdentifier": received[0]["MessageId"]}]}
    assert orders.get(client_id, order_id).status == orders.APPROVED
    assert not pdf_exists(bucket, client_id, order_id)
    assert orders.get(good_client, good_order).status == orders.INVOICED and counter() == start + 1
    delete(sqs, paid_queue[0], received[:1])


def test_replays_return_the_same_invoice_and_take_no_number(paid_queue, bucket):
    # GIVEN an order invoiced by a first message
    client_id, _ = new_client()
    order_id = order_in(client_id)
    body = messages.body(client_id, order_id)
    [first] = send(paid_queue, body)
    paid_order.lambda_handler(sqs_event([first], paid_queue[1]), LambdaContext())  # its deletion is "lost"
    invoiced = orders.get(client_id, order_id)
    pdf = pdf_bytes(bucket, client_id, order_id)
    start = counter()

    # WHEN the same message is redelivered and a duplicate paid message (a re-send) arrives too
    response = invoke(paid_queue, [redeliver(paid_queue, first), *send(paid_queue, body)])

    # THEN both succeed with no second number, no second index entry, and identical PDF bytes
    assert response == {"batchItemFailures": []}
    assert counter() == start
    after = orders.get(client_id, order_id)
    assert (after.invoice_id, after.updated_at) == (invoiced.invoice_id, invoiced.updated_at)
    assert [i.invoice_id for i in invoices.page(client_id, limit=10).items] == [invoiced.invoice_id]
    assert pdf_bytes(bucket, client_id, order_id) == pdf


def test_pdf_is_rebuilt_identically_after_the_client_is_deleted(paid_queue, bucket):
    # GIVEN an invoiced order whose client was then deleted, and whose PDF is gone
    client_id, email = new_client()
    order_id = order_in(client_id)
    invoke(paid_queue, send(paid_queue, messages.body(client_id, order_id)))
    pdf = pdf_bytes(bucket, client_id, order_id)
    clients.delete(client_id)
    s3.delete_object(Bucket=bucket, Key=invoices.pdf_key(client_id, order_id))

    # WHEN a paid message for it is processed again
    response = invoke(paid_queue, send(paid_queue, messages.body(client_id, order_id)))

    # THEN the same bytes are stored again, from the bill-to snapshot on the invoice
    assert response == {"batchItemFailures": []}
    assert pdf_bytes(bucket, client_id, order_id) == pdf and email in pdf_text(pdf)


def test_crash_between_transaction_and_upload_is_healed_by_the_retry(paid_queue, bucket, monkeypatch):
    # GIVEN S3 failing the first upload, and a batch of two APPROVED orders
    (a_client, _), (b_client, _) = new_client(), new_client()
    a_order, b_order = order_in(a_client), order_in(b_client)
    start = counter()
    real_put = paid_order.s3.put_object
    puts = []

    def put_failing_once(**kwargs):
        puts.append(kwargs["Key"])
        if len(puts) == 1:
            raise ConnectionError("simulated S3 outage")
        return real_put(**kwargs)

    monkeypatch.setattr(paid_order.s3, "put_object", put_failing_once)
    received = send(paid_queue, messages.body(a_client, a_order), messages.body(b_client, b_order))

    # WHEN the batch is processed: the first record's transaction commits, then its upload fails
    response = invoke(paid_queue, received)

    # THEN only that record failed; its order is INVOICED already but has no PDF yet
    assert response == {"batchItemFailures": [{"itemIdentifier": received[0]["MessageId"]}]}
    a_number = orders.get(a_client, a_order).invoice_id
    assert a_number is not None and not pdf_exists(bucket, a_client, a_order)
    assert pdf_exists(bucket, b_client, b_order) and counter() == start + 2

    # WHEN SQS redelivers the failed record
    retry = invoke(paid_queue, [redeliver(paid_queue, received[0])])

    # THEN its PDF is stored under the same number, and no number was taken
    assert retry == {"batchItemFailures": []}
    assert orders.get(a_client, a_order).invoice_id == a_number and counter() == start + 2
    assert a_number in pdf_text(pdf_bytes(bucket, a_client, a_order))


def test_single_record_batch_that_fails_raises_so_the_whole_batch_is_retried(paid_queue, monkeypatch):
    client_id, _ = new_client()
    order_id = order_in(client_id)
    monkeypatch.setattr(paid_order.s3, "put_object", lambda **kwargs: (_ for _ in ()).throw(ConnectionError("down")))
    [message] = send(paid_queue, messages.body(client_id, order_id))

    with pytest.raises(BatchProcessingError):
        paid_order.lambda_handler(sqs_event([message], paid_queue[1]), LambdaContext())

    monkeypatch.undo()
    assert invoke(paid_queue, [redeliver(paid_queue, message)]) == {"batchItemFailures": []}


def test_poison_records_are_the_only_failures_of_their_batch(paid_queue, bucket):
    # GIVEN a batch: a good order, a non-JSON body, an unknown order, another good order
    good = []
    for _ in range(2):
        client_id, _ = new_client()
        good.append((client_id, order_in(client_id)))
    start = counter()
    received = send(
        paid_queue, messages.body(*good[0]), "{{", messages.body(new_id(), new_id()), messages.body(*good[1])
    )

    # WHEN processed in one invocation
    response = invoke(paid_queue, received)

    # THEN exactly the poison records are reported; both good orders are invoiced with consecutive numbers
    poison = [received[1]["MessageId"], received[2]["MessageId"]]
    assert sorted(item["itemIdentifier"] for item in response["batchItemFailures"]) == sorted(poison)
    numbers = [orders.get(c, o).invoice_id for c, o in good]
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [start + 1, start + 2]
    assert all(pdf_exists(bucket, c, o) for c, o in good)
    delete(sqs, paid_queue[0], [m for m in received if m["MessageId"] in poison])


def test_paid_message_for_a_rejected_order_is_dropped(paid_queue, bucket):
    client_id, _ = new_client()
    order_id = order_in(client_id, orders.REJECTED)
    start = counter()

    response = invoke(paid_queue, send(paid_queue, messages.body(client_id, order_id)))

    assert response == {"batchItemFailures": []}
    assert orders.get(client_id, order_id).status == orders.REJECTED and counter() == start
    assert not pdf_exists(bucket, client_id, order_id)


def test_paid_message_for_a_pending_order_fails_to_be_retried(paid_queue, bucket):
    # GIVEN a paid message for an order not yet approved, in a batch with an APPROVED one
    client_id, _ = new_client()
    pending, approved = order_in(client_id, orders.PENDING), order_in(client_id)
    start = counter()
    received = send(paid_queue, messages.body(client_id, pending), messages.body(client_id, approved))

    response = invoke(paid_queue, received)

    # THEN that record fails and takes no number; the other is invoiced
    assert response == {"batchItemFailures": [{"itemIdentifier": received[0]["MessageId"]}]}
    assert orders.get(client_id, pending).status == orders.PENDING
    assert counter() == start + 1 and not pdf_exists(bucket, client_id, pending)
    delete(sqs, paid_queue[0], received[:1])


def new_environment():
    """A separate copy of the worker module: its own processor, logger and clients, as a second Lambda
    execution environment has (one processor must never serve two events at once)."""
    spec = importlib.util.spec_from_file_location(f"paid_order_env_{uuid.uuid4().hex}", paid_order.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_concurrent_invocations_issue_gapless_unique_numbers(paid_queue, bucket):
    # GIVEN 20 APPROVED orders, their paid messages received in 5 events of 4 records
    placed = []
    for _ in range(20):
        client_id, _ = new_client(document=None)
        placed.append((client_id, order_in(client_id)))
    received = send(paid_queue, *(messages.body(c, o) for c, o in placed))
    events = [received[i : i + 4] for i in range(0, 20, 4)]
    environments = [new_environment() for _ in events]
    start = counter()
    responses, errors = [None] * len(events), []
    barrier = threading.Barrier(len(events))

    def run(index: int) -> None:
        try:
            barrier.wait()
            responses[index] = invoke(paid_queue, events[index], worker=environments[index])
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    # WHEN 5 execution environments process their events at the same time
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(events))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # THEN every record succeeded, and the 20 numbers are exactly start+1 .. start+20 of this year
    assert errors == [] and responses == [{"batchItemFailures": []}] * len(events)
    numbers = [orders.get(c, o).invoice_id for c, o in placed]
    year = utc_now().year
    assert sorted(numbers) == [f"INV-{year}-{n:06d}" for n in range(start + 1, start + 21)]
    assert counter() == start + 20
    for (client_id, order_id), number in zip(placed, numbers):
        assert [i.invoice_id for i in invoices.page(client_id, limit=10).items] == [number]
        assert number in pdf_text(pdf_bytes(bucket, client_id, order_id))


# ---- a batch numbered together: one counter write per transaction ----


def transactions_during(call) -> tuple[object, int]:
    """`call()`'s answer and how many TransactWriteItems it sent (recorded by botocore hooks)."""
    with FaultInjector() as injector, injector.recording() as calls:
        answer = call()
    return answer, sum(1 for c in calls if c.operation == "TransactWriteItems")


def test_a_batch_is_numbered_in_one_transaction_with_consecutive_numbers(paid_queue, bucket):
    # GIVEN 8 APPROVED orders of 3 clients (one client with 4 of them), their paid messages in one event
    customers = [new_client()[0] for _ in range(3)]
    placed = [(customers[n % 3] if n < 6 else customers[0], None) for n in range(8)]
    placed = [(client_id, order_in(client_id)) for client_id, _ in placed]
    start = counter()
    received = send(paid_queue, *(messages.body(c, o) for c, o in placed))

    # WHEN one invocation processes the batch
    response, transactions = transactions_during(lambda: invoke(paid_queue, received))

    # THEN one transaction numbered all 8, consecutively and in the batch's order, and closed them on each client
    assert response == {"batchItemFailures": []} and transactions == 1
    year = utc_now().year
    assert [orders.get(c, o).invoice_id for c, o in placed] == [
        f"INV-{year}-{n:06d}" for n in range(start + 1, start + 9)
    ]
    assert counter() == start + 8
    assert all(clients.open_orders(client_id) == 0 for client_id in customers)
    assert all(pdf_exists(bucket, c, o) for c, o in placed)


def test_a_batch_with_duplicates_a_replay_and_poison_invoices_each_order_once(paid_queue, bucket):
    # GIVEN 3 APPROVED orders and one already INVOICED, then a batch holding each APPROVED order's message
    # twice, the invoiced order's message again, and a message naming no order
    client_id, _ = new_client()
    fresh = [order_in(client_id) for _ in range(3)]
    invoiced = order_in(client_id)
    invoke(paid_queue, send(paid_queue, messages.body(client_id, invoiced)))
    first_number = orders.get(client_id, invoiced).invoice_id
    start = counter()
    bodies = [messages.body(client_id, o) for o in fresh] * 2 + [messages.body(client_id, invoiced)]
    poison = messages.body(client_id, new_id())
    received = send(paid_queue, *bodies, poison)

    # WHEN the batch is processed
    response = invoke(paid_queue, received)

    # THEN only the poison failed; the 3 orders took the next 3 numbers once each, the replay kept its number
    poison_id = next(m["MessageId"] for m in received if m["Body"] == poison)
    assert response == {"batchItemFailures": [{"itemIdentifier": poison_id}]}
    year = utc_now().year
    assert sorted(orders.get(client_id, o).invoice_id for o in fresh) == [
        f"INV-{year}-{n:06d}" for n in range(start + 1, start + 4)
    ]
    assert counter() == start + 3 and orders.get(client_id, invoiced).invoice_id == first_number
    assert len(invoices.page(client_id, limit=10).items) == 4
    assert clients.open_orders(client_id) == 0


def test_an_order_that_cannot_be_invoiced_fails_its_record_alone(paid_queue, bucket):
    # GIVEN a batch of two APPROVED orders and one still PENDING (its paid message came too early)
    client_id, _ = new_client()
    approved = [order_in(client_id), order_in(client_id)]
    pending = order_in(client_id, orders.PENDING)
    start = counter()
    received = send(paid_queue, *(messages.body(client_id, o) for o in [approved[0], pending, approved[1]]))

    # WHEN the batch is processed
    response = invoke(paid_queue, received)

    # THEN the PENDING order's record fails (retried later), and the others are numbered without a gap
    assert response == {"batchItemFailures": [{"itemIdentifier": received[1]["MessageId"]}]}
    assert orders.get(client_id, pending).status == orders.PENDING
    year = utc_now().year
    assert [orders.get(client_id, o).invoice_id for o in approved] == [
        f"INV-{year}-{start + 1:06d}",
        f"INV-{year}-{start + 2:06d}",
    ]


def test_a_batch_larger_than_one_transaction_is_numbered_gaplessly_in_several(paid_queue, bucket):
    # GIVEN more APPROVED orders in one event than one transaction holds
    size = invoices.MAX_PER_TRANSACTION + 7
    placed = []
    for _ in range(size):
        client_id, _ = new_client(document=None)
        placed.append((client_id, order_in(client_id)))
    start = counter()
    received = send(paid_queue, *(messages.body(c, o) for c, o in placed))

    # WHEN one invocation processes it
    response, transactions = transactions_during(lambda: invoke(paid_queue, received))

    # THEN two transactions numbered them all, consecutively
    assert response == {"batchItemFailures": []} and transactions == 2
    year = utc_now().year
    assert sorted(orders.get(c, o).invoice_id for c, o in placed) == [
        f"INV-{year}-{n:06d}" for n in range(start + 1, start + size + 1)
    ]
    assert counter() == start + size
