"""What the data layer refuses. Handlers map each to an HTTP status once."""


class DataError(Exception):
    """Base of every refusal the data layer raises."""


class NotFoundError(DataError):
    pass


class ClientNotFoundError(NotFoundError):
    pass


class OrderNotFoundError(NotFoundError):
    pass


class InvoiceNotFoundError(NotFoundError):
    pass


class EmailTakenError(DataError):
    """Another client already uses this email (compared case-insensitively)."""


class ClientHasOpenOrdersError(DataError):
    """The client still has orders that are not yet terminal."""


class StaleVersionError(DataError):
    """The caller's `If-Match` names a version that is no longer current."""


class InvalidCursorError(DataError):
    """A pagination cursor that this table did not issue for this listing."""


class IdempotencyKeyReusedError(DataError):
    """The `Idempotency-Key` was used before with a different payload."""


class CurrencyMismatchError(DataError):
    """The order's currency is not the client's."""


class OrderNotInvoiceableError(DataError):
    """The order is neither APPROVED nor already INVOICED (PENDING or REJECTED)."""


class ContentionError(DataError):
    """Concurrent writers kept winning: every attempt was cancelled for them (nothing was written).
    Transient: the caller should retry a little later."""


class InvoiceNumberContentionError(ContentionError):
    """Every attempt lost the counter race to another issuer; the caller should retry later."""
