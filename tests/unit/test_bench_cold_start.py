"""shoplocal/bench/cold_start.py: what its children load as bytecode, and the "no bytecode" figure's seed."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import botocore
import pydantic

from shoplocal.bench import cold_start


def test_children_read_and_write_bytecode_only_in_the_runs_prefix(monkeypatch, tmp_path: Path) -> None:
    # GIVEN a parent that itself writes no bytecode
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")

    # WHEN the timed children's and the "no bytecode" children's environments are made
    timed = cold_start._child_environment({"TABLE_NAME": "t"}, tmp_path / "warm")
    cold = cold_start._child_environment({"TABLE_NAME": "t"}, tmp_path / "fresh", write_bytecode=False)

    # THEN the timed ones write bytecode into the run's prefix, the others into nothing
    assert timed["PYTHONPYCACHEPREFIX"] == str(tmp_path / "warm") and "PYTHONDONTWRITEBYTECODE" not in timed
    assert cold["PYTHONPYCACHEPREFIX"] == str(tmp_path / "fresh") and cold["PYTHONDONTWRITEBYTECODE"] == "1"
    assert timed["TABLE_NAME"] == "t"


def test_the_runtime_precompiles_the_sdk_only_for_functions_that_leave_it_to_the_runtime() -> None:
    # The Makefile: LAMBDA_RUNTIME_SDK is dropped from every package but the paid-order worker's.
    assert cold_start.runtime_precompiled("ClientsFunction") == ["stdlib", "boto3", "botocore", "s3transfer"]
    assert cold_start.runtime_precompiled("PaidOrderFunction") == ["stdlib"]


def test_the_no_bytecode_seed_holds_only_what_the_runtime_ships_compiled(tmp_path: Path) -> None:
    # GIVEN a warm prefix with bytecode of the standard library, of botocore and of a package library
    warm, fresh = tmp_path / "warm", tmp_path / "fresh"
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    written = {
        "stdlib": cold_start._prefixed(warm, stdlib / "json") / "decoder.cpython-311.pyc",
        "botocore": cold_start._prefixed(warm, Path(botocore.__file__).parent) / "client.cpython-311.pyc",
        "pydantic": cold_start._prefixed(warm, Path(pydantic.__file__).parent) / "main.cpython-311.pyc",
    }
    for pyc in written.values():
        pyc.parent.mkdir(parents=True, exist_ok=True)
        pyc.write_bytes(b"pyc")

    # WHEN a "no bytecode" spawn's prefix is seeded with the runtime's bytecode
    cold_start._seed_runtime_bytecode(warm, fresh, ["stdlib", "boto3", "botocore", "s3transfer"])

    # THEN it holds the standard library's and the SDK's, and none of the package's libraries
    seeded = {name: fresh / pyc.relative_to(warm) for name, pyc in written.items()}
    assert seeded["stdlib"].is_file()
    assert seeded["botocore"].is_file()
    assert not seeded["pydantic"].exists()


def test_prefixed_is_where_a_child_interpreter_keeps_the_bytecode(tmp_path: Path) -> None:
    # WHEN a child imports a standard-library module and a library with PYTHONPYCACHEPREFIX set
    env = cold_start._child_environment({}, tmp_path)
    subprocess.run([sys.executable, "-c", "import json.decoder, botocore"], env=env, check=True, timeout=60)

    # THEN their bytecode is where _prefixed says, which is what the seed copies
    tag = sys.implementation.cache_tag
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    assert (cold_start._prefixed(tmp_path, stdlib / "json") / f"decoder.{tag}.pyc").is_file()
    assert (cold_start._prefixed(tmp_path, Path(botocore.__file__).parent) / f"__init__.{tag}.pyc").is_file()
