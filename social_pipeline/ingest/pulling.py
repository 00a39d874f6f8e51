"""Pulling one account for one day, and turning the exchanges into ``social_raw_pulls`` rows.

Demo accounts (provider ``demo``) get the simulator mounted on their client's session at the
HTTP transport, answering as of the end of the partition day, so the real client code (paths,
auth, pagination, parsing) runs and a backfill of any day is reproducible.
"""

from __future__ import annotations

import json
import re
import os
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

import pandas as pd
import requests

from .accounts import DEMO_PROVIDER
from ..platforms import spec
from ..platforms.base import AccountRef, HttpClient, PlatformError, RawResponse
from ..platforms.ratelimit import QuotaBudget, limiter_for
from ..platforms.spec import SECRET_SETTINGS
from .settings import PlatformSettings, platform_settings
from ..simulator import mount, simulator_class
from ..simulator.faults import FAULTS_ENV, FaultPlan, FaultySimulator
from ..simulator.recording import ReplaySimulator, recording_path
from ..storage.copy import JsonText

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # half an emoji: not storable in UTF-8
RAW_COLUMNS = (
    "pull_id",
    "pull_status",
    "platform",
    "provider_name",
    "social_account_id",
    "partition_date",
    "endpoint",
    "request_params",
    "page_index",
    "attempt",
    "status_code",
    "ok",
    "error",
    "payload",
    "latency_ms",
    "fetched_at",
    "cost_units",
    "response_meta",
    "partition_hour",
    "cost_usd",
)


@dataclass
class PullResult:
    account: AccountRef
    pull_id: str
    ok: bool
    responses: list[RawResponse] = field(default_factory=list)
    error: str | None = None
    error_kind: str | None = None  # 'permanent' or 'transient' once classified (ingest.breaker)

    @property
    def unreachable(self) -> bool:
        """Failed with every exchange short of an HTTP answer (refused, timed out, no DNS)."""
        return not self.ok and bool(self.responses) and all(r.status_code is None for r in self.responses)


def end_of_day(day: date) -> datetime:
    """The last second of ``day`` in UTC: the moment a daily pull describes."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=timezone.utc) - timedelta(seconds=1)


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return text


RETRY_ENV = "SOCIAL_PIPELINE_RETRY_BACKOFF_SECONDS"


def client_class_for(platform: str, provider: str) -> type:
    """The client for ``platform`` reached through ``provider`` (the demo uses the official one)."""
    try:
        return spec(platform).client_for(provider)
    except ValueError as exc:
        raise PlatformError(str(exc)) from None


def _backoff_seconds() -> float:
    try:
        return max(float(os.environ.get(RETRY_ENV, "1.0")), 0.0)
    except ValueError:
        return 1.0


def make_client(account: AccountRef, day: date, http: HttpClient, settings: PlatformSettings, as_of: datetime | None = None):
    """The account's client; for the demo provider, with the simulator mounted on its session,
    answering as of ``as_of`` (default: the end of ``day``)."""
    cls = client_class_for(account.platform, account.provider_name)
    client = cls(http, base_url=settings.base_url, credentials=settings.credentials, today=day)
    if account.provider_name == DEMO_PROVIDER:
        simulator = simulator_class(account.platform)(as_of or end_of_day(day), [account.handle])
        recording = recording_path()
        if recording:
            simulator = ReplaySimulator(account.platform, recording, simulator)
        plan = FaultPlan.parse(os.environ.get(FAULTS_ENV))
        if plan is not None:
            simulator = FaultySimulator(simulator, plan)
        # Some clients talk to more than one host (YouTube Data + Analytics, OAuth): answer them all.
        for name, value in vars(client).items():
            if name.endswith("base_url") and isinstance(value, str):
                mount(http.session, value, simulator)
        for name, value in client.credentials.items():
            if name.endswith("base_url") and isinstance(value, str):
                mount(http.session, value, simulator)
    return client


def demo_window_posts(platform: str, handle: str, day: date, since: datetime) -> tuple[str, ...]:
    """The demo account's posts published from ``since`` (naive UTC) to the end of ``day``, in
    the platform's id style: what a pipeline monitoring the account all along would track on
    ``day``. The demo source answers any past day as it was; taking its tracked posts from here,
    not from the days loaded so far, makes a demo day the same whatever order days are loaded in."""
    end = end_of_day(day)
    simulator = simulator_class(platform)(end, [handle])
    start = since.replace(tzinfo=timezone.utc) if since.tzinfo is None else since
    return tuple(simulator.tracked_ids(handle, start))


def quota_budget(platform: str, settings: PlatformSettings, used: int) -> QuotaBudget | None:
    """The platform's daily unit budget with ``used`` units spent, or None where it has none."""
    units = settings.daily_quota_units or spec(platform).daily_quota_units
    return QuotaBudget(units, used=used) if units else None


def pull_account(
    account: AccountRef,
    day: date,
    *,
    settings: PlatformSettings | None = None,
    quota_used: int = 0,
    quota: QuotaBudget | None = None,
    max_attempts: int = 5,
    sleep=None,
    as_of: datetime | None = None,
) -> PullResult:
    """Pull ``account`` as of the end of ``day``; never raises for API trouble.

    Live providers share a per-provider rate limiter and, where the platform counts units, a
    daily quota (``quota_used`` units already spent today, or a ``quota`` shared by the pulls
    running together). The demo source is not limited.
    """
    settings = settings or platform_settings(account.platform)
    demo = account.provider_name == DEMO_PROVIDER
    limiter = None
    if demo:
        quota = None
    else:
        limiter = limiter_for(account.provider_name, account.platform, settings.requests_per_minute)
        if quota is None:
            quota = quota_budget(account.platform, settings, quota_used)
    session = requests.Session()
    if demo:
        # Nothing leaves the process: skip requests' per-request scan of the environment for
        # proxies and .netrc (a sixth of a demo pull's time).
        session.trust_env = False
    http = HttpClient(
        session,
        max_attempts=max_attempts,
        backoff_seconds=_backoff_seconds(),
        limiter=limiter,
        quota=quota,
        **({"sleep": sleep} if sleep else {}),
    )
    pull_id = str(uuid.uuid4())
    # Values of credential settings (not base URLs, versions or the day's spending) are scrubbed.
    secrets = [account.access_token, *(v for k, v in settings.credentials.items() if k in SECRET_SETTINGS)]
    try:
        client = make_client(account, day, http, settings, as_of)
        client.pull(account)
        return PullResult(account, pull_id, True, http.responses)
    except PlatformError as exc:
        message = scrub(str(exc), secrets)
    except Exception as exc:  # a client bug or an unexpected body must not stop the other accounts
        message = scrub(f"{type(exc).__name__}: {exc}", secrets)
    finally:
        session.close()
    return PullResult(account, pull_id, False, http.responses, f"{account.platform}/{account.handle}: {message}")


def raw_rows(result: PullResult, day: date, hour: int | None = None) -> list[dict[str, Any]]:
    """One row per HTTP exchange of the pull, plus a marker row when it failed before any.
    ``hour`` marks the rows of an hourly pull."""
    status = "ok" if result.ok else "failed"
    base = {
        "pull_id": result.pull_id,
        "pull_status": status,
        "platform": result.account.platform,
        "provider_name": result.account.provider_name,
        "social_account_id": result.account.id,
        "partition_date": day,
        "partition_hour": hour,
    }
    rows = []
    for r in result.responses:
        payload, text = _clean_with_text(r.payload)
        rows.append(
            {
                **base,
                "endpoint": r.endpoint[:255],
                "request_params": _clean(r.request_params),
                "page_index": r.page_index,
                "attempt": r.attempt,
                "status_code": r.status_code,
                "ok": r.ok,
                "error": _clean(r.error),
                "payload": payload,
                "latency_ms": max(r.latency_ms, 0),
                "fetched_at": r.fetched_at,
                "cost_units": r.cost_units,
                "cost_usd": r.cost_usd,
                "response_meta": r.usage,
                _PAYLOAD_TEXT: text,  # the JSON the clean check wrote; not a column
            }
        )
    if not result.ok:
        # The pull's own verdict (it may have failed before or after its last exchange).
        rows.append(
            {
                **base,
                "endpoint": "(pull)",
                "request_params": {},
                "page_index": 0,
                "attempt": 1,
                "status_code": None,
                "ok": False,
                "error": _clean(result.error),
                "payload": None,
                "latency_ms": 0,
                "fetched_at": datetime.now(timezone.utc),
                "cost_units": None,
                "cost_usd": None,
                "response_meta": None,
            }
        )
    return rows


def compact_payloads(rows: list[dict[str, Any]]) -> None:
    """Replace each row's payload by its JSON text (a fraction of the memory of the decoded
    objects), once nothing needs to read it as objects any more."""
    for row in rows:
        text = row.pop(_PAYLOAD_TEXT, None)
        if isinstance(row.get("payload"), (dict, list)):
            row["payload"] = JsonText.of(text if text is not None else _json_text(row["payload"]))


def raw_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(RAW_COLUMNS))
    for col in ("page_index", "attempt", "status_code", "latency_ms", "cost_units", "partition_hour"):
        df[col] = df[col].astype("Int64")
    return df


_PAYLOAD_TEXT = "_payload_json"


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _clean(value: Any) -> Any:
    """PostgreSQL text and jsonb cannot hold NUL characters, and UTF-8 no lone surrogates:
    replace them with U+FFFD."""
    return _clean_with_text(value)[0]


def _clean_with_text(value: Any) -> tuple[Any, str | None]:
    """``(cleaned value, its JSON text or None)``. Clean payloads (nearly all) are checked in one
    pass, returned as they are, with the JSON text the check wrote (stored later as it is)."""
    if isinstance(value, (dict, list)):
        try:
            text = _json_text(value)
            text.encode("utf-8")  # fails on a lone surrogate
        except (UnicodeEncodeError, TypeError, ValueError):
            return _clean_deep(value), None
        if "\\u0000" not in text:  # JSON escapes NUL; a false alarm only costs the deep pass
            return value, text
    return _clean_deep(value), None


def _clean_deep(value: Any) -> Any:
    if isinstance(value, str):
        value = value.replace("\x00", "\ufffd") if "\x00" in value else value
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_clean_deep(k): _clean_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_deep(v) for v in value]
    return value


def responses_from_frame(df: pd.DataFrame) -> list[RawResponse]:
    """Stored rows back into :class:`RawResponse` objects, in fetch order."""
    return responses_from_rows(df.to_dict("records"))


def responses_from_rows(rows: list[dict[str, Any]]) -> list[RawResponse]:
    """Rows (as :func:`raw_rows` makes them, or read back) as :class:`RawResponse` objects, in
    fetch order."""
    out = []
    ordered = sorted(rows, key=lambda r: (r["fetched_at"], _int(r["page_index"], 0), _int(r["attempt"], 0)))
    for row in ordered:
        out.append(
            RawResponse(
                endpoint=row["endpoint"],
                request_params={} if _missing(row["request_params"]) else row["request_params"],
                page_index=_int(row["page_index"], 0),
                attempt=_int(row["attempt"], 0),
                status_code=_int(row["status_code"], None),
                payload=None if _missing(row["payload"]) else row["payload"],
                error=None if _missing(row["error"]) else row["error"],
                latency_ms=_int(row["latency_ms"], 0),
                fetched_at=row["fetched_at"],
                cost_units=_int(row["cost_units"], None),
                cost_usd=_float(row.get("cost_usd"), None),
                usage=None if _missing(row["response_meta"]) else row["response_meta"],
            )
        )
    return out


def _float(value: Any, default: Any) -> Any:
    return default if _missing(value) else float(value)


def _int(value: Any, default: Any) -> Any:
    return default if _missing(value) else int(value)


def _missing(value: Any) -> bool:
    """None, or the NaN/NA that pandas (3.x string columns) puts where a value is missing."""
    return value is None or (not isinstance(value, (dict, list, str)) and bool(pd.isna(value)))
