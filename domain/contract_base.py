"""The base class of the generated contract models (domain/models.py; `base-class` in pyproject.toml)."""

from pydantic import BaseModel, ConfigDict


class ContractModel(BaseModel):
    # Each model builds its validator and serializer on first use instead of at import, so a function pays
    # only for the models its routes touch: about 50 ms less import for the API functions (BENCHMARKS.md).
    model_config = ConfigDict(defer_build=True)
