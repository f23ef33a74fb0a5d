"""What every section of `shop bench` shares: a figure, its statistics, and how a section is declared.

A section is a module of this package with
    SECTION = "<name>"                       # key in bench/results.json
    def measure(ctx: BenchContext) -> list[Figure]
Each figure is measured against a baseline in the same run (docs/architecture.md §7), with repetitions.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any


@dataclass
class BenchContext:
    """What a section may use: the running local stack and how hard to try."""

    repetitions: int  # per figure; the smoke run in `make test` uses 2-3
    smoke: bool  # True in `make test`: smallest sizes that still exercise every code path
    api_url: str  # the local stack's gateway, e.g. http://127.0.0.1:3000
    moto_url: str  # the embedded moto server (AWS_ENDPOINT_URL)
    admin_token: str  # bearer token for the admin role
    resources: dict[str, str]  # logical id -> physical id (table name, queue URLs, bucket), as `shop run` reports
    function_env: dict[str, dict[str, str]]  # logical id -> the environment Lambda would give the function
    extra: dict[str, Any] = field(default_factory=dict)


def summary(samples: list[float]) -> dict[str, float]:
    """Median and spread (min, max, and the interquartile range when there are enough samples)."""
    ordered = sorted(samples)
    result = {"median": statistics.median(ordered), "min": ordered[0], "max": ordered[-1], "n": len(ordered)}
    if len(ordered) >= 4:
        q1, _, q3 = statistics.quantiles(ordered, n=4)
        result["iqr"] = q3 - q1
    return result


@dataclass
class Figure:
    """One measured figure: samples of the product and, when it has one, of its baseline in the same run."""

    section: str  # e.g. "cold_start"
    name: str  # e.g. "OrdersFunction", "GET /clients/{clientId}", "100 line items"
    unit: str  # of the samples: "ms", "calls", "orders/s", "bytes"
    samples: list[float]
    baseline: list[float] | None = None  # same unit, measured in the same run
    baseline_label: str | None = None  # what the baseline is, e.g. "bare boto3 handler"
    target: float | None = None  # upper bound for ratio (product/baseline), e.g. 1.5; for "at least", see below
    target_at_least: bool = False  # True when the ratio must be >= target (pipeline throughput)
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)  # e.g. calls by AWS operation, item counts, sizes

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        base = statistics.median(self.baseline)
        return statistics.median(self.samples) / base if base else None

    @property
    def met(self) -> bool | None:
        if self.target is None or self.ratio is None:
            return None
        return self.ratio >= self.target if self.target_at_least else self.ratio <= self.target

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "unit": self.unit,
            "samples": self.samples,
            **summary(self.samples),
        }
        if self.baseline:
            data["baseline"] = {"label": self.baseline_label, "samples": self.baseline, **summary(self.baseline)}
            data["ratio"] = self.ratio
        if self.target is not None:
            data["target"] = {"ratio": self.target, "at_least": self.target_at_least, "met": self.met}
        if self.note:
            data["note"] = self.note
        if self.detail:
            data["detail"] = self.detail
        return data
