"""`make bench`: every figure of issue 6 with its baseline and ratio, printed and written to
``docs/benchmarks.md`` with this machine's cores and memory.

    python -m benchmarks [--accounts 1000] [--rows 1000000] [--only write,day,rate,growth,views,launch] [--no-launch-baseline]

Each part runs in its own throwaway database. Nothing here is a test: no figure fails the run.
"""

from __future__ import annotations

import argparse
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

from . import report

PARTS = ("write", "day", "rate", "growth", "views", "launch")
DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def _day_sections(accounts: int, posts: int, profile_accounts: int) -> list[report.Section]:
    from .scale_day import day_at_scale

    out, counts = day_at_scale(accounts, posts, profile=False, executor="multiprocess")
    wall = out["graph_seconds"] + out["views_seconds"]
    day = report.Section("2. a whole day at scale")
    day.figures.append(report.Figure(
        day.title, f"{accounts:,} accounts through every asset + views", wall, "s", "budget", 300.0, 1.0, higher_is_better=False,
    ))
    lines = [
        f"{accounts:,} demo accounts over the nine platforms, {posts} posts per account per pull. "
        f"Exchanges recorded from the simulator beforehand: {out['exchanges']:,} in {out['record_seconds']:.0f} s "
        f"(not measured); {out['exchanges_stored']:,} exchanges stored by the run. "
        f"Run: the project's `daily_pipeline` job (every daily asset and the table checks; steps forked from a "
        f"preloaded server, two at a time) on a temporary Dagster instance, then `count(*)` over each view "
        f"({out['views_seconds']:.2f} s). Success: {out['success']}.",
        "",
        "| table | rows |", "|---|---:|",
        *(f"| {t} | {n:,} |" for t, n in counts.items()),
        "",
        "| asset (step) | seconds |", "|---|---:|",
        *(f"| {k} | {v:.1f} |" for k, v in sorted(out["steps"].items(), key=lambda kv: -kv[1])),
    ]
    if profile_accounts:
        prof, _ = day_at_scale(profile_accounts, posts, profile=True, executor="in_process")
        total = sum(prof["buckets"].values()) or 1.0
        lines += [
            "",
            f"Profile: the same day for {profile_accounts:,} accounts with every step in one process (the "
            f"profiler sees one process), pyinstrument at 10 ms, {prof['graph_seconds']:.0f} s in all.",
            "",
            "| where the time went (self time) | seconds | share |", "|---|---:|---:|",
            *(f"| {k} | {v:.1f} | {v / total:.0%} |" for k, v in sorted(prof["buckets"].items(), key=lambda kv: -kv[1])),
            "",
            "| hottest functions (self time) | seconds |", "|---|---:|",
            *(f"| `{name}` | {sec:.1f} |" for name, sec in prof["functions"][:15]),
        ]
    day.details = "\n".join(lines)
    memory = report.Section("5. memory")
    memory.figures.append(report.Figure(
        memory.title, "peak memory of the day at scale, all processes (PSS)", out["peak_pss_mib"], "MiB", "budget",
        2048.0, 1.0, higher_is_better=False,
    ))
    memory.figures.append(report.Figure(
        memory.title, "peak sum of resident sizes (RSS; shared pages counted in each process)", out["peak_rss_mib"],
        "MiB", "budget", 2048.0, None, higher_is_better=False,
    ))
    at_peak = ", ".join(f"{name} {mib:,.0f} MiB" for name, mib in out["at_peak"] if mib >= 1)
    memory.details = (
        "The run's process and every process under it (the fork server, the step processes) sampled every 0.2 s "
        "during the day at scale. PSS (proportional set size) counts a page shared by n processes as 1/n in each, "
        "so its sum is the memory the run occupies; the RSS sum counts the fork server's preloaded modules once "
        "in every step process forked from it. The PostgreSQL server's own processes are not included. "
        f"At the PSS peak: {at_peak}."
    )
    return [day, memory]


def _growth_section(accounts: int) -> report.Section:
    from .scale_day import growth

    out = growth(accounts)
    first, last = out["day1"]["graph_seconds"], out["day365"]["graph_seconds"]
    section = report.Section("4. linear growth")
    section.figures.append(report.Figure(
        section.title, f"partition 365 ({accounts} accounts, a year of history)", last, "s",
        "partition 1 (empty history)", first, 1.2, higher_is_better=False,
    ))
    steps1, steps365 = out["day1"]["steps"], out["day365"]["steps"]
    seeded = ", ".join(f"{t} {n:,}" for t, n in out["seeded"].items())
    section.details = "\n".join([
        f"History seeded in {out['seed_seconds']:.0f} s: {seeded}.",
        "",
        "| asset (step) | partition 1 s | partition 365 s | ratio |", "|---|---:|---:|---:|",
        *(f"| {k} | {steps1.get(k, 0):.2f} | {steps365.get(k, 0):.2f} | "
          f"{(steps365.get(k, 0) / steps1[k]) if steps1.get(k) else float('nan'):.2f} |"
          for k in sorted(steps1, key=lambda k: -steps1[k])),
    ])
    return section


def _launch_section(baseline: bool) -> report.Section:
    from .launch_bench import DAY, run

    out = run(baseline=baseline)
    cli, ui = out["command line"], out["UI path"]
    section = report.Section("6. UI launch against the command line")
    section.figures.append(report.Figure(
        section.title, f"demo day {DAY} through the UI's run path (in-process executor)", ui["seconds"], "s",
        "the command line (execute_in_process)", cli["seconds"], 1.5, higher_is_better=False,
    ))
    if "UI path before" in out:
        before = out["UI path before"]
        section.figures.append(report.Figure(
            section.title, "the UI's run path with the old executor (a spawned process per step)", before["seconds"], "s",
            "the command line (execute_in_process)", cli["seconds"], None, higher_is_better=False,
        ))
    section.details = "\n".join([
        "Each run in a fresh process and a fresh database, the same demo day. The UI path is a run created in a "
        "temporary instance and executed from a reconstructable `daily_pipeline` with the job's own executor.",
        "",
        "| path | seconds | x command line | steps | start overhead s/step | success |", "|---|---:|---:|---:|---:|---|",
        *(f"| {p} | {r['seconds']:.1f} | {r['seconds'] / cli['seconds']:.2f} | {r['steps']} | "
          f"{r['start_overhead']:.2f} | {r['success']} |" for p, r in out.items()),
    ])
    return section


def _kept(path: Path, ran: set[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """From an earlier output: the table rows and sections of the parts that did not run now."""
    if not path.exists():
        return [], []
    old = path.read_text(encoding="utf-8")
    head, _, body = old.partition("\n## ")
    rows = [line for line in head.splitlines() if line.startswith("| ") and not line.startswith("| figure")
            and line[2:].split(":", 1)[0] not in ran]
    sections = []
    for chunk in ("## " + body).split("\n## "):
        title, _, rest = chunk.removeprefix("## ").partition("\n")
        if title and title not in ran and title != "Parts that did not run":
            sections.append((title, rest))
    return rows, sections


def _day_seconds(sections: list[report.Section]) -> float | None:
    """The whole day's wall time at scale, when the day part ran before (the serving layer's share)."""
    for s in sections:
        for f in s.figures:
            if s.title.startswith("2. a whole day") and f.unit == "s":
                return f.value
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--posts-per-account", type=int, default=100)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="write-path runs, the median is reported")
    parser.add_argument("--growth-accounts", type=int, default=100)
    parser.add_argument("--profile-accounts", type=int, default=100, help="accounts of the profiled day (0: none)")
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated parts: " + ", ".join(PARTS))
    parser.add_argument("--no-launch-baseline", action="store_true", help="launch: skip the old executor's run")
    parser.add_argument("--output", default=str(DOC))
    parser.add_argument("--keep-others", action="store_true",
                        help="keep the rows and sections of the parts not run from the existing output file")
    args = parser.parse_args()
    wanted = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(wanted) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {sorted(unknown)}; choose from {', '.join(PARTS)}")

    started = time.perf_counter()
    sections: list[report.Section] = []
    problems: list[str] = []

    def part(name: str, build) -> None:
        if name not in wanted:
            return
        t0 = time.perf_counter()
        print(f"== {name} ...", flush=True)
        try:
            made = build()
        except Exception:  # a broken part is reported, the others still run
            problems.append(f"{name}: {traceback.format_exc()}")
            print(problems[-1], flush=True)
            return
        made = made if isinstance(made, list) else [made]
        sections.extend(made)
        for s in made:
            print(report.console(s.figures))
        print(f"   ({time.perf_counter() - t0:.0f} s)", flush=True)

    from . import io_manager_bench

    part("write", lambda: io_manager_bench.run(rows=args.rows, repeat=args.repeat))
    part("day", lambda: _day_sections(args.accounts, args.posts_per_account, args.profile_accounts))
    part("rate", lambda: __import__("benchmarks.ratelimit_bench", fromlist=["run"]).run())
    part("growth", lambda: _growth_section(args.growth_accounts))
    part("views", lambda: __import__("benchmarks.queries_bench", fromlist=["run"]).run(day_seconds=_day_seconds(sections)))
    part("launch", lambda: _launch_section(not args.no_launch_baseline))

    sections.sort(key=lambda s: s.title)
    figures = [f for s in sections for f in s.figures]
    print()
    print(report.console(figures))
    text = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"{time.perf_counter() - started:.0f} s in all. Machine: {report.machine()}.",
        "",
        "Each figure stands next to a baseline measured in the same run (or, for a budget such as "
        "\"under 5 minutes\", the budget), with their ratio and the target the issue sets. Why a "
        "target is missed, and what was fixed: [performance-notes.md](performance-notes.md).",
        "",
        report.table(figures),
        "",
    ]
    kept_rows, kept_sections = _kept(Path(args.output), {s.title for s in sections}) if args.keep_others else ([], [])
    if kept_rows:
        table = text[-2].splitlines()
        text[-2] = "\n".join(table[:2] + sorted(table[2:] + kept_rows, key=lambda row: row.split(":", 1)[0]))
        text[2] += " Parts not run this time keep the figures of their last run: " + ", ".join(t for t, _ in kept_sections) + "."
    for title, body in sorted([(s.title, s.details) for s in sections] + kept_sections):
        text += [f"## {title}", "", body.strip("\n"), ""]
    if problems:
        text += ["## Parts that did not run", "", *(f"```\n{p}\n```" for p in problems), ""]
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text("\n".join(text))
    print(f"\nwritten to {args.output}")


if __name__ == "__main__":
    main()
