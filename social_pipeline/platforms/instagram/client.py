"""Instagram Graph API (business / creator accounts) at https://graph.facebook.com/v21.0.

Endpoints used:

- ``GET /me?fields=id,username``: only when the account has no ``external_id``; see below.
- ``GET /{ig-user-id}?fields=id,username,followers_count,follows_count,media_count,name``.
- ``GET /{ig-user-id}/media?fields=...&limit=..&after=..``: newest first, cursor paging through
  ``paging.cursors.after``; ``paging.next`` is present only while more pages exist.
- ``GET /{ig-media-id}/insights?metric=...``: per media type (asking a Reel for an image-only
  metric, or the reverse, is a 400 ``(#100)`` error, so the metric list depends on the type).
  Meta retires metrics between versions (``impressions``, ``plays``, ``video_views``...): a 400
  with code 100 naming a requested metric (``(#100) metric[2] must be one of the following
  values: ...`` or ``(#100) The metric shares is not supported for this media type``) makes the
  client ask again without it (one metric at a time when the message names none); that metric is
  then None for the post and is not asked again for that media type during the pull.
- ``GET /{ig-media-id}?fields=...`` plus its insights: tracked posts still inside the update window
  that are no longer among the newest (``AccountRef.refresh_post_ids``). A post that was deleted
  meanwhile (400 code 100 "does not exist") is skipped.
- ``GET /{ig-media-id}/comments?fields=...,replies{...}&limit=..&after=..``: top-level comments with
  their replies nested. When a nested ``replies`` edge carries ``paging.next``, the rest of that
  comment's replies come from ``GET /{ig-comment-id}/replies``.
- ``GET /{ig-user-id}/insights?metric=follower_demographics&period=lifetime
  &metric_type=total_value&breakdown=age|gender|country|city`` (one breakdown per call) and
  ``metric=online_followers&period=lifetime`` (followers online per hour, for peak hours).

Which ig-user-id: ``AccountRef.external_id`` when set (the Instagram professional account id,
``17841...``). Otherwise the client asks ``GET /me?fields=id,username`` with the account's token
and uses the ``id`` it returns; that is correct for tokens that belong to the Instagram account
itself (Instagram-scoped user tokens, or system-user tokens issued for it). A Facebook *user*
token's ``/me`` is the Facebook user, not the Instagram account, so for Facebook-Login tokens the
ig-user-id must be stored on the account (``external_id``), which the client then prefers.

Token lifecycle:

- An expired or revoked token answers HTTP **400** with ``error.code`` 190 (``OAuthException``;
  subcode 463 expired, 460 password changed, 467 logged out/invalid). The client turns it into a
  :class:`TokenExpired` error naming the account and saying to refresh or reconnect.
- :meth:`Client.refresh_access_token`: Instagram-Login tokens (``IG...``) are refreshed with
  ``GET graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token&access_token=..``;
  Facebook-Login tokens (``EAA...``) are exchanged with ``GET /oauth/access_token?grant_type=
  fb_exchange_token&client_id=<app id>&client_secret=<app secret>&fb_exchange_token=..`` on the
  Graph API host. Other tokens use the Facebook exchange when the app id and secret are configured,
  else the Instagram refresh. Both answer ``{"access_token", "token_type", "expires_in"}`` (about
  60 days). Meta has no separate refresh token: the long-lived token itself is exchanged, so the
  grant returns the new token as its ``refresh_token`` too. Nothing of these exchanges is
  recorded.

Quirks worth knowing:

- The token travels as the ``access_token`` query parameter (never recorded).
- Ids are numeric strings (users ``17841...``, media ``179...``/``180...``, comments ``178...``).
- Timestamps are ISO-8601 with a colon-less offset: ``2026-11-20T15:00:00+0000``.
- ``like_count`` is omitted when the owner hid like counts: that is unknown (None), not 0.
- ``impressions``/``plays`` were retired in favour of ``views``; this client asks for ``views``
  and reports impressions as None. The Reels watch-time metrics are in **milliseconds**
  (``ig_reels_video_view_total_time`` total, ``ig_reels_avg_watch_time`` per view); the parser
  converts them to seconds. The API gives no video duration, so duration and completion rate are
  None.
- Instagram comment threads are one level deep: a reply to a reply is attached to the top-level
  comment, so ``parent_external_comment_id`` is always the top-level comment's id.
- ``follower_demographics`` answers counts, not shares; the parser turns them into percent.
  Country and city lists are truncated to the top entries, so their shares are taken against the
  gender breakdown total (which covers every follower), not against the truncated list's sum.
  Accounts under 100 followers get an error instead of demographics; that does not fail the pull.
- Age buckets: 13-17, 18-24, 25-34, 35-44, 45-54, 55-64, 65+ (the last three become age_45_plus);
  gender keys F, M, U.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

import requests

from ..base import (
    AccountRef,
    HttpClient,
    ParsedPull,
    ParseError,
    PlatformClient,
    PlatformError,
    RawResponse,
    TokenGrant,
    count,
    ok_payloads,
    parse_timestamp,
)

ME = "me"
USER = "ig-user"
MEDIA = "ig-user/media"
MEDIA_NODE = "ig-media"
MEDIA_INSIGHTS = "ig-media/insights"
COMMENTS = "ig-media/comments"
REPLIES = "ig-comment/replies"
USER_INSIGHTS = "ig-user/insights"

USER_FIELDS = "id,username,followers_count,follows_count,media_count,name"
MEDIA_FIELDS = (
    "id,caption,media_type,media_product_type,media_url,permalink,timestamp,like_count,comments_count"
)
REPLY_FIELDS = "id,text,username,timestamp,like_count,from{id,username},parent_id"
COMMENT_FIELDS = f"id,text,username,timestamp,like_count,from{{id,username}},media{{id}},replies{{{REPLY_FIELDS}}}"

FEED_METRICS = ("reach", "saved", "shares", "views", "total_interactions")
REELS_METRICS = FEED_METRICS + ("ig_reels_avg_watch_time", "ig_reels_video_view_total_time")
BREAKDOWNS = ("age", "gender", "country", "city")

PAGE_LIMIT = 25  # media and comments per page
AGE_KEYS = {
    "13-17": "age_13_17",
    "18-24": "age_18_24",
    "25-34": "age_25_34",
    "35-44": "age_35_44",
    "45-54": "age_45_plus",
    "55-64": "age_45_plus",
    "65+": "age_45_plus",
}
MEDIA_TYPES = {"VIDEO": "video", "IMAGE": "image", "CAROUSEL_ALBUM": "carousel"}


class Client(PlatformClient):
    platform = "instagram"
    default_base_url = "https://graph.facebook.com/v21.0"
    default_oauth_base_url = "https://graph.instagram.com"
    # Media insights are lifetime figures with no documented cut-off, but almost all of a post's
    # reach and engagement arrives in its first weeks: refresh tracked posts for 30 days.
    update_window_days = 30

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.oauth_base_url = (self.credentials.get("oauth_base_url") or self.default_oauth_base_url).rstrip("/")
        self._label = "instagram account"
        # metrics the API refused during this pull, per metric group (media product type)
        self._refused: dict[str, set[str]] = {}

    def pull(self, account: AccountRef) -> None:
        handle = account.handle.lstrip("@")
        self._label = f"instagram account @{handle}"
        self._refused = {}
        token = account.access_token
        if not token:
            raise PlatformError(
                f"instagram account @{handle}: no access token (AccountRef.access_token is empty; "
                "an Instagram Graph API token with instagram_basic and instagram_manage_insights "
                "is required)"
            )
        auth = {"access_token": token}

        user_id = account.external_id
        if not user_id:
            me = self._get(self.url("/me"), endpoint=ME, params={"fields": "id,username"}, secret_params=auth)
            user_id = me.get("id") if isinstance(me, dict) else None
            if not isinstance(user_id, str) or not user_id:
                raise PlatformError(f"instagram account @{handle}: /me returned no id", endpoint=ME)

        self._get(self.url(f"/{user_id}"), endpoint=USER, params={"fields": USER_FIELDS}, secret_params=auth)

        media: list[dict[str, Any]] = []
        wanted = max(int(account.posts_per_fetch), 0)
        after: str | None = None
        page = 0
        while len(media) < wanted:
            params = {"fields": MEDIA_FIELDS, "limit": min(PAGE_LIMIT, wanted - len(media))}
            if after:
                params["after"] = after
            payload = self._get(
                self.url(f"/{user_id}/media"), endpoint=MEDIA, params=params, secret_params=auth, page_index=page
            )
            items = payload.get("data") if isinstance(payload, dict) else None
            if not isinstance(items, list):
                raise PlatformError(f"{MEDIA}: answer has no data list", endpoint=MEDIA)
            media.extend(m for m in items if isinstance(m, dict))
            after = _next_cursor(payload)
            if not after or not items:
                break
            page += 1
        media = media[:wanted]

        for item in media:
            media_id = item.get("id")
            if not isinstance(media_id, str):
                continue
            self._media_insights(item, auth)
            if item.get("comments_count") == 0:
                continue  # nothing to page through
            self._pull_comments(media_id, auth)

        # Tracked posts no longer among the newest: current fields and insights by id.
        listed = {m.get("id") for m in media}
        todo = [mid for mid in dict.fromkeys(str(i) for i in account.refresh_post_ids) if mid not in listed]
        for page, media_id in enumerate(todo):
            try:
                item = self._get(
                    self.url(f"/{media_id}"),
                    endpoint=MEDIA_NODE,
                    params={"fields": MEDIA_FIELDS},
                    secret_params=auth,
                    page_index=page,
                )
            except PlatformError as exc:
                if graph_error_code(self.http, MEDIA_NODE) == 100 and not isinstance(exc, TokenExpired):
                    continue  # deleted (or no longer visible): nothing to refresh
                raise
            if isinstance(item, dict):
                self._media_insights(item, auth)

        self._pull_demographics(user_id, auth)

    def _media_insights(self, item: dict[str, Any], auth: dict[str, str]) -> None:
        reels = item.get("media_type") == "VIDEO" or item.get("media_product_type") == "REELS"
        insights_without_refused(
            self,
            self.url(f"/{item['id']}/insights"),
            MEDIA_INSIGHTS,
            REELS_METRICS if reels else FEED_METRICS,
            auth,
            group="REELS" if reels else str(item.get("media_type") or "FEED"),
        )

    def _get(self, url: str, **kwargs) -> Any:
        """GET through the recording client, then scrub the token out of ``paging`` URLs: Graph
        echoes ``access_token`` inside ``paging.next``/``previous``, and the payload object is the
        one stored as the raw response. An expired/revoked token (code 190) becomes
        :class:`TokenExpired`."""
        try:
            payload = self.http.get(url, **kwargs)
        except PlatformError as exc:
            raise_if_token_error(self.http, exc, self._label, "instagram")
            raise
        _scrub_paging(payload)
        return payload

    # -- token refresh ----------------------------------------------------------------------------
    def refresh_access_token(self, account: AccountRef, refresh_token: str) -> TokenGrant:
        """A fresh long-lived token for the account (see the module docstring for the two flows).
        ``refresh_token`` is the current long-lived token (Meta has no separate refresh token)."""
        label = f"instagram account @{account.handle.lstrip('@')}"
        if not refresh_token:
            raise PlatformError(f"{label}: no token to refresh; reconnect the account")
        has_app = bool(self.credentials.get("app_id") and self.credentials.get("app_secret"))
        facebook_login = refresh_token.startswith("EAA") or (not refresh_token.startswith("IG") and has_app)
        if facebook_login:
            app_id = meta_credential(self.credentials, "instagram", "app_id")
            app_secret = meta_credential(self.credentials, "instagram", "app_secret")
            return meta_token_exchange(
                self.http,
                f"{self.base_url}/oauth/access_token",
                params={"grant_type": "fb_exchange_token", "client_id": app_id},
                secret_params={"client_secret": app_secret, "fb_exchange_token": refresh_token},
                label=label,
            )
        return meta_token_exchange(
            self.http,
            f"{self.oauth_base_url}/refresh_access_token",
            params={"grant_type": "ig_refresh_token"},
            secret_params={"access_token": refresh_token},
            label=label,
        )

    def _pull_comments(self, media_id: str, auth: dict[str, str]) -> None:
        after: str | None = None
        page = 0
        while True:
            params: dict[str, Any] = {"fields": COMMENT_FIELDS, "limit": PAGE_LIMIT}
            if after:
                params["after"] = after
            payload = self._get(
                self.url(f"/{media_id}/comments"), endpoint=COMMENTS, params=params, secret_params=auth, page_index=page
            )
            for comment in payload.get("data") or [] if isinstance(payload, dict) else []:
                replies = comment.get("replies") if isinstance(comment, dict) else None
                more = _next_cursor(replies) if isinstance(replies, dict) else None
                if more and isinstance(comment.get("id"), str):
                    self._pull_more_replies(comment["id"], more, auth)
            after = _next_cursor(payload)
            if not after:
                break
            page += 1

    def _pull_more_replies(self, comment_id: str, after: str, auth: dict[str, str]) -> None:
        page = 1  # page 0 came nested in the comments answer
        while after:
            payload = self._get(
                self.url(f"/{comment_id}/replies"),
                endpoint=REPLIES,
                params={"fields": REPLY_FIELDS, "limit": PAGE_LIMIT, "after": after},
                secret_params=auth,
                page_index=page,
            )
            after = _next_cursor(payload)
            page += 1

    def _pull_demographics(self, user_id: str, auth: dict[str, str]) -> None:
        requests_to_make = [
            {"metric": "follower_demographics", "period": "lifetime", "metric_type": "total_value", "breakdown": b}
            for b in BREAKDOWNS
        ]
        requests_to_make.append({"metric": "online_followers", "period": "lifetime"})
        for params in requests_to_make:
            try:
                self._get(self.url(f"/{user_id}/insights"), endpoint=USER_INSIGHTS, params=params, secret_params=auth)
            except PlatformError as exc:
                # Small accounts (< 100 followers) and some account types get a 400 instead of
                # audience data; the rest of the pull is still good. Auth and server errors are not.
                if exc.status_code != 400 or isinstance(exc, TokenExpired):
                    raise

    # -- parsing -------------------------------------------------------------------------------
    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        responses = list(responses)
        out = ParsedPull()

        users = ok_payloads(responses, USER)
        if not users:
            raise ParseError("no successful ig-user response to parse")
        user = users[-1]
        if not isinstance(user, dict):
            raise ParseError("ig-user: payload is not an object")
        user_id = _req_str(user, "id", "ig-user")
        out.account = {
            "external_user_id": user_id,
            "display_name": _opt_str(user, "name", "ig-user") or _opt_str(user, "username", "ig-user"),
            "followers_count": count(user.get("followers_count")),
            "following_count": count(user.get("follows_count")),
            "posts_count": count(user.get("media_count")),
            "total_likes": None,
            "total_comments": None,
            "total_views": None,
            "total_shares": None,
            "subscribers_count": None,
            "pins_count": None,
            "retweets_count": None,
            "watch_time_minutes": None,
        }

        insights = _media_insights(ok_payloads(responses, MEDIA_INSIGHTS))

        # Listed pages and by-id lookups in the order fetched: a post seen twice keeps its first
        # position and its most recently fetched fields.
        posts: dict[str, dict[str, Any]] = {}
        for r in sorted((r for r in responses if r.ok and r.endpoint in (MEDIA, MEDIA_NODE)), key=lambda r: r.fetched_at):
            items = _data_list(r.payload, MEDIA) if r.endpoint == MEDIA else [r.payload]
            for item in items:
                post = _parse_media(item, insights)
                posts[post["external_post_id"]] = post
        out.posts = list(posts.values())

        out.comments = _parse_comments(responses)
        out.demographics = _parse_demographics(ok_payloads(responses, USER_INSIGHTS))
        return out


# -- Meta helpers shared with the Threads client -----------------------------------------------
class TokenExpired(PlatformError):
    """The token was rejected as expired or revoked (Graph error code 190)."""


def graph_error(http: HttpClient, endpoint: str) -> dict[str, Any] | None:
    """The Graph ``error`` object of the last recorded exchange with ``endpoint``, if any."""
    for r in reversed(http.responses[-3:]):
        if r.endpoint == endpoint:
            err = r.payload.get("error") if isinstance(r.payload, dict) else None
            return err if isinstance(err, dict) else None
    return None


def graph_error_code(http: HttpClient, endpoint: str) -> int | None:
    err = graph_error(http, endpoint)
    code = err.get("code") if err else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


TOKEN_SUBCODES = {
    463: "it expired",
    460: "the password was changed",
    467: "the user logged out or the token is invalid",
    458: "the app was removed by the user",
    492: "the user lost their role on the page",
}


def raise_if_token_error(http: HttpClient, exc: PlatformError, label: str, platform: str) -> None:
    """Raise :class:`TokenExpired` when ``exc`` came from a Graph error 190 (never quoting the
    token: Graph's message describes the session, not the token)."""
    if exc.endpoint is None or exc.status_code not in (400, 401, 403):
        return
    err = graph_error(http, exc.endpoint)
    if not err or err.get("code") != 190:
        return
    sub = err.get("error_subcode")
    why = TOKEN_SUBCODES.get(sub, "it expired or was revoked") if isinstance(sub, int) else "it expired or was revoked"
    raise TokenExpired(
        f"{label}: the {platform} access token was rejected because {why} (OAuthException 190"
        + (f", subcode {sub}" if sub is not None else "")
        + "): refresh the long-lived token (Client.refresh_access_token) before it lapses, or "
        "reconnect the account, then update social_accounts.access_token",
        status_code=exc.status_code,
        endpoint=exc.endpoint,
    )


_METRIC_INDEX = re.compile(r"metric\[(\d+)\]")


def refused_metrics(message: str, asked: list[str]) -> list[str]:
    """The requested metrics a Graph ``(#100)`` message refuses: ``metric[i] must be one of...``
    names one by position; otherwise requested names quoted before any list of allowed values."""
    found = [asked[int(i)] for i in _METRIC_INDEX.findall(message) if int(i) < len(asked)]
    if found:
        return list(dict.fromkeys(found))
    head = re.split(r"must be one of|following values|allowed values|valid values", message, maxsplit=1)[0]
    return [m for m in asked if re.search(rf"(?<![\w]){re.escape(m)}(?![\w])", head)]


def insights_without_refused(client: Any, url: str, endpoint: str, metrics: Iterable[str], auth: dict[str, str], *, group: str) -> None:
    """GET ``url?metric=...``; when Graph refuses some metric (400, code 100), ask again without it
    (or one metric at a time when the message names none). Refused metrics stay unreported (None
    after parsing) and are skipped for the rest of the pull within ``group``. Never raises for a
    refused metric; other errors propagate."""
    refused = client._refused.setdefault(group, set())
    wanted = [m for m in metrics if m not in refused]
    while wanted:
        try:
            client._get(url, endpoint=endpoint, params={"metric": ",".join(wanted)}, secret_params=auth)
            return
        except PlatformError as exc:
            err = graph_error(client.http, endpoint)
            if exc.status_code != 400 or not err or err.get("code") != 100 or isinstance(exc, TokenExpired):
                raise
            bad = refused_metrics(str(err.get("message") or ""), wanted)
            if bad:
                refused.update(bad)
                wanted = [m for m in wanted if m not in bad]
                continue
            if len(wanted) == 1:  # a lone metric refused: give up on it
                refused.update(wanted)
                return
            for metric in wanted:  # unclear which: ask for each on its own
                try:
                    client._get(url, endpoint=endpoint, params={"metric": metric}, secret_params=auth)
                except PlatformError as one:
                    one_err = graph_error(client.http, endpoint)
                    if one.status_code != 400 or not one_err or one_err.get("code") != 100 or isinstance(one, TokenExpired):
                        raise
            return


def meta_credential(credentials: Mapping[str, str], platform: str, name: str) -> str:
    value = credentials.get(name)
    if not value:
        raise PlatformError(
            f"{platform} token refresh needs the Meta app's {name}: set SOCIAL_PIPELINE_{platform.upper()}_{name.upper()}"
        )
    return value


def meta_token_exchange(
    http: HttpClient,
    url: str,
    *,
    params: dict[str, str],
    secret_params: dict[str, str],
    label: str,
) -> TokenGrant:
    """GET a Meta token endpoint straight through the session (nothing recorded: the answer is a
    token), retrying timeouts, 429 and 5xx. Errors never quote a token or secret."""
    endpoint = url.rsplit("/", 1)[-1]
    attempts = max(int(getattr(http, "max_attempts", 3)), 1)
    sleep = getattr(http, "_sleep", time.sleep)
    problem, status = "no attempt made", None
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
                if status < 500 and status != 429:
                    err = body.get("error") if isinstance(body, dict) else None
                    err = err if isinstance(err, dict) else {}
                    code, sub = err.get("code"), err.get("error_subcode")
                    message = str(err.get("message") or "no access_token in the answer")
                    for secret in secret_params.values():
                        if secret:
                            message = message.replace(secret, "[redacted]")
                    message = message[:200]
                    advice = (
                        "the token can no longer be refreshed (expired or revoked): reconnect the account"
                        if code == 190
                        else "check the Meta app id/secret and the token's app"
                        if code in (1, 101, 104)
                        else "reconnect the account if this persists"
                    )
                    raise PlatformError(
                        f"{label}: token refresh failed (HTTP {status}, code {code}"
                        + (f"/{sub}" if sub is not None else "")
                        + f": {message}) -- {advice}",
                        status_code=status,
                        endpoint=endpoint,
                    )
                problem = f"HTTP {status}"
        if attempt < attempts:
            sleep(http._backoff(attempt))
    raise PlatformError(f"{label}: token refresh failed after {attempts} attempts ({problem})", status_code=status, endpoint=endpoint)


# -- helpers -----------------------------------------------------------------------------------
_TOKEN_IN_URL = re.compile(r"(access_token=)[^&#]*")


def _scrub_paging(payload: Any) -> None:
    """Replace the access token Graph embeds in ``paging.next``/``previous`` URLs (recursively, as
    nested edges such as ``replies`` carry their own ``paging``)."""
    if isinstance(payload, list):
        for item in payload:
            _scrub_paging(item)
        return
    if not isinstance(payload, dict):
        return
    for key, value in payload.items():
        if key == "paging" and isinstance(value, dict):
            for link in ("next", "previous"):
                if isinstance(value.get(link), str):
                    value[link] = _TOKEN_IN_URL.sub(r"\1[redacted]", value[link])
        elif isinstance(value, (dict, list)):
            _scrub_paging(value)


def _next_cursor(payload: Any) -> str | None:
    """The ``after`` cursor when Graph says another page exists (``paging.next`` present)."""
    if not isinstance(payload, dict):
        return None
    paging = payload.get("paging")
    if not isinstance(paging, dict) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    return after if isinstance(after, str) and after else None


def _data_list(payload: Any, where: str) -> list[Any]:
    if not isinstance(payload, dict):
        raise ParseError(f"{where}: payload is not an object")
    data = payload.get("data")
    if not isinstance(data, list):
        raise ParseError(f"{where}: 'data' is missing or not a list")
    return data


def _req_str(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise ParseError(f"{where}: '{key}' is missing or not a string")
    return value


def _opt_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError(f"{where}: '{key}' should be a string, got {type(value).__name__}")
    return value


def _metric_value(entry: dict[str, Any], where: str) -> Any:
    """A Graph insights entry's value: ``values[0].value`` or ``total_value.value``."""
    if isinstance(entry.get("total_value"), dict) and "value" in entry["total_value"]:
        return entry["total_value"]["value"]
    values = entry.get("values")
    if not isinstance(values, list) or not values or not isinstance(values[-1], dict):
        raise ParseError(f"{where}: metric {entry.get('name')!r} has neither values nor total_value")
    return values[-1].get("value")


def _media_insights(payloads: list[Any]) -> dict[str, dict[str, Any]]:
    """media id -> {metric name: value}; the media id is read from each entry's ``id``
    (``{media-id}/insights/{metric}/{period}``)."""
    out: dict[str, dict[str, Any]] = {}
    for payload in payloads:
        for entry in _data_list(payload, MEDIA_INSIGHTS):
            if not isinstance(entry, dict):
                raise ParseError(f"{MEDIA_INSIGHTS}: an entry is not an object")
            name = _req_str(entry, "name", MEDIA_INSIGHTS)
            entry_id = _req_str(entry, "id", MEDIA_INSIGHTS)
            media_id = entry_id.split("/insights/")[0]
            if media_id == entry_id:
                raise ParseError(f"{MEDIA_INSIGHTS}: entry id {entry_id[:60]!r} does not name a media")
            out.setdefault(media_id, {})[name] = _metric_value(entry, MEDIA_INSIGHTS)
    return out


def _ms_to_seconds(value: Any) -> float | None:
    ms = count(value)
    return None if ms is None else round(ms / 1000, 3)


def _parse_media(item: Any, insights: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ParseError(f"{MEDIA}: a media entry is not an object")
    media_id = _req_str(item, "id", MEDIA)
    where = f"{MEDIA} {media_id}"
    if "timestamp" not in item:
        raise ParseError(f"{where}: timestamp is missing")
    media_type = item.get("media_type")
    if media_type not in MEDIA_TYPES:
        raise ParseError(f"{where}: unknown media_type {media_type!r}")
    kind = "video" if item.get("media_product_type") == "REELS" else MEDIA_TYPES[media_type]
    m = insights.get(media_id, {})
    views = count(m.get("views"))
    total_ms = count(m.get("ig_reels_video_view_total_time"))
    if total_ms is not None:
        watch_time = round(total_ms / 1000)  # a BIGINT column: whole seconds
    else:
        avg = _ms_to_seconds(m.get("ig_reels_avg_watch_time"))
        watch_time = round(avg * views) if avg is not None and views is not None else None
    return {
        "external_post_id": media_id,
        "post_url": _opt_str(item, "permalink", where),  # canonical /p/{shortcode}/ or /reel/{shortcode}/
        "caption": _opt_str(item, "caption", where),
        "title": None,
        "media_type": kind,
        "media_url": _opt_str(item, "media_url", where),
        "duration": None,  # not exposed by the Graph API
        "posted_at": parse_timestamp(item["timestamp"]),
        "likes_count": count(item.get("like_count")),  # omitted when the owner hides likes
        "comments_count": count(item.get("comments_count")),
        "views_count": views,
        "shares_count": count(m.get("shares")),
        "saves_count": count(m.get("saved")),
        "watch_time_seconds": watch_time,
        "completion_rate": None,  # would need the video's duration
        "impressions": None,  # retired metric
        "reach": count(m.get("reach")),
    }


def _comment_record(c: Any, media_id: str, parent: str | None, where: str) -> dict[str, Any]:
    if not isinstance(c, dict):
        raise ParseError(f"{where}: a comment is not an object")
    author = c.get("from")
    author_id = None
    if author is not None:
        if not isinstance(author, dict):
            raise ParseError(f"{where}: 'from' should be an object")
        author_id = _opt_str(author, "id", where)
    return {
        "external_post_id": media_id,
        "external_comment_id": _req_str(c, "id", where),
        "parent_external_comment_id": parent,
        "comment_text": _opt_str(c, "text", where),
        "author_username": _opt_str(c, "username", where)
        or (_opt_str(author, "username", where) if isinstance(author, dict) else None),
        "author_external_id": author_id,
        "likes_count": count(c.get("like_count")),
        "commented_at": parse_timestamp(c.get("timestamp")),
    }


def _parse_comments(responses: list[RawResponse]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    post_of: dict[str, str] = {}  # top-level comment id -> media id
    seen: set[str] = set()

    def add(rec: dict[str, Any]) -> None:
        if rec["external_comment_id"] not in seen:
            seen.add(rec["external_comment_id"])
            records.append(rec)

    for payload in ok_payloads(responses, COMMENTS):
        for c in _data_list(payload, COMMENTS):
            if not isinstance(c, dict):
                raise ParseError(f"{COMMENTS}: a comment is not an object")
            media = c.get("media")
            if not isinstance(media, dict):
                raise ParseError(f"{COMMENTS}: comment has no media object to tie it to a post")
            media_id = _req_str(media, "id", COMMENTS)
            top = _comment_record(c, media_id, None, COMMENTS)
            add(top)
            post_of[top["external_comment_id"]] = media_id
            replies = c.get("replies")
            if replies is None:
                continue
            for r in _data_list(replies, f"{COMMENTS} replies"):
                parent = (r.get("parent_id") if isinstance(r, dict) else None) or top["external_comment_id"]
                add(_comment_record(r, media_id, parent, f"{COMMENTS} replies"))

    for payload in ok_payloads(responses, REPLIES):
        for r in _data_list(payload, REPLIES):
            if not isinstance(r, dict):
                raise ParseError(f"{REPLIES}: a reply is not an object")
            parent = _req_str(r, "parent_id", REPLIES)
            if parent not in post_of:
                raise ParseError(f"{REPLIES}: reply {r.get('id')!r} answers unknown comment {parent!r}")
            add(_comment_record(r, post_of[parent], parent, REPLIES))
    return records


def _percent(part: int, total: int) -> float:
    return round(part / total * 100, 2) if total else 0.0


def collect_breakdowns(entry: dict[str, Any], groups: dict[str, dict[str, int]], where: str) -> None:
    """Add a ``follower_demographics`` entry's ``total_value.breakdowns`` counts into ``groups``
    (dimension -> value -> count). Shared with the Threads parser (same Graph shape)."""
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


def _parse_demographics(payloads: list[Any]) -> dict[str, Any] | None:
    groups: dict[str, dict[str, int]] = {}
    online: dict[int, int] | None = None
    for payload in payloads:
        for entry in _data_list(payload, USER_INSIGHTS):
            if not isinstance(entry, dict):
                raise ParseError(f"{USER_INSIGHTS}: an entry is not an object")
            name = entry.get("name")
            if name == "follower_demographics":
                collect_breakdowns(entry, groups, USER_INSIGHTS)
            elif name == "online_followers":
                value = _metric_value(entry, USER_INSIGHTS)
                if not isinstance(value, dict):
                    raise ParseError(f"{USER_INSIGHTS}: online_followers value is not an hour map")
                try:
                    online = {int(h): count(v) or 0 for h, v in value.items()}
                except ValueError as exc:
                    raise ParseError(f"{USER_INSIGHTS}: online_followers has a non-hour key") from exc
    return demographics_from_counts(groups, online)
