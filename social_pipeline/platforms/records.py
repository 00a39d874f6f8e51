"""Parsed records whose every field defaults to "not reported" (None), so a parser names only
what its platform gives. ``as_dict()`` gives the dict :class:`~.base.ParsedPull` carries, keyed by
the specification's column names (plus our own: ``post_kind``, ``keywords``, ``profile_url``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

# What a post is to the account that published it. Reposts of other accounts' posts are never
# the account's posts and are not stored.
POST_KINDS = ("original", "reply", "thread", "quote")


@dataclass
class AccountRecord:
    external_user_id: str | None = None
    display_name: str | None = None
    profile_url: str | None = None
    followers_count: int | None = None
    following_count: int | None = None
    posts_count: int | None = None
    total_likes: int | None = None
    total_comments: int | None = None
    total_views: int | None = None
    total_shares: int | None = None
    subscribers_count: int | None = None
    pins_count: int | None = None
    retweets_count: int | None = None
    watch_time_minutes: int | None = None
    # What the platform serves for the pull's day itself (its daily insight series), keyed by the
    # names in DAILY_METRICS; None: the platform serves no daily series (or refused it). A pull made
    # long after the day still knows these, unlike the point-in-time counts above.
    daily_insights: dict[str, int | float] | None = None
    # Followers at the end of the pull's day, rebuilt inside one pull from the followers count now
    # minus the net daily gains the platform reports for every day after it. None where the
    # platform gives no net gains, or a day in between is missing.
    followers_on_day: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# Names of daily account series (AccountRecord.daily_insights), shared by every platform so one
# column of social_account_daily_insights means one thing. A platform reports those it serves.
DAILY_METRICS = (
    "views",  # times content was seen (Meta 'views', YouTube 'views', Threads 'views')
    "impressions",  # Pinterest IMPRESSION, LinkedIn impressions
    "reach",  # unique accounts that saw content (Meta 'reach', FB page_impressions_unique)
    "accounts_engaged",
    "total_interactions",
    "engagements",  # Pinterest ENGAGEMENT
    "likes",
    "comments",
    "replies",
    "shares",
    "reposts",
    "quotes",
    "saves",
    "profile_views",
    "website_clicks",
    "pin_clicks",
    "outbound_clicks",
    "follows",  # accounts that started following during the day
    "unfollows",  # accounts that stopped following during the day
    "net_follows",  # follows minus unfollows, where the platform reports only the balance
    "subscribers_gained",
    "subscribers_lost",
    "watch_time_minutes",
)


@dataclass
class PostRecord:
    external_post_id: str
    post_url: str | None = None
    caption: str | None = None
    title: str | None = None
    media_type: str | None = None
    media_url: str | None = None
    thumbnail_url: str | None = None  # an image to show for the post (cover, thumbnail, the photo)
    duration: float | None = None
    posted_at: datetime | None = None
    post_kind: str = "original"  # one of POST_KINDS
    hashtags: list[str] | None = None  # as the platform defines them (facets, entities); None: from text
    keywords: list[str] | None = None  # creator-set keywords that are not hashtags (YouTube tags)
    likes_count: int | None = None
    comments_count: int | None = None
    views_count: int | None = None
    shares_count: int | None = None
    saves_count: int | None = None
    watch_time_seconds: int | None = None
    completion_rate: float | None = None
    impressions: int | None = None
    reach: int | None = None
    engaged_views: int | None = None  # YouTube Analytics engagedViews (the older counting method)
    views_method: str | None = None  # how views_count was counted, where a platform changed it

    def as_dict(self) -> dict[str, Any]:
        if self.post_kind not in POST_KINDS:
            raise ValueError(f"post_kind {self.post_kind!r} is not one of {POST_KINDS}")
        return asdict(self)


@dataclass
class CommentRecord:
    external_post_id: str
    external_comment_id: str
    parent_external_comment_id: str | None = None
    comment_text: str | None = None
    author_username: str | None = None
    author_external_id: str | None = None
    likes_count: int | None = None
    commented_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
