"""End-to-end tests drive `shop run` over HTTP: one local stack (a subprocess) for the whole session.

Every test under tests/e2e is marked `e2e` and put in one xdist group, so that under
`pytest -n 2 --dist loadgroup` a single worker runs them all against a single stack.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shoplocal.auth import LocalIssuer, key_file
from shoplocal.launch import launched

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
