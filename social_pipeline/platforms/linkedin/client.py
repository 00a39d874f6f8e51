"""LinkedIn organization pages through the versioned Community Management API
(https://api.linkedin.com/rest).

Endpoints used (scopes: r_organization_admin, r_organization_social, rw_organization_admin):

- ``GET /organizations?q=vanityName&vanityName={handle}``: only when the account has no
  ``external_id`` (the numeric organization id).
- ``GET /organizations/{id}``: ``localizedName``, ``vanityName``.
- ``GET /networkSizes/{org urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER``: ``firstDegreeSize`` is the
  follower count.
- ``GET /posts?author={org urn}&q=author&count=&start=&sortBy=CREATED``: the organization's posts,
  newest first, offset-paginated (``paging.start``/``count``; ``count`` <= 100).
- ``GET /organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity={org urn}
  &shares=List(...)&ugcPosts=List(...)``: lifetime organic statistics per post.
- ``GET /socialActions/{post urn}/comments`` and ``GET /socialActions/{comment urn}/comments``:
  comments and their replies, offset-paginated.
- ``GET /organizationalEntityFollowerStatistics?q=organizationalEntity&organizationalEntity=
  {org urn}``: follower counts by country (and seniority, industry, function ...).
- ``GET /geo?ids=List({id},...)``: the Geo API's BATCH_GET, once per pull and only for the
  country geo ids of the follower statistics that :data:`.parse.GEO_COUNTRIES` does not map; it
  answers each id's ``defaultLocalizedName`` (English by default). If it fails, the pull goes on
  and those countries keep their ``urn:li:geo:{id}``.
- ``GET /posts/{post urn}``: one post by id, for tracked posts that are no longer among the newest
  ``posts_per_fetch`` but still inside :attr:`Client.update_window_days` (refresh by id); their
  statistics then come through the same ``List(...)`` share-statistics request, in batches.
- ``POST https://www.linkedin.com/oauth/v2/accessToken`` (form ``grant_type=refresh_token``):
  token refresh, see :meth:`Client.refresh_access_token`.

Quirks worth knowing:

- Every call carries ``LinkedIn-Version: YYYYMM`` and ``X-Restli-Protocol-Version: 2.0.0``. A
  version LinkedIn has sunset (about a year after release) answers HTTP 426; the client then
  tells the user to set ``SOCIAL_PIPELINE_LINKEDIN_VERSION`` (credential ``version``).
- The version comes from the ``version`` credential (``SOCIAL_PIPELINE_LINKEDIN_VERSION``), then
  ``linkedin_version``, then :data:`DEFAULT_VERSION`.
- Auth: ``Authorization: Bearer <member token>`` of a page administrator. Access tokens last 60
  days; an expired one answers 401 ``{"serviceErrorCode": 65601, "code": "EXPIRED_ACCESS_TOKEN"}``
  (revoked: ``REVOKED_ACCESS_TOKEN``), which the client turns into an error saying to refresh the
  token or reconnect. Programmatic refresh tokens last a year from the first authorization and
  are not rotated.
- Throttling is HTTP 429 (daily per-app and per-member caps); :class:`HttpClient` retries it.
- URNs in a path are URL-encoded (``urn%3Ali%3Aorganization%3A123``). Rest.li 2.0 lists in the
  query are written ``List(urn%3Ali%3Ashare%3A1,urn%3Ali%3Ashare%3A2)``: the URNs encoded, the
  parentheses and commas not, so that query part is put in the URL by hand.
- Post ids are ``urn:li:share:{n}`` or ``urn:li:ugcPost:{n}`` (videos and newer posts); share
  statistics key them as ``share`` or ``ugcPost`` accordingly. Statistics only cover the last 12
  months (rolling window), so older posts have unknown metrics.
- Timestamps are epoch **milliseconds** (``publishedAt``, ``created.time``).
- Statistics give impressions, unique impressions (reach), clicks, likes, comments, shares and an
  engagement ratio; no video views, saves or watch time.
- Comments nest one level: a reply (to a comment or to a reply) has ``parentComment`` naming its
  top-level comment. Commenters are person URNs: names need a separate profile lookup the
  organization scopes do not grant, so ``author_username`` is only set for the organization itself.
- Follower statistics give counts per ``urn:li:geo:{id}``; a table maps common country geo ids to
  ISO codes (no call), the others are named through the Geo API (``GET /geo?ids=List(...)``), and a
  geo the Geo API cannot name keeps its URN. LinkedIn gives no age or gender breakdown.
- Canonical post URL: ``https://www.linkedin.com/feed/update/{urn}/``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping
from urllib.parse import quote

import requests

from ..base import AccountRef, ParsedPull, PlatformClient, PlatformError, RawResponse, TokenGrant
from .parse import (  # noqa: F401  (endpoint names and limits are part of the client's surface)
    COMMENT_TARGET,
    COMMENTS,
    FOLLOWER_STATS,
    GEO,
    GEO_COUNTRIES,
    NETWORK_SIZES,
    ORG_LOOKUP,
    ORGANIZATION,
    POST,
    POSTS,
    SHARE_STATS,
    geo_ids,
    hashtags,
)
from .parse import parse as parse_responses

DEFAULT_VERSION = "202610"
DEFAULT_OAUTH_BASE_URL = "https://www.linkedin.com/oauth/v2"
MAX_COUNT = 100  # documented cap of `count` on the posts finder
STATS_BATCH = 20  # post URNs per share-statistics request
GEO_BATCH = 50  # geo ids per Geo API BATCH_GET
COMMENT_COUNT = 100
MAX_PAGES = 50


def encode_urn(urn: str) -> str:
    """A URN as a path segment or Rest.li list item: every reserved character encoded."""
    return quote(urn, safe="")


class Client(PlatformClient):
    platform = "linkedin"
    default_base_url = "https://api.linkedin.com/rest"
    # Share statistics are lifetime figures for posts of the last 12 months; LinkedIn documents no
    # shorter window, and organic engagement settles within weeks, so the default 30 days.
    update_window_days = 30

    def __init__(self, http, base_url: str | None = None, credentials: Mapping[str, str] | None = None, **kwargs):
        super().__init__(http, base_url, credentials, **kwargs)
        self.oauth_base_url = str(self.credentials.get("oauth_base_url") or DEFAULT_OAUTH_BASE_URL).rstrip("/")
        self._handle = ""
        self._version = self._api_version()

    def _api_version(self) -> str:
        return str(self.credentials.get("version") or self.credentials.get("linkedin_version") or DEFAULT_VERSION)

    def pull(self, account: AccountRef) -> None:
        handle = account.handle.lstrip("@")
        self._handle = handle
        token = account.access_token
        if not token:
            raise PlatformError(
                f"linkedin account @{handle}: no access token: set social_accounts.access_token to a "
                "page administrator's token with the r_organization_social and rw_organization_admin scopes"
            )
        self._version = self._api_version()
        self._headers = {
            "LinkedIn-Version": self._version,
            "X-Restli-Protocol-Version": "2.0.0",
        }
        self._auth = {"Authorization": f"Bearer {token}"}

        org_id = account.external_id
        if org_id and org_id.startswith("urn:li:organization:"):
            org_id = org_id.rsplit(":", 1)[-1]
        if not org_id:
            found = self._get("organizations", ORG_LOOKUP, {"q": "vanityName", "vanityName": handle})
            elements = found.get("elements") if isinstance(found, dict) else None
            if not elements or not isinstance(elements[0], dict) or elements[0].get("id") is None:
                raise PlatformError(
                    f"linkedin account @{handle}: no organization with vanity name {handle!r}",
                    endpoint=ORG_LOOKUP,
                )
            org_id = str(elements[0]["id"])
        org_urn = f"urn:li:organization:{org_id}"

        self._get(f"organizations/{org_id}", ORGANIZATION)
        self._get(f"networkSizes/{encode_urn(org_urn)}", NETWORK_SIZES, {"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"})

        posts = self._posts(org_urn, account.posts_per_fetch)
        urns = [str(p.get("id")) for p in posts]
        next_index = self._statistics(org_urn, urns)
        for urn in urns:
            self._comments(urn, depth=0)

        # Refresh by id: each post, then their statistics in the same batched request.
        listed = set(urns)
        extra = [u for u in dict.fromkeys(account.refresh_post_ids) if u and u not in listed]
        refreshed: list[str] = []
        for index, urn in enumerate(extra):
            try:
                post = self._get(f"posts/{encode_urn(urn)}", POST, page_index=index)
            except PlatformError as exc:
                if exc.status_code in (403, 404):
                    continue  # deleted, or no longer this organization's
                raise
            if isinstance(post, dict) and isinstance(post.get("id"), str):
                refreshed.append(post["id"])
        self._statistics(org_urn, refreshed, next_index)

        stats = self._get(FOLLOWER_STATS, FOLLOWER_STATS, {"q": "organizationalEntity", "organizationalEntity": org_urn})
        self._geo_names(geo_ids(stats))

    def _geo_names(self, ids: list[str]) -> None:
        """Name the country geo ids the parser's table does not know (Geo API BATCH_GET; the ids
        are digits, so the Rest.li list goes in the URL as is). A failed call does not fail the
        pull: those countries keep their URN."""
        for index in range(0, len(ids), GEO_BATCH):
            batch = ids[index : index + GEO_BATCH]
            try:
                self._get(f"{GEO}?ids=List({','.join(batch)})", GEO, page_index=index // GEO_BATCH)
            except PlatformError:
                # Names are a nicety: the counts are already in hand and stay under their URNs
                # (the refused answer is recorded like any other).
                return

    # -- steps ------------------------------------------------------------------------------
    def _get(self, path: str, endpoint: str, params: dict[str, Any] | None = None, page_index: int = 0) -> Any:
        try:
            return self.http.get(
                self.url(path), endpoint=endpoint, params=params, headers=self._headers,
                secret_headers=self._auth, page_index=page_index,
                auth_hint=(
                    f"LinkedIn refused the access token of linkedin account @{self._handle}: it needs the "
                    "r_organization_social and rw_organization_admin scopes of a page administrator; refresh "
                    "or reconnect it, then update social_accounts.access_token"
                ),
            )
        except PlatformError as exc:
            if exc.status_code == 426:
                raise PlatformError(
                    f"{endpoint}: LinkedIn-Version {self._version} has been sunset (HTTP 426). Set the "
                    "SOCIAL_PIPELINE_LINKEDIN_VERSION environment variable to a "
                    "current YYYYMM version.",
                    status_code=426,
                    endpoint=endpoint,
                ) from None
            if exc.status_code == 401:
                raise self._token_problem(exc) from None
            if exc.status_code == 403:
                # The base quotes only ``message``; add LinkedIn's serviceErrorCode and status.
                payload = self.http.responses[-1].payload if self.http.responses else None
                raise PlatformError(
                    f"linkedin account @{self._handle}: {exc} [LinkedIn{_linkedin_said(payload) or ': no error body'}]",
                    status_code=403,
                    endpoint=exc.endpoint,
                ) from None
            raise

    def _token_problem(self, exc: PlatformError) -> PlatformError:
        payload = self.http.responses[-1].payload if self.http.responses else None
        code = payload.get("code") if isinstance(payload, dict) else None
        reason = {
            "EXPIRED_ACCESS_TOKEN": "has expired",
            "REVOKED_ACCESS_TOKEN": "was revoked",
            "INVALID_ACCESS_TOKEN": "is not valid",
        }.get(code if isinstance(code, str) else "", "was rejected (expired or revoked)")
        return PlatformError(
            f"linkedin account @{self._handle}: the access token {reason} (HTTP 401"
            f"{f' {code}' if isinstance(code, str) else ''}{_linkedin_said(payload)}). Refresh it with the "
            "stored refresh token (needs SOCIAL_PIPELINE_LINKEDIN_CLIENT_ID and "
            "SOCIAL_PIPELINE_LINKEDIN_CLIENT_SECRET) or have a page administrator reconnect the account, "
            "then update social_accounts.access_token.",
            status_code=401,
            endpoint=exc.endpoint,
        )

    # -- token refresh ----------------------------------------------------------------------
    def refresh_access_token(self, account: AccountRef, refresh_token: str) -> TokenGrant:
        """``POST {oauth}/accessToken`` (form: ``grant_type=refresh_token``, ``refresh_token``,
        ``client_id``, ``client_secret``; ``SOCIAL_PIPELINE_LINKEDIN_CLIENT_ID`` / ``..._CLIENT_SECRET``).
        A new 60-day access token comes back; the refresh token keeps its original one-year life and
        is not rotated (``TokenGrant.refresh_token`` stays None unless LinkedIn sends a different one).
        The form carries secrets, so it is sent directly and never recorded.
        """
        handle = account.handle.lstrip("@")
        missing = [
            f"SOCIAL_PIPELINE_LINKEDIN_{n.upper()}" for n in ("client_id", "client_secret") if not self.credentials.get(n)
        ]
        if missing:
            raise PlatformError(f"linkedin account @{handle}: cannot refresh the token: set {' and '.join(missing)}")
        if not refresh_token:
            raise PlatformError(
                f"linkedin account @{handle}: no refresh token stored (social_account_credentials.refresh_token is empty): "
                "reconnect the account"
            )
        secret = self.credentials["client_secret"]
        try:
            resp = self.http.session.post(
                f"{self.oauth_base_url}/accessToken",
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": refresh_token,
                    "client_id": self.credentials["client_id"],
                    "client_secret": secret,
                },
                headers={"Accept": "application/json"},
                timeout=self.http.timeout,
            )
        except requests.RequestException as exc:
            raise PlatformError(f"linkedin account @{handle}: token refresh failed: {type(exc).__name__}") from None
        try:
            body = resp.json()
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not 200 <= resp.status_code < 300 or not isinstance(token, str) or not token:
            said = "no usable answer"
            if isinstance(body, dict):
                parts = [
                    f"{key} {body[key]!r}"
                    for key in ("error", "error_description", "serviceErrorCode", "message", "status")
                    if isinstance(body.get(key), (str, int)) and not isinstance(body.get(key), bool)
                ]
                said = ", ".join(parts) or said
            for s in (refresh_token, secret):
                said = said.replace(s, "[redacted]")
            raise PlatformError(
                f"linkedin account @{handle}: token refresh failed (HTTP {resp.status_code}: {said}); the "
                "refresh token has expired (a year after the first authorization) or was revoked, or the client "
                "credentials are wrong: check SOCIAL_PIPELINE_LINKEDIN_CLIENT_ID / "
                "SOCIAL_PIPELINE_LINKEDIN_CLIENT_SECRET or have a page administrator reconnect the account",
                status_code=resp.status_code,
                endpoint="oauth/v2/accessToken",
            )
        expires_in = body.get("expires_in")
        new_refresh = body.get("refresh_token")
        return TokenGrant(
            access_token=token,
            expires_at=(
                datetime.now(timezone.utc) + timedelta(seconds=expires_in)
                if isinstance(expires_in, int) and not isinstance(expires_in, bool) and expires_in > 0
                else None
            ),
            refresh_token=new_refresh if isinstance(new_refresh, str) and new_refresh and new_refresh != refresh_token else None,
        )

    def _posts(self, org_urn: str, wanted: int) -> list[dict[str, Any]]:
        posts: list[dict[str, Any]] = []
        start = 0
        for page_index in range(MAX_PAGES):
            if len(posts) >= wanted:
                break
            n = min(MAX_COUNT, wanted - len(posts))
            payload = self._get(
                "posts", POSTS,
                {"author": org_urn, "q": "author", "count": n, "start": start, "sortBy": "CREATED"},
                page_index=page_index,
            )
            elements = payload.get("elements") if isinstance(payload, dict) else None
            if not isinstance(elements, list):
                raise PlatformError(f"{POSTS}: answer has no elements list", endpoint=POSTS)
            posts.extend(e for e in elements if isinstance(e, dict) and e.get("id"))
            start += len(elements)
            if not _has_more(payload.get("paging"), start, len(elements), n):
                break
        return posts[:wanted]

    def _statistics(self, org_urn: str, urns: list[str], page_index: int = 0) -> int:
        """Lifetime statistics of ``urns`` in batches; returns the next free page_index."""
        shares = [u for u in urns if u.startswith("urn:li:share:")]
        ugc = [u for u in urns if u.startswith("urn:li:ugcPost:")]
        for key, group in (("shares", shares), ("ugcPosts", ugc)):
            for i in range(0, len(group), STATS_BATCH):
                batch = group[i : i + STATS_BATCH]
                # Rest.li list syntax: parentheses and commas stay literal, so it goes in the URL.
                path = f"{SHARE_STATS}?{key}=List({','.join(encode_urn(u) for u in batch)})"
                self._get(
                    path, SHARE_STATS, {"q": "organizationalEntity", "organizationalEntity": org_urn},
                    page_index=page_index,
                )
                page_index += 1
        return page_index

    def _comments(self, target_urn: str, depth: int) -> None:
        start = 0
        for page_index in range(MAX_PAGES):
            payload = self._get(
                f"socialActions/{encode_urn(target_urn)}/comments", COMMENTS,
                {"start": start, "count": COMMENT_COUNT}, page_index=page_index,
            )
            # The answer's ``object`` is often the post's *activity* URN, which the Posts API never
            # returns: record which post or comment was asked (the path), so parse() can place it.
            if self.http.responses and self.http.responses[-1].endpoint == COMMENTS:
                self.http.responses[-1].request_params[COMMENT_TARGET] = target_urn
            elements = payload.get("elements") if isinstance(payload, dict) else None
            if not isinstance(elements, list):
                raise PlatformError(f"{COMMENTS}: answer has no elements list", endpoint=COMMENTS)
            for comment in elements:
                if not isinstance(comment, dict):
                    continue
                summary = comment.get("commentsSummary") or {}
                replies = summary.get("totalFirstLevelComments") or summary.get("aggregatedTotalComments") or 0
                urn = comment.get("commentUrn") or comment.get("$URN")
                if depth < 2 and urn and isinstance(replies, int) and replies > 0:
                    self._comments(str(urn), depth + 1)
            start += len(elements)
            if not _has_more(payload.get("paging"), start, len(elements), COMMENT_COUNT):
                return

    @staticmethod
    def parse(responses: Iterable[RawResponse]) -> ParsedPull:
        """Responses -> records: see :mod:`.parse`."""
        return parse_responses(responses)


def _has_more(paging: Any, next_start: int, got: int, asked: int) -> bool:
    """Offset paging: a ``rel=next`` link or a ``total`` beyond what was read says there is more;
    without either, only a full page does (LinkedIn may answer fewer than ``count``)."""
    if got == 0:
        return False
    if isinstance(paging, dict):
        links = paging.get("links")
        if isinstance(links, list) and any(isinstance(l, dict) and l.get("rel") == "next" for l in links):
            return True
        total = paging.get("total")
        if isinstance(total, int) and not isinstance(total, bool):
            return next_start < total
    return got >= asked


def _linkedin_said(payload: Any) -> str:
    """LinkedIn's own error fields (``serviceErrorCode``, ``message``, ``status``), whole."""
    if not isinstance(payload, dict):
        return ""
    parts = [
        f"{key} {payload[key]!r}"
        for key in ("serviceErrorCode", "message", "status")
        if isinstance(payload.get(key), (int, str)) and not isinstance(payload.get(key), bool)
    ]
    return (": " + ", ".join(parts)) if parts else ""
