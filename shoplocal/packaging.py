"""Building the functions' deployment packages as `sam build` builds them, on this machine.

`sam build` runs the Makefile's `build-<Function>` target of every function whose template Metadata says
`BuildMethod: makefile`, with ARTIFACTS_DIR set to the function's build directory; `build` runs the same target.
The packages are for the template's architecture (arm64) unless told another (`arch`: the package smoke test
builds them for this machine's, to run them here). Their bytecode is compiled by a python3.12, the functions'
runtime (`lambda_python` finds one). The runtime's own boto3 (`runtime_sdk`, from requirements/lambda-runtime.lock)
is what the functions that do not ship one import on Lambda.

Used by the benchmark's `package` section (shoplocal/bench/package.py) and the package smoke test
(tests/functional/test_package_smoke.py).
"""

from __future__ import annotations

import functools
import glob
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_TIMEOUT_S = 600
LAMBDA_PYTHON_VERSION = (3, 12)  # template.yaml: Runtime python3.12; bytecode is specific to it
# pip's platform tag for each machine name (`platform.machine()`), as the Makefile's LAMBDA_ARCH takes it.
ARCHES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


def makefile_functions() -> list[str]:
    """Logical ids of the functions `sam build` builds through the Makefile."""
    from shoplocal.template import Template

    return [
        logical_id
        for logical_id, resource in Template().resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
        and resource.get("Metadata", {}).get("BuildMethod") == "makefile"
    ]


def run(command: list[str]) -> None:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def _is_lambda_python(python: str) -> bool:
    check = f"import sys; sys.exit(sys.version_info[:2] != {LAMBDA_PYTHON_VERSION!r})"
    try:
        return subprocess.run([python, "-c", check], capture_output=True, timeout=30, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@dataclass
class Search:
    """Where `find_lambda_python` looked, and what it found: `python`, or None and `tried` says why."""

    python: str | None = None
    tried: list[str] = field(default_factory=list)

    def reason(self) -> str:
        return "; ".join(self.tried)


def find_lambda_python(environ: dict[str, str] | None = None) -> Search:
    """A python3.12 that runs: LAMBDA_PYTHON when set; else `python3.12` on PATH (a pyenv shim refuses to run
    unless its version is selected); else pyenv's (`pyenv prefix 3.12`, then the newest 3.12.x under
    `$PYENV_ROOT/versions`, by default ~/.pyenv)."""
    environ = dict(os.environ if environ is None else environ)
    version = "{}.{}".format(*LAMBDA_PYTHON_VERSION)
    name = f"python{version}"
    search = Search()

    def accept(candidate: str | None, where: str) -> bool:
        if not candidate:
            search.tried.append(f"{where}: none")
            return False
        if _is_lambda_python(candidate):
            search.python = candidate
            return True
        search.tried.append(f"{where}: {candidate} does not run a Python {version}")
        return False

    if "LAMBDA_PYTHON" in environ:
        accept(environ["LAMBDA_PYTHON"], "LAMBDA_PYTHON")
        return search  # asked for: no other is tried
    if accept(shutil.which(name, path=environ.get("PATH")), f"{name} on PATH"):
        return search
    pyenv = shutil.which("pyenv", path=environ.get("PATH"))
    if pyenv:
        try:
            prefix = subprocess.run([pyenv, "prefix", version], capture_output=True, text=True, timeout=30,
                                    check=False, env=environ).stdout.strip().split(os.pathsep)[0]
        except (OSError, subprocess.TimeoutExpired):
            prefix = ""
        if accept(str(Path(prefix, "bin", name)) if prefix else None, f"pyenv prefix {version}"):
            return search
    root = environ.get("PYENV_ROOT") or str(Path(environ.get("HOME") or Path.home(), ".pyenv"))
    installed = sorted(glob.glob(str(Path(root, "versions", f"{version}.*", "bin", name))),
                       key=lambda path: [int(part) if part.isdigit() else -1
                                         for part in Path(path).parent.parent.name.split(".")])
    if not installed:
        search.tried.append(f"{Path(root, 'versions')}: no {version}.x")
    for candidate in reversed(installed):
        if accept(candidate, "pyenv's versions"):
            return search
    return search


@functools.cache
def lambda_python() -> str | None:
    """This machine's python3.12 (`find_lambda_python`), or None (the Makefile then fails, saying why)."""
    return find_lambda_python().python


def machine_arch() -> str:
    """This machine's architecture as pip's platform tags name it (x86_64 or aarch64)."""
    machine = platform.machine().lower()
    if machine not in ARCHES:
        raise RuntimeError(f"no manylinux wheels for this machine's architecture ({machine})")
    return ARCHES[machine]


def _make(target: str, artifacts_dir: Path, arch: str | None, python: str | None) -> list[str]:
    command = ["make", "--no-print-directory", target, f"ARTIFACTS_DIR={artifacts_dir}", f"PYTHON={sys.executable}"]
    if arch:
        command.append(f"LAMBDA_ARCH={arch}")
    python = python or lambda_python()
    if python:
        command.append(f"LAMBDA_PYTHON={python}")
    return command


def build(function: str, artifacts_dir: Path, *, arch: str | None = None, python: str | None = None) -> None:
    """What `sam build` runs for `function`: `make build-<function>` with ARTIFACTS_DIR (and LAMBDA_PYTHON when
    this machine has a python3.12 that the Makefile's default `python3.12` may not find); `arch` builds for
    another architecture than the template's (pip's tag: x86_64 or aarch64)."""
    run(_make(f"build-{function}", artifacts_dir, arch, python))


def runtime_sdk(target: Path, *, arch: str | None = None, python: str | None = None) -> None:
    """The boto3 the Lambda runtime carries, into `target` (`make lambda-runtime-sdk`)."""
    run(_make("lambda-runtime-sdk", target, arch, python))
