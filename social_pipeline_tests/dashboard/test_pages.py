"""Each page against hand-written SQL on the seeded history: the numbers shown, the filters, the
CSV exports, and "not reported by <Platform>" for an unknown value."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import psycopg
import pytest

from social_pipeline_tests.dashboard.conftest import csv_frame, open_app, show

TODAY = datetime.now(timezone.utc).date()
START = TODAY - timedelta(days=29)


def one(url: str, query: str, params=()):
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchone()


def followers_sum(url: str, platforms: list[str] | None = None, accounts: list[str] | None = None) -> int:
    """Each account's newest reported followers_count up to today, summed."""
    return one(url, """
        SELECT sum(x.f) FROM social_accounts a
        CROSS JOIN LATERAL (SELECT s.followers_count AS f FROM social_analytics_snapshots s
                            WHERE s.social_account_id = a.id AND s.followers_count IS NOT NULL AND s.snapshot_date <= %s
                            ORDER BY s.snapshot_date DESC LIMIT 1) x
        WHERE (%s::text[] IS NULL OR a.platform = ANY(%s::text[])) AND (%s::uuid[] IS NULL OR a.id = ANY(%s::uuid[]))
    """, (TODAY, platforms, platforms, accounts, accounts))[0]


def posts_in(url: str, start: date, end: date, platforms=None, accounts=None):
    """(posts, summed views) of the posts published from start to end (UTC days, inclusive)."""
    return one(url, """
        SELECT count(*), sum(pp.current_views) FROM social_post_performance pp
        WHERE pp.posted_at >= %s AND pp.posted_at < %s
          AND (%s::text[] IS NULL OR pp.platform = ANY(%s::text[]))
          AND (%s::uuid[] IS NULL OR pp.social_account_id = ANY(%s::uuid[]))
    """, (start, end + timedelta(days=1), platforms, platforms, accounts, accounts))


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_overview_numbers_match_the_tables(seeded_url, monkeypatch, downloads):
    at = show(open_app(seeded_url, monkeypatch), "overview")
    assert metric(at, "Followers") == f"{followers_sum(seeded_url):,}"
    change = one(seeded_url, """
        SELECT sum(n.f - b.f) FROM social_accounts a
        CROSS JOIN LATERAL (SELECT s.followers_count AS f FROM social_analytics_snapshots s WHERE s.social_account_id = a.id
                            AND s.followers_count IS NOT NULL AND s.snapshot_date <= %s ORDER BY s.snapshot_date DESC LIMIT 1) n
        CROSS JOIN LATERAL (SELECT s.followers_count AS f FROM social_analytics_snapshots s WHERE s.social_account_id = a.id
                            AND s.followers_count IS NOT NULL AND s.snapshot_date < %s ORDER BY s.snapshot_date DESC LIMIT 1) b
    """, (TODAY, START))[0]
    assert next(m for m in at.metric if m.label == "Followers").delta == f"{change:+,}"
    posts, views = posts_in(seeded_url, START, TODAY)
    assert posts > 50 and views > 0
    assert metric(at, "Posts") == f"{posts:,}"
    assert metric(at, "Views") == f"{views:,}"
    impressions, with_impressions = one(seeded_url, "SELECT sum(current_impressions), count(current_impressions) "
                                        "FROM social_post_performance WHERE posted_at >= %s AND posted_at < %s",
                                        (START, TODAY + timedelta(days=1)))
    assert 0 < with_impressions < posts  # apart from views: not every platform counts impressions
    assert metric(at, "Impressions") == f"{impressions:,}"
    assert any(c.value.startswith(f"from {with_impressions:,} of {posts:,} posts") for c in at.caption)
    prev_posts, _ = posts_in(seeded_url, START - timedelta(days=30), START - timedelta(days=1))
    assert next(m for m in at.metric if m.label == "Posts").delta == f"{posts - prev_posts:+,}"
    # Views are not reported by every platform: the headline says from how many posts.
    reported = one(seeded_url, "SELECT count(current_views) FROM social_post_performance "
                   "WHERE posted_at >= %s AND posted_at < %s", (START, TODAY + timedelta(days=1)))[0]
    assert any(f"from {reported:,} of {posts:,} posts" in c.value and "not reported by Bluesky, LinkedIn" in c.value
               for c in at.caption), [c.value for c in at.caption]

    # The top post: the most viewed post published in the period.
    top_views, top_url = one(seeded_url, """
        SELECT current_views, post_url FROM social_post_performance WHERE posted_at >= %s AND posted_at < %s
        ORDER BY current_views DESC NULLS LAST, engagement_rate DESC NULLS LAST, post_id LIMIT 1""",
        (START, TODAY + timedelta(days=1)))
    table = at.dataframe[0].value
    assert table["views"].iloc[0] == f"{top_views:,}"
    assert table["post_url"].iloc[0] == top_url
    exported = csv_frame(downloads, "top_posts")
    assert exported["post_url"].tolist() == table["post_url"].tolist()
    assert int(exported["current_views"].iloc[0]) == top_views
    # Each top post's picture is the image the platform gave for it (thumbnail_url).
    with psycopg.connect(seeded_url) as conn:
        pictures = dict(conn.execute("SELECT post_url, thumbnail_url FROM social_posts_analytics "
                                     "WHERE post_url = ANY(%s)", (table["post_url"].tolist(),)).fetchall())
    assert [None if pd.isna(t) else t for t in table["thumbnail"]] == [pictures[u] for u in table["post_url"]]
    assert all(pictures.values())

    # Followers over time: one line per account (12 < 10 largest cap), every day of the period.
    growth = csv_frame(downloads, "followers_over_time")
    assert growth["account"].nunique() == 10
    assert growth["snapshot_date"].nunique() == one(
        seeded_url, "SELECT count(DISTINCT snapshot_date) FROM social_analytics_snapshots WHERE snapshot_date "
        "BETWEEN %s AND %s", (START, TODAY))[0] == 29  # the seed's days end yesterday
    best = csv_frame(downloads, "best_time_to_post")
    assert int(best["posts"].sum()) == one(
        seeded_url, "SELECT count(*) FROM social_post_performance WHERE post_kind IN ('original', 'quote') "
        "AND posted_at >= %s AND posted_at < %s", (START, TODAY + timedelta(days=1)))[0]
    # A cell as the view social_best_time_to_post computes it, for the period's posts.
    cell = best.sort_values(["posts", "weekday", "hour_utc"], ascending=[False, True, True]).iloc[0]
    posts, rate = one(seeded_url, """
        SELECT count(*), round(avg(engagement_rate), 2) FROM social_post_performance
        WHERE post_kind IN ('original', 'quote') AND posted_at >= %s AND posted_at < %s
          AND extract(isodow FROM posted_at) = %s AND extract(hour FROM posted_at) = %s""",
        (START, TODAY + timedelta(days=1), int(cell["weekday"]), int(cell["hour_utc"])))
    assert (int(cell["posts"]), float(cell["avg_engagement_rate"])) == (posts, float(rate))
    assert cell["confidence"] == ("high" if posts >= 10 else "medium" if posts >= 4 else "low")


def test_filters_change_what_is_shown(seeded_url, monkeypatch):
    at = show(open_app(seeded_url, monkeypatch), "overview")
    everyone = metric(at, "Followers")
    at.multiselect(key="filter_platforms").set_value(["tiktok", "youtube"]).run()
    assert not at.exception
    tiktok_youtube = followers_sum(seeded_url, ["tiktok", "youtube"])
    assert metric(at, "Followers") == f"{tiktok_youtube:,}" != everyone
    posts, _ = posts_in(seeded_url, START, TODAY, platforms=["tiktok", "youtube"])
    assert metric(at, "Posts") == f"{posts:,}"

    account = one(seeded_url, "SELECT id::text FROM social_accounts WHERE platform = 'youtube' ORDER BY handle LIMIT 1")[0]
    at.multiselect(key="filter_accounts").set_value([account]).run()
    assert metric(at, "Followers") == f"{followers_sum(seeded_url, accounts=[account]):,}"
    week = (TODAY - timedelta(days=6), TODAY)
    at.date_input(key="filter_dates").set_value(week).run()
    posts, views = posts_in(seeded_url, *week, accounts=[account])
    assert metric(at, "Posts") == f"{posts:,}"
    assert metric(at, "Views") == f"{views:,}"

    # The filters hold on another page.
    show(at, "posts")
    assert f"{posts:,} posts" in [c.value for c in at.caption]
    assert len(at.dataframe[0].value) == posts


def test_posts_table_export_and_growth_curve(seeded_url, monkeypatch, downloads):
    at = show(open_app(seeded_url, monkeypatch), "posts")
    posts, _ = posts_in(seeded_url, START, TODAY)
    shown = at.dataframe[0].value
    assert len(shown) == posts  # under the 500 cap at this size
    exported = csv_frame(downloads, "posts")
    assert len(exported) == posts
    assert exported["post_url"].tolist() == shown["post_url"].tolist()
    # The sparkline of the newest post with views: its daily views in day order.
    row = exported.dropna(subset=["current_views"]).iloc[0]
    daily = one(seeded_url, "SELECT array_agg(views_count ORDER BY snapshot_date) FROM social_post_metrics "
                "WHERE post_id = %s AND snapshot_hour IS NULL AND views_count IS NOT NULL", (int(row["post_id"]),))[0]
    assert row["views_trend"] == " ".join(map(str, daily))
    assert int(row["current_views"]) == daily[-1]

    # Growth curve of the default post (the most viewed): its daily rows at the end of each day.
    post_id = at.selectbox(key="curve_post").value
    curve = csv_frame(downloads, "post_growth_curve")
    own = curve.dropna(subset=["this_post"])
    views = one(seeded_url, """
        SELECT array_agg(m.views_count ORDER BY m.snapshot_date) FROM social_post_metrics m
        JOIN social_posts_analytics p ON p.id = m.post_id
        WHERE m.post_id = %s AND m.snapshot_hour IS NULL AND m.views_count IS NOT NULL
          AND m.snapshot_date + 1 > p.posted_at""", (post_id,))[0]
    assert own["this_post"].astype(int).tolist() == views
    assert curve["account_median"].notna().any()


def test_unknown_values_say_not_reported(seeded_url, monkeypatch):
    at = show(open_app(seeded_url, monkeypatch), "overview")
    at.multiselect(key="filter_platforms").set_value(["bluesky"]).run()
    assert metric(at, "Views") == "not reported by Bluesky"
    assert set(at.dataframe[0].value["views"]) == {"not reported by Bluesky"}
    show(at, "posts")
    notes = set(at.dataframe[0].value["not_reported"])
    assert any(n.startswith("views") and n.endswith("not reported by Bluesky") for n in notes), notes
    assert at.dataframe[0].value["current_views"].isna().all()  # blank, never 0


def test_a_post_without_a_thumbnail_shows_its_media_when_that_is_an_image(seeded_url, monkeypatch):
    """A post stored before migration 021 has no thumbnail_url until its next pull: the top posts
    draw its media_url when that is an image (a photo), nothing when it is a video file."""
    with psycopg.connect(seeded_url, autocommit=True) as conn:
        rows = conn.execute("""
            SELECT pp.post_url, p.media_url, p.thumbnail_url FROM social_post_performance pp
            JOIN social_posts_analytics p ON p.id = pp.post_id WHERE pp.posted_at >= %s AND pp.posted_at < %s
            ORDER BY pp.current_views DESC NULLS LAST, pp.engagement_rate DESC NULLS LAST, pp.post_id LIMIT 12""",
            (START, TODAY + timedelta(days=1))).fetchall()
        photo = next(r for r in rows if r[1].endswith(".jpg"))
        video = next(r for r in rows if r[1].endswith(".mp4"))
        conn.execute("UPDATE social_posts_analytics SET thumbnail_url = NULL WHERE post_url = ANY(%s)",
                     ([photo[0], video[0]],))
        try:
            table = show(open_app(seeded_url, monkeypatch), "overview").dataframe[0].value.set_index("post_url")
        finally:
            for url, _media, thumbnail in (photo, video):
                conn.execute("UPDATE social_posts_analytics SET thumbnail_url = %s WHERE post_url = %s", (thumbnail, url))
    assert table.loc[photo[0], "thumbnail"] == photo[1]
    assert pd.isna(table.loc[video[0], "thumbnail"])


def test_unknown_commenters_and_sentiment_are_said(seeded_url, monkeypatch, downloads):
    """LinkedIn names no commenter but the organization (platforms/linkedin/parse.py): the most
    liked comments say "not reported by LinkedIn" for such a comment, and "unscored" for one the
    model could not score; the CSV keeps the empty cells."""
    with psycopg.connect(seeded_url, autocommit=True) as conn:
        comment, author, sentiment = conn.execute("""
            SELECT c.id, c.author_username, c.sentiment FROM social_comments c
            JOIN social_posts_analytics p ON p.id = c.post_id
            WHERE p.platform = 'linkedin' AND p.posted_at >= %s AND c.likes_count IS NOT NULL
            ORDER BY c.likes_count DESC, c.commented_at DESC NULLS LAST, c.id LIMIT 1""", (START,)).fetchone()
        conn.execute("UPDATE social_comments SET author_username = NULL, sentiment = NULL WHERE id = %s", (comment,))
        try:
            at = show(open_app(seeded_url, monkeypatch), "overview")
            at.multiselect(key="filter_platforms").set_value(["linkedin"]).run()
            show(at, "audience")
        finally:
            conn.execute("UPDATE social_comments SET author_username = %s, sentiment = %s WHERE id = %s",
                         (author, sentiment, comment))
    shown = at.dataframe[0].value
    raw = csv_frame(downloads, "top_comments")
    assert (shown["author"].iloc[0], shown["sentiment"].iloc[0]) == ("not reported by LinkedIn", "unscored")
    assert raw["author"].isna().iloc[0] and raw["sentiment"].isna().iloc[0]  # empty in the CSV, not words
    assert len(shown) == len(raw)
    for author_raw, words in zip(raw["author"].iloc[1:], shown["author"].iloc[1:]):
        assert words == ("not reported by LinkedIn" if pd.isna(author_raw) else author_raw)
    for sentiment_raw, words in zip(raw["sentiment"].iloc[1:], shown["sentiment"].iloc[1:]):
        assert words == ("unscored" if pd.isna(sentiment_raw) else sentiment_raw)


def test_hashtags_page(seeded_url, monkeypatch, downloads):
    at = show(open_app(seeded_url, monkeypatch), "hashtags")
    tag, posts, rate, views = one(seeded_url, """
        SELECT h.hashtag, count(DISTINCT ph.post_id), round(avg(pp.engagement_rate), 2), sum(pp.current_views)
        FROM social_post_hashtags ph
        JOIN social_hashtags h ON h.id = ph.hashtag_id JOIN social_post_performance pp ON pp.post_id = ph.post_id
        WHERE pp.posted_at >= %s AND pp.posted_at < %s
        GROUP BY h.hashtag ORDER BY 2 DESC, 3 DESC NULLS LAST, h.hashtag LIMIT 1""", (START, TODAY + timedelta(days=1)))
    board = at.dataframe[0].value
    assert (board["hashtag"].iloc[0], int(board["posts"].iloc[0])) == (tag, posts)
    assert float(board["avg_engagement_rate"].iloc[0]) == float(rate)
    assert int(board["total_views"].iloc[0]) == views
    assert csv_frame(downloads, "hashtag_leaderboard")["hashtag"].tolist() == board["hashtag"].tolist()
    insights = csv_frame(downloads, "hashtag_insights")
    expected = one(seeded_url, "SELECT count(*) FROM (SELECT 1 FROM social_hashtag_insights(30) LIMIT 50) x")[0]
    assert len(insights) == expected

    # One video across platforms: the default is the most viewed video.
    video, title, total, platforms = one(seeded_url, """
        SELECT video_id::text, video_title, total_views, platforms FROM social_content_performance
        WHERE posts > 0 ORDER BY total_views DESC NULLS LAST, video_id LIMIT 1""")
    assert at.selectbox(key="video").value == video
    assert metric(at, "Total views") == f"{total:,}"
    across = csv_frame(downloads, "video_posts")
    assert sorted(set(across["platform"])) == sorted(platforms)


def test_audience_page(seeded_url, monkeypatch, downloads):
    at = show(open_app(seeded_url, monkeypatch), "overview")
    account, platform = one(seeded_url, "SELECT id::text, platform FROM social_accounts "
                            "WHERE platform = 'instagram' ORDER BY handle LIMIT 1")
    at.multiselect(key="filter_accounts").set_value([account]).run()
    show(at, "audience")
    age, female, countries = one(seeded_url, """
        SELECT age_18_24, gender_female, top_countries FROM social_audience_demographics
        WHERE social_account_id = %s AND snapshot_date <= %s ORDER BY snapshot_date DESC LIMIT 1""", (account, TODAY))
    bars = csv_frame(downloads, "audience_demographics").set_index("bucket")["share"]
    assert bars["18-24"] == pytest.approx(float(age))
    assert bars["female"] == pytest.approx(float(female))
    shown = csv_frame(downloads, "audience_countries").set_index("country")["share"]
    assert shown.to_dict() == pytest.approx({k: float(v) for k, v in countries.items()})

    likes, text = one(seeded_url, """
        SELECT c.likes_count, c.comment_text FROM social_comments c JOIN social_posts_analytics p ON p.id = c.post_id
        WHERE p.social_account_id = %s AND p.posted_at >= %s AND c.likes_count IS NOT NULL
        ORDER BY c.likes_count DESC, c.commented_at DESC NULLS LAST, c.id LIMIT 1""", (account, START))
    comments = at.dataframe[0].value
    assert (int(comments["likes_count"].iloc[0]), comments["comment_text"].iloc[0]) == (likes, text)
    replied = one(seeded_url, """
        SELECT count(*) FROM (SELECT c.id FROM social_comments c JOIN social_posts_analytics p ON p.id = c.post_id
        WHERE p.social_account_id = %s AND p.posted_at >= %s AND c.likes_count IS NOT NULL
        ORDER BY c.likes_count DESC, c.commented_at DESC NULLS LAST, c.id LIMIT 50) top
        WHERE EXISTS (SELECT 1 FROM social_comments r WHERE r.parent_comment_id = top.id AND r.is_creator_reply)""",
        (account, START))[0]
    assert (comments["creator"] == "creator replied").sum() == replied
    mood = csv_frame(downloads, "comment_sentiment")
    total = one(seeded_url, """
        SELECT count(*) FROM social_comments c JOIN social_posts_analytics p ON p.id = c.post_id
        WHERE p.social_account_id = %s AND p.posted_at >= %s AND c.commented_at IS NOT NULL""", (account, START))[0]
    assert int(mood[["positive", "neutral", "negative", "unscored"]].sum().sum()) == total


def test_health_page(seeded_url, monkeypatch, downloads):
    with psycopg.connect(seeded_url, autocommit=True) as conn:
        account, handle = conn.execute(
            "SELECT id, handle FROM social_accounts WHERE platform = 'tiktok' ORDER BY handle LIMIT 1").fetchone()
        conn.execute("INSERT INTO social_account_credentials (social_account_id, token_expires_at) "
                     "VALUES (%s, now() + interval '3 days') ON CONFLICT (social_account_id) "
                     "DO UPDATE SET token_expires_at = EXCLUDED.token_expires_at", (account,))
        conn.execute("UPDATE social_fetch_jobs SET status = 'failed', error_message = 'tiktok: HTTP 401 token revoked', "
                     "error_kind = 'permanent' WHERE social_account_id = %s AND partition_date = "
                     "(SELECT max(partition_date) FROM social_fetch_jobs WHERE social_account_id = %s)", (account, account))
    show(open_app(seeded_url, monkeypatch), "health")
    runs = csv_frame(downloads, "last_runs").set_index("platform")
    day, completed, failed = one(seeded_url, """
        SELECT max(partition_date), count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status = 'failed')
        FROM social_fetch_jobs WHERE platform = 'tiktok' AND partition_date =
            (SELECT max(partition_date) FROM social_fetch_jobs WHERE platform = 'tiktok' AND partition_date <= %s)""",
        (TODAY,))
    assert (runs.loc["TikTok", "last_day"], runs.loc["TikTok", "completed"], runs.loc["TikTok", "failed"]) == (
        day.isoformat(), completed, failed)
    failures = csv_frame(downloads, "failed_accounts")
    assert "tiktok: HTTP 401 token revoked" in failures.loc[failures["account"] == handle, "error_message"].tolist()
    tokens = csv_frame(downloads, "expiring_tokens")
    assert tokens["account"].tolist() == [handle]
    assert 2.9 <= float(tokens["days_left"].iloc[0]) <= 3.0
    requests = one(seeded_url, "SELECT count(*) FROM social_raw_pulls WHERE fetched_at >= %s AND fetched_at < %s",
                   (datetime.combine(TODAY, datetime.min.time(), timezone.utc),
                    datetime.combine(TODAY + timedelta(days=1), datetime.min.time(), timezone.utc)))[0]
    usage = csv_frame(downloads, "usage_today") if requests else None
    assert (int(usage["requests"].sum()) if requests else 0) == requests
