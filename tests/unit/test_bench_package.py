"""shoplocal/bench/package.py and the Makefile's bytecode step: what a Lambda package ships and how it is counted."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from shoplocal.bench import package
from shoplocal.template import ROOT


THIS_PYTHON = "%d.%d" % sys.version_info[:2]


def _make_bytecode(artifacts_dir: Path, runtime: str) -> subprocess.CompletedProcess[str]:
    """The Makefile's bytecode step with this interpreter as LAMBDA_PYTHON, told the runtime is `runtime`."""
    command = ["make", "--no-print-directory", "lambda-bytecode", f"ARTIFACTS_DIR={artifacts_dir}",
               f"LAMBDA_PYTHON={sys.executable}", f"LAMBDA_RUNTIME={runtime}"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_the_makefiles_runtime_is_the_templates() -> None:
    # GIVEN the runtime the Makefile compiles bytecode and picks wheels for
    runtime = re.search(r"^LAMBDA_RUNTIME\s*:=\s*([0-9.]+)", (ROOT / "Makefile").read_text(), re.MULTILINE)

    # THEN it is the one every function of template.yaml runs on
    assert runtime is not None
    runtimes = {function.get("Runtime") for function in _template_functions()}
    assert runtimes == {f"python{runtime.group(1)}"}


def _template_functions() -> list[dict]:
    from shoplocal.template import Template

    template = Template()
    runtime = template.body.get("Globals", {}).get("Function", {}).get("Runtime")
    return [
        {"Runtime": resource["Properties"].get("Runtime", runtime)}
        for resource in template.resources.values()
        if resource["Type"] == "AWS::Serverless::Function"
    ]


def test_measure_tree_zips_pycache_and_counts_the_bytecode(tmp_path: Path) -> None:
    # GIVEN a package with a module, its bytecode in __pycache__, and a data file
    (tmp_path / "pkg" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / "m.py").write_text("VALUE = 1\n")
    (tmp_path / "pkg" / "__pycache__" / "m.cpython-312.pyc").write_bytes(b"\0" * 300)
    (tmp_path / "pkg" / "data.json").write_text("{}")

    # WHEN it is measured
    sizes = package.measure_tree(tmp_path)

    # THEN the zip holds __pycache__ too, and the bytecode is counted apart
    assert sizes["files"] == 3
    assert sizes["unzipped_bytes"] == len("VALUE = 1\n") + 300 + 2
    assert sizes["bytecode"]["files"] == 1
    assert sizes["bytecode"]["unzipped_bytes"] == 300
    assert 0 < sizes["bytecode"]["zipped_bytes"] < 300
    assert sizes["bytecode"]["py_files"] == 1


def test_the_smoke_runs_project_code_ships_one_pyc_per_module(tmp_path: Path) -> None:
    # WHEN the smoke run's offline stand-in for a build copies the project's code
    package._project_code(tmp_path)

    # THEN every module has its bytecode, which the measure counts
    bytecode = package.measure_tree(tmp_path)["bytecode"]
    assert bytecode["py_files"] > 0
    assert bytecode["files"] == bytecode["py_files"]


def test_the_build_compiles_unchecked_hash_bytecode_that_names_var_task(tmp_path: Path) -> None:
    # GIVEN a small package tree, and this interpreter standing in for the runtime's (the build is run with
    # LAMBDA_RUNTIME set to this interpreter's version, so the step's code is exercised on any machine)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "m.py").write_text("def f():\n    raise ValueError('m')\n")

    # WHEN the Makefile's last build step runs on it
    done = _make_bytecode(tmp_path, THIS_PYTHON)

    # THEN every module has a pyc of the runtime's version that is never checked against its source and names /var/task/...
    assert done.returncode == 0, done.stdout + done.stderr
    tag = sys.implementation.cache_tag  # e.g. cpython-312
    pyc = tmp_path / "pkg" / "__pycache__" / f"m.{tag}.pyc"
    assert (tmp_path / "pkg" / "__pycache__" / f"__init__.{tag}.pyc").is_file()
    read = (
        "import marshal, sys; data = open(sys.argv[1], 'rb').read(); "
        "print(int.from_bytes(data[4:8], 'little'), marshal.loads(data[16:]).co_filename)"
    )
    shown = subprocess.run([sys.executable, "-c", read, str(pyc)], capture_output=True, text=True, check=True)
    flags, filename = shown.stdout.split()
    assert int(flags) == 0b01  # PEP 552: hash-based, check_source off (unchecked-hash)
    assert filename == "/var/task/pkg/m.py"


def test_the_build_refuses_to_compile_with_another_python_than_the_runtimes(tmp_path: Path) -> None:
    # GIVEN a package tree, and a runtime that is not this interpreter's version
    (tmp_path / "m.py").write_text("VALUE = 1\n")

    # WHEN the Makefile's bytecode step runs with this interpreter as LAMBDA_PYTHON
    done = _make_bytecode(tmp_path, "2.7")

    # THEN it fails saying what it needs, and compiled nothing
    assert done.returncode != 0
    assert "python2.7" in done.stderr and "LAMBDA_PYTHON" in done.stderr
    assert not (tmp_path / "__pycache__").exists()
