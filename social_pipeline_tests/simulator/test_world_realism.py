"""The demo world looks like real accounts: tags by platform and season, heavy-tailed views,
engagement that differs by platform, format, age and day, all deterministic.

These are distributions of the pure world model (no database involved): each test reads the
numbers the platform simulators would serve and checks their shape with hand-written
expectations (the seasons below are written out here, not read from the vocabulary)."""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from social_pipeline.simulator import world

PLATFORMS = ("tiktok", "instagram", "youtube", "facebook", "linkedin", "twitter", "pinterest", "threads", "bluesky")
HANDLES = tuple(f"creator_{i}" for i in range(8)) + ("demo.creator",)
END = datetime(2026, 12, 5, 23, 59, tzinfo=timezone.utc)


def _posts(platform: str, handle: str, as_of: datetime = END) -> list[world.Post]:
    return world.account(platform, handle).posts_until(as_of)


def _engagement(m: dict) -> int:
    return m["likes"] + m["comments"] + m["shares"] + m["saves"]


def test_no_tag_is_on_all_nine_platforms_and_each_platform_tags_its_own_way():
    tags_by_platform: dict[str, set[str]] = {}
    counts: dict[str, list[int]] = {}
    caption_tagged: dict[str, float] = {}
    for platform in PLATFORMS:
        tags, n, tagged = set(), [], 0
        posts = [p for h in HANDLES for p in _posts(platform, h)]
        for post in posts:
            tags.update(post.hashtags)
            n.append(len(post.hashtags))
            tagged += "#" in post.caption
        tags_by_platform[platform], counts[platform] = tags, n
        caption_tagged[platform] = tagged / len(posts)

    everywhere = set.intersection(*tags_by_platform.values())
    assert everywhere == set(), everywhere
    assert {"fyp", "foryou"} <= tags_by_platform["tiktok"]
    elsewhere = set().union(*(tags for platform, tags in tags_by_platform.items() if platform != "tiktok"))
    assert not {"fyp", "foryou", "foryoupage"} & elsewhere
    assert "dataengineering" not in tags_by_platform["tiktok"] | tags_by_platform["instagram"]
    assert "dataengineering" in tags_by_platform["linkedin"]
    assert {"reels", "instagood"} <= tags_by_platform["instagram"]
    assert "leadership" in tags_by_platform["linkedin"] and "leadership" not in tags_by_platform["tiktok"]
    # How many tags a post carries: many on Instagram, few on LinkedIn and X, one at most on Threads.
    mean = {p: statistics.fmean(c) for p, c in counts.items()}
    assert mean["instagram"] > 4 and mean["tiktok"] > 3
    assert mean["linkedin"] < 2.5 and mean["twitter"] < 1
    assert max(counts["threads"]) <= 1 and max(counts["twitter"]) <= 2 and max(counts["linkedin"]) <= 3
    # YouTube: keywords in snippet.tags, the description seldom carries a hashtag.
    assert mean["youtube"] > 3 and caption_tagged["youtube"] < 0.6 < caption_tagged["instagram"]
    # Accounts are about different things: more than one niche per platform.
    assert all(len({world.account(p, h).niche for h in HANDLES}) >= 2 for p in PLATFORMS)


# (tag prefix, is the day in season); dated tags must also end with the post's own year.
SEASONS = {
    "summer2": lambda d: 6 <= d.month <= 8,
    "summervibes": lambda d: 6 <= d.month <= 8,
    "christmas": lambda d: d.month == 12 and d.day <= 26,
    "holidays": lambda d: d.month == 12,
    "blackfriday": lambda d: d.month == 11 and d.day >= 20,
    "cybermonday": lambda d: (d.month == 11 and d.day >= 25) or (d.month == 12 and d.day <= 3),
    "newyearnewme": lambda d: d.month == 1 and d.day <= 14,
    "newyear": lambda d: (d.month == 12 and d.day >= 28) or (d.month == 1 and d.day <= 7),
    "backtoschool": lambda d: (d.month == 8 and d.day >= 10) or (d.month == 9 and d.day <= 15),
    "halloween": lambda d: d.month == 10,
    "valentinesday": lambda d: d.month == 2 and d.day <= 14,
    "worldcup": lambda d: d.year == 2026 and (6, 1) <= (d.month, d.day) <= (7, 31),
    "wrapped": lambda d: (d.month == 11 and d.day >= 25) or (d.month == 12 and d.day <= 20),
    "yearinreview": lambda d: d.month == 12,
}


def test_seasonal_tags_only_in_their_season_and_with_the_posts_year():
    seen: dict[str, set[int]] = {}
    for platform in PLATFORMS:
        for handle in HANDLES:
            for post in _posts(platform, handle):
                day = post.posted_at.date()
                for tag in post.hashtags:
                    if tag[-4:].isdigit() and tag[-4:].startswith("20"):
                        assert int(tag[-4:]) == day.year, (platform, tag, day)
                    for prefix, in_season in SEASONS.items():
                        if tag.startswith(prefix):
                            assert in_season(day), (platform, tag, day)
                            seen.setdefault(prefix, set()).add(day.year)
                            break
    # The seasons do come round, each year with its own dated tag.
    assert seen["summer2"] == {2024, 2025, 2026}
    assert {"christmas", "blackfriday", "newyear", "backtoschool", "halloween"} <= set(seen)
    assert seen["worldcup"] == {2026}
    # And the December 2026 feed carries no tag of a past summer.
    december = [t for p in PLATFORMS for h in HANDLES for post in _posts(p, h)
                if post.posted_at >= datetime(2026, 12, 1, tzinfo=timezone.utc) for t in post.hashtags]
    assert december and not [t for t in december if t.startswith("summer")]
    assert any(t in ("christmas", "holidays") for t in december)


def _mature_rate(platform: str) -> float:
    """Engagement per view of an account's posts 30-90 days old (they have settled), averaged."""
    rates = []
    for handle in HANDLES:
        for post in _posts(platform, handle):
            age = (END - post.posted_at).days
            if 30 <= age <= 90:
                m = post.metrics(END)
                if m["views"] >= 100:
                    rates.append(_engagement(m) / m["views"])
    return statistics.fmean(rates)


def test_engagement_rate_differs_by_platform_by_a_real_margin():
    rate = {p: _mature_rate(p) for p in ("tiktok", "instagram", "youtube", "facebook", "twitter", "linkedin")}
    assert rate["tiktok"] > 2 * rate["twitter"] and rate["tiktok"] > 2 * rate["facebook"], rate
    assert rate["instagram"] > 1.5 * rate["facebook"] and rate["instagram"] > 1.5 * rate["linkedin"], rate
    assert rate["twitter"] < rate["youtube"] < rate["tiktok"], rate
    spread = max(rate.values()) / min(rate.values())
    assert spread > 3, rate


def test_engagement_depends_on_format_and_age():
    # Instagram carousels are liked and saved more per view than reels.
    by_kind: dict[str, list[float]] = {}
    for handle in HANDLES:
        for post in _posts("instagram", handle):
            by_kind.setdefault(post.kind, []).append(post.like_rate + post.save_rate)
    assert statistics.fmean(by_kind["carousel"]) > 1.2 * statistics.fmean(by_kind["video"])
    # A young post's engagement rate is higher than the rate it settles to (likes saturate first).
    post = next(p for p in _posts("tiktok", "demo.creator") if p.final_views > 50_000)
    young = post.metrics(post.posted_at + timedelta(hours=3))
    old = post.metrics(post.posted_at + timedelta(days=60))
    assert young["views"] > 0
    assert young["likes"] / young["views"] > 1.2 * old["likes"] / old["views"]


def test_an_accounts_daily_engagement_rate_moves_from_day_to_day():
    acct = world.account("instagram", "demo.creator")
    daily = []
    for offset in range(30):
        start = datetime(2026, 10, 1, 23, 59, tzinfo=timezone.utc) + timedelta(days=offset)
        end = start + timedelta(days=1)
        views = engaged = 0
        for post in acct.posts_until(end):
            before, after = post.metrics(start), post.metrics(end)
            views += after["views"] - before["views"]
            engaged += _engagement(after) - _engagement(before)
        daily.append(100 * engaged / views)
    assert max(daily) - min(daily) > 1.0, daily  # percentage points
    assert statistics.pstdev(daily) / statistics.fmean(daily) > 0.08, daily
    assert len({round(r, 2) for r in daily}) >= 25  # not a flat line


def test_views_are_heavy_tailed_with_occasional_viral_posts():
    year = [p for p in _posts("tiktok", "demo.creator") if p.posted_at.year == 2025]
    views = [p.final_views for p in year]
    median = statistics.median(views)
    assert max(views) / median > 20, (max(views), median)
    assert sum(v > 10 * median for v in views) >= 1
    # Across accounts: a few percent of posts far above their account's median, not most.
    above, total = 0, 0
    for platform in PLATFORMS:
        for handle in HANDLES:
            v = [p.final_views for p in _posts(platform, handle) if p.posted_at.year == 2025]
            m = statistics.median(v)
            above += sum(x > 10 * m for x in v)
            total += len(v)
    assert 0.005 < above / total < 0.05, (above, total)
    # Views scale with followers: the biggest account's median dwarfs the smallest's.
    medians = {h: statistics.median(p.final_views for p in _posts("instagram", h)) for h in HANDLES}
    followers = {h: world.account("instagram", h).followers(END) for h in HANDLES}
    big, small = max(followers, key=followers.get), min(followers, key=followers.get)
    assert medians[big] > 3 * medians[small], (medians, followers)


def test_curves_are_fast_on_tiktok_and_x_and_long_on_youtube_and_pinterest():
    def share_after_a_week(platform: str) -> float:
        shares = []
        for handle in HANDLES:
            for post in _posts(platform, handle)[200:260]:
                final = post.views(post.posted_at + timedelta(days=3650))
                if final:
                    shares.append(post.views(post.posted_at + timedelta(days=7)) / final)
        return statistics.fmean(shares)

    fast = min(share_after_a_week("tiktok"), share_after_a_week("twitter"))
    slow = max(share_after_a_week("youtube"), share_after_a_week("pinterest"))
    assert fast > 0.85 and slow < 0.7 and fast - slow > 0.25, (fast, slow)


def test_counts_never_decrease_and_followers_jump_after_a_viral_post():
    acct = world.account("tiktok", "creator_3")
    posts = acct.posts_until(END)
    assert [p.posted_at for p in posts] == sorted((p.posted_at for p in posts), reverse=True)
    for post in posts[100:140]:
        previous = None
        for hours in (0, 1, 2, 5, 12, 24, 48, 96, 300, 1000, 5000):
            m = post.metrics(post.posted_at + timedelta(hours=hours))
            if previous:
                assert all(m[k] >= previous[k] for k in ("views", "likes", "comments", "shares", "saves")), (post.seq, hours)
            previous = m
    viral = next(p for p in reversed(posts) if p.viral and p.posted_at > datetime(2025, 1, 1, tzinfo=timezone.utc))
    before, after = acct.followers(viral.posted_at - timedelta(hours=1)), acct.followers(viral.posted_at + timedelta(days=5))
    organic = acct._organic_followers(viral.posted_at + timedelta(days=5)) / acct._organic_followers(viral.posted_at)
    assert after / before > organic + 0.005, (before, after, organic)


_DIGEST = """
import hashlib, json, sys
from datetime import datetime, timezone
from social_pipeline.simulator import world
as_of = datetime(2026, 11, 20, 23, 59, tzinfo=timezone.utc)
rows = []
for platform in ("tiktok", "linkedin", "youtube"):
    acct = world.account(platform, "demo.creator")
    rows.append([acct.niche, acct.language, acct.followers(as_of)])
    for post in acct.posts_until(as_of)[:40]:
        rows.append([post.uid, post.caption, post.title, list(post.hashtags), post.kind, post.metrics(as_of)])
print(hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest())
"""


def test_same_inputs_give_the_same_world_in_two_processes():
    env = {**os.environ}
    digests = set()
    for seed in ("1", "2"):
        env["PYTHONHASHSEED"] = seed  # Python's own hash differs; the world must not
        out = subprocess.run([sys.executable, "-c", _DIGEST], env=env, capture_output=True, text=True, check=True)
        digests.add(out.stdout.strip())
    namespace: dict = {}
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(_DIGEST, "<digest>", "exec"), namespace)
    digests.add(buffer.getvalue().strip())
    assert len(digests) == 1 and len(next(iter(digests))) == 64, digests
    # And twice in one process, past the caches.
    world._post_of.cache_clear()
    acct = world.account("instagram", "creator_1")
    first = [(p.caption, p.hashtags, p.final_views, p.like_rate) for p in acct.posts_until(END)[:50]]
    world._post_of.cache_clear()
    assert first == [(p.caption, p.hashtags, p.final_views, p.like_rate) for p in acct.posts_until(END)[:50]]
