"""A deterministic model of creators' accounts, posts, metrics and comments.

Everything is a pure function of (platform, handle, moment), so a backfill of any past day
gives the same numbers however often it runs. Platform simulators render this model into
each platform's documented JSON; nothing here knows a platform's response format.

Behaviour meant to look like real accounts:
- each account has a niche (cooking, fitness, tech, data, ...) drawn from its handle and the
  platform, and writes captions from that niche's vocabulary (:mod:`.vocabulary`), some in
  other languages; each platform tags its own way (#fyp on TikTok, few professional tags on
  LinkedIn, keywords rather than hashtags on YouTube) and seasonal tags appear only in their
  season, dated ones with the post's own year (#summer2026 in June-August 2026);
- followers grow smoothly with a small daily wobble (and can dip), plus a bump after a viral post;
- views are heavy-tailed: a lognormal body around a median scaled by the account's followers,
  and 1-2 % of posts go viral (10-100x the median); a post's views follow a saturating curve
  (fast, plus a slow long tail whose size depends on the platform), so views, likes and
  comments only ever grow for a given post;
- engagement differs by platform, format and post, and saturates faster than views (an early
  view is likelier to be liked), so an account's daily engagement rate moves from day to day;
- comments arrive over time and include replies and replies to replies, some written by the
  creator.

Invariants: every value is a pure function of its inputs; a post's counts never decrease;
``posts_until`` is newest first; uids are stable.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from social_pipeline.simulator import audience, comment_text, vocabulary

EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)

# The audience's geography and languages live in audience.py (home markets, nested cities, drift).
COUNTRIES = audience.COUNTRY_CODES
CITIES = audience.CITIES  # "City, Country"
LANGUAGES = audience.LANGUAGES
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class PlatformModel:
    """How content behaves on one platform. The rates are ballparks in the range industry
    benchmark reports quote (per view or impression; TikTok and Instagram highest, X, Facebook
    and Pinterest lowest, YouTube in between), not measurements."""

    kinds: tuple[tuple[str, int], ...]  # formats with relative weights
    reach: float  # a typical post's views as a share of followers
    fast_hours: tuple[float, float]  # time constant of the first wave of views
    tail_hours: tuple[float, float]  # time constant of the long tail
    tail_share: tuple[float, float]  # share of a post's views that come in the long tail
    like: float  # likes per view
    comment: float  # comments per view (capped per post, see _comments_of)
    share: float  # shares (reposts, retweets) per view
    save: float  # saves (bookmarks, pins) per view
    durations: tuple[int, int]  # video length in seconds


PLATFORM_MODELS: dict[str, PlatformModel] = {
    "tiktok": PlatformModel((("video", 9), ("carousel", 1)), 0.35, (3, 18), (150, 500), (0.05, 0.15),
                            0.060, 0.0015, 0.006, 0.007, (8, 180)),
    "instagram": PlatformModel((("video", 5), ("image", 3), ("carousel", 3)), 0.30, (6, 24), (200, 700), (0.08, 0.2),
                               0.045, 0.0015, 0.004, 0.008, (7, 90)),
    "youtube": PlatformModel((("video", 1),), 0.12, (24, 96), (1500, 5000), (0.35, 0.6),
                             0.032, 0.0010, 0.002, 0.001, (20, 1500)),
    "facebook": PlatformModel((("video", 3), ("image", 4), ("carousel", 1), ("text", 2)), 0.06, (4, 20), (100, 400),
                              (0.03, 0.1), 0.014, 0.0008, 0.004, 0.001, (15, 600)),
    "linkedin": PlatformModel((("text", 5), ("image", 3), ("carousel", 2), ("video", 1)), 0.10, (8, 30), (150, 500),
                              (0.05, 0.12), 0.018, 0.0020, 0.002, 0.001, (30, 300)),
    "twitter": PlatformModel((("text", 6), ("image", 3), ("video", 2)), 0.12, (1, 5), (48, 200), (0.02, 0.08),
                             0.008, 0.0010, 0.002, 0.001, (10, 140)),
    "pinterest": PlatformModel((("image", 7), ("video", 2), ("carousel", 1)), 0.40, (24, 96), (2000, 8000),
                               (0.5, 0.75), 0.006, 0.0002, 0.001, 0.020, (6, 60)),
    "threads": PlatformModel((("text", 6), ("image", 3), ("carousel", 1), ("video", 1)), 0.10, (2, 10), (72, 300),
                             (0.03, 0.1), 0.035, 0.0020, 0.002, 0.001, (5, 60)),
    "bluesky": PlatformModel((("text", 7), ("image", 3), ("video", 1)), 0.08, (2, 10), (72, 300), (0.03, 0.1),
                             0.040, 0.0020, 0.003, 0.001, (5, 60)),
}
# How the format changes each rate relative to the platform's (carousels are saved, videos shared).
FORMAT_LIFT: dict[str, dict[str, float]] = {
    "video": {"views": 1.0, "like": 1.0, "share": 1.25, "save": 1.0},
    "image": {"views": 0.7, "like": 1.15, "share": 0.8, "save": 1.3},
    "carousel": {"views": 0.85, "like": 1.35, "share": 1.0, "save": 2.0},
    "text": {"views": 0.6, "like": 0.9, "share": 1.0, "save": 0.5},
}
VIRAL_PER_MILLE = 18  # 1.8 % of posts go viral
ENGAGEMENT_SPEEDUP = 0.55  # likes and shares saturate this much faster than views


def _platform_model(platform: str) -> PlatformModel:
    return PLATFORM_MODELS.get(platform, PLATFORM_MODELS["instagram"])


def _is_viral(platform: str, handle: str, seq: int) -> bool:
    """Whether post ``seq`` goes viral: read off its uid's hash, so deciding costs no extra draw."""
    return _post_uid(platform, handle, seq) % 1000 < VIRAL_PER_MILLE


def _post_uid(platform: str, handle: str, seq: int) -> int:
    return stable_int(platform, handle, "post", seq)


def _saturation(hours: float, fast: float, tail: float, tail_share: float) -> float:
    """Share of a post's final count reached after ``hours``: 0 at 0, rising to 1, never falling."""
    return (1 - tail_share) * (1 - math.exp(-hours / fast)) + tail_share * (1 - math.exp(-hours / tail))


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
    tail_hours: float = 1.0  # time constant of the long tail of views (tau_hours: the first wave)
    tail_share: float = 0.0  # share of the final views that arrive in the long tail
    viral: bool = False
    niche: str = ""  # the account's niche (vocabulary.NICHES), read by the comment generator

    def age_hours(self, as_of: datetime) -> float:
        return max((as_of - self.posted_at).total_seconds() / 3600, 0.0)

    def views(self, as_of: datetime) -> int:
        if as_of < self.posted_at:
            return 0
        return int(self.final_views * _saturation(self.age_hours(as_of), self.tau_hours, self.tail_hours, self.tail_share))

    def metrics(self, as_of: datetime) -> dict[str, int | float]:
        """Cumulative metrics at ``as_of``; every count is non-decreasing in time. Likes and
        shares follow a faster curve than views, so a young post's engagement rate is higher
        than the rate it settles to."""
        views = self.views(as_of)
        impressions = int(views * 1.35)
        reach = int(views * 0.82)
        engaged = 0.0
        if as_of >= self.posted_at:
            hours = self.age_hours(as_of)
            engaged = self.final_views * _saturation(
                hours, self.tau_hours * ENGAGEMENT_SPEEDUP, self.tail_hours * ENGAGEMENT_SPEEDUP, self.tail_share)
        return {
            "views": views,
            "likes": min(int(engaged * self.like_rate), views),
            "comments": len(self.comments(as_of)),
            "shares": min(int(engaged * self.share_rate), views),
            # Saves keep pace with views: Pinterest's simulator serves its daily SAVE series as
            # views x save_rate, and a Pin's lifetime saves must equal the sum of those days.
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
                text=comment_text.text(r, post, by_creator=by_creator,
                                       reply_to=comments[parent].text if parent is not None else None),
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
        return _params_of(self)

    @property
    def niche(self) -> str:
        """What the account posts about (a key of ``vocabulary.NICHES``)."""
        return _niche_of(self)

    @property
    def language(self) -> str:
        """The language the creator writes captions in (same creator, same language everywhere)."""
        return _language_of(self.handle)

    def _organic_followers(self, as_of: datetime) -> float:
        p = self._params
        days = (as_of - EPOCH).total_seconds() / 86400
        return p["base_followers"] * math.exp(p["growth"] * days)

    def followers(self, as_of: datetime) -> int:
        wobble = rng(self.platform, self.handle, "wobble", as_of.date().isoformat()).uniform(-0.002, 0.002)
        hours = (as_of - EPOCH).total_seconds() / 3600
        bumps = 0.0
        if hours > 0:
            # Followers won by viral posts arrive over the days after the post took off.
            last_block = (int(hours // self._params["period_hours"]) + 1) // _VIRAL_BLOCK
            for block in range(last_block + 1):
                for posted_hours, gain in _viral_gains(self, block):
                    if posted_hours < hours:
                        bumps += gain * (1 - math.exp(-(hours - posted_hours) / 36))
        return max(int((self._organic_followers(as_of) + bumps) * (1 + wobble)), 0)

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
        """The audience on ``as_of``'s day in percent (see :mod:`.audience`): ages and genders by
        platform, countries around a home market (top five covering ~55-95 %), cities nested in
        their countries, languages from the countries, all drifting slowly from day to day."""
        return audience.demographics(self.platform, self.handle, as_of)


@lru_cache(maxsize=65536)
def _params_of(account: Account) -> dict[str, float]:
    r = rng(account.platform, account.handle, "params")
    params = {
        "base_followers": r.randint(800, 250_000),
        "growth": r.uniform(0.0002, 0.0015),  # per day
        "period_hours": r.uniform(18, 50),  # average time between posts
        "following": r.randint(40, 900),
        "views_scale": r.uniform(0.5, 6.0),  # kept so the draws above keep their values
    }
    params["reach_scale"] = r.lognormvariate(0, 0.45)  # this account's reach against the platform's
    params["views_sigma"] = r.uniform(0.6, 1.0)  # spread of the lognormal body of views
    params["like_scale"] = r.lognormvariate(0, 0.25)  # how engaged this account's audience is
    params["conversion"] = r.uniform(0.0005, 0.002)  # followers won per view of a viral post
    return params


@lru_cache(maxsize=65536)
def _niche_of(account: Account) -> str:
    """The creator's niche follows the handle across platforms when the platform has it, else
    the platform's own mix (no cooking page on LinkedIn)."""
    everywhere: dict[str, int] = {}
    for weights in vocabulary.PLATFORM_NICHES.values():
        for name, weight in weights.items():
            everywhere[name] = everywhere.get(name, 0) + weight
    names = sorted(everywhere)
    preferred = rng(account.handle, "niche").choices(names, weights=[everywhere[n] for n in names])[0]
    here = vocabulary.PLATFORM_NICHES.get(account.platform, vocabulary.PLATFORM_NICHES["instagram"])
    if preferred in here:
        return preferred
    local = sorted(here)
    return rng(account.platform, account.handle, "niche").choices(local, weights=[here[n] for n in local])[0]


@lru_cache(maxsize=65536)
def _language_of(handle: str) -> str:
    return rng(handle, "language").choices(vocabulary.ACCOUNT_LANGUAGES, weights=vocabulary.ACCOUNT_LANGUAGE_WEIGHTS)[0]


_VIRAL_BLOCK = 128


@lru_cache(maxsize=65536)
def _viral_gains(account: Account, block: int) -> tuple[tuple[float, float], ...]:
    """(hours since EPOCH, followers won) of the viral posts numbered in ``block``."""
    gains = []
    for seq in range(block * _VIRAL_BLOCK, (block + 1) * _VIRAL_BLOCK):
        if _is_viral(account.platform, account.handle, seq):
            post = _post_of(account, seq)
            hours = (post.posted_at - EPOCH).total_seconds() / 3600
            gains.append((hours, post.final_views * account._params["conversion"]))
    return tuple(gains)


@lru_cache(maxsize=16)
def _not_video(openers: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(o for o in openers if not any(w in o.casefold() for w in ("video", "vídeo", "vidéo")))


def _caption(account: Account, niche_name: str, r: random.Random, kind: str, duration: int,
             day: date) -> tuple[str, str, tuple[str, ...]]:
    """(caption, title, hashtags) of one post: an opener and a topic phrase from the niche's
    vocabulary, sometimes a call to action, then tags the way the platform tags."""
    niche = vocabulary.NICHES[niche_name]
    culture = vocabulary.TAG_CULTURE.get(account.platform, vocabulary.TAG_CULTURE["instagram"])
    language = account.language
    n, k = r.choice((2, 3, 3, 5, 5, 7, 10, 12, 15, 30)), r.randint(2, 4)
    local = vocabulary.TOPICS_I18N.get(language, {}).get(niche_name)
    if local and r.random() < 0.85:
        openers, topic = vocabulary.OPENERS[language], r.choice(local)
    else:
        language = "en"
        openers, topic = vocabulary.OPENERS["en"], r.choice(niche["topics"])
    opener = r.choice(openers if kind == "video" else _not_video(openers))  # "New video is up" on videos only
    if language == "en":
        topic += r.choice(vocabulary.TOPIC_SUFFIXES)
    topic = topic.format(n=n, k=k, ep=r.randint(2, 240), year=day.year)
    opener = opener.format(n=n, k=k)
    text = f"{opener} {topic}" if opener else topic[:1].upper() + topic[1:]
    title = topic[:1].upper() + topic[1:]
    ending = r.choice(vocabulary.CALLS_TO_ACTION.get(account.platform, ("",))) if language == "en" else ""
    emoji = r.choice(vocabulary.EMOJI)
    text = " ".join(part for part in (text + (" " + emoji if emoji else ""), ending) if part)

    # Tags: the niche's (in the platform's register), the platform's own, a season's, a language's.
    pool = niche.get(culture.source) or niche["tags"]
    count = r.choice(culture.counts)
    tags: list[str] = []
    for _ in range(count):
        if culture.platform_tags and r.random() < culture.platform_share:
            tags.append(r.choice(culture.platform_tags))
        else:
            tags.append(r.choice(pool))
    seasonal = vocabulary.seasonal_tags(account.platform, day)
    if seasonal and r.random() < 0.45:
        tags.insert(r.randint(0, len(tags)), r.choice(seasonal))
    if language != "en" and culture.source == "tags" and r.random() < 0.6:
        tags.append(r.choice(vocabulary.LANGUAGE_TAGS[language]))
    tags = list(dict.fromkeys(tags))
    if max(culture.counts) <= 3:  # sparse taggers stay sparse (Threads: one topic tag per post)
        tags = tags[: max(culture.counts)]
    if culture.in_caption:
        caption_tags = tags
    else:  # YouTube: keywords in snippet.tags; the description rarely carries a hashtag
        caption_tags = []
        if 0 < duration <= 60 and r.random() < 0.6:
            caption_tags.append("shorts")
        if r.random() < vocabulary.YOUTUBE_CAPTION_TAG_SHARE and tags:
            caption_tags.append(tags[0])
        if seasonal and r.random() < 0.3:
            caption_tags.append(r.choice(seasonal))
        caption_tags = list(dict.fromkeys(caption_tags))
        tags = list(dict.fromkeys(caption_tags + tags))
    caption = text + (" " + " ".join("#" + t for t in caption_tags) if caption_tags else "")
    return caption, title, tuple(tags)


@lru_cache(maxsize=65536)
def _post_of(account: Account, seq: int) -> Post:
    p = account._params
    model = _platform_model(account.platform)
    r = rng(account.platform, account.handle, "post", seq)
    posted_at = (EPOCH + timedelta(hours=p["period_hours"] * (seq + r.uniform(0.05, 0.95)))).replace(microsecond=0)
    kinds, weights = zip(*model.kinds)
    kind = r.choices(kinds, weights=weights)[0]
    duration = 0
    if kind == "video":
        low, high = model.durations
        duration = int(math.exp(r.uniform(math.log(low), math.log(high))))  # short videos are common
    niche = account.niche
    caption, title, tags = _caption(account, niche, r, kind, duration, posted_at.date())
    lift = FORMAT_LIFT[kind]

    # Views: a lognormal body around a median that scales with followers, plus rare viral posts.
    uid = _post_uid(account.platform, account.handle, seq)
    viral = uid % 1000 < VIRAL_PER_MILLE  # as _is_viral
    median = max(account._organic_followers(posted_at) * model.reach * p["reach_scale"] * lift["views"], 20.0)
    final_views = median * r.lognormvariate(0, p["views_sigma"])
    if viral:
        final_views = max(final_views, median) * math.exp(r.uniform(math.log(10), math.log(100)))

    # Engagement: the platform's ballpark, the format's lift, the audience's, and the post's own luck.
    noise = p["like_scale"] * r.lognormvariate(0, 0.35) * (0.75 if viral else 1.0)
    completion = min(0.95, max(0.08, r.uniform(0.35, 0.9) - (duration / 3000 if duration else 0)))
    return Post(
        account=account,
        seq=seq,
        uid=uid,
        posted_at=posted_at,
        kind=kind,
        caption=caption,
        title=title,
        hashtags=tags,
        duration=duration,
        final_views=int(final_views),
        tau_hours=r.uniform(*model.fast_hours),
        like_rate=model.like * lift["like"] * noise,
        comment_rate=model.comment * r.lognormvariate(0, 0.4),
        share_rate=model.share * lift["share"] * noise * r.lognormvariate(0, 0.3),
        save_rate=model.save * lift["save"] * noise * r.lognormvariate(0, 0.3),
        completion=completion,
        tail_hours=r.uniform(*model.tail_hours),
        tail_share=r.uniform(*model.tail_share),
        viral=viral,
        niche=niche,
    )


def account(platform: str, handle: str) -> Account:
    return Account(platform, handle.lstrip("@").lower())
