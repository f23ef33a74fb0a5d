"""End-to-end tests drive `shop run` over HTTP: one local stack (a subprocess) for the whole session.

Every test under tests/e2e is marked `e2e` and put in one xdist group, so that under
`pytest -n 2 --dist loadgroup` a single worker runs them all against a single stack.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from shoplocal.auth import LocalIssuer, key_file
from shoplocal.emulator import free_port
from shoplocal.template import ROOT, Template

HERE = Path(__file__).resolve().parent
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 120  # moto frees a large session's state slowly at exit


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees every collected item, not only this directory's.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


def _clean_environment() -> dict[str, str]:
    """This process's environment less what tests/conftest.py set for its own moto server."""
    ours = {name for function in Template().functions().values() for name in function.environment}
    return {
        name: value
        for name, value in os.environ.items()
        if name not in ours and not name.startswith(("AWS_", "POWERTOOLS_"))
    }


def _output(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


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
    log, ready = workdir / "shop.log", workdir / "ready.json"
    port = free_port()
    env = _clean_environment() | LOCAL_QUEUE_OVERRIDES
    env |= {"PORT": str(port), "MOTO_PORT": str(free_port()), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "shoplocal.cli", "run", "--validate-responses", "--ready-file", str(ready)]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(process, base_url, log)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        yield json.loads(ready.read_text()) | {"stack_file": str(ready), "log": str(log)}
    finally:
        code = _stop(process)
    output = _output(log)
    assert code == 0, f"`shop run` exited with {code}:\n{output}"
    assert "Traceback" not in output.rpartition("Shutting down")[2], f"`shop run` did not stop cleanly:\n{output}"


@pytest.fixture(scope="session")
def issuer(local_stack_info) -> LocalIssuer:
    """The running stack's token issuer (the key `shop run` keeps beside its ready file), for tokens of any
    role, as `shop token` makes them."""
    return LocalIssuer.load(key_file(Path(local_stack_info["stack_file"])))


@pytest.fixture(scope="session")
def admin_token(issuer) -> str:
    return issuer.admin_token()


def _wait_until_healthy(process: subprocess.Popen, base_url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    last = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`shop run` died with {process.returncode} before serving:\n{_output(log)}")
        try:
            response = httpx.get(f"{base_url}/health", timeout=5)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text}"
        except httpx.TransportError as error:
            last = repr(error)
        time.sleep(0.2)
    _stop(process)
    pytest.fail(f"GET /health did not answer 200 within {START_TIMEOUT_S} s (last: {last}):\n{_output(log)}")


def _stop(process: subprocess.Popen) -> int:
    """Ctrl-C, as a user stops it; kill only if it does not go."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return -signal.SIGKILL
    return process.returncode
