"""PreTokenFunction: the user pool's pre-token-generation trigger (event version V3_0). It changes only the
access tokens of the client credentials grant, binding each to the client its app client acts for
(domain/machine_tokens.py); people's tokens are left exactly as they were."""

from domain import config

# This function's configuration, checked once before anything else (domain/config.py).
config.require("TABLE_NAME")

from aws_lambda_powertools import Logger  # noqa: E402 - after the configuration check

from datamodel import machine_clients  # noqa: E402
from datamodel.base import connect  # noqa: E402
from domain.machine_tokens import UnmappedAppClient, customize  # noqa: E402

logger = Logger()
connect()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context) -> dict:
    try:
        return customize(event, machine_clients.client_of)
    except UnmappedAppClient as error:
        # Raised on: Cognito then issues no token. The message names an app client id, never a secret.
        logger.warning("pre-token: refused", extra={"reason": str(error)})
        raise
