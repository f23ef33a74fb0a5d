# GENERATED from contract/published/openapi.json by openapi-python-client (`make sdk`). Do not edit by hand.
"""A client library for accessing Shop API"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
