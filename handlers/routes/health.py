from aws_lambda_powertools.event_handler.api_gateway import Router

from handlers import contract

router = Router()


@contract.get_health(router)
def get_health() -> dict[str, str]:
    return {"status": "ok"}
