# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from enum import StrEnum


class RejectionReason(StrEnum):
    CLIENT_NOT_FOUND = "client_not_found"
    CREDIT_LIMIT_EXCEEDED = "credit_limit_exceeded"
    CURRENCY_MISMATCH = "currency_mismatch"

    def __str__(self) -> str:
        return str(self.value)
