"""The filters every page shares (account, platform, date range, in the sidebar), the database
connection, and the cached way a page runs a query of ``queries.py``."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pandas as pd
import psycopg
import streamlit as st

from social_pipeline.dashboard import queries as q

URL_ENV = "SOCIAL_PIPELINE_DATABASE_URL"
STATE_KEY = "dashboard_filters"
CACHE_SECONDS = 60

QUERIES = {name: fn for _page, name, fn in q.BENCH_QUERIES}
QUERIES.update({
    "account_choices": q.account_choices, "post_curve": q.post_curve, "video_posts": q.video_posts,
    "hashtag_insights": q.hashtag_insights, "posts_table": q.posts_table,
})


def database_url() -> str:
    url = os.environ.get(URL_ENV)
    if not url:
        # `social-pipeline dashboard` and `dev` always set it; started by hand, find the database
        # the way the rest of the project does (the embedded server when no URL is set).
        from social_pipeline.storage.database import resolve_url

        url = resolve_url()
        os.environ[URL_ENV] = url
    return url


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _cached(url: str, name: str, filters: q.Filters, args: tuple) -> pd.DataFrame:
    # prepare_threshold=None: never a server-side prepared statement, so every query is planned for
    # its own filters (a generic plan chosen after a few runs can be far slower).
    with psycopg.connect(url, autocommit=True, connect_timeout=15, prepare_threshold=None) as conn:
        conn.execute("SET statement_timeout = '20s'")
        return QUERIES[name](conn, filters, *args)


def run(name: str, filters: q.Filters | None = None, *args) -> pd.DataFrame:
    """The query ``name`` of queries.py for these filters, cached CACHE_SECONDS per arguments."""
    return _cached(database_url(), name, filters or current(), tuple(args)).copy()


def account_label(platform: str, handle: str) -> str:
    return f"{q.title(platform)} @{handle}"


def sidebar() -> q.Filters:
    """Draw the filters in the sidebar and remember them for the page."""
    accounts = run("account_choices", q.Filters())
    today = q._today()
    # Widgets of another page are new widgets: they start from the choices of the last page drawn.
    kept = st.session_state.get(STATE_KEY) or q.Filters()
    with st.sidebar:
        st.header("Filters")
        platforms = st.multiselect(
            "Platform", sorted(accounts["platform"].unique()), format_func=q.title, key="filter_platforms",
            default=[p for p in kept.platforms if p in set(accounts["platform"])],
            placeholder="All platforms")
        shown = accounts[accounts["platform"].isin(platforms)] if platforms else accounts
        labels = {row.social_account_id: account_label(row.platform, row.handle) for row in shown.itertuples()}
        chosen = st.multiselect(
            "Account", list(labels), format_func=lambda i: labels.get(i, i), key="filter_accounts",
            default=[a for a in kept.accounts if a in labels],
            placeholder="All accounts")
        picked = st.date_input(
            "Published or measured between (UTC days)",
            value=(kept.start, kept.end),
            max_value=today, key="filter_dates")
    start, end = _range(picked, today)
    filters = q.Filters(accounts=tuple(sorted(a for a in chosen if a in labels)), platforms=tuple(sorted(platforms)),
                        start=start, end=end)
    st.session_state[STATE_KEY] = filters
    return filters


def _range(picked, today: date) -> tuple[date, date]:
    if isinstance(picked, (tuple, list)):
        if len(picked) == 2:
            return picked[0], picked[1]
        if len(picked) == 1:  # the second day is not picked yet
            return picked[0], picked[0]
        return today - timedelta(days=29), today
    return picked, picked


def current() -> q.Filters:
    return st.session_state.get(STATE_KEY) or q.Filters()


def describe(f: q.Filters) -> str:
    who = f"{len(f.accounts)} account(s)" if f.accounts else "all accounts"
    where = ", ".join(q.title(p) for p in f.platforms) if f.platforms else "all platforms"
    return f"{who} · {where} · {f.start:%Y-%m-%d} to {f.end:%Y-%m-%d} (UTC)"
