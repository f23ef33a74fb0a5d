"""`make test` runs `pytest -n 2 --dist loadgroup`, and two suites depend on its `xdist_group` marks: the e2e tests
share one local stack per group, and the package smoke test's builds must not run twice at once in one source tree.
A pytest or pytest-xdist upgrade has broken that grouping silently before (pytest 9.2 with pytest-xdist 3.8: the
tests were spread over the workers as if unmarked); this fails on such an upgrade."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SUITE = '''
import os
import pytest

pytestmark = pytest.mark.xdist_group("module-group")


@pytest.mark.parametrize("n", range(6))
def test_marked(n):
    with open(os.environ["WORKERS_FILE"], "a") as f:
        f.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
'''


def test_a_module_marked_with_an_xdist_group_runs_on_one_worker(tmp_path: Path) -> None:
    # GIVEN six tests in one module marked with one xdist_group, as tests/functional/test_package_smoke.py is
    (tmp_path / "test_grouped.py").write_text(SUITE)
    workers = tmp_path / "workers.txt"

    # WHEN they run as `make test` runs the suite
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "-c", "/dev/null", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env={**outer_environment(), "WORKERS_FILE": str(workers)},
    )

    # THEN all six ran, on one worker
    assert done.returncode == 0, done.stdout + done.stderr
    ran = workers.read_text().split()
    assert len(ran) == 6 and len(set(ran)) == 1, f"the group was split over workers {sorted(set(ran))}"


def outer_environment() -> dict[str, str]:
    """This process's environment without the outer run's PYTEST_* variables (its worker's name among them)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
