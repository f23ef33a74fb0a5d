"""`shop bench --smoke` runs end to end on a stack of its own, and every operation makes exactly the AWS calls
its access pattern lists (datamodel/access_patterns.py). Never a timing: timings are the bench's to report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from shoplocal.bench import runner
from shoplocal.template import ROOT


def test_bench_smoke_run_writes_every_section_and_calls_equal_their_minimum(tmp_path: Path) -> None:
    # GIVEN a results file the run must write
    output = tmp_path / "results.json"

    # WHEN the harness runs as `make bench` runs it, with --smoke
    command = [sys.executable, "-m", "shoplocal.cli", "bench", "--smoke", "--output", str(output),
               "--stack-dir", str(tmp_path / "stack")]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)

    # THEN it succeeded and wrote the documented layout, with every section that exists
    assert completed.returncode == 0, completed.stderr[-4000:]
    results = json.loads(output.read_text())
    assert {"machine", "started", "repetitions", "smoke", "sections", "missing"} <= set(results)
    assert results["smoke"] is True
    present = [name for name in runner.SECTIONS if runner.load_section(name) is not None]
    assert sorted(results["sections"]) == sorted(present)
    assert sorted(results["missing"]) == sorted(set(runner.SECTIONS) - set(present))
    assert "errors" not in results, results.get("errors")

    # AND every operation's calls equal its minimum, operation by operation, transaction by transaction and
    # batch get by batch get
    from datamodel.access_patterns import MINIMUM_CALLS

    calls = {figure["name"]: figure for figure in results["sections"]["calls"]}
    assert set(MINIMUM_CALLS) <= set(calls), set(MINIMUM_CALLS) - set(calls)
    for name, figure in calls.items():
        detail = figure["detail"]
        assert detail["calls"] == detail["minimum"]["calls"], name
        assert detail.get("transactWriteItems", []) == detail["minimum"].get("transactWriteItems", []), name
        assert detail.get("batchGetItems", []) == detail["minimum"].get("batchGetItems", []), name
        assert detail["equal"] is True, name
        assert figure["samples"] and all(sample == sum(detail["minimum"]["calls"].values())
                                         for sample in figure["samples"]), name
