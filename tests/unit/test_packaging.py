"""The packages' architecture (Makefile LAMBDA_ARCH, shoplocal/packaging.py) and the Lambda locks that serve
both architectures (requirements/lock.py)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from shoplocal import packaging
from shoplocal.template import ROOT, Template


def _lock_module():
    spec = importlib.util.spec_from_file_location("lock", ROOT / "requirements" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_makefiles_default_architecture_is_the_templates() -> None:
    # GIVEN the architecture the Makefile's build-* targets pick wheels for unless told another
    arch = re.search(r"^LAMBDA_ARCH\s*:=\s*(\S+)", (ROOT / "Makefile").read_text(), re.MULTILINE)

    # THEN it is the one every function of template.yaml runs on (arm64 is pip's aarch64)
    template = Template()
    default = template.body.get("Globals", {}).get("Function", {}).get("Architectures")
    architectures = {
        tuple(resource["Properties"].get("Architectures", default))
        for resource in template.resources.values()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    assert arch is not None
    assert {packaging.ARCHES[name] for names in architectures for name in names} == {arch.group(1)}


@pytest.mark.parametrize(("machine", "tag"), [("x86_64", "x86_64"), ("AMD64", "x86_64"), ("aarch64", "aarch64"),
                                              ("arm64", "aarch64")])
def test_this_machines_architecture_is_named_as_pip_tags_it(monkeypatch, machine, tag) -> None:
    monkeypatch.setattr(packaging.platform, "machine", lambda: machine)
    assert packaging.machine_arch() == tag


def test_a_machine_without_manylinux_wheels_is_refused_by_name(monkeypatch) -> None:
    monkeypatch.setattr(packaging.platform, "machine", lambda: "riscv64")
    with pytest.raises(RuntimeError, match="riscv64"):
        packaging.machine_arch()


def test_the_runtime_sdk_lock_is_stale_once_its_input_changes(tmp_path, monkeypatch) -> None:
    # GIVEN lock.py's view of a tree whose requirements/lambda-runtime.in names another boto3
    lock = _lock_module()
    (tmp_path / "requirements").mkdir()
    (tmp_path / "pyproject.toml").write_bytes((ROOT / "pyproject.toml").read_bytes())
    inputs, options = lock.LOCKS["lambda-runtime.lock"]
    monkeypatch.setattr(lock, "ROOT", tmp_path)
    (tmp_path / "requirements" / "lambda-runtime.in").write_text("boto3==1.38.36\n")
    before = lock.inputs_digest(inputs, options)
    (tmp_path / "requirements" / "lambda-runtime.in").write_text("boto3==1.39.0\n")

    # THEN its recorded digest no longer matches: `make check-lock` fails until `make lock`
    assert lock.inputs_digest(inputs, options) != before


def _fake_uv(path: Path, pins_by_platform: dict[str, str]) -> Path:
    """A `uv pip compile` that prints the pins given for the --python-platform it is asked for."""
    path.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"pins = {pins_by_platform!r}\n"
        "print(pins[sys.argv[sys.argv.index('--python-platform') + 1]])\n"
    )
    path.chmod(0o755)
    return path


def test_a_lambda_lock_that_would_pin_otherwise_on_x86_64_is_refused(tmp_path) -> None:
    # GIVEN a resolver that pins pydantic-core differently for x86_64
    lock = _lock_module()
    uv = _fake_uv(tmp_path / "uv", {
        "aarch64-manylinux2014": "pydantic-core==2.50.5 \\\n    --hash=sha256:aa",
        "x86_64-manylinux2014": "pydantic-core==2.50.4 \\\n    --hash=sha256:bb",
    })
    inputs, options = lock.LOCKS["lambda.lock"]
    out = lock.compile_lock(str(uv), inputs, options)

    # WHEN the lock is checked on every platform, THEN it is refused, naming both pins
    with pytest.raises(SystemExit, match=r"x86_64-manylinux2014 resolves otherwise \(pydantic-core==2.50.4, "
                                         r"pydantic-core==2.50.5\)"):
        lock.same_on_every_platform(str(uv), "lambda.lock", inputs, options, out)


def test_a_lambda_lock_that_pins_alike_on_both_architectures_is_accepted(tmp_path) -> None:
    lock = _lock_module()
    same = "pydantic-core==2.50.5 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb"
    uv = _fake_uv(tmp_path / "uv", {"aarch64-manylinux2014": same, "x86_64-manylinux2014": same})
    inputs, options = lock.LOCKS["lambda-pdf.lock"]

    out = lock.compile_lock(str(uv), inputs, options)

    lock.same_on_every_platform(str(uv), "lambda-pdf.lock", inputs, options, out)  # no SystemExit
