# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from enum import StrEnum


class OrderStatus(StrEnum):
    APPROVED = "APPROVED"
    INVOICED = "INVOICED"
    PENDING = "PENDING"
    REJECTED = "REJECTED"

    def __str__(self) -> str:
        return str(self.value)
