"""From the day's raw responses to normalized records, account by account.

Per account, the newest pull that succeeded is parsed (a failed re-pull keeps the last good one,
see ``assets/raw.py``). A pull whose responses do not parse is quarantined: its account is left
out of the normalized tables with the reason recorded, and every other account goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pandas as pd

from .accounts import DEMO_PROVIDER
from .parsed_pulls import parse_responses, parsed_pulls
from ..platforms import spec
from ..platforms.base import ACCOUNT_FIELDS, POST_METRIC_FIELDS, ParsedPull
from .pulling import responses_from_frame

# Half of an emoji cut by an API's truncation arrives as a lone UTF-16 surrogate, which UTF-8
# (and so PostgreSQL) cannot hold.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
TEXT_LIMITS = {"title": 500, "media_type": 50, "author_username": 255}


@dataclass
class AccountDay:
    """One account's parsed pull for one day."""

    account_id: str
    platform: str
    provider_name: str
    pull_id: str
    parsed: ParsedPull
    comment_count: int = 0  # known even when the comments themselves were not loaded
    observed_at: datetime | None = None  # when the pull was made (its first exchange)
    late: bool = False  # pulled after OBSERVATION_GRACE past the day's end: not an observation of it
    unknown_reason: str | None = None  # why point-in-time values of a late pull are left NULL


@dataclass
class DayRecords:
    accounts: list[AccountDay] = field(default_factory=list)
    quarantined: dict[str, str] = field(default_factory=dict)  # account id -> reason


# Time semantics. A day is *observed* by a pull made during it or within OBSERVATION_GRACE after
# its end (the daily schedule pulls at 00:30 UTC for the day just closed). A pull made later (a
# backfill of a past day, a new account's first month) still discovers posts and keeps what the
# API serves for that very day (date-bounded reports: each spec's ``dated_fields``), but it cannot
# know the day's point-in-time values: followers, post metrics, audience, comment likes as they
# were then. Those stay NULL, with the reason, rather than today's values under a past date. The
# demo source answers any past day as it was, so its pulls always observe their day.
OBSERVATION_GRACE = timedelta(hours=24)


def day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=timezone.utc)


def observes(day: date, pulled_at: datetime | None, provider: str) -> bool:
    """Whether a pull made at ``pulled_at`` observes ``day``."""
    if provider == DEMO_PROVIDER or pulled_at is None:
        return True
    if pulled_at.tzinfo is None:
        pulled_at = pulled_at.replace(tzinfo=timezone.utc)
    return pulled_at < day_end(day) + OBSERVATION_GRACE


def _by(moment, end: datetime) -> bool:
    """Whether a record dated ``moment`` (aware or naive UTC; undated counts as in time) existed
    before ``end``."""
    if not isinstance(moment, datetime):
        return True
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)) < end


def as_known_on(day: date, parsed: ParsedPull, platform: str, late: bool) -> tuple[ParsedPull, str | None]:
    """The records of a pull as they describe ``day``: posts published after the day are left
    for the days they exist on; a late pull keeps content and date-bounded values only.
    Returns the records and, for a late pull, the reason its point-in-time values are NULL."""
    end = day_end(day)

    def existed(record: dict, key: str) -> bool:
        return _by(record.get(key), end)

    posts = [p for p in parsed.posts if existed(p, "posted_at")]
    kept = {p["external_post_id"] for p in posts}
    comments = [c for c in parsed.comments if c.get("external_post_id") in kept and existed(c, "commented_at")]
    if not late:
        if len(posts) == len(parsed.posts) and len(comments) == len(parsed.comments):
            return parsed, None
        return replace(parsed, posts=posts, comments=comments), None
    dated = set(spec(platform).dated_fields)
    account = {k: (v if k not in ACCOUNT_FIELDS or k in dated else None) for k, v in parsed.account.items()}
    rebuilt = rebuilt_counts(parsed.account)
    account.update(rebuilt)
    posts = [{k: (None if k in POST_METRIC_FIELDS else v) for k, v in p.items()} for p in posts]
    comments = [{**c, "likes_count": None} for c in comments]
    reason = (
        f"pulled more than {int(OBSERVATION_GRACE.total_seconds() // 3600)} h after {day} ended: "
        f"{platform} serves followers, post metrics and audience only as they are now"
        + (f"; kept what it serves for the day ({', '.join(sorted(dated))})" if dated else "")
        + (f"; {', '.join(sorted(rebuilt))} rebuilt from its daily follower gains since the day" if rebuilt else "")
    )
    return replace(parsed, account=account, posts=posts, comments=comments, demographics=None), reason


def rebuilt_counts(account: dict) -> dict[str, int]:
    """The follower counts a late pull rebuilt for its day from the platform's daily gains
    (``followers_on_day``): followers, and subscribers where the platform reports them as such."""
    rebuilt = account.get("followers_on_day")
    if rebuilt is None:
        return {}
    out = {"followers_count": rebuilt}
    if account.get("subscribers_count") is not None:
        out["subscribers_count"] = rebuilt
    return out


def comments_as_known(day: date, acct: "AccountDay", comments: list[dict]) -> list[dict]:
    """Comments loaded apart from the day's records (see assets/comments.py), held to the same
    rules as ``as_known_on``: on the day's posts, written by the day's end, likes only when
    observed."""
    kept = {p["external_post_id"] for p in acct.parsed.posts}
    end = day_end(day)
    out = []
    for c in comments:
        moment = c.get("commented_at")
        if c.get("external_post_id") not in kept:
            continue
        if not _by(moment, end):
            continue
        out.append({**c, "likes_count": None} if acct.late else c)
    return out


def latest_ok_pulls(raw: pd.DataFrame) -> pd.DataFrame:
    """Rows of each account's newest successful pull."""
    if raw.empty:
        return raw
    ok = raw[raw["pull_status"] == "ok"]
    if ok.empty:
        return ok
    newest = (
        ok.groupby(["social_account_id", "pull_id"])["fetched_at"].max().reset_index()
        .sort_values("fetched_at").groupby("social_account_id").tail(1)["pull_id"]
    )
    return ok[ok["pull_id"].isin(set(newest))]


def parse_day(raw: pd.DataFrame, database=None, *, with_comments: bool = True) -> DayRecords:
    """Parse every account's newest successful pull in ``raw`` (one day, any platforms).

    ``raw`` holding payloads (fresh from a pull) is parsed as it is. The ledger as the normalized
    assets load it (no payload column) names the pulls, whose records come from the parse cache or
    from the stored rows through ``database`` (see :mod:`social_pipeline.parsed_pulls`);
    ``with_comments=False`` leaves the comment lists empty (their counts stay known).
    """
    out = DayRecords()
    rows = latest_ok_pulls(raw)
    if rows.empty:
        return out
    pulls = rows.groupby(["social_account_id", "pull_id"], sort=True)[["platform", "provider_name"]].first()
    if "payload" in rows.columns:
        groups = dict(tuple(rows.groupby("pull_id", sort=False)))
        results = {
            pull_id: parse_responses(platform, provider, responses_from_frame(groups[pull_id]))
            for (_, pull_id), (platform, provider) in pulls.iterrows()
        }
    else:
        if database is None:
            raise ValueError("parse_day needs the database to read pulls whose payloads are not loaded")
        keys = [(pull_id, platform, provider) for (_, pull_id), (platform, provider) in pulls.iterrows()]
        results = parsed_pulls(keys, database, with_comments=with_comments)
    # The day the rows describe and when each pull was made (frames built by hand may lack them:
    # then the records are taken as they are).
    first_exchange = rows.groupby("pull_id")["fetched_at"].min() if "fetched_at" in rows.columns else {}
    day = pd.to_datetime(rows["partition_date"]).dt.date.iloc[0] if "partition_date" in rows.columns else None
    for (account_id, pull_id), (platform, provider) in pulls.iterrows():
        result = results[pull_id]
        if result.parsed is None:
            out.quarantined[str(account_id)] = result.reason
            continue
        parsed = result.parsed if with_comments else replace(result.parsed, comments=[])
        pulled_at = _moment(first_exchange.get(pull_id))
        late, reason = False, None
        if day is not None:
            late = not observes(day, pulled_at, provider)
            parsed, reason = as_known_on(day, parsed, platform, late)
        out.accounts.append(AccountDay(
            str(account_id), platform, provider, str(pull_id), parsed, result.comment_count,
            observed_at=pulled_at, late=late, unknown_reason=reason,
        ))
    return out


def _moment(value) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    moment = pd.Timestamp(value).to_pydatetime()
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def clean_text(value: Any, limit: int | None = None) -> Any:
    """NUL characters cannot be stored in PostgreSQL text; limits follow the column types."""
    if not isinstance(value, str):
        return value
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    value = _LONE_SURROGATE.sub("\ufffd", value)
    if limit is not None and len(value) > limit:
        value = value[: limit - 1] + "…"
    return value


def naive_utc(value: datetime | None) -> datetime | None:
    """The specification types these columns TIMESTAMP (without zone): we store UTC."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def posts_frame(day: date, records: DayRecords) -> pd.DataFrame:
    rows = []
    for acct in records.accounts:
        for p in acct.parsed.posts:
            rows.append(
                {
                    "social_account_id": acct.account_id,
                    "external_post_id": p["external_post_id"],
                    "platform": acct.platform,
                    "post_url": clean_text(p.get("post_url")),
                    "caption": clean_text(p.get("caption")),
                    "title": clean_text(p.get("title"), TEXT_LIMITS["title"]),
                    "media_type": clean_text(p.get("media_type"), TEXT_LIMITS["media_type"]),
                    "media_url": clean_text(p.get("media_url")),
                    "thumbnail_url": clean_text(p.get("thumbnail_url")),
                    "duration": p.get("duration"),
                    "posted_at": naive_utc(p.get("posted_at")),
                    "post_kind": p.get("post_kind") or "original",
                    "hashtags": _tag_list(p.get("hashtags")),
                    "keywords": _tag_list(p.get("keywords"), lower=False),
                    "first_seen_date": day,
                    "last_seen_date": day,
                }
            )
    df = pd.DataFrame(rows, columns=POST_COLUMNS)
    df["duration"] = df["duration"].astype("Int64")
    return df


POST_COLUMNS = [
    "social_account_id", "external_post_id", "platform", "post_url", "caption", "title", "media_type",
    "media_url", "thumbnail_url", "duration", "posted_at", "first_seen_date", "last_seen_date", "post_kind", "hashtags", "keywords",
]


def _tag_list(values: Any, *, lower: bool = True) -> list[str] | None:
    """A platform's structured tags as stored: text without '#', de-duplicated in order
    (case-insensitively for hashtags); None when the platform gave none (the caption decides)."""
    if values is None:
        return None
    seen: dict[str, str] = {}
    for value in values:
        if not isinstance(value, str):
            continue
        tag = clean_text(value.strip().lstrip("#").strip())
        if tag:
            tag = tag.lower() if lower else tag
            seen.setdefault(tag.lower(), tag)
    return list(seen.values())
