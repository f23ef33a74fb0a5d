# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
from enum import StrEnum


class HealthStatus(StrEnum):
    OK = "ok"

    def __str__(self) -> str:
        return str(self.value)
