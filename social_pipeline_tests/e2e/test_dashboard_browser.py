"""The dashboard `social-pipeline dev` starts next to the Dagster UI, opened in headless Chromium:
each page renders on a seeded history without a Streamlit exception and shows real numbers (the
overview's followers equal a hand query); a screenshot of each page is kept under
test-artifacts/dashboard/<page>.png.

Fixture `dagster_dev` (conftest.py) starts the real `social-pipeline dev` (its dashboard on a free
port); the history is written into its database first by benchmarks.year_seed.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta, timezone

import psycopg
import pytest
import requests

from benchmarks.year_seed import seed_year
from social_pipeline_tests.e2e.conftest import REPO
from social_pipeline_tests.e2e.test_webserver import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.e2e

ARTIFACTS = REPO / "test-artifacts" / "dashboard"
TIMEOUT_MS = 60_000
PAGES = [
    ("overview", "Overview"),
    ("posts", "Posts"),
    ("hashtags", "Hashtags and content"),
    ("audience", "Audience and comments"),
    ("health", "Pipeline health"),
]
NUMBER = re.compile(r"\b\d[\d,]*(\.\d+)?\b")


@pytest.fixture(scope="module")
def dev_with_history(module_db_url, request):
    with psycopg.connect(module_db_url, autocommit=True) as conn:
        seed_year(conn, end_day=date.today(), days=30, accounts=12, echo=None, apply_migrations=False)
    server = request.getfixturevalue("dagster_dev")
    deadline = time.monotonic() + 90
    while True:
        try:
            if requests.get(f"{server.dashboard_url}/_stcore/health", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"the dashboard did not answer on {server.dashboard_url}:\n{server.log_tail()}")
        time.sleep(1)
    return server


def _followers(url: str) -> int:
    today = datetime.now(timezone.utc).date()
    with psycopg.connect(url) as conn:
        return conn.execute("""
            SELECT sum(x.f) FROM social_accounts a
            CROSS JOIN LATERAL (SELECT s.followers_count AS f FROM social_analytics_snapshots s
                                WHERE s.social_account_id = a.id AND s.followers_count IS NOT NULL
                                  AND s.snapshot_date <= %s ORDER BY s.snapshot_date DESC LIMIT 1) x""",
            (today,)).fetchone()[0]


def _posts(url: str) -> int:
    today = datetime.now(timezone.utc).date()
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM social_post_performance WHERE posted_at >= %s AND posted_at < %s",
                            (today - timedelta(days=29), today + timedelta(days=1))).fetchone()[0]


def test_dev_prints_the_dashboard_address(dev_with_history):
    assert f"Dashboard on http://127.0.0.1:{dev_with_history.dashboard_port}" in dev_with_history.log_path.read_text()


def test_each_page_renders_in_headless_chromium(dev_with_history):
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not installed ({CHROMIUM} missing): apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright not installed: pip install 'playwright>=1.51,<2' (never `playwright install`)")
    server = dev_with_history
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    followers = _followers(server.db_url)
    posts = _posts(server.db_url)
    assert followers and posts
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(server.dashboard_url + "/", wait_until="domcontentloaded", timeout=TIMEOUT_MS)
            page.wait_for_selector('h1:has-text("Overview")', timeout=TIMEOUT_MS)  # "/" opens the overview
            page.wait_for_url("**/overview", timeout=TIMEOUT_MS)
            for path, heading in PAGES:
                page.goto(f"{server.dashboard_url}/{path}", wait_until="domcontentloaded", timeout=TIMEOUT_MS)
                page.wait_for_selector(f'h1:has-text("{heading}")', timeout=TIMEOUT_MS)
                # The page is drawn once its last CSV button is there and the script stopped running.
                page.wait_for_selector('[data-testid="stDownloadButton"]', timeout=TIMEOUT_MS)
                page.wait_for_function(
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
                    " || !/Running|Stop/.test(document.querySelector('[data-testid=\"stStatusWidget\"]').innerText)",
                    timeout=TIMEOUT_MS)
                page.wait_for_timeout(2000)  # charts and grids lay out
                ARTIFACTS.joinpath(f"{path}.png").unlink(missing_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"{path}.png"), full_page=True)
                assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
                    '[data-testid="stException"]').first.inner_text()
                assert page.get_by_text("Page not found").count() == 0
                values = [v.strip() for v in page.locator('[data-testid="stMetricValue"]').all_inner_texts()]
                text = page.locator("body").inner_text()
                if path == "overview":
                    assert f"{followers:,}" in values, values
                    assert f"{posts:,}" in values, values
                elif path == "posts":
                    assert f"{posts:,} posts" in text
                elif path == "audience":
                    assert re.search(r"mean of \d+ of \d+ accounts", text), text[:2000]
                else:
                    assert any(NUMBER.fullmatch(v) for v in values), values
                assert (ARTIFACTS / f"{path}.png").stat().st_size > 10_000
        finally:
            browser.close()
