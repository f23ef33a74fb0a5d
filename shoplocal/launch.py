"""`shop run` as a child process on free ports: how the e2e tests and `shop bench` get a local stack of their own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 120  # moto frees a large session's state slowly at exit


class StackStartError(RuntimeError):
    """`shop run` died, or did not serve a healthy stack in time; the message holds its output."""


class LaunchedStack:
    """A running `shop run`: what it announced in its ready file, where its output goes, and how it ended."""

    def __init__(self, process: subprocess.Popen, log: Path, ready: Path) -> None:
        self.process, self.log, self.ready = process, log, ready
        self.info: dict[str, Any] = {}
        self.returncode: int | None = None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> int:
        """Ctrl-C, as a user stops it; kill only if it does not go."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                self.returncode = -signal.SIGKILL
                return self.returncode
        self.returncode = self.process.returncode
        return self.returncode


def clean_environment() -> dict[str, str]:
    """This process's environment, less anything that would point the stack elsewhere or configure its
    functions (a test process's own moto server, say)."""
    from shoplocal.template import Template

    ours = {name for function in Template().functions().values() for name in function.environment}
    return {
        name: value
        for name, value in os.environ.items()
        if name not in ours and not name.startswith(("AWS_", "POWERTOOLS_"))
    }


@contextmanager
def launched(
    workdir: Path, args: Sequence[str] = (), env: Mapping[str, str] | None = None
) -> Iterator[LaunchedStack]:
    """`shop run ARGS` on free ports with its ready file and output in `workdir`, once GET /health answers
    200; stopped on exit (`returncode` then says how it ended). `info` is what it announced, plus
    `stack_file` and `log`."""
    from shoplocal.emulator import free_port
    from shoplocal.template import ROOT

    workdir.mkdir(parents=True, exist_ok=True)
    log, ready = workdir / "shop.log", workdir / "stack.json"
    port = free_port()
    environment = clean_environment() | dict(env or {})
    environment |= {
        "PORT": str(port),
        "MACHINE_PORT": str(free_port()),
        "MOTO_PORT": str(free_port()),
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "shoplocal.cli", "run", *args, "--ready-file", str(ready)]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=sink, stderr=subprocess.STDOUT)
    stack = LaunchedStack(process, log, ready)
    try:
        _wait_until_ready(stack, f"http://127.0.0.1:{port}")
        stack.info = json.loads(ready.read_text()) | {"stack_file": str(ready), "log": str(log)}
        yield stack
    finally:
        stack.stop()


def _wait_until_ready(stack: LaunchedStack, base_url: str) -> None:
    import httpx

    deadline = time.monotonic() + START_TIMEOUT_S
    last = "no answer yet"
    while time.monotonic() < deadline:
        if stack.process.poll() is not None:
            raise StackStartError(f"`shop run` exited with {stack.process.returncode}:\n{stack.output()}")
        if stack.ready.exists():
            try:
                response = httpx.get(f"{base_url}/health", timeout=5)
                if response.status_code == 200:
                    return
                last = f"{response.status_code} {response.text}"
            except httpx.TransportError as error:
                last = repr(error)
        time.sleep(0.2)
    raise StackStartError(f"`shop run` not healthy in {START_TIMEOUT_S} s (last: {last}):\n{stack.output()}")
