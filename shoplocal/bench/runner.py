"""`shop bench`: start a local stack of its own, run the sections against it, print a table, write results.json.

Each section is a module of this package (see common.py); one that does not exist yet is reported as
missing, and one that fails is reported with its error, so the others still run.
"""

from __future__ import annotations

import importlib
import logging
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from shoplocal.bench.common import BenchContext, Figure
from shoplocal.launch import launched

SECTIONS = ["calls", "cold_start", "warm", "pagination", "pipeline", "numbering", "render", "package"]
DEFAULT_OUTPUT = Path("bench/results.json")
DEFAULT_REPETITIONS = 10
SMOKE_REPETITIONS = 2

# What the Lambda runtime adds to a function's template environment (as shoplocal/lambdas.py does).
LAMBDA_RUNTIME_VERSION = "$LATEST"


def function_environments(resources: dict[str, str], moto_url: str) -> dict[str, dict[str, str]]:
    """The environment each function of template.yaml gets, against the running stack's resources.

    Parameters take their local values (the cursor key is the stack's own secret, CursorSecret, so
    cursors made in-process are the stack's); the runtime variables are Lambda's, and AWS_ENDPOINT_URL points boto3 at the moto server."""
    from shoplocal.emulator import Emulator
    from shoplocal.provision import Stack, function_environment, local_parameters
    from shoplocal.template import Template

    template = Template()
    stack = Stack("shop", dict(resources), local_parameters(template), {})
    emulator = Emulator()
    emulator.url = moto_url  # not started: only its variables are wanted
    aws = emulator.environ()
    environments = {}
    for logical_id, function in template.functions().items():
        environments[logical_id] = {
            **function_environment(template, stack, logical_id),
            "AWS_LAMBDA_FUNCTION_VERSION": LAMBDA_RUNTIME_VERSION,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
            **aws,
        }
    return environments


def build_context(info: dict[str, Any], repetitions: int, smoke: bool) -> BenchContext:
    from shoplocal.auth import LocalIssuer, key_file

    issuer = LocalIssuer.load(key_file(Path(info["stack_file"])))
    return BenchContext(
        repetitions=repetitions,
        smoke=smoke,
        api_url=info["api"],
        moto_url=info["moto"],
        admin_token=issuer.admin_token(),
        resources=dict(info["resources"]),
        function_env=function_environments(info["resources"], info["moto"]),
        extra={
            "stack_file": info["stack_file"],
            "log": info["log"],
            "issuer": issuer,
            "concurrency": dict(info.get("concurrency", {})),
        },
    )


# ---- running the sections ----


def load_section(name: str) -> Any | None:
    """The section's module, or None when it does not exist (yet)."""
    module_name = f"shoplocal.bench.{name}"
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            return None
        raise


def machine() -> dict[str, Any]:
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpus": os.cpu_count(),
        "load_average_at_start": load,
    }


def run_sections(ctx: BenchContext, names: list[str], echo: Any = print) -> dict[str, Any]:
    """Every named section against `ctx`: {"sections": ..., "missing": [...], "errors": {...}}."""
    sections: dict[str, list[dict[str, Any]]] = {}
    missing: list[str] = []
    errors: dict[str, str] = {}
    figures: dict[str, list[Figure]] = {}
    for name in names:
        try:
            module = load_section(name)
        except Exception:  # a section that fails to import must not stop the others
            errors[name] = traceback.format_exc()
            echo(f"bench: section {name} failed to import")
            continue
        if module is None:
            missing.append(name)
            echo(f"bench: section {name} is missing")
            continue
        echo(f"bench: {name} ...")
        started = time.monotonic()
        try:
            figures[name] = list(module.measure(ctx))
        except Exception:
            errors[name] = traceback.format_exc()
            echo(f"bench: section {name} failed:\n{errors[name]}")
            continue
        sections[getattr(module, "SECTION", name)] = [figure.as_json() for figure in figures[name]]
        echo(f"bench: {name} done in {time.monotonic() - started:.1f} s")
    result: dict[str, Any] = {"sections": sections, "missing": missing}
    if errors:
        result["errors"] = errors
    return result


@contextmanager
def _stdout_to(path: Path) -> Iterator[None]:
    """The functions run in-process print their JSON log lines on stdout: into `path` while sections run,
    so the table stays readable (file descriptor 1 itself, since loggers hold the stream they started with)."""
    sys.stdout.flush()
    saved = os.dup(1)
    with path.open("ab") as sink:
        os.dup2(sink.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def run(
    names: list[str],
    *,
    repetitions: int,
    smoke: bool,
    output: Path | None,
    workdir: Path | None = None,
    echo: Any = print,
    in_memory: bool = False,
) -> dict[str, Any]:
    """Start a stack, run the sections, write `output` (if given); returns the results document.

    The stack is durable, as `shop run` is (a fresh state directory in `workdir`), unless `in_memory`."""
    started = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    with tempfile.TemporaryDirectory(prefix="shop-bench-") as tmp:
        stack_dir = workdir or Path(tmp)
        echo(f"bench: starting a local stack in {stack_dir}")
        durability = "--in-memory" if in_memory else "--fresh"
        with launched(stack_dir, ["--log-level", "warning", durability]) as stack:
            ctx = build_context(stack.info, repetitions, smoke)
            function_log = stack_dir / "functions.log"
            echo(f"bench: the functions' own log lines go to {function_log}")
            with _stdout_to(function_log):
                outcome = run_sections(ctx, names, echo)
    results = {
        "machine": machine(),
        "started": started,
        "repetitions": repetitions,
        "smoke": smoke,
        "stack": "in memory" if in_memory else "durable (journal in its state directory)",
        **outcome,
    }
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=2) + "\n")
    return results


# ---- the table ----


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:.3g}"
    return f"{text} {unit}".strip()


def _spread(data: dict[str, Any]) -> str:
    if "iqr" in data:
        return f"IQR {_number(data['iqr'])}"
    if data["min"] == data["max"]:
        return "-"
    return f"{_number(data['min'])}..{_number(data['max'])}"


def table_rows(results: dict[str, Any]) -> list[list[str]]:
    """section, figure, median, spread, baseline median, ratio, target, met: one row per figure."""
    rows = []
    for section, figures in results["sections"].items():
        for figure in figures:
            baseline = figure.get("baseline")
            target = figure.get("target")
            met = target.get("met") if target else None
            rows.append(
                [
                    section,
                    figure["name"],
                    _number(figure["median"], figure["unit"]),
                    _spread(figure),
                    _number(baseline["median"], figure["unit"]) if baseline else "-",
                    f"{figure['ratio']:.2f}" if figure.get("ratio") is not None else "-",
                    (("≥ " if target["at_least"] else "≤ ") + f"{target['ratio']:g}") if target else "-",
                    {True: "yes", False: "NO", None: "-"}[met],
                ]
            )
    return rows


def print_table(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"shop bench ({results['repetitions']} repetitions{', smoke' if results['smoke'] else ''})")
    for column in ("section", "figure", "median", "spread", "baseline", "ratio", "target", "met"):
        table.add_column(column, justify="left" if column in ("section", "figure") else "right")
    for row in table_rows(results):
        style = "red" if row[-1] == "NO" else None
        table.add_row(*row, style=style)
    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print(table)
    if results["missing"]:
        console.print(f"missing sections: {', '.join(results['missing'])}")
    for name in results.get("errors", {}):
        console.print(f"[red]section {name} failed[/red] (traceback in the results file)")


def markdown_table(results: dict[str, Any]) -> str:
    head = ["section", "figure", "median", "spread", "baseline", "ratio", "target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(results)]
    return "\n".join(lines)


def main(args: Any) -> int:
    """`shop bench`: 0 when every section present ran (targets missed do not fail the command)."""
    if getattr(args, "markdown", None):
        print(markdown_table(json.loads(args.markdown.read_text())))
        return 0
    # One line per health probe, per client created, per settings lookup otherwise.
    for name in ("httpx", "botocore", "pynamodb"):
        logging.getLogger(name).setLevel(logging.WARNING)
    names = SECTIONS
    if args.only:
        names = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = sorted(set(names) - set(SECTIONS))
        if unknown:
            print(f"shop bench: unknown section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}", file=sys.stderr)
            return 2
    repetitions = args.repetitions or (SMOKE_REPETITIONS if args.smoke else DEFAULT_REPETITIONS)
    results = run(
        names,
        repetitions=repetitions,
        smoke=args.smoke,
        output=args.output,
        workdir=args.stack_dir,
        echo=lambda text: print(text, file=sys.stderr, flush=True),
        in_memory=getattr(args, "in_memory", False),
    )
    print_table(results)
    print(f"results: {args.output}")
    return 1 if results.get("errors") else 0
