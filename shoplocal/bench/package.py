"""Section `package`: each function's deployment package, built as `sam build` builds it, zipped and unzipped.

`sam build` runs the Makefile's `build-<Function>` target of every function whose template Metadata says
`BuildMethod: makefile`, with ARTIFACTS_DIR set to the function's build directory; this does the same into
temporary directories, then zips each one as `sam package` does (deflate). The baseline, built in the
same run, is the package every function got before the per-function dependency sets: the project and
every runtime dependency, reportlab and boto3 included, and no bytecode (`build_unoptimised`).

The Makefile compiles each package's bytecode with LAMBDA_PYTHON, which must be a python3.12 (the functions'
runtime); `build` (shoplocal/packaging.py) passes one when it finds it, else the Makefile's error says what to do.
The zips include `__pycache__`, as `sam build` leaves it; each figure's detail counts the .pyc files and
their bytes (`bytecode`).

The builds download aarch64 wheels from PyPI, so the smoke run (`ctx.smoke`, in `make test`) builds
nothing: it measures only the project's own code, offline, compiled by the running interpreter as the build
compiles it (unchecked-hash pycs), and says so in the figure's note.

Standalone: `python -m shoplocal.bench.package [FUNCTION ...]` prints the sizes and what is inside.
"""

from __future__ import annotations

import compileall
import os
import py_compile
import sys
import tempfile
import tomllib
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from shoplocal.bench.common import BenchContext, Figure
from shoplocal.packaging import build, makefile_functions, run

SECTION = "package"
ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = ("handlers", "datamodel", "workers", "domain")
# Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html): a zip uploaded
# directly, and the unzipped function with its layers.
ZIP_UPLOAD_LIMIT = 50 * 1024 * 1024
UNZIPPED_LIMIT = 250 * 1024 * 1024
# What no Lambda package should carry: the local stack, console scripts, dev and local-only tools.
NEVER_SHIPPED = ("shoplocal", "bin", "moto", "connexion", "pytest", "schemathesis", "cfnlint", "black", "ruff")
BASELINE_LABEL = "one package for every function: all runtime dependencies incl. reportlab and boto3 (before)"


def build_unoptimised(artifacts_dir: Path) -> None:
    """The Makefile recipe before per-function packages: the project plus every runtime dependency, no bytecode."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"].get("pdf", [])
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--target", str(artifacts_dir)]
    platform = ["--platform", "manylinux2014_aarch64", "--implementation", "cp", "--python-version", "3.12"]
    run([*pip, "--no-deps", "."])
    run([*pip, *platform, "--only-binary=:all:", *requirements])


def _top(path: str) -> str:
    name = path.split("/", 1)[0]
    # A distribution's metadata is counted with its package: "botocore-1.40.1.dist-info" -> "botocore".
    return name.split("-", 1)[0] if name.endswith(".dist-info") else name


def measure_tree(root: Path, top: int = 8) -> dict[str, Any]:
    """Unzipped and zipped bytes of `root` (everything in it, `__pycache__` included, as `sam package` zips it),
    file count, the bytecode (.pyc files, and .py files for comparison), and the `top` biggest top-level entries."""
    unzipped = 0
    by_entry: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    bytecode = {"files": 0, "unzipped_bytes": 0, "zipped_bytes": 0}
    sources = 0
    with tempfile.TemporaryDirectory(prefix="shop-package-") as tmp:
        archive = Path(tmp) / "package.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
            for directory, subdirs, files in os.walk(root):
                subdirs.sort()
                for name in sorted(files):
                    path = Path(directory, name)
                    zipped.write(path, path.relative_to(root).as_posix())
        with zipfile.ZipFile(archive) as zipped:
            infos = zipped.infolist()
        for info in infos:
            unzipped += info.file_size
            entry = by_entry[_top(info.filename)]
            entry[0] += info.file_size
            entry[1] += info.compress_size
            if info.filename.endswith(".pyc"):
                bytecode["files"] += 1
                bytecode["unzipped_bytes"] += info.file_size
                bytecode["zipped_bytes"] += info.compress_size
            elif info.filename.endswith(".py"):
                sources += 1
        zipped_bytes = archive.stat().st_size
    biggest = sorted(by_entry.items(), key=lambda item: item[1][0], reverse=True)[:top]
    return {
        "unzipped_bytes": unzipped,
        "zipped_bytes": zipped_bytes,
        "files": len(infos),
        "bytecode": {**bytecode, "py_files": sources},
        "biggest": [{"name": name, "unzipped_bytes": sizes[0], "zipped_bytes": sizes[1]} for name, sizes in biggest],
        "entries": sorted(by_entry),
    }


def audit(entries: list[str]) -> dict[str, Any]:
    """What the package carries that matters: the SDK (or the runtime's), reportlab, anything never shipped."""
    present = set(entries)
    return {
        "sdk": "bundled" if {"boto3", "botocore"} & present else "runtime's",
        "reportlab": "reportlab" in present,
        "never_shipped_found": sorted(present & set(NEVER_SHIPPED)),
    }


def _project_code(target: Path) -> None:
    """Offline stand-in for a build: the project's own packages as they are in the source tree, compiled by the
    running interpreter as the Makefile's `lambda-bytecode` step compiles a package (unchecked-hash pycs that
    name /var/task/... as their source); the build's pycs are python3.12's, these the running interpreter's."""
    for package in PROJECT_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            destination = target / path.relative_to(ROOT)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())
    compiled = compileall.compile_dir(
        target, quiet=1, stripdir=str(target), prependdir="/var/task",
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    if not compiled:
        raise RuntimeError(f"the project's code in {target} does not compile")


def _figures(name: str, sizes: dict[str, Any], baseline: dict[str, Any] | None, note: str = "") -> list[Figure]:
    detail = {key: sizes[key] for key in ("unzipped_bytes", "zipped_bytes", "files", "bytecode", "biggest")}
    if baseline:  # a real build, not the smoke run's source tree
        detail |= audit(sizes["entries"])
    detail["limits"] = {"zip_upload_bytes": ZIP_UPLOAD_LIMIT, "unzipped_bytes": UNZIPPED_LIMIT}
    figures = []
    for kind in ("zipped", "unzipped"):
        figures.append(
            Figure(
                SECTION,
                f"{name} {kind}",
                "bytes",
                [float(sizes[f"{kind}_bytes"])],
                [float(baseline[f"{kind}_bytes"])] if baseline else None,
                BASELINE_LABEL if baseline else None,
                note=note,
                detail=detail if kind == "zipped" else {},
            )
        )
    return figures


def measure(ctx: BenchContext) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="shop-bench-package-") as tmp:
        if ctx.smoke:
            code = Path(tmp, "code")
            _project_code(code)
            note = ("not run in smoke (the builds download wheels from PyPI): the project's own code only, "
                    "with bytecode compiled by the running interpreter, as the build compiles it with python3.12")
            return _figures("project code", measure_tree(code), None, note)
        before = Path(tmp, "unoptimised")
        build_unoptimised(before)
        baseline = measure_tree(before)
        figures = []
        for function in makefile_functions():
            target = Path(tmp, function)
            build(function, target)
            figures += _figures(function, measure_tree(target), baseline)
        return figures


def _mb(size: float) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def main(argv: list[str]) -> int:
    functions = argv or makefile_functions()
    with tempfile.TemporaryDirectory(prefix="shop-package-") as tmp:
        for function in functions:
            target = Path(tmp, function)
            build(function, target)
            sizes = measure_tree(target)
            checks = audit(sizes["entries"])
            print(f"{function}: {_mb(sizes['zipped_bytes'])} zipped, {_mb(sizes['unzipped_bytes'])} unzipped, {checks}")
            pycs = sizes["bytecode"]
            print(f"    bytecode: {pycs['files']} .pyc for {pycs['py_files']} .py, "
                  f"{_mb(pycs['unzipped_bytes'])} unzipped, {_mb(pycs['zipped_bytes'])} zipped")
            for entry in sizes["biggest"]:
                print(f"    {entry['name']:<24} {_mb(entry['unzipped_bytes']):>9} {_mb(entry['zipped_bytes']):>9} zipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
