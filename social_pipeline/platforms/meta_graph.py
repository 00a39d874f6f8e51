"""What the Instagram, Facebook and Threads clients share: Meta's Graph API conventions.

One place for:

- **Versions**: the Graph API version is a setting (``SOCIAL_PIPELINE_<P>_VERSION``, default
  :data:`DEFAULT_VERSION`); :data:`GRAPH_VERSIONS` lists known versions and the last day Meta
  serves them, :func:`version_warning` warns from 60 days before that day. Threads has its own
  versioning (``graph.threads.net/v1.0``) and is not in the table.
- **Errors**: Graph's error body ``{"error": {"message", "type", "code", "error_subcode",
  "is_transient", "fbtrace_id"}}`` (https://developers.facebook.com/docs/graph-api/guides/error-handling).
  Code 190 is a dead token (:class:`TokenExpired`); codes 4, 17, 32, 613 and 80001-80014 and
  ``is_transient: true`` are throttling, answered as HTTP 400/403, and retried like a 429 through
  ``HttpClient.error_check`` (https://developers.facebook.com/docs/graph-api/overview/rate-limiting).
  ``X-App-Usage`` / ``X-Business-Use-Case-Usage`` are honoured by ``HttpClient`` itself.
- **Paging**: cursor paging (``paging.cursors.after``; ``paging.next`` only while more pages
  exist). Graph echoes the request's ``access_token`` (and ``appsecret_proof``) inside
  ``paging.next`` / ``paging.previous``; :func:`scrub_paging` removes every credential from every
  such link anywhere in a payload, recursively, before the payload is recorded.
- **Refused metrics**: Meta retires insights metrics between versions and for all versions at
  once; a request naming a retired metric fails whole with code 100. :class:`GraphClient` asks
  again without it and remembers it for the rest of the pull, per metric group, so one retired
  metric costs one refused call per pull, not one per post.
- **Tokens**: the long-lived token exchange (:func:`meta_token_exchange`), app settings
  (:func:`meta_credential`), and errors naming the platform, the account and what to fix
  (``social_accounts.access_token``, ``SOCIAL_PIPELINE_<P>_APP_ID`` / ``_APP_SECRET``).
- **Insights parsing**: ``data`` lists, ``values[-1].value`` or ``total_value.value``,
  ``follower_demographics`` breakdowns (:func:`collect_breakdowns`,
  :func:`demographics_from_counts`).
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone
from typing import Any, ClassVar, Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from .base import HttpClient, ParseError, PlatformClient, PlatformError, TokenGrant, count
from .payload import opt_text

# -- versions ------------------------------------------------------------------------------------
GRAPH_HOST = "https://graph.facebook.com"
INSTAGRAM_HOST = "https://graph.instagram.com"
DEFAULT_VERSION = "v25.0"
# Last day Meta serves each version ("Available until" in Meta's Graph API changelog,
# https://developers.facebook.com/docs/graph-api/changelog/versions). A version stays available
# for at least two years after its successor ships. v21.0 and v25.0 are Meta's published dates;
# the others follow that rule from the successor's release day.
GRAPH_VERSIONS: dict[str, date] = {
    "v21.0": date(2027, 1, 21),
    "v22.0": date(2027, 5, 29),  # v23.0 shipped 2025-05-29
    "v23.0": date(2027, 10, 8),  # v24.0 shipped 2025-10-08
    "v25.0": date(2028, 7, 29),
}
VERSION_WARNING_DAYS = 60


def normal_version(version: str | None) -> str:
    """``"25"``, ``"25.0"``, ``"v25.0"`` -> ``"v25.0"``; empty -> :data:`DEFAULT_VERSION`."""
    text = (version or "").strip().lower()
    if not text:
        return DEFAULT_VERSION
    if not text.startswith("v"):
        text = "v" + text
    if "." not in text:
        text += ".0"
    if not re.fullmatch(r"v\d+\.\d+", text):
        raise PlatformError(f"Graph API version {version!r} is not of the form v25.0")
    return text


def graph_base_url(version: str | None = None, host: str = GRAPH_HOST) -> str:
    return f"{host}/{normal_version(version)}"


def version_end_of_life(version: str | None) -> date | None:
    """The last day Meta serves ``version``, or None when we do not know it."""
    try:
        return GRAPH_VERSIONS.get(normal_version(version))
    except PlatformError:
        return None


def version_warning(version: str | None, today: date, *, platform: str | None = None) -> str | None:
    """A warning from 60 days before the configured version's end of life (None before that,
    and None for a version whose end we do not know)."""
    setting = f"SOCIAL_PIPELINE_{platform.upper()}_VERSION" if platform else "SOCIAL_PIPELINE_<PLATFORM>_VERSION"
    try:
        name = normal_version(version)
    except PlatformError:
        return f"Meta Graph API version {version!r} is not of the form v25.0: set {setting} to {DEFAULT_VERSION}"
    end = version_end_of_life(name)
    bound = False
    if end is None and _version_key(name) < min(_version_key(v) for v in GRAPH_VERSIONS):
        # Older than every version we know: it ends no later than the oldest one we know.
        oldest = min(GRAPH_VERSIONS, key=_version_key)
        end, bound = GRAPH_VERSIONS[oldest], True
    if end is None or today < end - timedelta(days=VERSION_WARNING_DAYS):
        return None
    if bound:
        when = f"is older than {min(GRAPH_VERSIONS, key=_version_key)}, which Meta serves only until {end.isoformat()}"
    elif today > end:
        when = f"stopped working on {end.isoformat()}"
    else:
        when = f"stops working on {end.isoformat()} (in {(end - today).days} days)"
    return f"Meta Graph API {name} {when}: set {setting} to {DEFAULT_VERSION} or newer"


def _version_key(version: str) -> tuple[int, int]:
    major, minor = version[1:].split(".")
    return int(major), int(minor)


# -- errors --------------------------------------------------------------------------------------
EXPIRED_TOKEN_CODE = 190
INVALID_PARAMETER_CODE = 100  # what a retired or unknown metric answers
THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
TOKEN_SUBCODES = {
    463: "it expired",
    460: "the password was changed",
    467: "the user logged out or the token is invalid",
    458: "the app was removed by the user",
    492: "the user lost their role on the page",
}


class TokenExpired(PlatformError):
    """The token was rejected as expired or revoked (Graph error code 190)."""


def error_of(payload: Any) -> dict[str, Any] | None:
    err = payload.get("error") if isinstance(payload, dict) else None
    return err if isinstance(err, dict) else None


def graph_error(http: HttpClient, endpoint: str) -> dict[str, Any] | None:
    """The Graph ``error`` object of the last recorded exchange with ``endpoint``, if any."""
    for r in reversed(http.responses[-3:]):
        if r.endpoint == endpoint:
            return error_of(r.payload)
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def graph_error_code(http: HttpClient, endpoint: str) -> int | None:
    err = graph_error(http, endpoint)
    return _int(err.get("code")) if err else None


def graph_throttle(status: int, payload: Any) -> str | None:
    """``HttpClient.error_check`` for Graph: a 400/403 that is really a throttle (codes 4, 17,
    32, 613, 80001-80014, or ``is_transient: true``) is retried with backoff like a 429."""
    if status not in (400, 403):
        return None
    err = error_of(payload)
    if not err:
        return None
    code = _int(err.get("code"))
    if code in THROTTLE_CODES:
        return f"Graph rate limit (code {code})"
    if err.get("is_transient") is True and code != EXPIRED_TOKEN_CODE:
        return f"Graph transient error (code {code})"
    return None


def scrub_text(text: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return strip_credentials_in_text(text)


def raise_if_token_error(http: HttpClient, exc: PlatformError, label: str, platform: str, secrets: Iterable[str | None] = ()) -> None:
    """Raise :class:`TokenExpired` when ``exc`` came from a Graph error 190, naming the platform,
    the account and what to fix, with Graph's own code and message (credentials scrubbed)."""
    if exc.endpoint is None or exc.status_code not in (400, 401, 403):
        return
    err = graph_error(http, exc.endpoint)
    if not err or err.get("code") != EXPIRED_TOKEN_CODE:
        return
    sub = _int(err.get("error_subcode"))
    why = TOKEN_SUBCODES.get(sub, "it expired or was revoked") if sub is not None else "it expired or was revoked"
    message = scrub_text(str(err.get("message") or ""), secrets)
    raise TokenExpired(
        f"{label}: the {platform} access token was rejected because {why} (Graph OAuthException 190"
        + (f", subcode {sub}" if sub is not None else "")
        + (f": {message}" if message else "")
        + f"): refresh the long-lived token before it lapses (with SOCIAL_PIPELINE_{platform.upper()}_APP_ID and "
        + f"SOCIAL_PIPELINE_{platform.upper()}_APP_SECRET set, the pipeline exchanges it itself) or reconnect "
        "the account, then store the new token in social_accounts.access_token",
        status_code=exc.status_code,
        endpoint=exc.endpoint,
    )


# -- paging --------------------------------------------------------------------------------------
CREDENTIAL_PARAMS = frozenset(
    {"access_token", "appsecret_proof", "client_secret", "fb_exchange_token", "input_token", "refresh_token", "code"}
)
_CREDENTIAL_IN_TEXT = re.compile(
    r"((?:^|[?&;\s\"'])(?:access_token|appsecret_proof|client_secret|fb_exchange_token|input_token|refresh_token)=)[^&#\s\"']*",
    re.IGNORECASE,
)


def strip_credentials(url: str) -> str:
    """``url`` without any credential query parameter (access_token, appsecret_proof...)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return strip_credentials_in_text(url)
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in CREDENTIAL_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def strip_credentials_in_text(text: str) -> str:
    """Credential parameters quoted anywhere in free text (an error message quoting a URL)."""
    return _CREDENTIAL_IN_TEXT.sub(r"\1[redacted]", text)


def scrub_paging(payload: Any) -> Any:
    """Remove every credential from every ``paging.next`` / ``paging.previous`` URL anywhere in
    ``payload`` (nested edges such as ``replies`` or ``comments`` carry their own ``paging``), in
    place; any other string quoting a credential parameter, and any ``access_token`` field (a
    Page's token in ``/me/accounts``), is redacted too. Returns ``payload``."""
    if isinstance(payload, list):
        for item in payload:
            scrub_paging(item)
    elif isinstance(payload, dict):
        for key, value in payload.items():
            if key.lower() in CREDENTIAL_PARAMS and key != "code" and isinstance(value, str):
                payload[key] = "[redacted]"  # a token field (a Page's access_token in a list of Pages)
            elif key == "paging" and isinstance(value, dict):
                for link in ("next", "previous"):
                    if isinstance(value.get(link), str):
                        value[link] = strip_credentials(value[link])
                scrub_paging({k: v for k, v in value.items() if k not in ("next", "previous")})
            elif isinstance(value, (dict, list)):
                scrub_paging(value)
            elif isinstance(value, str) and "=" in value:
                payload[key] = strip_credentials_in_text(value)
    return payload


def next_cursor(payload: Any, got: int | None = None, asked: int | None = None) -> str | None:
    """The ``after`` cursor while another page exists: ``paging.next`` says so. Without it, a full
    page (``got >= asked``) with an ``after`` cursor is taken as "maybe more" when ``asked`` is
    given (Threads omits ``next`` on some edges)."""
    if not isinstance(payload, dict):
        return None
    paging = payload.get("paging")
    if not isinstance(paging, dict):
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    if not isinstance(after, str) or not after:
        return None
    if paging.get("next") or (asked is not None and got is not None and got >= asked):
        return after
    return None


# -- refused metrics -----------------------------------------------------------------------------
_METRIC_INDEX = re.compile(r"metric\[(\d+)\]")


def refused_metrics(message: str, asked: list[str]) -> list[str]:
    """The requested metrics a Graph ``(#100)`` message refuses: ``metric[i] must be one of...``
    names one by position; otherwise requested names quoted before any list of allowed values."""
    found = [asked[int(i)] for i in _METRIC_INDEX.findall(message) if int(i) < len(asked)]
    if found:
        return list(dict.fromkeys(found))
    head = re.split(r"must be one of|following values|allowed values|valid values", message, maxsplit=1)[0]
    return [m for m in asked if re.search(rf"(?<![\w]){re.escape(m)}(?![\w])", head)]


# -- the client base -----------------------------------------------------------------------------
class GraphClient(PlatformClient):
    """Base of the three Meta clients: versioned base URL, throttle detection, scrubbed and
    token-aware GETs, and refused-metric memory for the pull."""

    platform: ClassVar[str]
    default_base_url: ClassVar[str] = graph_base_url(DEFAULT_VERSION)
    versioned: ClassVar[bool] = True  # False for Threads (its own v1.0)

    def __init__(self, http: HttpClient, base_url: str | None = None, credentials: Mapping[str, str] | None = None, **kwargs):
        super().__init__(http, base_url, credentials, **kwargs)
        self.version = normal_version(self.credentials.get("version")) if self.versioned else None
        if base_url is None and self.versioned:
            self.base_url = graph_base_url(self.version)
        if http.error_check is None:
            http.error_check = graph_throttle
        if http.scrub is None:
            http.scrub = scrub_paging  # error answers too: Graph may quote a request's links
        self._label = f"{self.platform} account"
        self._secrets: list[str] = []
        # metrics the API refused during this pull, per metric group
        self._refused: dict[str, set[str]] = {}

    def version_warning(self, today: date | None = None) -> str | None:
        if not self.versioned:
            return None
        return version_warning(self.version, today or self.today, platform=self.platform)

    def _start(self, handle: str, token: str | None) -> None:
        self._label = f"{self.platform} account @{handle}"
        self._refused = {}
        self._secrets = [s for s in (token, *self.credentials.values()) if isinstance(s, str) and s]

    @property
    def token_hint(self) -> str:
        return (
            f"{self._label}: the access token was refused: store a valid {self.platform} token in "
            "social_accounts.access_token (reconnect the account)"
        )

    def _get(self, url: str, **kwargs) -> Any:
        """GET through the recording client; the payload (the object that is stored) has every
        credential removed from its paging links. A dead token (code 190) becomes
        :class:`TokenExpired`; error messages are scrubbed of every credential we hold."""
        kwargs.setdefault("auth_hint", self.token_hint)
        try:
            payload = self.http.get(url, **kwargs)
        except PlatformError as exc:
            raise_if_token_error(self.http, exc, self._label, self.platform, self._secrets)
            message = scrub_text(str(exc), self._secrets)
            if message != str(exc):
                raise PlatformError(message, status_code=exc.status_code, endpoint=exc.endpoint) from None
            raise
        return scrub_paging(payload)

    def _insights(
        self,
        url: str,
        endpoint: str,
        metrics: Iterable[str],
        auth: dict[str, str],
        *,
        group: str,
        params: Mapping[str, Any] | None = None,
        page_index: int = 0,
    ) -> None:
        """GET ``url?metric=...``; when Graph refuses some metric (400, code 100), ask again
        without it (or one metric at a time when the message names none). Refused metrics stay
        unreported (None after parsing) and are not asked again within ``group`` for the rest of
        the pull. Never raises for a refused metric; other errors propagate."""
        refused = self._refused.setdefault(group, set())
        extra = dict(params or {})
        wanted = [m for m in metrics if m not in refused]
        while wanted:
            try:
                self._get(url, endpoint=endpoint, params={"metric": ",".join(wanted), **extra}, secret_params=auth, page_index=page_index)
                return
            except PlatformError as exc:
                err = self._refusal(exc, endpoint)
                if err is None:
                    raise
                bad = refused_metrics(str(err.get("message") or ""), wanted)
                if bad:
                    refused.update(bad)
                    wanted = [m for m in wanted if m not in bad]
                    continue
                if len(wanted) == 1:  # a lone metric refused: give up on it
                    refused.update(wanted)
                    return
                for metric in wanted:  # unclear which: ask for each on its own, remember refusals
                    try:
                        self._get(url, endpoint=endpoint, params={"metric": metric, **extra}, secret_params=auth, page_index=page_index)
                    except PlatformError as one:
                        if self._refusal(one, endpoint) is None:
                            raise
                        refused.add(metric)
                return

    def _refusal(self, exc: PlatformError, endpoint: str) -> dict[str, Any] | None:
        """Graph's error when ``exc`` is an invalid-metric refusal (400, code 100), else None."""
        if isinstance(exc, TokenExpired) or exc.status_code != 400:
            return None
        err = graph_error(self.http, endpoint)
        return err if err and err.get("code") == INVALID_PARAMETER_CODE else None


# -- credentials and token exchange -------------------------------------------------------------
def meta_credential(credentials: Mapping[str, str], platform: str, name: str, label: str | None = None) -> str:
    value = credentials.get(name)
    if not value:
        raise PlatformError(
            f"{label or platform}: {platform} token refresh needs the Meta app's {name}: set "
            f"SOCIAL_PIPELINE_{platform.upper()}_{name.upper()}"
        )
    return value


def meta_token_exchange(
    http: HttpClient,
    url: str,
    *,
    params: dict[str, str],
    secret_params: dict[str, str],
    label: str,
    platform: str | None = None,
) -> TokenGrant:
    """GET a Meta token endpoint straight through the session (nothing recorded: the answer is a
    token), retrying timeouts, 429, 5xx and Graph throttles. Errors name what to fix, with
    Graph's code and message, never a token or secret."""
    endpoint = url.rsplit("/", 1)[-1]
    attempts = max(int(getattr(http, "max_attempts", 3)), 1)
    sleep = getattr(http, "_sleep", time.sleep)
    problem, status = "no attempt made", None
    prefix = f"SOCIAL_PIPELINE_{platform.upper()}" if platform else "SOCIAL_PIPELINE_<PLATFORM>"
    for attempt in range(1, attempts + 1):
        try:
            resp = http.session.get(url, params={**params, **secret_params}, timeout=http.timeout)
        except requests.RequestException as exc:
            status, problem = None, type(exc).__name__
        else:
            status = resp.status_code
            try:
                body = resp.json()
            except ValueError:
                body, problem = None, "non-JSON body"
            else:
                if 200 <= status < 300 and isinstance(body, dict) and isinstance(body.get("access_token"), str) and body["access_token"]:
                    expires_in = body.get("expires_in")
                    expires_at = None
                    if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool) and expires_in > 0:
                        expires_at = datetime.now(timezone.utc) + timedelta(seconds=float(expires_in))
                    return TokenGrant(access_token=body["access_token"], expires_at=expires_at, refresh_token=body["access_token"])
                if status < 500 and status != 429 and not graph_throttle(status, body):
                    err = error_of(body) or {}
                    code, sub = err.get("code"), err.get("error_subcode")
                    message = scrub_text(str(err.get("message") or "no access_token in the answer"), secret_params.values())[:300]
                    advice = (
                        "the token can no longer be refreshed (expired or revoked): reconnect the account "
                        "and store the new token in social_accounts.access_token"
                        if code == EXPIRED_TOKEN_CODE
                        else f"check {prefix}_APP_ID and {prefix}_APP_SECRET (the Meta app the token belongs to)"
                        if code in (1, 101, 104)
                        else "reconnect the account if this persists"
                    )
                    raise PlatformError(
                        f"{label}: token refresh failed (HTTP {status}, Graph code {code}"
                        + (f"/{sub}" if sub is not None else "")
                        + f": {message}) -- {advice}",
                        status_code=status,
                        endpoint=endpoint,
                    )
                problem = f"HTTP {status}"
        if attempt < attempts:
            sleep(http._backoff(attempt))
    raise PlatformError(f"{label}: token refresh failed after {attempts} attempts ({problem})", status_code=status, endpoint=endpoint)


# -- insights parsing ----------------------------------------------------------------------------
def media_thumbnail(item: dict[str, Any], where: str) -> str | None:
    """An image to show for an Instagram or Threads media object: a VIDEO's ``thumbnail_url`` (its
    ``media_url`` is an .mp4 a page cannot draw), the photo itself (``media_url``) for IMAGE and
    CAROUSEL_ALBUM, else None (text and audio posts have no image)."""
    cover = opt_text(item, "thumbnail_url", where)
    if cover:
        return cover
    if item.get("media_type") in ("IMAGE", "CAROUSEL_ALBUM"):
        return opt_text(item, "media_url", where) or None
    return None


def data_list(payload: Any, where: str) -> list[Any]:
    if not isinstance(payload, dict):
        raise ParseError(f"{where}: payload is not an object")
    data = payload.get("data")
    if not isinstance(data, list):
        raise ParseError(f"{where}: 'data' is missing or not a list")
    return data


def metric_value(entry: dict[str, Any], where: str) -> Any:
    """A Graph insights entry's value: ``total_value.value`` or the last of ``values``."""
    if isinstance(entry.get("total_value"), dict) and "value" in entry["total_value"]:
        return entry["total_value"]["value"]
    values = entry.get("values")
    if not isinstance(values, list) or not values or not isinstance(values[-1], dict):
        raise ParseError(f"{where}: metric {entry.get('name')!r} has neither values nor total_value")
    return values[-1].get("value")


def insights_by_object(payloads: Iterable[Any], where: str, edge: str = "insights") -> dict[str, dict[str, Any]]:
    """object id -> {metric name: value}; the object id is read from each entry's ``id``
    (``{object-id}/{edge}/{metric}/{period}``)."""
    out: dict[str, dict[str, Any]] = {}
    marker = f"/{edge}/"
    for payload in payloads:
        for entry in data_list(payload, where):
            if not isinstance(entry, dict):
                raise ParseError(f"{where}: an entry is not an object")
            name = entry.get("name")
            entry_id = entry.get("id")
            if not isinstance(name, str) or not name:
                raise ParseError(f"{where}: 'name' is missing or not a string")
            if not isinstance(entry_id, str) or not entry_id:
                raise ParseError(f"{where}: 'id' is missing or not a string")
            object_id = entry_id.split(marker)[0]
            if object_id == entry_id:
                raise ParseError(f"{where}: entry id {entry_id[:60]!r} does not name an object")
            out.setdefault(object_id, {})[name] = metric_value(entry, where)
    return out


AGE_KEYS = {
    "13-17": "age_13_17",
    "18-24": "age_18_24",
    "25-34": "age_25_34",
    "35-44": "age_35_44",
    "45-54": "age_45_plus",
    "55-64": "age_45_plus",
    "65+": "age_45_plus",
}


def _percent(part: int, total: int) -> float:
    return round(part / total * 100, 2) if total else 0.0


def collect_breakdowns(entry: dict[str, Any], groups: dict[str, dict[str, int]], where: str) -> None:
    """Add a ``follower_demographics`` entry's ``total_value.breakdowns`` counts into ``groups``
    (dimension -> value -> count)."""
    total_value = entry.get("total_value")
    breakdowns = total_value.get("breakdowns") if isinstance(total_value, dict) else None
    if not isinstance(breakdowns, list):
        raise ParseError(f"{where}: follower_demographics has no total_value.breakdowns")
    for bd in breakdowns:
        if not isinstance(bd, dict) or not isinstance(bd.get("dimension_keys"), list) or not bd["dimension_keys"]:
            raise ParseError(f"{where}: a breakdown has no dimension_keys")
        dim = str(bd["dimension_keys"][0])
        results = bd.get("results")
        if not isinstance(results, list):
            raise ParseError(f"{where}: breakdown {dim!r} has no results list")
        bucket = groups.setdefault(dim, {})
        for res in results:
            values = res.get("dimension_values") if isinstance(res, dict) else None
            if not isinstance(values, list) or not values or not isinstance(values[0], str):
                raise ParseError(f"{where}: a {dim!r} result has no dimension_values")
            n = count(res.get("value"))
            if n is None:
                raise ParseError(f"{where}: a {dim!r} result has no value")
            bucket[values[0]] = bucket.get(values[0], 0) + n


def demographics_from_counts(
    groups: dict[str, dict[str, int]], online: dict[int, int] | None = None
) -> dict[str, Any] | None:
    """Percent shares from Meta follower counts per age / gender / country / city (and peak
    hours from an hour -> online followers map). None when there is nothing at all."""
    if not groups and not online:
        return None
    demo: dict[str, Any] = {
        "age_13_17": None,
        "age_18_24": None,
        "age_25_34": None,
        "age_35_44": None,
        "age_45_plus": None,
        "gender_male": None,
        "gender_female": None,
        "top_countries": None,
        "top_cities": None,
        "top_languages": None,  # Meta does not report follower languages
        "peak_hours": None,
        "peak_days": None,  # nor days
    }
    ages = groups.get("age")
    if ages:
        total = sum(ages.values())
        sums = dict.fromkeys(("age_13_17", "age_18_24", "age_25_34", "age_35_44", "age_45_plus"), 0)
        for bucket, n in ages.items():
            if bucket in AGE_KEYS:
                sums[AGE_KEYS[bucket]] += n
        demo.update({k: _percent(v, total) for k, v in sums.items()})
    genders: dict[str, int] = {}
    for key, n in (groups.get("gender") or {}).items():
        letter = key.strip()[:1].upper()  # F/M/U, or female/male spelled out
        genders[letter] = genders.get(letter, 0) + n
    gender_total = sum(genders.values())
    if genders:
        demo["gender_male"] = _percent(genders.get("M", 0), gender_total)
        demo["gender_female"] = _percent(genders.get("F", 0), gender_total)
    for dim, key in (("country", "top_countries"), ("city", "top_cities")):
        places = groups.get(dim)
        if places:
            # The lists are truncated to the top entries, so measure against everyone.
            total = max(gender_total, sum(places.values()))
            top = sorted(places.items(), key=lambda kv: kv[1], reverse=True)[:10]
            demo[key] = {name: _percent(n, total) for name, n in top}
    if online:
        ranked = sorted(online.items(), key=lambda kv: (-kv[1], kv[0]))
        demo["peak_hours"] = sorted(h for h, n in ranked[:3] if n > 0)
    return demo
