"""The platform-neutral contract between API clients, parsers and the asset graph.

A platform module knows two things: how to *pull* an account's data over HTTP (endpoints,
auth, pagination) and how to *parse* the raw responses it pulled into records named after the
specification's columns. Pulling and parsing are separate on purpose: the raw responses are
stored first (``social_raw_pulls``), so every normalized table can be rebuilt from them without
calling an API again.

Nothing here knows Dagster or Postgres.
"""

from __future__ import annotations

import json
import random
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, ClassVar, Iterable, Mapping

import requests

from .prepared import send

# Query parameters and headers whose values are credentials. They are sent but never recorded.
SECRET_KEYS = frozenset(
    {
        "access_token",
        "key",
        "api_key",
        "apikey",
        "client_secret",
        "token",
        "authorization",
        "x-rapidapi-key",
        "refresh_token",
        "password",
    }
)
REDACTED = "[redacted]"


def redact(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """A copy of ``params`` with every credential value replaced by a marker."""
    if not params:
        return {}
    return {k: (REDACTED if k.lower() in SECRET_KEYS else v) for k, v in params.items()}


@dataclass(frozen=True)
class AccountRef:
    """One monitored account, as the assets hand it to a client."""

    id: str  # social_accounts.id (UUID as text)
    platform: str
    handle: str
    provider_name: str = "demo"
    posts_per_fetch: int = 50
    external_id: str | None = None  # the platform's own user/channel/page id, when known
    access_token: str | None = field(default=None, repr=False, compare=False)
    # Posts we already track that are still inside the platform's update window
    # (PlatformClient.update_window_days): their metrics are refreshed by id even when they are no
    # longer among the newest ``posts_per_fetch``.
    refresh_post_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class TokenGrant:
    """A refreshed OAuth token. ``refresh_token`` is None when the platform keeps the old one."""

    access_token: str = field(repr=False)
    expires_at: datetime | None = None
    refresh_token: str | None = field(default=None, repr=False)


@dataclass
class RawResponse:
    """One HTTP exchange with a platform, as stored in ``social_raw_pulls``."""

    endpoint: str  # the documented endpoint, e.g. "v2/video/list" or "channels.list"
    request_params: dict[str, Any]  # already redacted
    page_index: int
    attempt: int
    status_code: int | None
    payload: Any  # decoded JSON body (None when the body was not JSON)
    error: str | None
    latency_ms: int
    fetched_at: datetime
    cost_units: int | None = None  # against a daily unit quota (YouTube)
    usage: dict[str, str] | None = None  # rate-limit/usage headers the server sent
    cost_usd: float | None = None  # what the exchange cost in money (X bills per resource read)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


class PlatformError(Exception):
    """An API answered with an error we could not recover from. Message never holds a secret."""

    def __init__(self, message: str, *, status_code: int | None = None, endpoint: str | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.endpoint = endpoint


class ParseError(ValueError):
    """A stored response does not have the shape the platform documents."""


@dataclass
class ParsedPull:
    """Records parsed from one account's raw responses, keyed by the specification's column names.

    account: followers_count, following_count, posts_count, total_likes, total_comments,
        total_views, total_shares, subscribers_count, pins_count, retweets_count,
        watch_time_minutes (None where the platform does not report it), plus
        external_user_id, display_name.
    posts: external_post_id, post_url, caption, title, media_type, media_url, thumbnail_url, duration (seconds),
        posted_at (aware datetime), and the metrics likes_count, comments_count, views_count,
        shares_count, saves_count, watch_time_seconds, completion_rate (percent), impressions,
        reach (None where not reported: never 0 for "unknown").
    comments: external_post_id, external_comment_id, parent_external_comment_id (None for
        top-level), comment_text, author_username, author_external_id, likes_count,
        commented_at (aware datetime or None).
    demographics: None, or age_13_17 .. age_45_plus, gender_male, gender_female (percent),
        top_countries, top_cities, top_languages (dict name -> percent), peak_hours (list of
        int), peak_days (list of lowercase weekday names).
    """

    account: dict[str, Any] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    demographics: dict[str, Any] | None = None


POST_METRIC_FIELDS = (
    "likes_count",
    "comments_count",
    "views_count",
    "shares_count",
    "saves_count",
    "watch_time_seconds",
    "completion_rate",
    "impressions",
    "reach",
)
ACCOUNT_FIELDS = (
    "followers_count",
    "following_count",
    "posts_count",
    "total_likes",
    "total_comments",
    "total_views",
    "total_shares",
    "subscribers_count",
    "pins_count",
    "retweets_count",
    "watch_time_minutes",
)


USAGE_HEADERS = (
    "x-app-usage",  # Meta: {"call_count": %, "total_cputime": %, "total_time": %} of the hourly budget
    "x-business-use-case-usage",
    "x-rate-limit-limit",  # X
    "x-rate-limit-remaining",
    "x-rate-limit-reset",
    "x-ratelimit-limit",  # Pinterest, LinkedIn
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "ratelimit-limit",  # Bluesky (IETF draft names)
    "ratelimit-remaining",
    "ratelimit-reset",
    "retry-after",
)
# Meta asks apps to slow down before any usage figure reaches 100 %.
META_USAGE_PAUSE_AT = 90
AUTH_HINT = {
    401: "the access token was rejected (expired or revoked): reconnect the account or refresh "
    "social_accounts.access_token",
    403: "access denied: check the token's permissions/scopes and the account's access to this data",
}


class HttpClient:
    """A ``requests`` session that records every exchange as a :class:`RawResponse`.

    Transient failures (connection errors, timeouts, 429, 5xx, and throttling a platform signals
    inside a 200 body) are retried with exponential backoff and jitter, honouring ``Retry-After``
    (or, on a 429 without it, the rate-limit reset header) up to ``max_wait`` seconds (15 minutes:
    X's rate-limit window); other 4xx are fatal. Every attempt is recorded, so the ledger counts
    retries. An optional shared :class:`~.ratelimit.RateLimiter` spaces requests, and a
    :class:`~.ratelimit.QuotaBudget` refuses requests that would exceed a daily unit quota.

    Credentials are passed in ``secret_params``/``secret_headers`` so they are sent but never
    recorded, and never appear in an error message.
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: float = 30.0,
        max_attempts: int = 5,
        backoff_seconds: float = 1.0,
        max_wait: float = 900.0,
        sleep=time.sleep,
        clock=time.time,
        limiter=None,
        quota=None,
        jitter=random.random,
    ):
        self.session = session or requests.Session()
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.max_wait = max_wait
        self._sleep = sleep
        self._clock = clock  # wall clock, to read reset headers given as epoch seconds
        self.limiter = limiter
        self.quota = quota
        self._jitter = jitter
        # Set by the platform client: returns a reason when a 2xx body says "slow down".
        self.throttle_check: Callable[[Any], str | None] | None = None
        # Set by the platform client: returns a reason when an error answer (status, body) is a
        # throttle to retry like a 429 (Meta's Graph signals rate limits as HTTP 400 + a code).
        self.error_check: Callable[[int, Any], str | None] | None = None
        # Set by the platform client: what one exchange (endpoint, body) cost in US dollars.
        self.pricing: Callable[[str, Any], float | None] | None = None
        # Set by the platform client: removes credentials a platform echoes in its bodies (Graph's
        # paging links), applied to every body before it is recorded, error answers included.
        self.scrub: Callable[[Any], Any] | None = None
        self.responses: list[RawResponse] = []

    def request(
        self,
        method: str,
        url: str,
        *,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
        secret_params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        secret_headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        page_index: int = 0,
        cost_units: int | None = None,
        auth_hint: str | None = None,
    ) -> Any:
        """Send one request (with retries) and return its decoded JSON body.

        ``cost_units``: what one attempt costs against the platform's daily unit quota (YouTube).
        ``auth_hint``: what to fix when the credential of this request is refused (401/403),
        naming the exact variable or column; the generic hint otherwise.
        """
        sent_params = {**(params or {}), **(secret_params or {})}
        sent_headers = {**(headers or {}), **(secret_headers or {})}
        recorded = redact(params)
        if json_body is not None:
            recorded = {**recorded, "json": json_body}
        last_error = "no attempt made"
        status: int | None = None
        for attempt in range(1, self.max_attempts + 1):
            if self.quota is not None and cost_units:
                try:
                    self.quota.spend(cost_units, endpoint)
                except Exception as exc:  # QuotaExceeded: stop before spending more
                    raise PlatformError(f"{endpoint}: {exc}", endpoint=endpoint) from None
            if self.limiter is not None:
                self.limiter.acquire()
            started = time.perf_counter()
            fetched_at = datetime.now(timezone.utc)
            payload: Any = None
            error: str | None = None
            usage: dict[str, str] | None = None
            retry_after: float | None = None
            throttled = False
            try:
                resp = send(
                    self.session,
                    method,
                    url,
                    params=sent_params or None,
                    headers=sent_headers or None,
                    json_body=json_body,
                    timeout=self.timeout,
                )
                status = resp.status_code
                usage = {h: resp.headers[h] for h in USAGE_HEADERS if h in resp.headers} or None
                retry_after = _retry_after_seconds(resp.headers.get("retry-after"))
                try:
                    payload = resp.json()
                except ValueError:
                    payload = None
                    if 200 <= status < 300:
                        error = "response body is not JSON (truncated or an HTML error page)"
                if payload is not None and self.scrub is not None:
                    payload = self.scrub(payload)
                if error is None and not 200 <= status < 300:
                    error = f"HTTP {status}: {_error_summary(payload)}"
                    reason = self.error_check(status, payload) if self.error_check is not None else None
                    if reason:
                        error, throttled = f"throttled: {reason} ({error})", True
                    elif status in AUTH_HINT:
                        error += f" -- {auth_hint or AUTH_HINT[status]}"
                if error is None and self.throttle_check is not None:
                    reason = self.throttle_check(payload)
                    if reason:
                        error, throttled = f"throttled: {reason}", True
            except requests.Timeout:
                status, error = None, f"timed out after {self.timeout:g} s"
            except requests.RequestException as exc:
                status, error = None, f"{type(exc).__name__}: connection failed"
            latency = int((time.perf_counter() - started) * 1000)
            self.responses.append(
                RawResponse(
                    endpoint=endpoint,
                    request_params=recorded,
                    page_index=page_index,
                    attempt=attempt,
                    status_code=status,
                    payload=payload,
                    error=error,
                    latency_ms=latency,
                    fetched_at=fetched_at,
                    cost_units=cost_units,
                    usage=usage,
                    cost_usd=self.pricing(endpoint, payload) if self.pricing is not None and status else None,
                )
            )
            self._respect_usage(usage)
            if error is None:
                return payload
            last_error = error
            transient = (
                throttled or status is None or status == 429 or status >= 500 or error.startswith("response body")
            )
            if not transient or attempt == self.max_attempts:
                break
            delay = self._backoff(attempt)
            if retry_after is None and status == 429:
                retry_after = _reset_wait(usage, self._clock())  # X and Bluesky say when the window resets instead
            if retry_after is not None:
                if retry_after > self.max_wait:
                    last_error += f" (server asked to retry after {retry_after:.0f} s, more than {self.max_wait:.0f} s)"
                    break
                delay = max(delay, retry_after)
            if self.limiter is not None and (status == 429 or throttled):
                self.limiter.pause(delay)
            self._sleep(delay)
        attempts = sum(1 for r in self.responses if r.endpoint == endpoint and r.page_index == page_index)
        raise PlatformError(
            f"{endpoint}: {last_error}" + (f" (after {attempts} attempts)" if attempts > 1 else ""),
            status_code=status,
            endpoint=endpoint,
        )

    def get(self, url: str, *, endpoint: str, **kwargs) -> Any:
        return self.request("GET", url, endpoint=endpoint, **kwargs)

    def _backoff(self, attempt: int) -> float:
        base = min(self.max_wait, self.backoff_seconds * (2 ** (attempt - 1)))
        return base * (0.5 + self._jitter())  # "equal jitter": between half and 1.5x

    def _respect_usage(self, usage: Mapping[str, str] | None) -> None:
        """Slow the provider down when a usage header says its budget is nearly spent."""
        if not usage or self.limiter is None:
            return
        meta = usage.get("x-app-usage") or usage.get("x-business-use-case-usage")
        if meta:
            try:
                figures = json.loads(meta)
            except ValueError:
                figures = {}
            values = _percentages(figures)
            if values and max(values) >= META_USAGE_PAUSE_AT:
                self.limiter.pause(60.0)
        remaining = usage.get("x-rate-limit-remaining") or usage.get("x-ratelimit-remaining") or usage.get("ratelimit-remaining")
        if remaining is not None and remaining.strip() == "0":
            wait = _reset_wait(usage, self._clock())
            if wait is not None and 0 < wait <= self.max_wait:
                self.limiter.pause(wait)


def _reset_wait(usage: Mapping[str, str] | None, now: float) -> float | None:
    """Seconds until a rate-limit window resets, from X's, Pinterest's or Bluesky's headers.
    X and Bluesky send an epoch second; a small number is read as seconds from now."""
    if not usage:
        return None
    reset = usage.get("x-rate-limit-reset") or usage.get("ratelimit-reset") or usage.get("x-ratelimit-reset")
    if reset is None:
        return None
    try:
        value = float(reset)
    except ValueError:
        return None
    return max(value - now, 0.0) if value > 1e9 else max(value, 0.0)


def _percentages(figures: Any) -> list[float]:
    """Every numeric usage figure in Meta's usage header (nested per business id for BUC)."""
    found: list[float] = []
    if isinstance(figures, dict):
        for key, value in figures.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and key != "estimated_time_to_regain_access":
                found.append(float(value))
            elif isinstance(value, (dict, list)):
                found.extend(_percentages(value))
    elif isinstance(figures, list):
        for item in figures:
            found.extend(_percentages(item))
    return found


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max((when - datetime.now(timezone.utc)).total_seconds(), 0.0)


ERROR_SUMMARY_LIMIT = 1000


def _error_summary(payload: Any) -> str:
    """The platform's own error code and message, whole (never JSON cut in the middle). A body
    too long to quote is reduced to its messages and codes. Credentials are scrubbed by the
    caller (the pull), which knows them."""
    if isinstance(payload, dict):
        # The error object where the body has one; else the whole body (Pinterest's code and
        # message, LinkedIn's serviceErrorCode, status and message sit at its top level).
        err = payload.get("error") or payload.get("errors") or payload
        text = json.dumps(err, ensure_ascii=False, default=str) if not isinstance(err, str) else err
        # A problem document (RFC 7807, X) says what went wrong at its top level beside `errors`.
        head = [f"{k}: {payload[k]}" for k in ("title", "detail", "type") if isinstance(payload.get(k), str)]
        if head and err is not payload:
            text = "; ".join(head) + "; " + text
    elif payload is None:
        text = "non-JSON body"
    else:
        text = json.dumps(payload, ensure_ascii=False, default=str)
    if len(text) <= ERROR_SUMMARY_LIMIT:
        return text
    facts = _error_facts(payload)
    return "; ".join(facts)[:ERROR_SUMMARY_LIMIT] if facts else text[: ERROR_SUMMARY_LIMIT - 1] + "\u2026"


def _error_facts(value: Any, depth: int = 0) -> list[str]:
    """``key: value`` for every message, code, reason, status or title in an error body."""
    wanted = ("message", "code", "reason", "status", "title", "detail", "type", "error_subcode")
    found: list[str] = []
    if depth > 4:
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            if key in wanted and isinstance(item, (str, int)) and not isinstance(item, bool):
                found.append(f"{key}: {item}")
            elif isinstance(item, (dict, list)):
                found.extend(_error_facts(item, depth + 1))
    elif isinstance(value, list):
        for item in value[:5]:
            found.extend(_error_facts(item, depth + 1))
    return list(dict.fromkeys(found))


class PlatformClient(ABC):
    """Pulls one account's data from one platform.

    Subclasses set ``platform`` and ``default_base_url`` and implement :meth:`pull` (which calls
    the platform's documented endpoints through ``self.http`` and follows its pagination) and the
    static :meth:`parse` (which turns stored responses back into records).
    """

    platform: ClassVar[str]
    default_base_url: ClassVar[str]
    # How long after publication a post's metrics are still refreshed every day.
    update_window_days: ClassVar[int] = 30

    def __init__(
        self,
        http: HttpClient,
        base_url: str | None = None,
        credentials: Mapping[str, str] | None = None,
        *,
        today: date | None = None,
    ):
        self.http = http
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        # The day a pull describes: it ends date windows of analytics endpoints. Today (UTC) for a
        # live pull; the partition day when the simulator answers as of a past day.
        self.today = today or datetime.now(timezone.utc).date()
        # Platform-level credentials (an API key, an app token); per-account tokens travel on
        # AccountRef.access_token. Never log or format these.
        self.credentials = dict(credentials or {})
        if http.throttle_check is None:
            http.throttle_check = self.throttled

    @property
    def until_epoch(self) -> int:
        """End of ``today`` as epoch seconds, never later than now."""
        end = datetime.combine(self.today + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
        return int(min(end, datetime.now(timezone.utc)).timestamp())

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    @abstractmethod
    def pull(self, account: AccountRef) -> None:
        """Fetch the account's profile, its newest ``posts_per_fetch`` posts with their metrics,
        their comments (with replies), and demographics where the platform offers them.

        Responses accumulate in ``self.http.responses``; raise :class:`PlatformError` when the
        pull cannot complete.
        """

    def refresh_access_token(self, account: AccountRef, refresh_token: str) -> TokenGrant:
        """Exchange ``refresh_token`` (or a long-lived token) for a fresh access token through
        the platform's documented OAuth endpoint. Platforms without expiring tokens keep this
        default."""
        raise PlatformError(f"{self.platform} tokens cannot be refreshed through its API")

    @staticmethod
    def throttled(payload: Any) -> str | None:
        """A reason when a successful (2xx) body nonetheless says the request was throttled;
        platforms that signal rate limits this way override it (TikTok)."""
        return None

    @staticmethod
    @abstractmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        """Rebuild records from the successful responses of one pull (in the order fetched)."""


def parse_timestamp(value: Any) -> datetime | None:
    """Aware UTC datetime from epoch seconds or an ISO-8601 string (``Z`` or offset)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ParseError(f"not a timestamp: {value!r}")
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(float(value), tz=timezone.utc)
        except (OverflowError, OSError, ValueError):  # NaN, infinities, years past 9999
            raise ParseError(f"timestamp out of range: {value!r}") from None
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        # Meta writes offsets without a colon: 2024-11-20T15:00:00+0000
        if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit() and ":" not in text[-5:]:
            text = text[:-2] + ":" + text[-2:]
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ParseError(f"not a timestamp: {value!r}") from exc
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.astimezone(timezone.utc)
    raise ParseError(f"not a timestamp: {value!r}")


def count(value: Any) -> int | None:
    """A non-negative integer count, or None when absent. Strings of digits are accepted
    (YouTube sends counts as strings). Negative, fractional or non-numeric values raise."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ParseError(f"not a count: {value!r}")
    if isinstance(value, str):
        if not (value.strip().isascii() and value.strip().isdigit()):  # not '²' or '①'
            raise ParseError(f"not a count: {value[:40]!r}")
        value = int(value.strip())
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            raise ParseError(f"not a count: {value!r}")
        value = int(value)
    if not isinstance(value, int):
        raise ParseError(f"not a count: {type(value).__name__}")
    if value < 0:
        raise ParseError(f"negative count: {value}")
    if value > 9_223_372_036_854_775_807:
        raise ParseError("count exceeds BIGINT")
    return value


def ok_payloads(responses: Iterable[RawResponse], endpoint: str) -> list[Any]:
    """Payloads of the successful responses to ``endpoint``, in page order."""
    hits = [r for r in responses if r.endpoint == endpoint and r.ok]
    hits.sort(key=lambda r: (r.page_index, r.attempt))
    return [r.payload for r in hits]
