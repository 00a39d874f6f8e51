"""The dashboard's pages rendered by Streamlit's own test harness (AppTest) against a seeded
PostgreSQL: a small year-seed history (12 accounts, 60 days up to today)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import psycopg
import pytest
import streamlit as st
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from benchmarks.year_seed import seed_year
from social_pipeline.storage import database as dbmod

APP = Path(__file__).resolve().parents[2] / "social_pipeline" / "dashboard" / "app.py"
PAGES = ("overview", "posts", "hashtags", "audience", "health")
SEED_DAYS = 60
SEED_ACCOUNTS = 12


def seed(url: str) -> dict:
    with psycopg.connect(url, autocommit=True) as conn:
        return seed_year(conn, end_day=date.today(), days=SEED_DAYS, accounts=SEED_ACCOUNTS, echo=None,
                         apply_migrations=False)  # the database is a clone of the migrated template


@pytest.fixture(scope="module")
def seeded_url(module_db_url: str) -> str:
    seed(module_db_url)
    return module_db_url


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """The bytes of every st.download_button of the runs, by file name (a spy on Streamlit's
    in-memory media storage, which AppTest uses)."""
    seen: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        if filename and isinstance(path_or_data, bytes):
            seen[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return seen


def csv_frame(downloads: dict[str, bytes], name: str) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(downloads[f"{name}.csv"]))


def open_app(url: str, monkeypatch) -> AppTest:
    monkeypatch.setenv(dbmod.URL_ENV, url)
    st.cache_data.clear()
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def show(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def rendered_text(at: AppTest) -> str:
    """Everything the page sent to the browser, as text (protobufs of every element, dataframes'
    Arrow bytes included)."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    walk(at._tree)
    return "\n".join(out)
