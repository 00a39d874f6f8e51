"""The figures every benchmark returns, and the table ``make bench`` prints and writes.

A :class:`Figure` is one measured value next to its baseline measured in the same run (or, for
a fixed budget such as "under 50 ms", the budget itself), the ratio between them, and the target
that ratio must meet. ``higher_is_better`` says which way the ratio should point.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Figure:
    section: str  # e.g. "1. write path"
    name: str  # what was measured
    value: float
    unit: str  # "rows/s", "s", "ms", "MiB", "req/s"
    baseline_name: str
    baseline: float
    target: float | None = None  # the ratio the issue asks for, None when only reported
    higher_is_better: bool = True  # True: ratio = value / baseline must be >= target
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("nan")

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.ratio >= self.target if self.higher_is_better else self.ratio <= self.target


@dataclass
class Section:
    title: str
    figures: list[Figure] = field(default_factory=list)
    details: str = ""  # Markdown: profiles, EXPLAIN plans, per-asset tables


def machine() -> str:
    cores = os.cpu_count()
    try:
        mem_kib = next(int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        memory = f"{mem_kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "unknown"
    return f"{cores} cores, {memory} RAM, {platform.system()} {platform.machine()}, Python {platform.python_version()}"


def _num(value: float, unit: str) -> str:
    if value != value:
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}".strip()
    return f"{value:,.3g} {unit}".strip()


def table(figures: list[Figure]) -> str:
    lines = [
        "| figure | value | baseline | ratio | target | met |",
        "|---|---:|---|---:|---:|:---:|",
    ]
    for f in figures:
        target = "" if f.target is None else ("≥ " if f.higher_is_better else "≤ ") + f"{f.target:g}"
        met = {None: "", True: "yes", False: "**no**"}[f.met]
        lines.append(
            f"| {f.section}: {f.name} | {_num(f.value, f.unit)} | {f.baseline_name}: {_num(f.baseline, f.unit)} "
            f"| {f.ratio:.2f}x | {target} | {met} |"
        )
    return "\n".join(lines)


def console(figures: list[Figure]) -> str:
    rows = [("figure", "value", "baseline", "ratio", "target")]
    for f in figures:
        target = "" if f.target is None else ("≥" if f.higher_is_better else "≤") + f"{f.target:g}"
        flag = {None: "", True: " ok", False: " MISSED"}[f.met]
        rows.append((f"{f.section}: {f.name}", _num(f.value, f.unit), f"{f.baseline_name}: {_num(f.baseline, f.unit)}",
                     f"{f.ratio:.2f}x", target + flag))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)
