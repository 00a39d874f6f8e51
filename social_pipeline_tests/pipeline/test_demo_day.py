"""A whole demo day through the real asset graph, on a real PostgreSQL."""

from datetime import date

from social_pipeline_tests.pipeline.helpers import counts, run_day, seed

from social_pipeline.platforms import PLATFORMS
from social_pipeline.simulator import world

DAY = date(2026, 11, 20)


def test_demo_day_fills_every_table_and_rerun_changes_no_count(db_url, conn):
    seed(conn)
    result = run_day(DAY)
    assert result.success
    first = counts(conn)
    # Lineage for debugging: a derived column points back to the raw payload it came from.
    meta = result.asset_materializations_for_node("social_post_metrics")[0].metadata
    deps = meta["dagster/column_lineage"].value.deps_by_column["engagement_rate"]
    assert {d.asset_key.to_user_string() for d in deps} >= {"raw/tiktok", "raw/bluesky"}
    assert {c.name for c in meta["dagster/column_schema"].value.columns} >= {"post_id", "views_count", "engagement_rate"}
    assert all(n > 0 for n in first.values()), first

    # What the assets' Plots tabs draw: numbers, run by run.
    def number(node, key):
        value = result.asset_materializations_for_node(node)[0].metadata[key].value
        assert isinstance(value, (int, float)) and not isinstance(value, bool), (node, key, value)
        return value

    assert number("raw__tiktok", "accounts") == 1 and number("raw__tiktok", "pulls_failed") == 0
    assert number("raw__tiktok", "requests") > 0 and number("raw__tiktok", "retries") == 0
    assert number("social_posts_analytics", "posts") == first["social_posts_analytics"]
    assert number("social_comments", "comments") == first["social_comments"]
    total = conn.execute("SELECT sum(followers_count), count(followers_count) FROM social_analytics_snapshots").fetchone()
    assert number("social_analytics_snapshots", "total_followers") == total[0] > 0
    assert number("social_analytics_snapshots", "accounts_with_followers") == total[1]

    # Every platform reached the normalized tables.
    platforms = {r[0] for r in conn.execute("SELECT DISTINCT platform FROM social_posts_analytics")}
    assert platforms == set(PLATFORMS)
    jobs = conn.execute("SELECT platform, status, posts_fetched FROM social_fetch_jobs ORDER BY platform").fetchall()
    assert [(p, s) for p, s, _ in jobs] == [(p, "completed") for p in sorted(PLATFORMS)]
    assert all(n > 0 for _, _, n in jobs)
    assert first["social_analytics_snapshots"] == 9
    assert first["social_post_metrics"] == first["social_posts_analytics"]

    # Numbers are the simulator's: the TikTok demo account's followers at the end of the day.
    tiktok = world.account("tiktok", "demo.creator")
    followers = conn.execute(
        "SELECT s.followers_count FROM social_analytics_snapshots s JOIN social_accounts a ON a.id = s.social_account_id "
        "WHERE a.platform = 'tiktok' AND s.snapshot_date = %s", (DAY,)
    ).fetchone()[0]
    from social_pipeline.ingest.pulling import end_of_day
    assert followers == tiktok.followers(end_of_day(DAY))

    # Replies are threaded: a reply whose parent is stored points to it, on the same post. (X's
    # search/recent covers 7 days, so a reply to an older tweet's reply may arrive without its parent.)
    unresolved = conn.execute(
        "SELECT count(*) FROM social_comments c WHERE c.is_reply AND c.parent_comment_id IS NULL AND EXISTS "
        "(SELECT 1 FROM social_comments p WHERE p.post_id = c.post_id AND p.external_comment_id = c.parent_external_comment_id)"
    ).fetchone()[0]
    misthreaded = conn.execute(
        "SELECT count(*) FROM social_comments c JOIN social_comments p ON p.id = c.parent_comment_id "
        "WHERE p.post_id <> c.post_id OR p.external_comment_id <> c.parent_external_comment_id"
    ).fetchone()[0]
    resolved = conn.execute("SELECT count(*) FROM social_comments WHERE parent_comment_id IS NOT NULL").fetchone()[0]
    assert resolved > 0 and unresolved == 0 and misthreaded == 0
    assert conn.execute("SELECT count(*) FROM social_comments WHERE is_creator_reply").fetchone()[0] > 0

    # Sentiment: English scored, other languages left unscored with the reason, never "neutral".
    labels = dict(conn.execute("SELECT coalesce(sentiment, 'unscored'), count(*) FROM social_comments GROUP BY 1").fetchall())
    assert labels.get("positive", 0) > 0 and labels.get("negative", 0) > 0 and labels.get("unscored", 0) > 0
    # The demo's comments come from a grammar in ten languages (simulator/comment_text.py): every
    # comment in a language without a lexicon says so, and almost none is "not recognised".
    unsupported = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE sentiment IS NULL AND sentiment_score IS NULL "
        "AND sentiment_note = 'unsupported language: ' || language) "
        "FROM social_comments WHERE language IS NOT NULL AND language <> 'en'").fetchone()
    assert unsupported[0] > 0 and unsupported[1] == unsupported[0]
    not_recognised, total = conn.execute(
        "SELECT count(*) FILTER (WHERE sentiment_note = 'language not recognised'), count(*) FROM social_comments").fetchone()
    assert not_recognised <= 0.02 * total
    assert conn.execute("SELECT count(*) FROM social_comments WHERE language = 'en' AND sentiment = 'positive'").fetchone()[0] > 0
    distinct, comments = conn.execute("SELECT count(DISTINCT comment_text), count(*) FROM social_comments").fetchone()
    assert distinct > 0.5 * comments, (distinct, comments)

    # Bluesky reports no views: stored as NULL, never 0.
    assert conn.execute(
        "SELECT count(*) FROM social_post_metrics m JOIN social_posts_analytics p ON p.id = m.post_id "
        "WHERE p.platform = 'bluesky' AND m.views_count IS NOT NULL"
    ).fetchone()[0] == 0
    # No credential reached the raw ledger.
    assert conn.execute(
        "SELECT count(*) FROM social_raw_pulls WHERE request_params::text LIKE '%%demo-token%%' "
        "OR payload::text LIKE '%%demo-token%%' OR coalesce(error, '') LIKE '%%demo-token%%'"
    ).fetchone()[0] == 0
    metrics_before = conn.execute(
        "SELECT post_id, views_count, likes_count, engagement_rate FROM social_post_metrics ORDER BY post_id"
    ).fetchall()
    ids_before = conn.execute("SELECT id, external_post_id FROM social_posts_analytics ORDER BY id").fetchall()

    assert run_day(DAY).success
    assert counts(conn) == first
    assert conn.execute("SELECT id, external_post_id FROM social_posts_analytics ORDER BY id").fetchall() == ids_before
    assert conn.execute(
        "SELECT post_id, views_count, likes_count, engagement_rate FROM social_post_metrics ORDER BY post_id"
    ).fetchall() == metrics_before


def test_one_platform_down_keeps_the_others_and_its_last_good_pull(db_url, conn):
    seed(conn, posts_per_fetch=5)
    assert run_day(DAY).success
    tiktok_posts = conn.execute("SELECT count(*) FROM social_posts_analytics WHERE platform = 'tiktok'").fetchone()[0]
    assert tiktok_posts >= 5  # the newest 5, and the tracked posts of the update window

    # The TikTok token is revoked: the platform answers 401 on every call.
    conn.execute("UPDATE social_accounts SET access_token = 'revoked-secret-value' WHERE platform = 'tiktok'")
    result = run_day(DAY, fresh=True, raise_on_error=False)
    assert result.success  # the run goes on; the failure is reported, not raised
    checks = {
        (e.asset_key.path[-1], e.passed) for e in result.get_asset_check_evaluations()
    }
    assert ("tiktok", False) in checks and ("youtube", True) in checks

    jobs = dict(conn.execute("SELECT platform, status FROM social_fetch_jobs").fetchall())
    assert jobs.pop("tiktok") == "failed"
    assert set(jobs.values()) == {"completed"}
    error = conn.execute("SELECT error_message FROM social_fetch_jobs WHERE platform = 'tiktok'").fetchone()[0]
    assert "tiktok/demo.creator" in error and "401" in error and "revoked-secret-value" not in error
    # Nothing lost: the earlier good pull of the day is kept and still feeds the tables.
    assert conn.execute("SELECT count(*) FROM social_posts_analytics WHERE platform = 'tiktok'").fetchone()[0] == tiktok_posts
    assert conn.execute(
        "SELECT count(*) FROM social_analytics_snapshots s JOIN social_accounts a ON a.id = s.social_account_id "
        "WHERE a.platform = 'tiktok'"
    ).fetchone()[0] == 1
    assert conn.execute(
        "SELECT count(*) FROM social_raw_pulls WHERE platform = 'tiktok' AND pull_status = 'ok'"
    ).fetchone()[0] > 0
    assert conn.execute(
        "SELECT count(*) FROM social_raw_pulls WHERE error LIKE '%%revoked-secret-value%%'"
    ).fetchone()[0] == 0

    # The platform comes back: the next run fills the gap.
    from social_pipeline.simulator import demo_token
    conn.execute("UPDATE social_accounts SET access_token = %s WHERE platform = 'tiktok'",
                 (demo_token("tiktok", "demo.creator"),))
    assert run_day(DAY, fresh=True).success
    assert conn.execute("SELECT status FROM social_fetch_jobs WHERE platform = 'tiktok'").fetchone() == ("completed",)
    assert conn.execute("SELECT count(*) FROM social_raw_pulls WHERE platform = 'tiktok' AND pull_status = 'failed'").fetchone()[0] == 0
