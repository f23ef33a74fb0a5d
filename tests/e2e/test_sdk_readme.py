"""sdk/README.md's examples run as written against the local stack, as a new user would paste them after
`make run`: every ```python block, in order, in one namespace, with only what the README says the reader
brings (`token`, an admin's) and the local stack's URL in place of `make run`'s http://127.0.0.1:3000."""

from __future__ import annotations

import re
from pathlib import Path

from shop_sdk import OrderStatus

from shoplocal.template import ROOT

README = ROOT / "sdk" / "README.md"
MAKE_RUN_URL = "http://127.0.0.1:3000"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def test_every_python_example_of_the_sdk_readme_runs_against_the_local_stack(
    local_stack, admin_token, tmp_path, monkeypatch, capsys
):
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 8 and all(MAKE_RUN_URL in block for block in blocks if "Shop(" in block)
    monkeypatch.chdir(tmp_path)  # the examples write invoices/ and acme.pdf where they run
    namespace: dict = {"token": admin_token}
    made = []
    for number, block in enumerate(blocks, 1):
        code = compile(block.replace(MAKE_RUN_URL, local_stack), f"sdk/README.md python block {number}", "exec")
        exec(code, namespace)  # noqa: S102 - the README's own examples
        made += [v for v in namespace.values() if type(v).__name__ == "Shop" and v not in made]
    try:
        # THEN the quick start's order was invoiced, its PDF written twice, and the other examples printed
        order = namespace["order"]
        assert order.status is OrderStatus.INVOICED
        assert (tmp_path / "invoices" / f"{order.invoice_id}.pdf").read_bytes().startswith(b"%PDF")
        assert Path("acme.pdf").read_bytes().startswith(b"%PDF")
        printed = capsys.readouterr().out
        assert "body /items/0/quantity" in printed  # the validation error's field, from the errors example
        assert f"GET /clients/{namespace['client'].client_id} #1 200 retry in None" in printed
        assert "INVOICED" in printed
    finally:
        for shop in made:
            shop.close()
