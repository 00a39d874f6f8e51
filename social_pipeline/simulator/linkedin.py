"""A fake LinkedIn Community Management API (``/rest``) rendering
:mod:`social_pipeline.simulator.world` for organization pages.

Serves ``/organizations`` (get and ``q=vanityName``), ``/networkSizes/{urn}``, ``/posts``
(``q=author`` finder), ``/organizationalEntityShareStatistics`` (Rest.li ``List(...)`` of shares /
ugcPosts), ``/socialActions/{urn}/comments`` and ``/organizationalEntityFollowerStatistics`` the way
LinkedIn documents them: ``elements`` + ``paging {start, count, total, links}``, URL-encoded URNs
in paths, epoch-millisecond times, and the ``{"status", "serviceErrorCode", "code", "message"}``
error body.

Versioning is enforced: a missing ``LinkedIn-Version`` header is a 400, a version more than 12
months older than the server's clock (the later of ``as_of`` and now) is a 426 (sunset), one
after it does not exist (400).

World kinds: video -> ``urn:li:ugcPost`` with ``content.media`` ``urn:li:video``; image ->
``urn:li:share`` with an ``urn:li:image``; carousel -> ``content.multiImage``; text -> no content.
Comments nest one level as on LinkedIn: every reply (also a reply to a reply) hangs under its
top-level comment. Share statistics only cover posts of the last 12 months.

``GET /geo?ids=List(id,...)`` (BATCH_GET of the Geo API) answers ``{"results": {id:
{"defaultLocalizedName": {"locale": {"country", "language"}, "value"}, "id"}}, "statuses": {},
"errors": {id: {...}}}`` from the world's geo table (an id it does not know goes to ``errors``);
``GET /geo/{id}`` answers one entity.

Also served: ``GET /posts/{urn}`` (one post, for refresh by id; 404 when unknown) and, when the
simulator is mounted at the OAuth host (``https://www.linkedin.com/oauth/v2``), ``POST
/accessToken`` with form ``grant_type=refresh_token``: ``demo-refresh-{handle}`` (with any non-empty
client id/secret) gets ``{"access_token", "expires_in", "refresh_token", "refresh_token_expires_in",
"scope"}``; another refresh token gets 400 ``{"error": "invalid_request", "error_description"}``.
The demo token with ``-expired`` appended answers 401 ``EXPIRED_ACCESS_TOKEN`` (service code 65601).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import unquote

import re

from . import audience, world
from .transport import PlatformSimulator, SimRequest, SimResponse, demo_token

PAGE_SIZE = 10  # this fake's page size (the real cap of `count` on /posts is 100)
COUNTRY_GEO = audience.GEO_IDS  # ISO code -> LinkedIn geo id, from the world's geo table
GEO_BATCH_MAX = 100  # this fake's cap on ids per /geo batch
ACCESS_SECONDS = 60 * 86400  # access tokens last 60 days
REFRESH_SECONDS = 365 * 86400  # refresh tokens: a year from the first authorization


class Simulator(PlatformSimulator):
    platform = "linkedin"

    @staticmethod
    def too_many(wait: int, limit: int) -> tuple[Any, dict[str, str]]:
        """The platform's answer to too many requests: its body and headers besides Retry-After
        (``wait``: whole seconds until a request is accepted again; ``limit``: per second)."""
        return {"status": 429, "code": "TOO_MANY_REQUESTS", "message": "Resource level throttle limit reached"}, {}

    def account_id(self, account: world.Account) -> str:
        return str(10_000_000 + account.uid % 90_000_000)  # numeric organization id

    def org_urn(self, account: world.Account) -> str:
        return f"urn:li:organization:{self.account_id(account)}"

    def post_id(self, post: world.Post) -> str:
        number = "7" + str(post.uid % 10**18).zfill(18)
        kind = "ugcPost" if post.kind == "video" else "share"
        return f"urn:li:{kind}:{number}"

    def comment_urn(self, post: world.Post, comment: world.Comment) -> str:
        return f"urn:li:comment:({self.post_id(post)},{self.comment_id(comment)})"

    @staticmethod
    def comment_id(comment: world.Comment) -> str:
        return "7" + str(comment.uid % 10**18).zfill(18)

    # -- serving ----------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:
        if request.method == "POST" and request.path.rstrip("/") == "/accessToken":
            return self._access_token(request)
        if request.method != "GET":
            return _error(405, "METHOD_NOT_ALLOWED", "Method not allowed", 100)
        version = request.headers.get("LinkedIn-Version")
        if not version:
            return _error(400, "VERSION_MISSING", "A version must be present. Please specify a version by adding the LinkedIn-Version header.", 0)
        problem = self._check_version(version)
        if problem is not None:
            return problem
        token = self.bearer(request)
        if token and token.endswith("-expired"):
            return _error(401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65601)
        acct = self.account_for_token(token)
        if acct is None:
            return _error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
        parts = [unquote(p) for p in request.path.split("/") if p]
        org_id = self.account_id(acct)
        q = request.query
        if parts == ["organizations"] and q.get("q") == "vanityName":
            found = [self._organization(acct)] if q.get("vanityName", "").lower() == acct.handle else []
            return SimResponse(200, {"elements": found, "paging": {"start": 0, "count": 10, "links": []}})
        if parts == ["organizations", org_id]:
            return SimResponse(200, self._organization(acct))
        if parts == ["networkSizes", self.org_urn(acct)]:
            if q.get("edgeType") not in ("COMPANY_FOLLOWED_BY_MEMBER", "CompanyFollowedByMember"):
                return _error(400, "ILLEGAL_ARGUMENT", "edgeType is required", 100)
            return SimResponse(200, {"firstDegreeSize": acct.followers(self.as_of)})
        if len(parts) == 2 and parts[0] == "posts":
            post = self.find_post(parts[1])
            if post is None or post.account != acct:
                return _error(404, "RESOURCE_NOT_FOUND", f"Not found: {parts[1]}", 0)
            return SimResponse(200, self._render_post(post))
        if parts == ["posts"] and q.get("q") == "author":
            if q.get("author") != self.org_urn(acct):
                return _error(403, "ACCESS_DENIED", "Not enough permissions to access: posts.FINDER-author", 100)
            return self._posts(acct, request)
        if parts == ["organizationalEntityShareStatistics"] and q.get("q") == "organizationalEntity":
            if q.get("organizationalEntity") != self.org_urn(acct):
                return _error(403, "ACCESS_DENIED", "Not enough permissions to access this organization", 100)
            return self._share_statistics(acct, request)
        if parts == ["organizationalEntityFollowerStatistics"] and q.get("q") == "organizationalEntity":
            if q.get("organizationalEntity") != self.org_urn(acct):
                return _error(403, "ACCESS_DENIED", "Not enough permissions to access this organization", 100)
            return self._follower_statistics(acct)
        if len(parts) == 3 and parts[0] == "socialActions" and parts[2] == "comments":
            return self._comments(acct, parts[1], request)
        if parts == ["geo"] or (len(parts) == 2 and parts[0] == "geo"):
            return self._geo(parts[1] if len(parts) == 2 else None, request)
        return _error(404, "RESOURCE_NOT_FOUND", f"No virtual resource found for {request.path}", 0)

    def _check_version(self, version: str) -> SimResponse | None:
        if len(version) != 6 or not version.isdigit():
            return _error(400, "NONEXISTENT_VERSION", f"Requested version {version} is not active", 0)
        # Versions are checked against the server's clock when it answers, not the day the data
        # describes: a backfill of an old day still uses a current version.
        clock = max(self.as_of, datetime.now(timezone.utc))
        age = (clock.year * 12 + clock.month) - (int(version[:4]) * 12 + int(version[4:]))
        if age < 0:
            return _error(400, "NONEXISTENT_VERSION", f"Requested version {version} is not active", 0)
        if age > 12:
            return _error(426, "NONEXISTENT_VERSION", f"Requested version {version} is not active", 0)
        return None

    # -- routes -----------------------------------------------------------------------------
    def _access_token(self, request: SimRequest) -> SimResponse:
        form = request.body if isinstance(request.body, dict) else {}
        if form.get("grant_type") != "refresh_token" or not form.get("refresh_token"):
            return SimResponse(400, {"error": "invalid_request",
                                     "error_description": 'A required parameter "refresh_token" is missing'})
        if not form.get("client_id") or not form.get("client_secret"):
            return SimResponse(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        given = str(form["refresh_token"])
        if not given.startswith("demo-refresh-") or given.endswith("-expired"):
            return SimResponse(400, {
                "error": "invalid_request",
                "error_description": "The provided authorization grant or refresh token is invalid, expired or revoked",
            })
        handle = given[len("demo-refresh-"):]
        elapsed = int((self.as_of - world.EPOCH).total_seconds()) % REFRESH_SECONDS
        return SimResponse(200, {
            "access_token": demo_token(self.platform, handle),
            "expires_in": ACCESS_SECONDS,
            "refresh_token": given,  # not rotated; its clock keeps running
            "refresh_token_expires_in": max(REFRESH_SECONDS - elapsed, 1),
            "scope": "r_organization_admin,r_organization_social,rw_organization_admin",
        })

    def _organization(self, acct: world.Account) -> dict[str, Any]:
        name = acct.display_name
        return {
            "id": int(self.account_id(acct)),
            "$URN": self.org_urn(acct),
            "vanityName": acct.handle,
            "localizedName": name,
            "name": {"localized": {"en_US": name}, "preferredLocale": {"country": "US", "language": "en"}},
            "primaryOrganizationType": "NONE",
            "organizationType": "PRIVATELY_HELD",
            "localizedWebsite": f"https://www.{acct.handle.replace('.', '')}.example.com",
            "versionTag": "3",
        }

    def _window(self, request: SimRequest, default: int) -> tuple[int, int] | SimResponse:
        try:
            start = int(request.query.get("start") or 0)
            n = int(request.query.get("count") or default)
        except ValueError:
            return _error(400, "ILLEGAL_ARGUMENT", "start and count must be integers", 100)
        if start < 0 or not 1 <= n <= 100:
            return _error(400, "ILLEGAL_ARGUMENT", "count must be between 1 and 100", 100)
        return start, min(n, PAGE_SIZE)

    def _paging(self, request: SimRequest, start: int, n: int, total: int, path: str) -> dict[str, Any]:
        links = []
        if start + n < total:
            query = "&".join(f"{k}={v}" for k, v in request.query.items() if k not in ("start", "count"))
            links.append({"type": "application/json", "rel": "next",
                          "href": f"/rest/{path}?{query}&start={start + n}&count={n}"})
        return {"start": start, "count": n, "total": total, "links": links}

    def _posts(self, acct: world.Account, request: SimRequest) -> SimResponse:
        window = self._window(request, 10)
        if isinstance(window, SimResponse):
            return window
        start, n = window
        posts = acct.posts_until(self.as_of)  # newest first, i.e. sortBy=CREATED
        chunk = posts[start : start + n]
        elements = [self._render_post(p) for p in chunk]
        return SimResponse(200, {"elements": elements, "paging": self._paging(request, start, len(chunk), len(posts), "posts")})

    def _render_post(self, post: world.Post) -> dict[str, Any]:
        ms = int(post.posted_at.timestamp() * 1000)
        body: dict[str, Any] = {
            "id": self.post_id(post),
            "author": self.org_urn(post.account),
            "commentary": little_text(post.caption, post.hashtags),
            "visibility": "PUBLIC",
            "lifecycleState": "PUBLISHED",
            "lifecycleStateInfo": {"isEditedByAuthor": False},
            "isReshareDisabledByAuthor": False,
            "createdAt": ms - 60_000,
            "publishedAt": ms,
            "lastModifiedAt": ms,
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        }
        tag = f"{post.uid % 36**10:010d}"[:10]
        if post.kind == "video":
            body["content"] = {"media": {"title": post.title, "id": f"urn:li:video:D4E10AQ{tag}"}}
        elif post.kind == "image":
            body["content"] = {"media": {"id": f"urn:li:image:D4E22AQ{tag}", "altText": ""}}
        elif post.kind == "carousel":
            body["content"] = {"multiImage": {"images": [
                {"id": f"urn:li:image:D4E22AQ{tag}{i}", "altText": ""} for i in range(3)
            ]}}
        return body

    def _share_statistics(self, acct: world.Account, request: SimRequest) -> SimResponse:
        elements = []
        horizon = self.as_of - timedelta(days=365)  # rolling 12-month window
        for key, field in (("shares", "share"), ("ugcPosts", "ugcPost")):
            raw = request.query.get(key)
            if not raw:
                continue
            if not (raw.startswith("List(") and raw.endswith(")")):
                return _error(400, "ILLEGAL_ARGUMENT", f"{key} must be a Rest.li List(...)", 100)
            for urn in [u for u in raw[5:-1].split(",") if u]:
                post = self.find_post(urn)
                if post is None or post.account != acct or post.posted_at < horizon:
                    continue
                m = post.metrics(self.as_of)
                clicks = int(m["views"] * 0.03)
                engagement = (clicks + m["likes"] + m["comments"] + m["shares"]) / m["impressions"] if m["impressions"] else 0.0
                elements.append({
                    "organizationalEntity": self.org_urn(acct),
                    field: urn,
                    "totalShareStatistics": {
                        "uniqueImpressionsCount": m["reach"],
                        "shareCount": m["shares"],
                        "engagement": round(engagement, 6),
                        "clickCount": clicks,
                        "likeCount": m["likes"],
                        "impressionCount": m["impressions"],
                        "commentCount": m["comments"],
                    },
                })
        return SimResponse(200, {"elements": elements, "paging": {"start": 0, "count": 10, "links": []}})

    def _comments(self, acct: world.Account, target: str, request: SimRequest) -> SimResponse:
        window = self._window(request, 10)
        if isinstance(window, SimResponse):
            return window
        start, n = window
        post, parent = self._resolve_target(acct, target)
        if post is None:
            return _error(404, "RESOURCE_NOT_FOUND", f"Not found: {target}", 0)
        comments = post.comments(self.as_of)
        by_seq = {c.seq: c for c in comments}

        def root(c: world.Comment) -> world.Comment:
            while c.parent_seq is not None:
                c = by_seq[c.parent_seq]
            return c

        if parent is None:
            listed = [c for c in comments if c.parent_seq is None]
        else:
            listed = [c for c in comments if c.parent_seq is not None and root(c).seq == parent.seq]
        listed.sort(key=lambda c: (c.created_at, c.seq))
        chunk = listed[start : start + n]
        elements = []
        for c in chunk:
            replies = 0 if parent is not None else sum(1 for r in comments if r.parent_seq is not None and root(r).seq == c.seq)
            actor = self.org_urn(acct) if c.is_creator else f"urn:li:person:{world.stable_int('li', c.author) % 36**10:x}"
            ms = int(c.created_at.timestamp() * 1000)
            urn = self.comment_urn(post, c)
            row: dict[str, Any] = {
                "id": self.comment_id(c),
                "commentUrn": urn,
                "$URN": urn,
                "actor": actor,
                "agent": actor,
                "object": self.post_id(post),
                "message": {"text": c.text, "attributes": []},
                "created": {"actor": actor, "time": ms},
                "lastModified": {"actor": actor, "time": ms},
                "likesSummary": {
                    "totalLikes": c.likes(self.as_of),
                    "aggregatedTotalLikes": c.likes(self.as_of),
                    "likedByCurrentUser": False,
                    "selectedLikes": [],
                },
                "commentsSummary": {
                    "totalFirstLevelComments": replies,
                    "aggregatedTotalComments": replies,
                    "selectedComments": [],
                },
            }
            if parent is not None:
                row["parentComment"] = self.comment_urn(post, parent)
            elements.append(row)
        return SimResponse(200, {
            "elements": elements,
            "paging": self._paging(request, start, len(chunk), len(listed), f"socialActions/{target}/comments"),
        })

    def _resolve_target(self, acct: world.Account, target: str) -> tuple[world.Post | None, world.Comment | None]:
        if target.startswith("urn:li:comment:(") and target.endswith(")"):
            post_urn, _, comment_id = target[len("urn:li:comment:(") : -1].rpartition(",")
            post = self.find_post(post_urn)
            if post is None or post.account != acct:
                return None, None
            for c in post.comments(self.as_of):
                if self.comment_id(c) == comment_id:
                    return post, c
            return None, None
        post = self.find_post(target)
        if post is None or post.account != acct:
            return None, None
        return post, None

    def _geo(self, one: str | None, request: SimRequest) -> SimResponse:
        """The Geo API: a geo id's display name (``defaultLocalizedName``), one or a batch."""
        def entity(geo_id: str) -> dict[str, Any]:
            return {
                "defaultLocalizedName": {"locale": {"country": "US", "language": "en"}, "value": audience.GEO_NAMES[geo_id]},
                "id": int(geo_id),
            }

        if one is not None:
            if one not in audience.GEO_NAMES:
                return _error(404, "RESOURCE_NOT_FOUND", f"Geo {one} not found", 0)
            return SimResponse(200, entity(one))
        raw = request.query.get("ids") or ""
        if not (raw.startswith("List(") and raw.endswith(")")):
            return _error(400, "ILLEGAL_ARGUMENT", "ids must be a Rest.li List(...)", 100)
        ids = [i for i in raw[5:-1].split(",") if i]
        if not ids or len(ids) > GEO_BATCH_MAX or not all(i.isdigit() for i in ids):
            return _error(400, "ILLEGAL_ARGUMENT", "ids must list 1 to 100 numeric geo ids", 100)
        results = {i: entity(i) for i in ids if i in audience.GEO_NAMES}
        errors = {
            i: {"status": 404, "serviceErrorCode": 0, "code": "RESOURCE_NOT_FOUND", "message": f"Geo {i} not found"}
            for i in ids if i not in audience.GEO_NAMES
        }
        return SimResponse(200, {"results": results, "statuses": {}, "errors": errors})

    def _follower_statistics(self, acct: world.Account) -> SimResponse:
        followers = acct.followers(self.as_of)
        demo = acct.demographics(self.as_of)
        # LinkedIn answers every country: the listed ones, then the rest of the world.
        counts = {f"urn:li:geo:{COUNTRY_GEO[k]}": int(round(v / 100 * followers)) for k, v in demo["top_countries"].items()}
        for code, n in audience.rest_of_world(demo["top_countries"], followers).items():
            counts[f"urn:li:geo:{COUNTRY_GEO[code]}"] = n

        def split(n: int) -> dict[str, int]:
            # As LinkedIn documents for demographic facets: organicFollowerCount is the total of
            # organic and paid followers, and paidFollowerCount is not to be read (adding it would
            # count paid followers twice).
            return {"organicFollowerCount": n, "paidFollowerCount": n // 20}

        seniorities = (("urn:li:seniority:3", 0.45), ("urn:li:seniority:4", 0.3), ("urn:li:seniority:5", 0.25))
        return SimResponse(200, {
            "elements": [{
                "organizationalEntity": self.org_urn(acct),
                "followerCountsByGeoCountry": [{"geo": g, "followerCounts": split(n)} for g, n in counts.items()],
                "followerCountsBySeniority": [
                    {"seniority": s, "followerCounts": split(int(followers * w))} for s, w in seniorities
                ],
                "followerCountsByIndustry": [
                    {"industry": "urn:li:industry:4", "followerCounts": split(int(followers * 0.4))},
                ],
                "followerCountsByFunction": [
                    {"function": "urn:li:function:8", "followerCounts": split(int(followers * 0.3))},
                ],
                "followerCountsByStaffCountRange": [
                    {"staffCountRange": "SIZE_11_TO_50", "followerCounts": split(int(followers * 0.2))},
                ],
                "followerCountsByAssociationType": [],
            }],
            "paging": {"start": 0, "count": 10, "links": []},
        })


def _error(status: int, code: str, message: str, service_code: int) -> SimResponse:
    return SimResponse(status, {"status": status, "serviceErrorCode": service_code, "code": code, "message": message})


def little_text(caption: str, tags: tuple[str, ...]) -> str:
    """The caption as LinkedIn returns ``commentary``: in little text, where each hashtag is the
    markup ``{hashtag|\\#|tag}`` (the ``#`` escaped with a backslash)."""
    for tag in sorted(set(tags), key=len, reverse=True):
        caption = re.sub(r"#" + re.escape(tag) + r"(?![\w])", lambda m, t=tag: "{hashtag|\\#|" + t + "}", caption)
    return caption
