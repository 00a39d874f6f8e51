"""TikTok Display API v2 (https://open.tiktokapis.com).

Endpoints used (scopes: user.info.basic, user.info.profile, user.info.stats, video.list):

- ``GET  /v2/user/info/?fields=...``: the authorised user's profile and lifetime counters.
- ``POST /v2/video/list/?fields=...`` with a JSON body ``{"max_count": <=20, "cursor": <ms>}``:
  the user's public videos, newest first.
- ``POST /v2/video/query/?fields=...`` with ``{"filters": {"video_ids": [<= 20 ids]}}``: current
  metrics of tracked videos that are no longer among the newest ``posts_per_fetch``
  (``AccountRef.refresh_post_ids``). Videos that were deleted or made private are simply absent.
- ``POST /v2/oauth/token/`` (form-encoded ``client_key``, ``client_secret``,
  ``grant_type=refresh_token``, ``refresh_token``): a new access token (``expires_in`` seconds) and
  a *rotated* refresh token; see :meth:`Client.refresh_access_token`.

Quirks worth knowing:

- Auth is a per-user OAuth token sent as ``Authorization: Bearer <token>``. There is no app-level
  key on these endpoints.
- Every answer, successful or not, carries the envelope
  ``{"error": {"code": "ok", "message": "", "log_id": "..."}}``. A code other than ``"ok"`` inside an
  HTTP 200 is still an error, so the client checks it and raises :class:`PlatformError`, except
  ``rate_limit_exceeded``: TikTok documents it with HTTP 429, but it has been seen inside 200s too,
  so :meth:`Client.throttled` reports it and the HTTP layer backs off and retries.
- An expired or revoked token answers HTTP 401 ``access_token_invalid``; the error then names the
  account and says to refresh the token or reconnect the account.
- OAuth errors have their own shape, ``{"error": "invalid_grant", "error_description": "...",
  "log_id": "..."}`` (no ``data``), which may come with HTTP 200 or 4xx; both are handled.
- ``fields`` is a *query* parameter even on the POST; only ``max_count``/``cursor`` go in the body.
- ``max_count`` is capped at 20. ``cursor`` is a UTC epoch in **milliseconds** ("videos created
  before this moment"), while ``create_time`` on a video is epoch **seconds**. ``has_more`` says
  whether to ask again with the returned ``cursor``.
- Video ids are 19-digit numbers sent as JSON strings; ``open_id`` is an app-scoped user id.
- ``duration`` is in seconds already. Photo-mode posts come back with duration 0.
- The Display API offers no comments endpoint, no saves/watch-time/reach/impressions and no audience
  demographics, so those stay empty / ``None``.
- Canonical post URL: ``https://www.tiktok.com/@{username}/video/{id}``; ``share_url`` is the
  fallback when ``username`` was not returned (it needs the ``user.info.profile`` scope).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

import requests

from ..base import AccountRef, ParsedPull, PlatformClient, PlatformError, RawResponse, TokenGrant
from .parse import USER_INFO, VIDEO_LIST, VIDEO_QUERY
from .parse import parse as parse_responses

OAUTH_TOKEN = "v2/oauth/token"
DEFAULT_OAUTH_BASE_URL = "https://open.tiktokapis.com"
# Error codes that mean "slow down" rather than "this request is wrong".
THROTTLE_CODES = frozenset({"rate_limit_exceeded"})

USER_FIELDS = (
    "open_id",
    "union_id",
    "avatar_url",
    "display_name",
    "username",
    "follower_count",
    "following_count",
    "likes_count",
    "video_count",
)
VIDEO_FIELDS = (
    "id",
    "create_time",
    "title",
    "video_description",
    "duration",
    "cover_image_url",
    "share_url",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
)
# What to fix for the error codes TikTok documents on its error-handling page.
ENVELOPE_ADVICE = {
    "scope_not_authorized": " -- the user did not grant a scope this request needs (user.info.basic, "
    "user.info.profile, user.info.stats, video.list): reconnect the account with those scopes and update "
    "social_accounts.access_token",
    "scope_permission_missed": " -- the TikTok app (SOCIAL_PIPELINE_TIKTOK_CLIENT_KEY) is not approved "
    "for a scope this request needs: add it in the TikTok developer portal",
    "access_token_invalid": " -- refresh the token or reconnect the account, then update "
    "social_accounts.access_token",
}
MAX_COUNT = 20  # documented maximum of video/list's max_count
QUERY_MAX_IDS = 20  # documented maximum of video/query's filters.video_ids


class Client(PlatformClient):
    platform = "tiktok"
    default_base_url = "https://open.tiktokapis.com"
    # TikTok documents no cut-off after which a video's counters stop changing (the Display API
    # reports lifetime counts of any public video); a short video's views settle within weeks, so
    # tracked videos are refreshed for the pipeline's default 30 days.
    update_window_days = 30

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The OAuth endpoint lives on the API host; overridable so tests can mount a fake there.
        self.oauth_base_url = (self.credentials.get("oauth_base_url") or DEFAULT_OAUTH_BASE_URL).rstrip("/")

    @staticmethod
    def throttled(payload: Any) -> str | None:
        """``rate_limit_exceeded`` inside an HTTP 200 envelope: back off and retry."""
        if isinstance(payload, dict):
            err = payload.get("error")
            if isinstance(err, dict) and err.get("code") in THROTTLE_CODES:
                return f"TikTok {err.get('code')}: {str(err.get('message') or '')[:120]}"
        return None

    def _call(self, label: str, method: str, path: str, endpoint: str, **kwargs) -> Any:
        """One API call; an invalid/expired token becomes an error that names the account, the
        column to fix and TikTok's own ``error.code``/``error.message``/``error.log_id`` (the token
        itself never appears)."""
        hint = (
            f"TikTok refused the user access token of {label}: refresh it (Client.refresh_access_token) "
            "or reconnect the account granting the user.info.basic, user.info.profile, user.info.stats and "
            "video.list scopes, then update social_accounts.access_token"
        )
        try:
            payload = self.http.request(method, self.url(path), endpoint=endpoint, auth_hint=hint, **kwargs)
        except PlatformError as exc:
            if exc.status_code == 401:
                last = self.http.responses[-1] if self.http.responses else None
                body = last.payload if last is not None and last.endpoint == endpoint else None
                code = body.get("error", {}).get("code") if isinstance(body, dict) and isinstance(body.get("error"), dict) else None
                if code in (None, "access_token_invalid"):
                    raise PlatformError(
                        f"{label}: the TikTok access token is invalid, expired or revoked "
                        f"({code or 'access_token_invalid'}): refresh it with the account's refresh token "
                        "(Client.refresh_access_token) or reconnect the account, then update "
                        f"social_accounts.access_token [{exc}]",
                        status_code=401,
                        endpoint=endpoint,
                    ) from None
            raise PlatformError(f"{label}: {exc}", status_code=exc.status_code, endpoint=endpoint) from None
        _check_envelope(payload, endpoint, label)
        return payload

    def pull(self, account: AccountRef) -> None:
        label = f"tiktok account @{account.handle.lstrip('@')}"
        token = account.access_token
        if not token:
            raise PlatformError(
                f"{label}: no access token: set social_accounts.access_token to a TikTok user access "
                "token with the user.info.basic, user.info.profile, user.info.stats and video.list scopes"
            )
        auth = {"Authorization": f"Bearer {token}"}

        self._call(
            label,
            "GET",
            "/v2/user/info/",
            USER_INFO,
            params={"fields": ",".join(USER_FIELDS)},
            secret_headers=auth,
        )

        wanted = max(int(account.posts_per_fetch), 0)
        seen = 0
        listed: set[str] = set()
        cursor: int | None = None
        page = 0
        while seen < wanted:
            body: dict[str, Any] = {"max_count": min(MAX_COUNT, wanted - seen)}
            if cursor is not None:
                body["cursor"] = cursor
            payload = self._call(
                label,
                "POST",
                "/v2/video/list/",
                VIDEO_LIST,
                params={"fields": ",".join(VIDEO_FIELDS)},
                headers={"Content-Type": "application/json"},
                secret_headers=auth,
                json_body=body,
                page_index=page,
            )
            data = payload.get("data") if isinstance(payload, dict) else None
            videos = data.get("videos") if isinstance(data, dict) else None
            if not isinstance(videos, list):
                raise PlatformError(f"{VIDEO_LIST}: answer has no data.videos list", endpoint=VIDEO_LIST)
            seen += len(videos)
            listed.update(str(v.get("id")) for v in videos if isinstance(v, dict))
            next_cursor = data.get("cursor")
            if not data.get("has_more") or not videos or next_cursor in (None, cursor):
                break
            cursor = next_cursor
            page += 1

        # Tracked videos still inside the update window but no longer among the newest: look them
        # up by id, 20 per request.
        todo = [vid for vid in dict.fromkeys(str(v) for v in account.refresh_post_ids) if vid not in listed]
        for page, start in enumerate(range(0, len(todo), QUERY_MAX_IDS)):
            self._call(
                label,
                "POST",
                "/v2/video/query/",
                VIDEO_QUERY,
                params={"fields": ",".join(VIDEO_FIELDS)},
                headers={"Content-Type": "application/json"},
                secret_headers=auth,
                json_body={"filters": {"video_ids": todo[start : start + QUERY_MAX_IDS]}},
                page_index=page,
            )

    # -- token refresh ----------------------------------------------------------------------------
    def refresh_access_token(self, account: AccountRef, refresh_token: str) -> TokenGrant:
        """Exchange the account's refresh token for a new access token (``POST /v2/oauth/token/``).

        TikTok rotates refresh tokens: the grant carries the new one, which must replace the old.
        The form body holds the client secret and the refresh token, so it is sent straight through
        the session and never recorded in the ledger.
        """
        label = f"tiktok account @{account.handle.lstrip('@')}"
        client_key = _credential(self.credentials, "client_key", label)
        client_secret = _credential(self.credentials, "client_secret", label)
        if not refresh_token:
            raise PlatformError(
                f"{label}: no refresh token stored (social_account_credentials.refresh_token is empty): reconnect the account",
                endpoint=OAUTH_TOKEN,
            )
        form = {
            "client_key": client_key,
            "client_secret": client_secret,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        status, body = self._post_form(f"{self.oauth_base_url}/v2/oauth/token/", form, label)
        if isinstance(body, dict) and isinstance(body.get("access_token"), str) and body["access_token"]:
            expires_in = body.get("expires_in")
            expires_at = None
            if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool):
                expires_at = datetime.now(timezone.utc) + timedelta(seconds=float(expires_in))
            new_refresh = body.get("refresh_token")
            return TokenGrant(
                access_token=body["access_token"],
                expires_at=expires_at,
                refresh_token=new_refresh if isinstance(new_refresh, str) and new_refresh else None,
            )
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):  # API-style envelope
            error = error.get("code")
        description = str(body.get("error_description") or "") if isinstance(body, dict) else "non-JSON body"
        log_id = body.get("log_id") if isinstance(body, dict) else None
        advice = {
            "invalid_grant": "the refresh token (social_account_credentials.refresh_token) is invalid, expired or "
            "revoked: reconnect the account",
            "invalid_client": "the app credentials were rejected: check SOCIAL_PIPELINE_TIKTOK_CLIENT_KEY "
            "and SOCIAL_PIPELINE_TIKTOK_CLIENT_SECRET",
        }.get(str(error), "reconnect the account if this persists")
        raise PlatformError(
            f"{label}: token refresh failed (HTTP {status}, TikTok error {error or 'error'!r}, "
            f"error_description {description!r}, log_id {log_id!r}) -- {advice}",
            status_code=status,
            endpoint=OAUTH_TOKEN,
        )

    def _post_form(self, url: str, form: dict[str, str], label: str) -> tuple[int | None, Any]:
        """POST a form to the token endpoint, retrying timeouts and 5xx/429; nothing is recorded."""
        attempts = max(int(getattr(self.http, "max_attempts", 3)), 1)
        sleep = getattr(self.http, "_sleep", time.sleep)
        status: int | None = None
        for attempt in range(1, attempts + 1):
            try:
                resp = self.http.session.post(
                    url,
                    data=form,
                    headers={"Content-Type": "application/x-www-form-urlencoded", "Cache-Control": "no-cache"},
                    timeout=self.http.timeout,
                )
            except requests.RequestException as exc:
                status, problem = None, f"{type(exc).__name__}"
            else:
                status = resp.status_code
                try:
                    body = resp.json()
                except ValueError:
                    body, problem = None, "non-JSON body"
                else:
                    if status < 500 and status != 429:
                        return status, body
                    problem = f"HTTP {status}"
            if attempt == attempts:
                break
            sleep(self.http._backoff(attempt) if hasattr(self.http, "_backoff") else 2 ** attempt)
        raise PlatformError(
            f"{label}: token refresh failed after {attempts} attempts ({problem})",
            status_code=status,
            endpoint=OAUTH_TOKEN,
        )

    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        """Responses -> records: see :mod:`.parse`."""
        return parse_responses(responses)


def _credential(credentials: dict[str, str], name: str, label: str = "tiktok") -> str:
    value = credentials.get(name)
    if not value:
        raise PlatformError(
            f"{label}: token refresh needs the TikTok app's {name}: set SOCIAL_PIPELINE_TIKTOK_{name.upper()}",
            endpoint=OAUTH_TOKEN,
        )
    return value


def _check_envelope(payload: Any, endpoint: str, label: str = "tiktok") -> None:
    """TikTok reports errors inside the body, even with HTTP 200: quote ``error.code``,
    ``error.message`` and ``error.log_id`` whole (TikTok support asks for the log_id)."""
    if not isinstance(payload, dict):
        raise PlatformError(f"{label}: {endpoint}: answer is not a JSON object", endpoint=endpoint)
    err = payload.get("error")
    if not isinstance(err, dict):
        raise PlatformError(f"{label}: {endpoint}: answer has no error envelope", endpoint=endpoint)
    code = err.get("code")
    if code != "ok":
        message = str(err.get("message") or "")
        advice = ENVELOPE_ADVICE.get(str(code), "")
        raise PlatformError(
            f"{label}: {endpoint}: TikTok error.code {code!r}, error.message {message!r}, "
            f"error.log_id {err.get('log_id')!r}{advice}",
            endpoint=endpoint,
        )
