"""ClientsFunction: client CRUD and the health probe."""

from domain import config
from domain.coldstart import init_phase

# This function's configuration, checked once before anything else: a missing or empty variable fails the
# init, naming it (domain/config.py).
config.require("TABLE_NAME", "CURSOR_SECRET_ARN")

with init_phase():  # imports and set-up without the garbage collector's passes (domain/coldstart.py)
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging import correlation_paths

    from datamodel.base import connect
    from domain import snapstart
    from domain.observability import traced
    from handlers.api import create_app, resolve
    from handlers.routes import clients, health

    logger = Logger()
    app = create_app(clients.router, health.router)
    connect()
    snapstart.register()  # SnapStart's hooks, when Lambda snapshots this init (domain/snapstart.py)


@traced
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict, context) -> dict:
    return resolve(app, event, context)
