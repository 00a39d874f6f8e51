"""Each pull parsed once: the cache the raw assets fill gives exactly what parsing the stored
rows gives, and every way the cache can be missing or damaged falls back to the stored rows."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from social_pipeline.ingest import parsed_pulls
from social_pipeline.ingest.normalize import parse_day
from social_pipeline.storage.database import Database
from social_pipeline_tests.pipeline.helpers import counts, run_day, seed

DAY = date(2026, 11, 18)


@pytest.fixture(scope="module")
def demo_day(module_db_url, tmp_path_factory):
    """One demo day run with the parse cache in a folder of this module."""
    folder = tmp_path_factory.mktemp("parsed")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(parsed_pulls.CACHE_ENV, str(folder))
        import psycopg

        with psycopg.connect(module_db_url, autocommit=True) as conn:
            seed(conn, posts_per_fetch=8)
        assert run_day(DAY).success
    return module_db_url, folder


def _ledger(url: str) -> pd.DataFrame:
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT pull_id::text, pull_status, platform, provider_name, social_account_id::text, fetched_at "
            "FROM social_raw_pulls WHERE partition_date = %s AND partition_hour IS NULL", (DAY,)
        )
        return pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])


def _as_plain(records) -> dict:
    return {
        a.account_id: (a.pull_id, a.parsed.account, a.parsed.posts, a.parsed.comments, a.parsed.demographics, a.comment_count)
        for a in records.accounts
    }


def test_cached_parse_equals_parsing_the_stored_rows(demo_day, monkeypatch, tmp_path):
    url, folder = demo_day
    files = list((folder / parsed_pulls.code_digest()).glob("*.core"))
    assert len(files) == 9  # the raw assets cached every demo account's pull
    cached = parse_day(_ledger(url), Database(url=url))
    assert len(cached.accounts) == 9 and not cached.quarantined

    monkeypatch.setenv(parsed_pulls.CACHE_ENV, str(tmp_path / "empty"))  # nothing cached: parse the rows
    from_rows = parse_day(_ledger(url), Database(url=url))
    assert _as_plain(from_rows) == _as_plain(cached)
    assert sum(len(a.parsed.comments) for a in from_rows.accounts) > 0
    # ... and that parse was cached in turn.
    assert len(list((tmp_path / "empty" / parsed_pulls.code_digest()).glob("*.comments"))) == 9


def test_without_comments_keeps_their_count(demo_day):
    url, _ = demo_day
    light = parse_day(_ledger(url), Database(url=url), with_comments=False)
    full = parse_day(_ledger(url), Database(url=url))
    assert all(a.parsed.comments == [] for a in light.accounts)
    assert {a.account_id: a.comment_count for a in light.accounts} == {
        a.account_id: len(a.parsed.comments) for a in full.accounts
    }


def test_damaged_or_disabled_cache_falls_back_to_the_stored_rows(demo_day, monkeypatch, tmp_path):
    url, folder = demo_day
    expected = _as_plain(parse_day(_ledger(url), Database(url=url)))
    copy = tmp_path / "copy"
    (copy / parsed_pulls.code_digest()).mkdir(parents=True)
    for path in (folder / parsed_pulls.code_digest()).iterdir():
        # Every file cut in half: unreadable, so re-parsed from Postgres.
        (copy / parsed_pulls.code_digest() / path.name).write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    monkeypatch.setenv(parsed_pulls.CACHE_ENV, str(copy))
    assert _as_plain(parse_day(_ledger(url), Database(url=url))) == expected
    monkeypatch.setenv(parsed_pulls.CACHE_ENV, "off")
    assert parsed_pulls.cache_dir() is None
    assert _as_plain(parse_day(_ledger(url), Database(url=url))) == expected


def test_cache_never_names_a_file_outside_its_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(parsed_pulls.CACHE_ENV, str(tmp_path))
    with pytest.raises(ValueError):
        parsed_pulls._paths(tmp_path, "../../etc/passwd")


def test_prune_removes_old_files_and_other_code_versions(tmp_path, monkeypatch):
    monkeypatch.setenv(parsed_pulls.CACHE_ENV, str(tmp_path))
    current = tmp_path / parsed_pulls.code_digest()
    stale_version = tmp_path / "0123456789abcdef"
    for folder in (current, stale_version):
        folder.mkdir()
    fresh, old, other = current / "a.core", current / "b.core", stale_version / "c.core"
    for path in (fresh, old, other):
        path.write_bytes(b"x")
    import os
    import time

    os.utime(old, (time.time() - 8 * 86400,) * 2)
    assert parsed_pulls.prune() == 2
    assert fresh.exists() and not old.exists() and not other.exists()


def test_parallel_pulls_store_what_one_at_a_time_stores(db_url, conn, monkeypatch):
    """Concurrency changes how fast accounts are pulled, never what is stored."""
    from social_pipeline.platforms import PLATFORMS
    from social_pipeline.ingest.settings import env_name

    seed(conn, posts_per_fetch=6)
    for platform in PLATFORMS:
        monkeypatch.setenv(env_name(platform, "concurrency"), "1")
    assert run_day(DAY).success
    one_at_a_time = counts(conn)
    snapshot = conn.execute(
        "SELECT a.platform, s.followers_count, s.total_views FROM social_analytics_snapshots s "
        "JOIN social_accounts a ON a.id = s.social_account_id ORDER BY 1"
    ).fetchall()
    for platform in PLATFORMS:
        monkeypatch.setenv(env_name(platform, "concurrency"), "4")
    result = run_day(DAY)
    assert result.success
    assert counts(conn) == one_at_a_time
    assert conn.execute(
        "SELECT a.platform, s.followers_count, s.total_views FROM social_analytics_snapshots s "
        "JOIN social_accounts a ON a.id = s.social_account_id ORDER BY 1"
    ).fetchall() == snapshot
    meta = result.asset_materializations_for_node("raw__tiktok")[0].metadata
    assert meta["concurrency"].value == 4
