"""OrdersFunction: places and reads purchase orders."""

from aws_lambda_powertools import Logger

from handlers.api import create_app
from handlers.routes import orders

logger = Logger()
app = create_app(orders.router)


@logger.inject_lambda_context
def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
