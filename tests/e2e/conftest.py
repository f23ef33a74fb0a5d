"""End-to-end tests drive `shop run` over HTTP: one local stack (a subprocess) for the whole session.

Every test under tests/e2e is marked `e2e` and put in one xdist group, so that under
`pytest -n 2 --dist loadgroup` a single worker runs them all against a single stack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from shop_sdk import Shop

from shoplocal.auth import LocalIssuer, key_file
from shoplocal.launch import launched
from tests.consumer_contract import ContractCheck

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees every collected item, not only this directory's.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


# Short queue timings, so a poison message reaches its DLQ in seconds (see shoplocal/provision.py).
LOCAL_QUEUE_OVERRIDES = {"SHOP_QUEUE_VISIBILITY_TIMEOUT": "2", "SHOP_QUEUE_MAX_RECEIVE_COUNT": "2"}


@pytest.fixture(scope="session")
def local_stack(local_stack_info) -> str:
    """The base URL of the running local stack."""
    return local_stack_info["api"]


@pytest.fixture(scope="session")
def local_stack_info(tmp_path_factory: pytest.TempPathFactory):
    """`shop run` on free ports, with responses validated against openapi.yaml; yields what it announced
    (`api`, `moto`, and the physical id of each resource under `resources`), plus where its ready file
    (`stack_file`, its signing key beside it) and its output (`log`) are."""
    workdir = tmp_path_factory.mktemp("local_stack")
    with launched(workdir, ["--validate-responses"], LOCAL_QUEUE_OVERRIDES) as stack:
        yield stack.info
    output = stack.output()
    assert stack.returncode == 0, f"`shop run` exited with {stack.returncode}:\n{output}"
    assert "Traceback" not in output.rpartition("Shutting down")[2], f"`shop run` did not stop cleanly:\n{output}"


@pytest.fixture(scope="session")
def issuer(local_stack_info) -> LocalIssuer:
    """The running stack's token issuer (the key `shop run` keeps beside its ready file), for tokens of any
    role, as `shop token` makes them."""
    return LocalIssuer.load(key_file(Path(local_stack_info["stack_file"])))


@pytest.fixture(scope="session")
def admin_token(issuer) -> str:
    return issuer.admin_token()


@pytest.fixture(scope="session")
def contract_check(local_stack) -> ContractCheck:
    """The consumer-side contract check (tests/consumer_contract.py) that every SDK client of these tests
    runs on each answer, the retried ones too: an answer the contract does not declare fails the test."""
    return ContractCheck(local_stack)


@pytest.fixture(scope="session")
def new_shop(local_stack, contract_check) -> Iterator[Callable[..., Shop]]:
    """Makes clients of the SDK (`shop_sdk.Shop`) for the local stack, `new_shop(token=...)` or
    `new_shop(token_provider=...)` (and any other option of `Shop`), each checking every answer against the
    contract; they are closed at the end of the session."""
    made: list[Shop] = []

    def make(token: str | None = None, **options: Any) -> Shop:
        options.setdefault("timeout", 10)
        if "token_provider" not in options:
            options["token"] = token
        made.append(Shop(local_stack, on_attempt=contract_check, **options))
        return made[-1]

    yield make
    for shop in made:
        shop.close()


@pytest.fixture(scope="session")
def shop(new_shop, issuer) -> Shop:
    """The back office's client of the SDK, with a token provider (as a Cognito sign-in would be: asked on
    first use and again on a 401), checking every answer against the contract."""
    return new_shop(token_provider=issuer.admin_token)
