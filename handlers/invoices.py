"""InvoicesFunction: lists invoices and hands out presigned PDF URLs."""

from aws_lambda_powertools import Logger

from handlers.api import create_app
from handlers.routes import invoices

logger = Logger()
app = create_app(invoices.router)


@logger.inject_lambda_context
def lambda_handler(event: dict, context) -> dict:
    return app.resolve(event, context)
