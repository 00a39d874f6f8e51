"""Content mappings on a real database: the asset links mapping URLs to posts and tags the posts;
social_content_performance rolls each video up across platforms with the posts' latest metrics."""

from datetime import datetime

import pytest
from dagster import materialize

from social_pipeline.assets.content import social_content_mappings
from social_pipeline.storage.database import Database

PARTITION = "2026-11-20"

TT = "7301234567890123456"
TT_OTHER = "7301234567890999999"
IG_MEDIA = "17900000000000001"
IG_CODE = "C1a2B3c4D5e"
YT = "dQw4w9WgXcQ"
FB = "100064758844406_1234567890123456"
RKEY = "3k44deefqdk2g"
DID = "did:plc:abc123"
DID_OTHER = "did:plc:zzz999"
TW = "1712345678901234567"
PIN = "99360735500167749"


def _account(conn, platform, handle):
    return conn.execute(
        "INSERT INTO social_accounts (platform, handle) VALUES (%s, %s) RETURNING id", (platform, handle)
    ).fetchone()[0]


def _post(conn, account, platform, external_id, url, posted_at, video_id=None, clip_id=None):
    return conn.execute(
        "INSERT INTO social_posts_analytics (social_account_id, platform, external_post_id, post_url, posted_at,"
        " video_id, clip_id, first_seen_date, last_seen_date)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, '2026-11-17', '2026-11-20') RETURNING id",
        (account, platform, external_id, url, posted_at, video_id, clip_id),
    ).fetchone()[0]


def _metrics(conn, post_id, day, hour, views, likes, comments, shares):
    conn.execute(
        "INSERT INTO social_post_metrics (post_id, snapshot_date, snapshot_hour, views_count, likes_count,"
        " comments_count, shares_count) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (post_id, day, hour, views, likes, comments, shares),
    )


def _map(conn, url, video_id=None, clip_id=None, platform=None, external_post_id=None):
    return conn.execute(
        "INSERT INTO social_content_mappings (post_url, video_id, clip_id, platform, external_post_id)"
        " VALUES (%s, %s, %s, %s, %s) RETURNING id",
        (url, video_id, clip_id, platform, external_post_id),
    ).fetchone()[0]


@pytest.fixture
def world(conn):
    w = {}
    w["v1"] = conn.execute("INSERT INTO videos (title) VALUES ('Pasta in 10 minutes') RETURNING id").fetchone()[0]
    w["v2"] = conn.execute("INSERT INTO videos (title) VALUES ('Knife skills') RETURNING id").fetchone()[0]
    w["v3"] = conn.execute("INSERT INTO videos (title) VALUES ('Not posted yet') RETURNING id").fetchone()[0]
    w["c1"] = conn.execute(
        "INSERT INTO clips (video_id, title, start_seconds, end_seconds) VALUES (%s, 'Pasta teaser', 0, 15) RETURNING id",
        (w["v1"],),
    ).fetchone()[0]

    tiktok = _account(conn, "tiktok", "chef.anna")
    insta = _account(conn, "instagram", "chef.anna")
    youtube = _account(conn, "youtube", "ChefAnna")
    facebook = _account(conn, "facebook", "chefanna")
    bsky = _account(conn, "bluesky", "chefanna.bsky.social")
    bsky_other = _account(conn, "bluesky", "someone.bsky.social")
    twitter = _account(conn, "twitter", "chefanna")

    w["tiktok"] = _post(conn, tiktok, "tiktok", TT, f"https://www.tiktok.com/@chef.anna/video/{TT}", datetime(2026, 11, 18, 10))
    w["tiktok_other"] = _post(conn, tiktok, "tiktok", TT_OTHER, f"https://www.tiktok.com/@chef.anna/video/{TT_OTHER}",
                              datetime(2026, 11, 18, 12))
    # Instagram: the API id is the media id; the shortcode is only in the permalink.
    w["instagram"] = _post(conn, insta, "instagram", IG_MEDIA, f"https://www.instagram.com/reel/{IG_CODE}/", datetime(2026, 11, 19, 9))
    w["youtube"] = _post(conn, youtube, "youtube", YT, f"https://www.youtube.com/watch?v={YT}", datetime(2026, 11, 17, 15))
    w["facebook"] = _post(conn, facebook, "facebook", FB, "https://www.facebook.com/chefanna/posts/1234567890123456",
                          datetime(2026, 11, 19, 18))
    w["bluesky"] = _post(conn, bsky, "bluesky", f"at://{DID}/app.bsky.feed.post/{RKEY}",
                         f"https://bsky.app/profile/chefanna.bsky.social/post/{RKEY}", datetime(2026, 11, 20, 8))
    # Same rkey, another author: only the handle in the URL tells them apart.
    w["bluesky_other"] = _post(conn, bsky_other, "bluesky", f"at://{DID_OTHER}/app.bsky.feed.post/{RKEY}",
                               f"https://bsky.app/profile/someone.bsky.social/post/{RKEY}", datetime(2026, 11, 20, 9))
    # Already linked to v2 by the publisher: a mapping to v1 must not override that.
    w["twitter"] = _post(conn, twitter, "twitter", TW, f"https://x.com/chefanna/status/{TW}", datetime(2026, 11, 16, 7),
                         video_id=w["v2"])

    # Latest metrics: the greatest day, then hour, a NULL (end-of-day) hour after hour 23.
    _metrics(conn, w["tiktok"], "2026-11-19", None, 1000, 100, 10, 5)
    _metrics(conn, w["tiktok"], "2026-11-20", 5, 1500, 150, 15, 7)
    _metrics(conn, w["tiktok"], "2026-11-20", None, 2000, 200, 20, 10)   # latest
    _metrics(conn, w["instagram"], "2026-11-20", 3, 400, 40, 4, None)
    _metrics(conn, w["instagram"], "2026-11-20", 10, 500, 50, 5, None)   # latest (hourly only)
    _metrics(conn, w["youtube"], "2026-11-19", None, 700, 70, 7, None)
    _metrics(conn, w["youtube"], "2026-11-20", 23, 900, 90, 9, None)
    _metrics(conn, w["youtube"], "2026-11-20", None, 950, 95, 9, None)   # latest
    _metrics(conn, w["facebook"], "2026-11-20", None, None, 30, 3, 2)    # no views for a photo post
    _metrics(conn, w["bluesky"], "2026-11-20", None, None, 12, 1, 4)
    _metrics(conn, w["bluesky_other"], "2026-11-20", None, None, 999, 99, 99)
    _metrics(conn, w["twitter"], "2026-11-20", None, 300, 30, 3, 3)
    _metrics(conn, w["tiktok_other"], "2026-11-20", None, 99999, 9999, 999, 99)

    w["m"] = {
        "tiktok": _map(conn, f"https://m.tiktok.com/@chef.anna/video/{TT}?is_from_webapp=1&sender_device=pc", video_id=w["v1"]),
        "instagram": _map(conn, f"instagram.com/reels/{IG_CODE}/?igsh=MWQ1ZGUxMzBkMA==", clip_id=w["c1"]),
        "youtube": _map(conn, f"https://youtu.be/{YT}?si=AbCdEfGhIjKlMnOp", video_id=w["v1"]),
        "facebook": _map(conn, "https://m.facebook.com/chefanna/posts/1234567890123456/?mibextid=Nif5oz", video_id=w["v1"]),
        "bluesky": _map(conn, f"https://bsky.app/profile/{DID}/post/{RKEY}", clip_id=w["c1"]),
        "twitter": _map(conn, f"https://mobile.twitter.com/chefanna/status/{TW}?s=20", video_id=w["v1"]),
        "short": _map(conn, "https://vm.tiktok.com/ZMeAbCdEf/", video_id=w["v1"]),
        "not_pulled": _map(conn, f"https://www.pinterest.co.uk/pin/{PIN}/?utm_source=share", video_id=w["v1"]),
        "not_a_post": _map(conn, "https://example.com/blog/pasta", video_id=w["v2"]),
    }
    return w


def _run(db_url):
    result = materialize([social_content_mappings], partition_key=PARTITION, resources={"database": Database(url=db_url)})
    assert result.success
    (mat,) = result.asset_materializations_for_node("social_content_mappings")
    return {k: v.value for k, v in mat.metadata.items()}


def _mappings(conn):
    return {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT id, post_id, platform, external_post_id, video_id, clip_id FROM social_content_mappings ORDER BY id"
        ).fetchall()
    }


def _post_links(conn):
    return {
        r[0]: (r[1], r[2])
        for r in conn.execute("SELECT id, video_id, clip_id FROM social_posts_analytics ORDER BY id").fetchall()
    }


def test_asset_links_mappings_tags_posts_and_is_idempotent(db_url, conn, world):
    w, m = world, world["m"]
    meta = _run(db_url)
    assert meta["pending_before"] == 9
    assert meta["mappings_linked"] == 6
    assert meta["still_unmatched"] == 3
    assert (meta["no_post_yet"], meta["short_links"], meta["unrecognized_urls"], meta["ambiguous"]) == (1, 1, 1, 0)
    assert meta["posts_tagged"] == 5  # all linked posts but the one already linked by its publisher

    rows = _mappings(conn)
    assert rows[m["tiktok"]][:3] == (w["tiktok"], "tiktok", TT)
    assert rows[m["instagram"]][:3] == (w["instagram"], "instagram", IG_MEDIA)  # shortcode -> media id
    assert rows[m["youtube"]][:3] == (w["youtube"], "youtube", YT)
    assert rows[m["facebook"]][:3] == (w["facebook"], "facebook", FB)  # object id -> {page}_{object}
    assert rows[m["bluesky"]][:3] == (w["bluesky"], "bluesky", f"at://{DID}/app.bsky.feed.post/{RKEY}")
    assert rows[m["twitter"]][:3] == (w["twitter"], "twitter", TW)
    # Unmatched: the platform is recorded; the id too where the URL's id is the API's id.
    assert rows[m["short"]][:3] == (None, "tiktok", None)
    assert rows[m["not_pulled"]][:3] == (None, "pinterest", PIN)
    assert rows[m["not_a_post"]][:3] == (None, None, None)

    links = _post_links(conn)
    assert links[w["tiktok"]] == (w["v1"], None)
    assert links[w["instagram"]] == (None, w["c1"])
    assert links[w["youtube"]] == (w["v1"], None)
    assert links[w["facebook"]] == (w["v1"], None)
    assert links[w["bluesky"]] == (None, w["c1"])
    assert links[w["bluesky_other"]] == (None, None)
    assert links[w["twitter"]] == (w["v2"], None)  # the publisher's own link wins
    assert links[w["tiktok_other"]] == (None, None)

    # A second run finds nothing to do and changes nothing.
    mappings_before, posts_before = _mappings(conn), conn.execute(
        "SELECT id, video_id, clip_id, updated_at FROM social_posts_analytics ORDER BY id").fetchall()
    again = _run(db_url)
    assert (again["pending_before"], again["mappings_linked"], again["still_unmatched"], again["posts_tagged"],
            again["unmatched_filled"]) == (3, 0, 3, 0, 0)
    assert _mappings(conn) == mappings_before
    assert conn.execute(
        "SELECT id, video_id, clip_id, updated_at FROM social_posts_analytics ORDER BY id").fetchall() == posts_before

    # The post behind a mapping arrives later: the next run links it.
    pins = _account(conn, "pinterest", "chefanna")
    pin_post = _post(conn, pins, "pinterest", PIN, f"https://www.pinterest.com/pin/{PIN}/", datetime(2026, 11, 21, 6))
    late = _run(db_url)
    assert (late["mappings_linked"], late["still_unmatched"], late["posts_tagged"]) == (1, 2, 1)
    assert _mappings(conn)[m["not_pulled"]][0] == pin_post
    assert _post_links(conn)[pin_post] == (w["v1"], None)


def _performance(conn):
    cur = conn.execute("SELECT * FROM social_content_performance ORDER BY video_title")
    names = [d.name for d in cur.description]
    return {r[1]: dict(zip(names, r)) for r in cur.fetchall()}


def test_rollup_view_totals(db_url, conn, world):
    w = world
    _run(db_url)
    perf = _performance(conn)
    assert set(perf) == {"Pasta in 10 minutes", "Knife skills", "Not posted yet"}

    pasta = perf["Pasta in 10 minutes"]
    # tiktok 2000/200/20/10, instagram clip 500/50/5/-, youtube 950/95/9/-, facebook -/30/3/2, bluesky clip -/12/1/4
    assert pasta["video_id"] == w["v1"]
    assert pasta["platforms"] == ["bluesky", "facebook", "instagram", "tiktok", "youtube"]
    assert (pasta["posts"], pasta["clip_posts"]) == (5, 2)
    assert pasta["total_views"] == 2000 + 500 + 950
    assert pasta["total_likes"] == 200 + 50 + 95 + 30 + 12
    assert pasta["total_comments"] == 20 + 5 + 9 + 3 + 1
    assert pasta["total_shares"] == 10 + 2 + 4
    assert pasta["best_platform"] == "tiktok"
    assert pasta["first_posted_at"] == datetime(2026, 11, 17, 15)
    assert pasta["last_posted_at"] == datetime(2026, 11, 20, 8)

    knife = perf["Knife skills"]  # only the tweet linked by its publisher; the unparseable mapping adds nothing
    assert (knife["platforms"], knife["posts"], knife["clip_posts"]) == (["twitter"], 1, 0)
    assert (knife["total_views"], knife["total_likes"], knife["total_comments"], knife["total_shares"]) == (300, 30, 3, 3)
    assert knife["best_platform"] == "twitter"
    assert knife["first_posted_at"] == knife["last_posted_at"] == datetime(2026, 11, 16, 7)

    unposted = perf["Not posted yet"]
    assert (unposted["platforms"], unposted["posts"], unposted["total_views"], unposted["best_platform"]) == ([], 0, None, None)

    # Per post: the latest metrics (a NULL hour is the end of its day) and where the link came from.
    posts = {r[0]: r[1:] for r in conn.execute(
        "SELECT post_id, current_views, metrics_date, metrics_hour, link_source FROM social_content_posts").fetchall()}
    assert posts[w["tiktok"]][:3] == (2000, datetime(2026, 11, 20).date(), None)
    assert posts[w["instagram"]][:3] == (500, datetime(2026, 11, 20).date(), 10)
    assert posts[w["youtube"]][:3] == (950, datetime(2026, 11, 20).date(), None)
    assert w["tiktok_other"] not in posts and w["bluesky_other"] not in posts
    assert {v[3] for v in posts.values()} == {"post"}  # after the asset, links live on the posts

    # Idempotent: a second run leaves the rollup as it was.
    _run(db_url)
    assert _performance(conn) == perf


def test_view_follows_mappings_before_the_asset_runs(conn, world):
    """Mappings reach their posts in the views by post_id or by (platform, external_post_id),
    without the asset having tagged the posts."""
    w = world
    conn.execute("UPDATE social_content_mappings SET post_id = %s WHERE id = %s", (w["youtube"], w["m"]["youtube"]))
    _map(conn, "https://intranet.example/tiktok-upload-42", video_id=w["v3"], platform="TikTok", external_post_id=TT_OTHER)
    perf = _performance(conn)
    assert (perf["Pasta in 10 minutes"]["platforms"], perf["Pasta in 10 minutes"]["total_views"]) == (["youtube"], 950)
    assert (perf["Not posted yet"]["platforms"], perf["Not posted yet"]["total_views"]) == (["tiktok"], 99999)
    assert perf["Not posted yet"]["best_platform"] == "tiktok"
    sources = dict(conn.execute("SELECT post_id, link_source FROM social_content_posts").fetchall())
    assert sources == {w["youtube"]: "mapping", w["tiktok_other"]: "mapping", w["twitter"]: "post"}
    # Nothing was written to the posts.
    assert conn.execute("SELECT count(*) FROM social_posts_analytics WHERE video_id IS NOT NULL OR clip_id IS NOT NULL"
                        ).fetchone()[0] == 1


def test_migration_objects_exist(conn):
    names = {r[0] for r in conn.execute(
        "SELECT table_name FROM information_schema.views WHERE table_schema = 'public'").fetchall()}
    assert {"social_content_posts", "social_content_performance"} <= names
