"""Generate the shop's Python SDK (`sdk/`) from the published contract, `contract/published/openapi.json`
(`make publish` derives it from openapi.yaml), with openapi-python-client.

    python sdk/generate.py           regenerate sdk/ in place (`make sdk`)
    python sdk/generate.py --check   regenerate into a temporary folder and compare with sdk/ (`make check-sdk`)

The published contract is what consumers read: no `x-amazon-*` extensions, and the token as HTTP bearer
(contract/publish.py). The generator runs offline, with the configuration in `sdk/openapi-python-client.yaml`,
and formats its output with the `ruff` of this interpreter's environment (both versions are pinned in
pyproject.toml's `dev` extra), so the same spec always gives the same files. Every generated file is marked as generated.

Hand-written here: this script, the configuration, README.md, and the `shop_sdk` package (the idiomatic
layer on the generated `shop_client`). Everything else in sdk/ is generated; both commands leave the
hand-written files alone (the generator's own README is dropped).
"""

from __future__ import annotations

import argparse
import difflib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SDK = Path(__file__).resolve().parent
ROOT = SDK.parent
SPEC = ROOT / "contract" / "published" / "openapi.json"
CONFIG = SDK / "openapi-python-client.yaml"
HAND_WRITTEN = {Path("generate.py"), Path("openapi-python-client.yaml"), Path("README.md")}
# Hand-written packages beside the generated one: every file under them is hand-written.
HAND_WRITTEN_DIRS = {"shop_sdk"}
# Made by installing or using the package, never generated: not compared, never removed.
IGNORED_DIRS = {"__pycache__", ".ruff_cache", "build", "dist"}
IGNORED_SUFFIXES = (".egg-info", ".pyc")

GENERATOR = "openapi-python-client"
PY_HEADER = f"# GENERATED from contract/published/openapi.json by {GENERATOR} (`make sdk`). Do not edit by hand.\n"


def generate(target: Path) -> None:
    """Generate the SDK project into `target` (which must not exist)."""
    with tempfile.TemporaryDirectory(prefix="shop-sdk-spec-") as scratch:
        spec = SPEC
        bin_dir = str(Path(sys.executable).parent)  # the generator's post-hooks call `ruff` through PATH
        env = os.environ | {"PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "RUFF_NO_CACHE": "true"}
        command = [
            sys.executable, "-m", "openapi_python_client", "generate",
            "--path", str(spec),
            "--config", str(CONFIG),
            "--meta", "setup",
            "--output-path", str(target),
            "--fail-on-warning",
        ]  # fmt: skip
        result = subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"{GENERATOR} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    mark_generated(target)


def mark_generated(target: Path) -> None:
    for path in sorted(target.rglob("*")):
        if path.suffix == ".py" or path.name == "pyproject.toml":
            path.write_text(PY_HEADER + path.read_text(encoding="utf-8"), encoding="utf-8")


def generated_files(root: Path) -> dict[Path, bytes]:
    """Every generated file under `root` (relative path → content): not hand-written, not made by an install."""
    files = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part in IGNORED_DIRS or part.endswith(IGNORED_SUFFIXES) for part in relative.parts):
            continue
        if relative.parts[0] in HAND_WRITTEN_DIRS:
            continue
        if path.is_file() and relative not in HAND_WRITTEN:
            files[relative] = path.read_bytes()
    return files


def differences(expected: dict[Path, bytes], actual: dict[Path, bytes]) -> list[str]:
    lines = []
    for relative in sorted(expected.keys() | actual.keys()):
        old, new = actual.get(relative), expected.get(relative)
        if old == new:
            continue
        if old is None:
            lines.append(f"missing from sdk/: {relative}\n")
        elif new is None:
            lines.append(f"not generated from the spec (stale?): sdk/{relative}\n")
        else:
            old_text = old.decode("utf-8", errors="replace").splitlines(keepends=True)
            new_text = new.decode("utf-8", errors="replace").splitlines(keepends=True)
            lines += difflib.unified_diff(old_text, new_text, f"sdk/{relative}", f"generated/{relative}")
    return lines


def write(expected: dict[Path, bytes]) -> None:
    """Make sdk/ hold exactly the generated files, leaving the hand-written and installation files alone."""
    for relative in generated_files(SDK):
        if relative not in expected:
            (SDK / relative).unlink()
    for relative, content in expected.items():
        path = SDK / relative
        if not path.is_file() or path.read_bytes() != content:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    for folder in sorted((p for p in SDK.rglob("*") if p.is_dir()), reverse=True):
        if folder.name not in IGNORED_DIRS and not any(folder.iterdir()):
            folder.rmdir()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with sdk/ instead of writing it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shop-sdk-") as scratch:
        target = Path(scratch) / "sdk"
        generate(target)
        expected = generated_files(target)
    if not args.check:
        write(expected)
        print(f"sdk/: {len(expected)} generated files from {SPEC.name}")
        return 0
    diff = differences(expected, generated_files(SDK))
    if diff:
        sys.stdout.writelines(diff)
        print("\nsdk/ drifted from contract/published/openapi.json: run 'make sdk' and commit the result", file=sys.stderr)
        return 1
    print(f"sdk/ matches contract/published/openapi.json ({len(expected)} generated files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
