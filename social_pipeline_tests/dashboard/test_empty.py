"""A database with accounts but nothing pulled yet (a fresh `make dev`): every page renders and
says so instead of showing zeros."""

from __future__ import annotations

from social_pipeline_tests.dashboard.conftest import PAGES, open_app, show


def test_pages_render_before_the_first_pull(conn, db_url, monkeypatch, downloads):
    conn.execute("INSERT INTO social_accounts (platform, handle) VALUES ('bluesky', 'fresh.bsky.social'), "
                 "('youtube', 'fresh')")
    at = open_app(db_url, monkeypatch)
    for page in PAGES:
        show(at, page)
        if page == "overview":
            values = {m.label: m.value for m in at.metric}
            assert values["Followers"] == "not pulled yet"
            assert values["Views"] == "none in the period"
            assert values["Posts"] == "0"
    assert set(downloads) >= {"overview_headline.csv", "posts.csv", "hashtag_leaderboard.csv", "last_runs.csv"}
