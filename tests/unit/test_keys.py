from datamodel import keys


def test_client_profile_and_orders_share_the_client_partition():
    assert keys.client_pk("01ABC") == "CLIENT#01ABC"
    assert keys.order_sk("01XYZ").startswith(keys.ORDER_PREFIX)
    assert keys.invoice_sk("INV-2026-000001") == "INVOICE#INV-2026-000001"


def test_email_guard_key_is_case_insensitive():
    assert keys.email_pk("Billing@ACME.example") == keys.email_pk("billing@acme.example")


def test_order_status_keys_sort_under_their_status_prefix():
    sk = keys.order_status_sk("PENDING", "01XYZ")
    assert sk.startswith(keys.status_prefix("PENDING"))
    assert not sk.startswith(keys.status_prefix("APPROVED"))


def test_open_order_shards_stay_within_the_shard_count():
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    shards = {keys.open_order_pk("01ARZ3NDEKTSV4RRFFQ69G5FA" + c) for c in alphabet}
    assert shards == {f"OPEN#{n}" for n in range(keys.OPEN_SHARDS)}


def test_counter_sort_key_is_the_zero_padded_year():
    assert keys.counter_sk(2026) == "2026"
    assert keys.counter_sk(999) == "0999"


def test_client_listing_sort_key_orders_by_creation_time():
    earlier = keys.client_listing_sk("2026-01-01T00:00:00.000Z", "01B")
    later = keys.client_listing_sk("2026-01-01T00:00:00.001Z", "01A")
    assert earlier < later
