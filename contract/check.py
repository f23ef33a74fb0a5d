"""`make check-contract`: fail on a breaking change to the API contract that the version does not declare.

Compares openapi.yaml with the last released contract, contract/released/openapi.yaml (a verbatim copy that
`make release-contract` makes at release time), with api-smart-diff (npm, pinned in package.json; offline),
which contract/diff.mjs runs. Prints each breaking change (operation, place, what) and counts the others.

The rule (semantic versioning of the contract, CHANGELOG.md):
- info.version must be valid semver (MAJOR.MINOR.PATCH[-pre][+build]) and not lower than the released one;
- a breaking change (a removed operation, response or field, a narrowed type or constraint, a new required
  request field or parameter, a removed request enum value, ...) passes only when MAJOR is greater than the
  released MAJOR, and CHANGELOG.md then has a `## [<info.version>]` entry.

x-amazon-* keys (API Gateway's integration, validators, gateway responses) are deployment, not contract: they
are left out of the comparison.

Exit status: 0 pass, 1 fail, 2 usage or tool error.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DIFF_SCRIPT = HERE / "diff.mjs"

# https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string
SEMVER = re.compile(
    r"^(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+(?P<build>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
CLASSES = ["breaking", "non-breaking", "deprecated", "annotation", "unclassified"]

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Version:
    """A semver version, ordered by semver precedence (build metadata ignored)."""

    def __init__(self, text: str) -> None:
        match = SEMVER.match(text)
        if not match:
            raise ValueError(text)
        self.text = text
        self.major, self.minor, self.patch = (int(match[k]) for k in ("major", "minor", "patch"))
        self.pre = match["pre"].split(".") if match["pre"] else []

    def _key(self) -> tuple:
        # A pre-release sorts before its release; numeric identifiers before alphanumeric ones, numerically.
        pre = [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.pre]
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, pre)

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    def __str__(self) -> str:
        return self.text


def load(path: Path) -> dict[str, Any]:
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    except (OSError, yaml.YAMLError) as error:
        raise SystemExit(f"check-contract: cannot read {path}: {error}") from None
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3."):
        raise SystemExit(f"check-contract: {path} is not an OpenAPI 3 document")
    return document


def strip_amazon(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: strip_amazon(v) for k, v in node.items() if not str(k).startswith("x-amazon-")}
    if isinstance(node, list):
        return [strip_amazon(v) for v in node]
    return node


def version_of(document: dict[str, Any], name: str) -> tuple[Version | None, str | None]:
    text = str((document.get("info") or {}).get("version", ""))
    try:
        return Version(text), None
    except ValueError:
        return None, f"info.version {text!r} of {name} is not valid semver (MAJOR.MINOR.PATCH, e.g. 2.1.0)"


def diff(released: dict[str, Any], current: dict[str, Any], node: str) -> dict[str, Any]:
    payload = json.dumps({"before": strip_amazon(released), "after": strip_amazon(current)}, default=str)
    try:
        run = subprocess.run(
            [node, str(DIFF_SCRIPT)], input=payload, capture_output=True, text=True, timeout=120, check=False
        )
    except OSError as error:
        raise SystemExit(f"check-contract: cannot run {node}: {error}") from None
    if run.returncode != 0:
        hint = "" if "api-smart-diff" not in run.stderr else " (npm ci --no-audit --no-fund --ignore-scripts)"
        print(run.stderr, file=sys.stderr, end="")
        sys.stderr.write(f"check-contract: {DIFF_SCRIPT.name} failed{hint}\n")
        raise SystemExit(2)
    return json.loads(run.stdout)


def shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def has_changelog_entry(changelog: Path, version: Version) -> bool:
    try:
        text = changelog.read_text(encoding="utf-8")
    except OSError:
        return False
    return re.search(rf"^## \[{re.escape(version.text)}\]", text, re.MULTILINE) is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--current", type=Path, default=ROOT / "openapi.yaml", help="the contract as it is now")
    parser.add_argument(
        "--released", type=Path, default=HERE / "released" / "openapi.yaml", help="the last released contract"
    )
    parser.add_argument("--changelog", type=Path, default=ROOT / "CHANGELOG.md")
    parser.add_argument("--node", default="node", help="the node binary")
    args = parser.parse_args(argv)

    current, released = load(args.current), load(args.released)
    now, error_now = version_of(current, str(args.current))
    then, error_then = version_of(released, str(args.released))
    errors = [e for e in (error_now, error_then) if e]
    if errors:
        for error in errors:
            print(f"FAIL: {error}")
        return 1

    result = diff(released, current, args.node)
    changes = result["changes"]
    counts = {c: sum(1 for change in changes if change["type"] == c) for c in CLASSES}
    print(
        f"check-contract: {shown(args.current)} {now} against the released {then} ({shown(args.released)}),"
        f" api-smart-diff {result['tool']}"
    )
    breaking = [change for change in changes if change["type"] == "breaking"]
    if breaking:
        print(f"{len(breaking)} breaking change(s):")
        for change in breaking:
            note = f"  [{change['note']}]" if change.get("note") else ""
            print(f"  - {change['where']}: {change['what']}{note}")
    print(
        f"{counts['non-breaking']} non-breaking change(s); also {counts['deprecated']} deprecation(s),"
        f" {counts['annotation']} annotation(s) (descriptions, examples) and {counts['unclassified']} unclassified"
    )

    if now < then:
        print(f"FAIL: info.version {now} is lower than the released {then}")
        return 1
    if not breaking:
        print("OK: no breaking change")
        return 0
    if now.major > then.major:
        if not has_changelog_entry(args.changelog, now):
            print(
                f"FAIL: the breaking changes come with a major version bump ({then} -> {now}),"
                f" but {args.changelog.name} has no '## [{now}]' entry: record them there"
            )
            return 1
        print(f"OK: breaking changes allowed by the major version bump {then} -> {now} ({args.changelog.name} has it)")
        return 0
    print(
        f"FAIL: {len(breaking)} breaking change(s) but info.version {now} keeps the released major {then.major}:"
        " bump the major version (and record it in CHANGELOG.md) or make the change additive"
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
