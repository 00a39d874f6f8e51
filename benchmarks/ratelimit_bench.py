"""3. Rate-limit utilisation: 1,000 accounts fetched from a loopback API that allows N requests/s.

    python -m benchmarks.ratelimit_bench                  (defaults: 1,000 accounts, N = 50, 50 ms)
    python -m benchmarks.ratelimit_bench --accounts 200 --requests-per-second 40 --concurrency 6

Set-up, all in this run:

- the fake API: ``social-pipeline simulator serve tiktok --latency-ms 50 --requests-per-second N``
  in a child process, so its CPU does not share our GIL. Every answer leaves 50 ms after its
  request arrived; past N requests a second (a bucket of one second's worth) it answers 429 with
  TikTok's error envelope and Retry-After, and counts them (``GET /__stats``).
- TikTok, because its client makes few requests an account (user info, then video-list pages),
  the usual shape of a pull; the Graph-API platforms make 100-400 (per-post insights), which
  would make 1,000 accounts a 100,000-request run.
- the simulated world as of 2024-02-15, when its accounts have 22-61 posts: the simulator's
  user-info answer sums every post's metrics, generating each post's comments, so its CPU grows
  with an account's history (cold, 0.6 ms a post: ~17 ms an account then, ~300 ms as of 2026,
  which would make the fake API, not our client, the bottleneck);
- a fresh database (dropped afterwards) with ACCOUNTS TikTok accounts, provider ``official``,
  demo tokens, 40 posts per fetch: 1 user-info + 2 video-list pages = 3 requests an account;
- ``SOCIAL_PIPELINE_TIKTOK_BASE_URL`` at the server and ``REQUESTS_PER_MINUTE`` = N × 60, so the
  pipeline's own limiter (:func:`~social_pipeline.platforms.ratelimit.limiter_for`, bursts of half
  a second's worth) holds the budget the server enforces;
- concurrency: unless given, ``ceil(HEADROOM × N × t)`` where ``t`` is the wall time of one
  request measured just before by pulling CALIBRATION other accounts one after the other (the
  50 ms latency + the client's and server's own time): the requests that must be in flight to
  keep N a second going, with 50 % headroom for the accounts' non-request work (database,
  parsing) and scheduling noise. Threads beyond that only queue on the limiter.

Then one day of all ACCOUNTS is fetched: through the real ``raw/tiktok`` asset when it takes a
``concurrency`` setting (its pulls on a thread pool sharing the limiter), else (or with
``--via threads``) by ``pull_account`` on a thread pool of that size, the rows written to
``social_raw_pulls`` in one COPY.

Figures: the request rate the server saw over the fetch ((arrivals − 1) over the span from first
to last arrival) against N (target ≥ 0.9), the 429s (server count, and rows with status_code 429
in ``social_raw_pulls``; target zero), the concurrency, total requests, requests per account, and
the CPU per request of client and server, which bound the N this machine can reach.

N = 50: 3,000 requests take ~60 s. On 2 cores the client needs ~4-6 ms of CPU a request (one GIL:
~200 req/s at most, whatever the concurrency) and the fake API ~9-10 ms (one process: ~100 req/s
at most), together ~15 ms: at N = 50 that is ~75 % of one core of the two, leaving room for
PostgreSQL and the machine's other work, so the limit, not the CPU, is what binds.

This is a benchmark, not a test: it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Iterator

import psycopg

from social_pipeline.platforms.base import AccountRef
from social_pipeline.simulator import demo_token
from social_pipeline.storage.database import URL_ENV

from .report import Figure, Section
from .scratch import scratch_database

SECTION = "3. rate-limit utilisation"
PLATFORM = "tiktok"
DAY = date(2026, 1, 15)  # the partition pulled (any day the partitions allow)
SERVER_AS_OF = "2024-02-15T23:59:59"  # the simulated world's moment the server answers at
POSTS_PER_FETCH = 40
ACCOUNTS = 1000
# See the module docstring for why these.
REQUESTS_PER_SECOND = 50
LATENCY_MS = 50
HEADROOM = 1.5
CALIBRATION = 20
TARGET_RATIO = 0.9


# -- database ----------------------------------------------------------------------------------
def handle_of(i: int) -> str:
    return f"ratebench_{i:05d}"


def create_accounts(url: str, accounts: int) -> None:
    """ACCOUNTS monitored TikTok accounts on the official provider, each with its demo token."""
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy("COPY social_accounts (platform, handle, access_token) FROM STDIN") as copy:
            for i in range(accounts):
                copy.write_row((PLATFORM, handle_of(i), demo_token(PLATFORM, handle_of(i))))
        cur.execute(
            "INSERT INTO social_analytics_config (social_account_id, monitoring_enabled, posts_per_fetch, provider_name) "
            "SELECT id, TRUE, %s, 'official' FROM social_accounts WHERE platform = %s",
            (POSTS_PER_FETCH, PLATFORM),
        )


# -- the fake API in a child process -----------------------------------------------------------
@dataclass
class FakeApi:
    process: subprocess.Popen
    base_url: str

    def stats(self, reset: bool = False) -> dict:
        with urllib.request.urlopen(self.base_url + "/__stats" + ("?reset=1" if reset else ""), timeout=10) as resp:
            return json.loads(resp.read())

    def cpu_seconds(self) -> float:
        """User + system CPU of the server process so far (Linux /proc)."""
        try:
            fields = open(f"/proc/{self.process.pid}/stat").read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")


@contextmanager
def fake_api(requests_per_second: float, latency_ms: float) -> Iterator[FakeApi]:
    command = [
        sys.executable, "-m", "social_pipeline.cli", "simulator", "serve", PLATFORM, "--port", "0",
        "--as-of", SERVER_AS_OF, "--latency-ms", f"{latency_ms:g}", "--requests-per-second", f"{requests_per_second:g}",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not found:
            raise RuntimeError(f"the simulator did not start: {line!r}")
        yield FakeApi(process, f"http://127.0.0.1:{found.group(1)}")
    finally:
        process.send_signal(signal.SIGINT)  # its Ctrl-C path closes the socket
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# -- the fetch -----------------------------------------------------------------------------------
def calibrate(accounts: int) -> dict[str, float]:
    """Pull ``accounts`` accounts (not in the database) one after the other: wall time and
    client CPU per request, with no limiter wait (one request in flight stays far below N)."""
    from social_pipeline.ingest.pulling import pull_account

    refs = [
        AccountRef(id=f"00000000-0000-0000-0000-{i:012d}", platform=PLATFORM, handle=f"ratecal_{i:03d}",
                   provider_name="official", posts_per_fetch=POSTS_PER_FETCH, access_token=demo_token(PLATFORM, f"ratecal_{i:03d}"))
        for i in range(accounts + 1)
    ]
    pull_account(refs[0], DAY)  # imports, first connection
    cpu, started = time.process_time(), time.perf_counter()
    results = [pull_account(ref, DAY) for ref in refs[1:]]
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    requests = sum(len(r.responses) for r in results)
    return {"requests": requests, "wall_per_request": wall / requests, "cpu_per_request": cpu / requests,
            "failed": sum(not r.ok for r in results)}


def asset_takes_concurrency() -> bool:
    from social_pipeline.resources import PlatformResource

    return "concurrency" in PlatformResource.model_fields


def fetch_with_asset(url: str, base_url: str, requests_per_second: float, concurrency: int) -> dict:
    """Materialize ``raw/tiktok`` for DAY, its pulls on ``concurrency`` threads."""
    from dagster import AssetKey, DagsterInstance, materialize

    from social_pipeline.assets.raw import raw_assets
    from social_pipeline.resources import PlatformResource, resource_key
    from social_pipeline.storage.database import Database
    from social_pipeline.storage.io_manager import PostgresIOManager

    database = Database(url=url)
    asset = next(a for a in raw_assets if AssetKey(["raw", PLATFORM]) in a.keys)
    api = PlatformResource(platform=PLATFORM, base_url=base_url, requests_per_minute=int(requests_per_second * 60),
                           concurrency=concurrency)
    instance = DagsterInstance.ephemeral()
    result = materialize(
        [asset], partition_key=DAY.isoformat(), instance=instance,
        resources={"database": database, "io_manager": PostgresIOManager(database=database), resource_key(PLATFORM): api},
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
    )
    if not result.success:
        raise RuntimeError("raw/tiktok failed")
    metadata = {}
    for event in result.get_asset_materialization_events():
        metadata = {k: getattr(v, "value", v) for k, v in event.materialization.metadata.items()}
    if "concurrency" in metadata:
        return {"how": "the raw/tiktok asset", "concurrency": int(metadata["concurrency"]),
                "source": "the asset's `concurrency` metadata"}
    return {"how": "the raw/tiktok asset", "concurrency": concurrency, "source": "the resource setting"}


def fetch_with_threads(url: str, concurrency: int) -> dict:
    """``pull_account`` for every monitored account on a pool of ``concurrency`` threads, then the
    rows into ``social_raw_pulls`` as the raw asset writes them (one COPY, one transaction)."""
    from social_pipeline.ingest.accounts import monitored_accounts
    from social_pipeline.ingest.pulling import pull_account, raw_frame, raw_rows
    from social_pipeline.ingest.settings import platform_settings
    from social_pipeline.storage.copy import copy_frame, table_columns

    with psycopg.connect(url) as conn:
        accounts = monitored_accounts(conn, PLATFORM)
    settings = platform_settings(PLATFORM)
    with ThreadPoolExecutor(concurrency, thread_name_prefix="pull") as pool:
        results = list(pool.map(lambda a: pull_account(a, DAY, settings=settings), accounts))
    rows = [row for result in results for row in raw_rows(result, DAY)]
    with psycopg.connect(url) as conn:
        copy_frame(conn, "social_raw_pulls", raw_frame(rows), table_columns(conn, "social_raw_pulls"))
    return {"how": "pull_account on a thread pool", "concurrency": concurrency, "source": "the pool's size"}


def stored(url: str) -> dict:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE endpoint <> '(pull)'), count(*) FILTER (WHERE status_code = 429), "
            "count(DISTINCT social_account_id) FILTER (WHERE pull_status = 'ok'), "
            "count(DISTINCT social_account_id) FILTER (WHERE pull_status <> 'ok'), "
            "extract(epoch FROM max(fetched_at) - min(fetched_at)), count(*) FILTER (WHERE attempt > 1) "
            "FROM social_raw_pulls WHERE platform = %s AND partition_date = %s",
            (PLATFORM, DAY),
        ).fetchone()
    keys = ("rows", "rows_429", "accounts_ok", "accounts_failed", "fetched_span", "retries")
    return dict(zip(keys, (float(v) if v is not None else float("nan") for v in row)))


# -- the benchmark -------------------------------------------------------------------------------
def run(
    accounts: int = ACCOUNTS,
    requests_per_second: float = REQUESTS_PER_SECOND,
    latency_ms: float = LATENCY_MS,
    url: str | None = None,
    concurrency: int | None = None,
    calibration: int = CALIBRATION,
    via: str = "auto",
) -> Section:
    """The section's figures. ``url``: an empty migrated database to fill (default: a throwaway
    one); ``concurrency``: threads (default: from the calibration, see the module docstring);
    ``via``: "asset" (the raw asset), "threads" (pull_account on a pool) or "auto" (the asset
    when it takes a concurrency setting)."""
    if via not in ("auto", "asset", "threads"):
        raise ValueError("via must be auto, asset or threads")
    if url is None:
        with scratch_database("sp_ratelimit") as scratch:
            return run(accounts, requests_per_second, latency_ms, scratch, concurrency, calibration, via)
    create_accounts(url, accounts)
    with fake_api(requests_per_second, latency_ms) as api, environment({
        f"SOCIAL_PIPELINE_{PLATFORM.upper()}_BASE_URL": api.base_url,
        f"SOCIAL_PIPELINE_{PLATFORM.upper()}_REQUESTS_PER_MINUTE": str(int(requests_per_second * 60)),
        URL_ENV: url,
    }):
        from social_pipeline.platforms.ratelimit import limiter_for

        limiter = limiter_for("official", PLATFORM, int(requests_per_second * 60))
        cal = calibrate(calibration)
        needed = requests_per_second * cal["wall_per_request"]
        threads = concurrency or max(1, math.ceil(HEADROOM * needed))
        time.sleep(1.0)  # let the server's bucket and our limiter refill after the calibration
        api.stats(reset=True)
        waited, server_cpu = limiter.waited_seconds, api.cpu_seconds()
        cpu, started = time.process_time(), time.perf_counter()
        if via == "asset" or (via == "auto" and asset_takes_concurrency()):
            how = fetch_with_asset(url, api.base_url, requests_per_second, threads)
        else:
            how = fetch_with_threads(url, threads)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        server_cpu = api.cpu_seconds() - server_cpu
        waited = limiter.waited_seconds - waited
        server = api.stats()
    db = stored(url)

    requests = server["received"]
    span = (server["last_at"] or 0) - (server["first_at"] or 0)
    rate = (requests - 1) / span if span > 0 else float("nan")
    # What the server's bucket could have accepted over the span: its burst, then N a second.
    capacity = requests_per_second + requests_per_second * span
    db_rate = (db["rows"] - 1) / db["fetched_span"] if db["fetched_span"] > 0 else float("nan")
    expected_per_account = 1 + math.ceil(POSTS_PER_FETCH / 20)
    cpu_per_request = cpu / requests
    server_per_request = server_cpu / requests
    lock_share = server["busy_seconds"] / span if span > 0 else float("nan")
    used = how["concurrency"]
    by_formula = max(1, math.ceil(HEADROOM * needed))
    formula = (f"concurrency = ceil(headroom × N × t) = ceil({HEADROOM:g} × {requests_per_second:g}/s × "
               f"{cal['wall_per_request'] * 1000:.1f} ms) = {by_formula}, t = wall time of one request "
               f"({latency_ms:g} ms latency + client and server time) measured on {calibration} accounts pulled one by one")
    if concurrency:
        formula = f"concurrency given: {concurrency} (by the formula, {formula})"
    figures = [
        Figure(SECTION, f"request rate, {accounts:,} accounts, {latency_ms:g} ms latency", rate, "req/s", "allowed N",
               requests_per_second, TARGET_RATIO, True,
               f"server's count: (requests − 1) / (last − first arrival); {how['how']}, {used} threads"),
        Figure(SECTION, "429 answers (server count)", server["limited"], "", "requests", requests, 0.0, False,
               "target zero; the ratio is the share of requests refused"),
        Figure(SECTION, "rows with status_code 429 in social_raw_pulls", db["rows_429"], "", "rows", db["rows"], 0.0, False,
               "target zero"),
        Figure(SECTION, "concurrency used", used, "threads", "N × t, no headroom", needed, None, True, formula),
        Figure(SECTION, "total requests", requests, "", "accounts", accounts, None, True,
               f"{db['accounts_ok']:.0f} accounts pulled, {db['accounts_failed']:.0f} failed, "
               f"{db['retries']:.0f} retried attempts"),
        Figure(SECTION, "requests per account", requests / accounts, "", f"1 user info + {expected_per_account - 1} pages",
               expected_per_account, None, True, f"{POSTS_PER_FETCH} posts per fetch, 20 a page"),
        Figure(SECTION, "client CPU per request", cpu_per_request * 1000, "ms", "one core at N", 1000 / requests_per_second,
               None, False, f"fetch phase, database writes included; one GIL caps the client near "
               f"{1 / cpu_per_request:,.0f} req/s" if cpu_per_request > 0 else ""),
        Figure(SECTION, "fake API CPU per request", server_per_request * 1000, "ms", "one core at N",
               1000 / requests_per_second, None, False,
               f"one process caps it near {1 / server_per_request:,.0f} req/s" if server_per_request > 0 else ""),
        Figure(SECTION, "fetch phase wall time", wall, "s", "requests / N", requests / requests_per_second, None, False,
               "accounts read, pulls, parsing, database writes"),
    ]
    statuses = ", ".join(f"{k}: {v:,}" for k, v in server["statuses"].items())
    waiting = waited / (used * span) if span > 0 and used else float("nan")
    pace = ("the limit, not the number of threads, set the pace" if waiting >= 0.05
            else "they hardly waited, so the threads, not the limit, set the pace: raise the concurrency")
    if lock_share < 0.7:
        lock_verdict = "so neither the lock nor the fake API's CPU is what bounds the rate here"
    else:
        lock_verdict = ("close to saturation: the fake API's CPU (one GIL; dropping the lock would not add any) "
                        "bounds the rate, not the client; lower N or make the simulator cheaper")
    details = "\n".join([
        f"- Fake API: `social-pipeline simulator serve {PLATFORM} --latency-ms {latency_ms:g} "
        f"--requests-per-second {requests_per_second:g}` in a child process, answering as of {SERVER_AS_OF}; "
        f"its bucket holds one second's worth ({requests_per_second:g} requests).",
        f"- Client: {how['how']}, {used} threads (from {how['source']}); pipeline limiter "
        f"{requests_per_second * 60:g} requests/min, burst {limiter.burst:g}; the threads waited "
        f"{waited:,.1f} s in all on it ({waiting:.0%} of their time): {pace}.",
        f"- Fetch: {requests:,} requests from {accounts:,} accounts, arrivals over {span:.1f} s "
        f"(fetch phase {wall:.1f} s); answers: {statuses}.",
        f"- Rate: {rate:.1f} req/s at the server = {rate / requests_per_second:.3f} × N. The bucket starts full, so "
        f"over {span:.0f} s it could accept {capacity:,.0f} (N of burst + N a second); {requests:,} is "
        f"{requests / capacity:.3f} of that. Client side, from `social_raw_pulls.fetched_at`: {db_rate:.1f} req/s.",
        f"- {formula}.",
        f"- Calibration: {cal['requests']:.0f} requests, {cal['wall_per_request'] * 1000:.1f} ms wall and "
        f"{cal['cpu_per_request'] * 1000:.2f} ms client CPU each, {cal['failed']:.0f} failed pulls.",
        f"- CPU per request: client {cpu_per_request * 1000:.2f} ms ({cpu_per_request * requests_per_second:.0%} of a core "
        f"at N), fake API {server_per_request * 1000:.2f} ms ({server_per_request * requests_per_second:.0%} of a core). "
        f"The client is one process with one GIL: whatever the concurrency it cannot pass ~{1 / cpu_per_request:,.0f} req/s; "
        f"on this machine's {os.cpu_count()} cores client and fake API together saturate near "
        f"{(os.cpu_count() or 1) / (cpu_per_request + server_per_request):,.0f} req/s.",
        f"- Server lock: the simulator held its global lock {lock_share:.0%} of the span ({server['busy_seconds']:.1f} s, "
        f"waits for the GIL included); the {latency_ms:g} ms sleep is outside it, {lock_verdict}.",
    ])
    return Section(SECTION, figures, details)


def main() -> None:
    from .report import console

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--requests-per-second", type=float, default=REQUESTS_PER_SECOND)
    parser.add_argument("--latency-ms", type=float, default=LATENCY_MS)
    parser.add_argument("--concurrency", type=int, help="threads (default: from the measured time per request)")
    parser.add_argument("--via", choices=["auto", "asset", "threads"], default="auto",
                        help="fetch through the raw asset, or pull_account on a thread pool (default: the asset "
                        "when it takes a concurrency setting)")
    args = parser.parse_args()
    section = run(args.accounts, args.requests_per_second, args.latency_ms, concurrency=args.concurrency, via=args.via)
    print(section.title)
    print(console(section.figures))
    print()
    print(section.details)


if __name__ == "__main__":
    main()
