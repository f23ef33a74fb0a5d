# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from enum import StrEnum


class Currency(StrEnum):
    BRL = "BRL"
    EUR = "EUR"
    GBP = "GBP"
    JPY = "JPY"
    USD = "USD"

    def __str__(self) -> str:
        return str(self.value)
