"""How a machine's access token is bound to the one client it acts for: the logic of the user pool's
pre-token-generation trigger (handlers/pretoken.py, event version V3_0).

Cognito sends the V3_0 event for every token it issues, people's sign-ins included; only the client
credentials grant (`triggerSource` `TokenGeneration_ClientCredentials`: a customer's system with its app
client's id and secret) is changed here, so people keep exactly the ID tokens they had.

For a client credentials grant, the app client (`callerContext.clientId`) is looked up in the table
(datamodel/machine_clients.py, one GetItem):

- mapped to a client id: the access token gets the claim `shop:clientId` (`MACHINE_CLIENT_CLAIM`) with it,
  and never `shop/backoffice`, suppressed should the app client be allowed it: the token acts as that client
  (handlers/auth.py), 404 on any other client's resources;
- not mapped, granted `shop/backoffice`: a back-office system; no claim, it acts as an admin;
- not mapped otherwise: refused. The trigger raises, so Cognito issues no token (the token endpoint answers
  an error): a customer's app client whose mapping is missing must not get a token that names no client.

Claims are added to the access token only (`accessTokenGeneration`): a client credentials grant issues no
ID token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from domain.ids import ULID_PATTERN

CLIENT_CREDENTIALS = "TokenGeneration_ClientCredentials"
MACHINE_CLIENT_CLAIM = "shop:clientId"  # handlers/auth.py reads it
BACK_OFFICE_SCOPE = "shop/backoffice"  # openapi.yaml ShopMachine; tests/unit/test_machine_tokens.py checks it is declared
_CLIENT_ID = re.compile(ULID_PATTERN)


class UnmappedAppClient(RuntimeError):
    """A client credentials grant of an app client that acts for no client and is no back-office system."""


def customize(event: dict[str, Any], client_of: Callable[[str], str | None]) -> dict[str, Any]:
    """The trigger's answer to `event`: the event with `response.claimsAndScopeOverrideDetails` set for a
    client credentials grant, unchanged for any other. `client_of` maps an app client id to its client id."""
    if event.get("triggerSource") != CLIENT_CREDENTIALS:
        return event
    app_client_id = (event.get("callerContext") or {}).get("clientId")
    if not isinstance(app_client_id, str) or not app_client_id:
        raise UnmappedAppClient("the client credentials event names no app client")
    scopes = _scopes(event.get("request") or {})
    client_id = client_of(app_client_id)
    if client_id is None:
        if BACK_OFFICE_SCOPE in scopes:
            return event
        raise UnmappedAppClient(f"app client {app_client_id} acts for no client (shop machine-client create)")
    if not _CLIENT_ID.fullmatch(client_id):
        raise UnmappedAppClient(f"app client {app_client_id} is mapped to a malformed client id")
    generation: dict[str, Any] = {"claimsToAddOrOverride": {MACHINE_CLIENT_CLAIM: client_id}}
    if BACK_OFFICE_SCOPE in scopes:
        generation["scopesToSuppress"] = [BACK_OFFICE_SCOPE]
    response = dict(event.get("response") or {})
    response["claimsAndScopeOverrideDetails"] = {"accessTokenGeneration": generation}
    return {**event, "response": response}


def _scopes(request: Mapping[str, Any]) -> set[str]:
    scopes = request.get("scopes") or []
    if isinstance(scopes, str):
        return set(scopes.split())
    return {scope for scope in scopes if isinstance(scope, str)}

