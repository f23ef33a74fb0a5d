"""ClientsFunction: client CRUD and the health probe."""

from aws_lambda_powertools import Logger

from handlers.api import create_app
from handlers.routes import clients, health

logger = Logger()
app = create_app(clients.router, health.router)


@logger.inject_lambda_context
def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
