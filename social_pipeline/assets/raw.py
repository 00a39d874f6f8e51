"""Raw platform pulls: one asset per platform, built by a factory from the platform registry so
lineage shows nine sources. Each stores every HTTP exchange of the day's pulls in
``social_raw_pulls``.

An account whose pull fails does not fail the asset: its error is stored (and shown by the
``all_accounts_pulled`` check), the other accounts' rows land, and any earlier successful pull of
that account for the same day is carried forward, so a re-run during an outage loses nothing.
Fetch jobs are recorded live (pending -> running -> completed/failed) as the pulls progress.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    Backoff,
    Config,
    Failure,
    Jitter,
    MetadataValue,
    Output,
    RetryPolicy,
    asset,
)
from pydantic import Field

from ..ingest import breaker, parsed_pulls
from ..ingest.accounts import DEMO_PROVIDER, monitored_accounts
from ..partitions import daily_partitions
from ..platforms import PLATFORMS, spec
from ..platforms.base import PlatformError
from ..ingest.parsed_pulls import parse_responses
from ..ingest.pulling import RAW_COLUMNS, client_class_for, demo_window_posts, compact_payloads, pull_account, quota_budget, raw_frame, raw_rows, responses_from_rows
from ..ingest.settings import DEFAULT_CONCURRENCY
from ..resources import resource_key
from ..storage.database import Database
from ..storage.io_manager import SCOPE_KEY, table_metadata
from ..ingest.tokens import expiring_tokens, refresh_tokens
from .common import BACKFILL_POLICY, BY_ACCOUNT, DAILY_FRESHNESS, OWNERS, partition_days, priority, raw_priority, run_scope, dashboard_link

PULLED = "all_accounts_pulled"
TOKENS = "tokens_not_expiring"
API_VERSION = "api_version_supported"
TOKEN_WARNING_DAYS = 7

_REFRESH_IDS = """
SELECT k.account_id, p.external_post_id
FROM unnest(%s::uuid[], %s::timestamp[]) AS k(account_id, since)
CROSS JOIN LATERAL (
    SELECT external_post_id FROM social_posts_analytics
    WHERE social_account_id = k.account_id AND platform = %s AND posted_at >= k.since AND posted_at < %s
    ORDER BY posted_at DESC LIMIT 1000
) AS p
"""
# YouTube's quota resets at midnight Pacific time.
_UNITS_TODAY = """
SELECT coalesce(sum(cost_units), 0) FROM social_raw_pulls
WHERE platform = %s AND provider_name = %s AND cost_units IS NOT NULL
  AND fetched_at >= (date_trunc('day', now() AT TIME ZONE 'America/Los_Angeles') AT TIME ZONE 'America/Los_Angeles')
"""
# Money spent today (UTC) per provider, for platforms that cap a day's spending (X).
_SPENT_TODAY = """
SELECT coalesce(sum(cost_usd), 0) FROM social_raw_pulls
WHERE platform = %s AND provider_name = %s AND cost_usd IS NOT NULL
  AND fetched_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
"""
_JOB_UPSERT = """
INSERT INTO social_fetch_jobs (social_account_id, job_type, status, platform, partition_date, started_at,
                               completed_at, posts_fetched, comments_fetched, error_message, requests_made, error_kind)
VALUES (%(account)s, 'daily', %(status)s, %(platform)s, %(day)s, %(started)s, %(completed)s, %(posts)s,
        %(comments)s, %(error)s, %(requests)s, %(kind)s)
ON CONFLICT (social_account_id, job_type, partition_date) DO UPDATE SET
    status = EXCLUDED.status, started_at = COALESCE(EXCLUDED.started_at, social_fetch_jobs.started_at),
    completed_at = EXCLUDED.completed_at, posts_fetched = EXCLUDED.posts_fetched,
    comments_fetched = EXCLUDED.comments_fetched, error_message = EXCLUDED.error_message,
    requests_made = EXCLUDED.requests_made, error_kind = EXCLUDED.error_kind
"""


class JobLog:
    """Live fetch-job states (pending -> running -> completed/failed), written on one autocommit
    connection shared by the pulling threads."""

    def __init__(self, conn):
        self._conn = conn
        self._lock = threading.Lock()

    def record(self, account, day: date, status: str, **fields) -> None:
        self.record_many([account], day, status, **fields)

    def record_many(self, accounts, day: date, status: str, **fields) -> None:
        params = [
            {
                "account": a.id, "status": status, "platform": a.platform, "day": day,
                "started": fields.get("started"), "completed": fields.get("completed"), "posts": fields.get("posts"),
                "comments": fields.get("comments"), "error": fields.get("error"), "requests": fields.get("requests"),
                "kind": fields.get("kind"),
            }
            for a in accounts
        ]
        if not params:
            return
        with self._lock, self._conn.cursor() as cur:
            cur.executemany(_JOB_UPSERT, params)


def _carried_forward(conn, platform: str, day, account_ids: list[str]) -> pd.DataFrame:
    """The earlier successful rows, for this day, of accounts whose pull just failed."""
    if not account_ids:
        return pd.DataFrame(columns=list(RAW_COLUMNS))
    cols = ", ".join(f'"{c}"' for c in RAW_COLUMNS)
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT {cols} FROM social_raw_pulls WHERE partition_date = %s AND platform = %s "
            "AND pull_status = 'ok' AND partition_hour IS NULL AND social_account_id = ANY(%s::uuid[]) ORDER BY id",
            (day, platform, account_ids),
        )
        rows = cur.fetchall()
    df = pd.DataFrame(rows, columns=list(RAW_COLUMNS))
    df["social_account_id"] = df["social_account_id"].astype(str)
    df["pull_id"] = df["pull_id"].astype(str)
    return df


def _stored_days(conn, platform: str, account_ids: list[str], days: list[date]) -> set[tuple[str, date]]:
    """(account id, day) of the given days that already hold a successful daily pull."""
    if not account_ids or not days:
        return set()
    rows = conn.execute(
        "SELECT DISTINCT social_account_id::text, partition_date FROM social_raw_pulls "
        "WHERE platform = %s AND partition_hour IS NULL AND pull_status = 'ok' "
        "AND social_account_id = ANY(%s::uuid[]) AND partition_date = ANY(%s::date[])",
        (platform, account_ids, days),
    ).fetchall()
    return {(r[0], r[1]) for r in rows}


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


class RawPullConfig(Config):
    """Run configuration of a raw asset."""

    only_accounts: list[str] = Field(
        default_factory=list,
        description="Pull only these accounts (ids or handles); the others keep their stored rows.",
    )
    fresh_pull: bool = Field(
        default=False,
        description="Call the API again for days whose pull is already stored. By default such a day is "
        "rebuilt from its stored responses: a re-run changes nothing and never relabels today's numbers as the past.",
    )


def fetch_frequencies(conn, account_ids: list[str]) -> dict[str, timedelta]:
    rows = conn.execute(
        "SELECT social_account_id::text, fetch_frequency FROM social_analytics_config "
        "WHERE social_account_id = ANY(%s::uuid[])",
        (account_ids,),
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def _due(conn, account, day: date, frequency: timedelta | None, last_pulled: dict) -> bool:
    """Whether the account's cadence asks for a pull on ``day``. Daily or more often: every day
    (sub-daily pulls happen hourly, see assets/hourly.py). Every N days: not when it was pulled
    successfully on one of the N-1 days before."""
    if frequency is None or frequency <= timedelta(days=1):
        return True
    span = max(int(frequency / timedelta(days=1)), 1)
    since = day - timedelta(days=span - 1)
    if account.id in last_pulled and last_pulled[account.id] >= since:
        return False
    recent = conn.execute(
        "SELECT 1 FROM social_raw_pulls WHERE social_account_id = %s AND pull_status = 'ok' "
        "AND partition_hour IS NULL AND partition_date >= %s AND partition_date < %s LIMIT 1",
        (account.id, since, day),
    ).fetchone()
    return recent is None


def _update_window(platform: str, provider: str) -> int:
    try:
        return client_class_for(platform, provider).update_window_days
    except PlatformError:
        return 0  # an unsupported provider: pull_account records the error


def _day_start(day: date) -> datetime:
    return _naive(datetime.combine(day, datetime.min.time(), timezone.utc))


def _refresh_ids(conn, platform: str, accounts, day: date, seen: dict) -> dict[str, tuple[str, ...]]:
    """account id -> stored posts (newest first, at most 1,000) still inside the platform's update
    window on ``day``, then posts pulled on earlier days of this run (not stored yet, but refreshed
    just as if those days had run alone). One query for all accounts. Demo accounts track the
    simulator's posts of the window (``demo_window_posts``): the demo answers any past day, so
    its days must not depend on which other days happen to be loaded."""
    since = {a.id: _day_start(day - timedelta(days=_update_window(platform, a.provider_name))) for a in accounts}
    found: dict[str, list[str]] = {a.id: [] for a in accounts}
    if accounts:
        rows = conn.execute(
            _REFRESH_IDS,
            ([a.id for a in accounts], [since[a.id] for a in accounts], platform, _day_start(day + timedelta(days=1))),
        ).fetchall()
        for account_id, external_id in rows:
            found[str(account_id)].append(external_id)
    out = {}
    for a in accounts:
        if a.provider_name == DEMO_PROVIDER:
            # The window's posts, then stored ones the world does not list (creators' replies).
            out[a.id] = tuple(dict.fromkeys([*demo_window_posts(platform, a.handle, day, since[a.id]), *found[a.id]]))
            continue
        earlier = [pid for pid, posted in seen.get(a.id, {}).items() if posted is not None and posted >= since[a.id]]
        out[a.id] = tuple(dict.fromkeys([*found[a.id], *earlier]))
    return out


def _pull_one(jobs: JobLog, account, day: date, settings, platform: str, context, quota) -> tuple:
    """Pull one account for one day (in a worker thread), recording its fetch job live, and
    parse it once: the parse goes to the cache the normalized assets read."""
    started = datetime.now(timezone.utc)
    jobs.record(account, day, "running", started=_naive(started))
    result = pull_account(account, day, settings=settings, quota=quota)
    rows = raw_rows(result, day)
    parsed = None
    error = result.error
    if result.ok:
        parsed = parse_responses(platform, account.provider_name, responses_from_rows(rows))
        parsed_pulls.store(result.pull_id, parsed)
        if parsed.parsed is None:  # quarantined downstream; recorded here too
            error = f"{platform}/{account.handle}: {parsed.reason}"[:1000]
    else:
        context.log.warning(f"{day}: {result.error}")
    compact_payloads(rows)  # parsed already: keep the text, not the objects, until the write
    ok = parsed is not None and parsed.parsed is not None
    kind = None
    if error:
        status = next((r.status_code for r in reversed(result.responses) if r.status_code is not None), None)
        kind = "permanent" if breaker.is_permanent(status, error) else "transient"
    jobs.record(
        account, day, "failed" if error else "completed", started=_naive(started),
        completed=_naive(datetime.now(timezone.utc)), posts=len(parsed.parsed.posts) if ok else None,
        comments=parsed.comment_count if ok else None, error=error, requests=len(result.responses), kind=kind,
    )
    result.error_kind = "unreachable" if error and result.unreachable else kind
    requests = len(result.responses)
    result.responses = []  # the rows hold what is kept; the decoded bodies can go now
    return result, rows, (replace(parsed.parsed, comments=[]) if ok else None), requests


def build_raw_asset(platform: str):
    key = AssetKey(["raw", platform])
    api = resource_key(platform)

    @asset(
        key=key,
        group_name="raw",
        partitions_def=daily_partitions,
        metadata=table_metadata(
            "social_raw_pulls", partition_column="partition_date", slice={"platform": platform},
            where="partition_hour IS NULL",  # the hourly asset's rows are its own
            # Downstream assets get the ledger; the parsed records come from parsed_pulls.
            skip_on_load=("payload", "request_params", "response_meta"),
            account_scope=BY_ACCOUNT,
        ),
        check_specs=[
            AssetCheckSpec(PULLED, asset=key, description="Every monitored account was pulled."),
            AssetCheckSpec(TOKENS, asset=key, description=f"No account's token has expired, or expires within {TOKEN_WARNING_DAYS} days without a way to renew it."),
            AssetCheckSpec(API_VERSION, asset=key, description="The API version the settings select is not near its end of life (Meta Graph: a warning from 60 days before)."),
        ],
        required_resource_keys={api, "database"},
        backfill_policy=BACKFILL_POLICY,
        # One pull of a platform at a time across all runs (dagster.yaml: pools default_limit 1),
        # so concurrent runs together stay inside the platform's request budget.
        pool=f"api_{platform}",
        op_tags=priority(raw_priority(platform)),
        retry_policy=RetryPolicy(max_retries=2, delay=30, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS),
        kinds={"python", "postgres", platform},
        owners=OWNERS,
        freshness_policy=DAILY_FRESHNESS,
        description=f"Raw {platform} API responses for each monitored {platform} account, one row per exchange."
        + dashboard_link("health"),
    )
    def _raw(context: AssetExecutionContext, config: RawPullConfig):
        days = partition_days(context)
        database: Database = context.resources.database
        try:
            settings = getattr(context.resources, api).settings()
        except ValueError as exc:  # a setting that can never work (e.g. requests_per_minute 0): no retry
            raise Failure(description=str(exc), allow_retries=False) from None
        if "daily_cost_cap_usd" in spec(platform).settings:
            with database.connect() as conn:
                spent = conn.execute(_SPENT_TODAY, (platform, "official")).fetchone()[0]
            settings = replace(settings, credentials={
                **settings.credentials, "spent_today_usd": str(spent), "cost_budget": context.run_id,
            })
        with database.connect() as conn:
            accounts = monitored_accounts(conn, platform)
            frequency = fetch_frequencies(conn, [a.id for a in accounts])
        scope = run_scope(context)
        wanted = {a.lower() for a in [*config.only_accounts, *(scope or [])]}
        chosen = [a for a in accounts if not wanted or a.id in wanted or a.handle.lower() in wanted]
        # A run scoped by its tag replaces only its accounts' rows; otherwise every account's rows
        # of the day are written, the ones not pulled carried forward.
        scoped = scope is not None
        shared = shared_handles(chosen)
        for handle, ids in shared.items():
            # An app's table may hold one handle for several of its users: each account is pulled
            # with its own token and keeps its own posts, comments and metrics.
            context.log.info(f"{platform} @{handle} is monitored by {len(ids)} accounts ({', '.join(ids)}): "
                             "each is pulled with its own token and keeps its own rows")
        refreshed = refresh_tokens(database, chosen, settings, context.log)
        chosen = [refreshed.get(a.id, a) for a in chosen]
        concurrency = settings.concurrency or DEFAULT_CONCURRENCY
        parsed_pulls.prune()
        frames, failures, requests_made, skipped, rebuilt, stopped = [], {}, 0, 0, 0, 0
        last_pulled: dict[str, date] = {}
        seen: dict[str, dict] = {}
        with ExitStack() as stack:
            conn = stack.enter_context(database.connect(autocommit=True))
            jobs = JobLog(conn)
            # One at a time needs no threads (and stays visible to profilers).
            pool = stack.enter_context(ThreadPoolExecutor(concurrency, f"pull-{platform}")) if concurrency > 1 else None
            run_all = pool.map if pool is not None else map
            # One quota per provider for the whole run, shared by its concurrent pulls.
            quotas = {
                provider: quota_budget(platform, settings, int(conn.execute(_UNITS_TODAY, (platform, provider)).fetchone()[0]))
                for provider in {a.provider_name for a in chosen if a.provider_name != DEMO_PROVIDER}
            }
            stored = set() if config.fresh_pull else _stored_days(conn, platform, [a.id for a in chosen], days)
            # Accounts whose circuit is open (N failed pulls in a row, or a permanent error) are not
            # pulled until one succeeds or the user retries them; an account the run names is.
            named = {a.id for a in chosen if wanted and (a.id in wanted or a.handle.lower() in wanted)}
            blocked: dict[str, str] = {
                k: v for k, v in breaker.open_circuits(conn, [a.id for a in chosen if a.id not in named]).items()
            }
            unreachable: list[str] = []
            failed_in_row: dict[str, int] = {}

            def _stop_reason(a) -> str | None:
                return blocked.get(a.id) or (unreachable[0] if unreachable else None)

            for day in days:
                rows, keep, due = [], [] if scoped else [a.id for a in accounts if a not in chosen], []
                for account in chosen:
                    if (account.id, day) in stored:
                        keep.append(account.id)  # observed already: rebuilt from its stored pull
                        rebuilt += 1
                        last_pulled[account.id] = day
                    elif _due(conn, account, day, frequency.get(account.id), last_pulled):
                        due.append(account)
                    else:
                        keep.append(account.id)  # its cadence (fetch_frequency) skips this day
                        skipped += 1
                jobs.record_many(due, day, "pending")
                refresh = _refresh_ids(conn, platform, due, day, seen)
                due = [replace(a, refresh_post_ids=refresh[a.id]) for a in due]

                def attempt(a, day=day):
                    # Checked as each pull starts: an API found unreachable, or an account that
                    # failed permanently earlier in this run, costs no more requests.
                    if _stop_reason(a) is not None:
                        return None
                    return _pull_one(jobs, a, day, settings, platform, context, quotas.get(a.provider_name))

                # The first pull goes alone: an API that is down is then found by one account,
                # not by every worker at once.
                def in_turn(due=due):
                    yield from map(attempt, due[:1])
                    yield from run_all(attempt, due[1:])  # started only once the first has ended

                outcomes = in_turn()
                for account, outcome in zip(due, outcomes):
                    if outcome is None:
                        reason = _stop_reason(account)
                        jobs.record(account, day, "skipped", error=reason[:1000])
                        failures[f"{account.id}@{day}"] = reason
                        stopped += 1
                        keep.append(account.id)
                        continue
                    result, pulled_rows, parsed, requests = outcome
                    rows.extend(pulled_rows)
                    requests_made += requests
                    if parsed is not None:
                        posts_seen = seen.setdefault(account.id, {})
                        for post in parsed.posts:
                            posted = post.get("posted_at")
                            posts_seen[post["external_post_id"]] = _naive(posted) if posted is not None else None
                    if result.ok:
                        last_pulled[account.id] = day
                        failed_in_row.pop(account.id, None)
                    else:
                        failures[f"{account.id}@{day}"] = result.error
                        keep.append(account.id)
                        failed_in_row[account.id] = failed_in_row.get(account.id, 0) + 1
                        if failed_in_row[account.id] >= breaker.threshold():
                            blocked[account.id] = (
                                f"{result.error} ({failed_in_row[account.id]} failed pulls in a row: not pulled again in this run)"
                            )
                        elif result.error_kind == "permanent":
                            blocked[account.id] = f"{result.error} (a permanent error: not pulled again in this run)"
                        elif result.error_kind == "unreachable" and not unreachable:
                            unreachable.append(f"{platform} API unreachable, the run's other pulls skipped: {result.error}")
                frames.append(raw_frame(rows))
                # Accounts not pulled this time (failed, skipped by cadence, or outside only_accounts)
                # keep the rows they already have for the day: nothing is lost by replacing it.
                if keep:
                    carried = _carried_forward(conn, platform, day, keep)
                    if not carried.empty:
                        frames.append(carried)
        df = pd.concat([f for f in frames if len(f)] or [raw_frame([])], ignore_index=True)
        retries = int((df["attempt"] > 1).sum()) if len(df) else 0
        yield Output(
            df,
            metadata={
                "days": len(days),
                "accounts": len(chosen),
                "pulls_failed": len(failures),
                "pulls_skipped_by_frequency": skipped,
                "pulls_rebuilt_from_ledger": rebuilt,
                "pulls_stopped": stopped,  # circuit open, permanent error earlier, or API unreachable
                "requests": requests_made,
                "retries": retries,
                "tokens_refreshed": len(refreshed),
                "concurrency": concurrency,
                "handles_shared_by_accounts": len(shared),
                **({SCOPE_KEY: MetadataValue.json([a.id for a in chosen])} if scoped else {}),
            },
        )
        yield AssetCheckResult(
            check_name=PULLED,
            asset_key=key,
            passed=not failures,
            severity=AssetCheckSeverity.ERROR,
            metadata={
                "accounts": len(chosen),
                "failed": len(failures),
                "errors": MetadataValue.md("\n".join(f"- {e}" for e in failures.values()) or "none"),
            },
        )
        with database.connect() as conn:
            soon = expiring_tokens(conn, platform, TOKEN_WARNING_DAYS)
        yield AssetCheckResult(
            check_name=TOKENS,
            asset_key=key,
            passed=not soon,
            severity=AssetCheckSeverity.WARN,
            metadata={
                "expiring": len(soon),
                "accounts": MetadataValue.md(
                    "\n".join(f"- {h}: expires {at:%Y-%m-%d %H:%M} UTC" for h, at in soon) or "none"
                ),
            },
        )
        notice = spec(platform).notice(settings.credentials, datetime.now(timezone.utc).date())
        if notice:
            context.log.warning(notice)
        yield AssetCheckResult(
            check_name=API_VERSION,
            asset_key=key,
            passed=notice is None,
            severity=AssetCheckSeverity.WARN,
            metadata={"notice": notice or "none"},
        )

    return _raw


raw_assets = [build_raw_asset(p) for p in PLATFORMS]


def shared_handles(accounts) -> dict[str, list[str]]:
    """Handles (case-insensitively) that several monitored accounts of one platform share, with
    the accounts' ids."""
    by_handle: dict[str, list[str]] = {}
    for a in accounts:
        by_handle.setdefault(a.handle.lower(), []).append(a.id)
    return {h: ids for h, ids in by_handle.items() if len(ids) > 1}
