"""A deterministic model of creators' accounts, posts, metrics and comments.

Everything is a pure function of (platform, handle, moment), so a backfill of any past day
gives the same numbers however often it runs. Platform simulators render this model into
each platform's documented JSON; nothing here knows a platform's response format.

Behaviour meant to look like real accounts:
- followers grow smoothly with a small daily wobble (and can dip);
- a post's views follow a saturating curve, fast in the first hours then flattening, so
  views, likes and comments only ever grow for a given post;
- captions carry hashtags (some Unicode ones), comments arrive over time and include replies
  and replies to replies, some written by the creator.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)

HASHTAG_POOL = (
    "creator", "fyp", "viral", "tutorial", "behindthescenes", "dayinthelife", "music",
    "dance", "food", "travel", "fitness", "tech", "python", "dataengineering", "café",
    "日本", "مرحبا", "summer2025", "howto", "motivation", "smallbusiness", "art",
)
CAPTION_OPENERS = (
    "New video is up", "Trying something different today", "Part 2 as promised",
    "You asked, so here it is", "Quick tip", "Morning routine", "Honest review",
    "Story time", "We finally did it", "Testing the viral hack",
)
COMMENT_BANK = (
    "Love this! 😍", "This is so helpful, thank you", "Worst take I've seen all week",
    "Can you do a part 2?", "🔥🔥🔥", "I don't get it", "Where did you get that?",
    "Amazing work as always", "This didn't work for me", "Que buena idea!",
    "すごい！", "lol same", "Terrible audio, couldn't hear anything", "Saved for later",
    "Underrated channel", "ok but why tho", "مرحبا! رائع جدا", "Best thing I've seen today",
)
CREATOR_REPLIES = ("Thank you so much! 🙏", "Part 2 coming Friday!", "Link in bio", "Glad it helped!")
COUNTRIES = ("US", "GB", "CA", "DE", "BR", "IN", "JP", "FR", "MX", "AU")
CITIES = ("New York", "London", "Los Angeles", "Toronto", "São Paulo", "Berlin", "Tokyo", "Paris")
LANGUAGES = ("en", "es", "pt", "de", "ja", "fr", "ar")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def stable_int(*parts: object, bits: int = 63) -> int:
    """A platform-independent hash (Python's ``hash`` is salted per process)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - bits)


def rng(*parts: object) -> random.Random:
    return random.Random(stable_int(*parts))


@dataclass(frozen=True)
class Comment:
    seq: int
    uid: int
    parent_seq: int | None  # None for a top-level comment
    author: str
    is_creator: bool
    text: str
    created_at: datetime
    likes_final: int

    def likes(self, as_of: datetime) -> int:
        hours = max((as_of - self.created_at).total_seconds() / 3600, 0.0)
        return int(self.likes_final * (1 - math.exp(-hours / 24)))


@dataclass(frozen=True)
class Post:
    account: "Account"
    seq: int
    uid: int  # a stable 63-bit number platform simulators format into their own id styles
    posted_at: datetime
    kind: str  # "video", "image", "carousel" or "text"
    caption: str
    title: str
    hashtags: tuple[str, ...]
    duration: int  # seconds, 0 when not a video
    final_views: int
    tau_hours: float
    like_rate: float
    comment_rate: float
    share_rate: float
    save_rate: float
    completion: float  # average share of the video watched, 0..1

    def age_hours(self, as_of: datetime) -> float:
        return max((as_of - self.posted_at).total_seconds() / 3600, 0.0)

    def views(self, as_of: datetime) -> int:
        if as_of < self.posted_at:
            return 0
        return int(self.final_views * (1 - math.exp(-self.age_hours(as_of) / self.tau_hours)))

    def metrics(self, as_of: datetime) -> dict[str, int | float]:
        """Cumulative metrics at ``as_of``; every count is non-decreasing in time."""
        views = self.views(as_of)
        impressions = int(views * 1.35)
        reach = int(views * 0.82)
        return {
            "views": views,
            "likes": int(views * self.like_rate),
            "comments": len(self.comments(as_of)),
            "shares": int(views * self.share_rate),
            "saves": int(views * self.save_rate),
            "impressions": impressions,
            "reach": reach,
            "watch_time_seconds": int(views * self.duration * self.completion),
            "completion_rate": round(self.completion * 100, 2),
        }

    def comments(self, as_of: datetime) -> list[Comment]:
        return [c for c in self._all_comments() if c.created_at <= as_of]

    def _all_comments(self) -> tuple[Comment, ...]:
        return _comments_of(self)


@lru_cache(maxsize=4096)
def _comments_of(post: Post) -> tuple[Comment, ...]:
    r = rng(post.account.platform, post.account.handle, post.seq, "comments")
    total = min(int(post.final_views * post.comment_rate), 40)
    comments: list[Comment] = []
    for seq in range(total):
        delay_h = r.expovariate(1 / 20)
        parent = None
        if comments and r.random() < 0.35:
            parent = r.choice(comments).seq  # replies, and replies to replies
        by_creator = parent is not None and r.random() < 0.3
        created = post.posted_at + timedelta(hours=delay_h)
        if parent is not None:
            parent_at = comments[parent].created_at
            created = max(created, parent_at + timedelta(minutes=5 + r.randint(0, 600)))
        comments.append(
            Comment(
                seq=seq,
                uid=stable_int(post.account.platform, post.account.handle, post.seq, "c", seq),
                parent_seq=parent,
                author=post.account.handle if by_creator else f"fan_{r.randint(1000, 99999)}",
                is_creator=by_creator,
                text=r.choice(CREATOR_REPLIES if by_creator else COMMENT_BANK),
                created_at=created.replace(microsecond=0),
                likes_final=r.randint(0, 250),
            )
        )
    return tuple(comments)


@dataclass(frozen=True)
class Account:
    platform: str
    handle: str

    @property
    def uid(self) -> int:
        return stable_int(self.platform, self.handle, "account")

    @property
    def display_name(self) -> str:
        return self.handle.replace("_", " ").replace(".", " ").title()

    @property
    def _params(self) -> dict[str, float]:
        r = rng(self.platform, self.handle, "params")
        return {
            "base_followers": r.randint(800, 250_000),
            "growth": r.uniform(0.0002, 0.0015),  # per day
            "period_hours": r.uniform(18, 50),  # average time between posts
            "following": r.randint(40, 900),
            "views_scale": r.uniform(0.5, 6.0),
        }

    def followers(self, as_of: datetime) -> int:
        p = self._params
        days = (as_of - EPOCH).total_seconds() / 86400
        wobble = rng(self.platform, self.handle, "wobble", as_of.date().isoformat()).uniform(-0.002, 0.002)
        return max(int(p["base_followers"] * math.exp(p["growth"] * days) * (1 + wobble)), 0)

    def following(self, as_of: datetime) -> int:
        days = int((as_of - EPOCH).total_seconds() // 86400)
        return int(self._params["following"]) + days // 30

    def post(self, seq: int) -> Post:
        return _post_of(self, seq)

    def posts_until(self, as_of: datetime) -> list[Post]:
        """Every post published at or before ``as_of``, newest first."""
        period = self._params["period_hours"]
        hours = (as_of - EPOCH).total_seconds() / 3600
        if hours < 0:
            return []
        last = int(hours // period) + 1
        posts = [self.post(i) for i in range(last + 1)]
        return sorted((p for p in posts if p.posted_at <= as_of), key=lambda p: p.posted_at, reverse=True)

    def demographics(self, as_of: datetime) -> dict[str, object]:
        """Audience shares in percent (each group sums to ~100)."""
        r = rng(self.platform, self.handle, "demo", as_of.date().isoformat())
        base = rng(self.platform, self.handle, "demo-base")
        ages = [base.uniform(2, 10), base.uniform(20, 40), base.uniform(20, 35), base.uniform(8, 18), base.uniform(4, 12)]
        ages = [a * r.uniform(0.97, 1.03) for a in ages]
        total = sum(ages)
        male = base.uniform(30, 65)
        countries = _shares(base, COUNTRIES, 5)
        return {
            "age_13_17": round(ages[0] / total * 100, 2),
            "age_18_24": round(ages[1] / total * 100, 2),
            "age_25_34": round(ages[2] / total * 100, 2),
            "age_35_44": round(ages[3] / total * 100, 2),
            "age_45_plus": round(ages[4] / total * 100, 2),
            "gender_male": round(male, 2),
            "gender_female": round(100 - male - 1.5, 2),
            "top_countries": countries,
            "top_cities": _shares(base, CITIES, 4),
            "top_languages": _shares(base, LANGUAGES, 3),
            "peak_hours": sorted(base.sample(range(24), 3)),
            "peak_days": sorted(base.sample(WEEKDAYS, 2), key=WEEKDAYS.index),
        }


def _shares(r: random.Random, names: tuple[str, ...], k: int) -> dict[str, float]:
    picked = r.sample(names, k)
    weights = sorted((r.uniform(1, 10) for _ in picked), reverse=True)
    total = sum(weights) * 1.25  # the rest of the audience is "other"
    return {name: round(w / total * 100, 2) for name, w in zip(picked, weights)}


@lru_cache(maxsize=65536)
def _post_of(account: Account, seq: int) -> Post:
    p = account._params
    r = rng(account.platform, account.handle, "post", seq)
    posted_at = EPOCH + timedelta(hours=p["period_hours"] * (seq + r.uniform(0.05, 0.95)))
    tags = tuple(dict.fromkeys(r.sample(HASHTAG_POOL, r.randint(0, 4))))
    opener = r.choice(CAPTION_OPENERS)
    caption = opener + (" " + " ".join("#" + t for t in tags) if tags else "")
    kind = r.choices(("video", "image", "carousel", "text"), weights=(6, 2, 1, 1))[0]
    final_views = int(r.lognormvariate(8, 1.2) * p["views_scale"])
    return Post(
        account=account,
        seq=seq,
        uid=stable_int(account.platform, account.handle, "post", seq),
        posted_at=posted_at.replace(microsecond=0),
        kind=kind,
        caption=caption,
        title=f"{opener} ({seq})",
        hashtags=tags,
        duration=r.randint(7, 600) if kind == "video" else 0,
        final_views=final_views,
        tau_hours=r.uniform(8, 72),
        like_rate=r.uniform(0.02, 0.12),
        comment_rate=r.uniform(0.001, 0.01),
        share_rate=r.uniform(0.001, 0.02),
        save_rate=r.uniform(0.001, 0.03),
        completion=r.uniform(0.2, 0.9),
    )


def account(platform: str, handle: str) -> Account:
    return Account(platform, handle.lstrip("@").lower())
