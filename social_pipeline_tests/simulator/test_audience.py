"""The simulated audience (simulator/audience.py through world.Account.demographics): cities inside
their countries, country mixes that differ by account and drift slowly, languages from the
countries, ages by platform; and the column comments saying each total's scope (sql/019)."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta, timezone

import pytest

from social_pipeline.simulator import audience, world
from social_pipeline.simulator import linkedin as li_sim
from social_pipeline.simulator.transport import SimRequest

PLATFORMS = ("tiktok", "instagram", "youtube", "facebook", "twitter", "linkedin", "pinterest", "threads", "bluesky")
HANDLES = [f"creator_{i}" for i in range(40)] + ["demo-creator-co", "acme.robotics", "bob.cooks"]
START = datetime(2024, 1, 1, 23, 59, 59, tzinfo=timezone.utc)
DAYS = [START + timedelta(days=d) for d in range(0, 3 * 365, 29)]
CITY_COUNTRY = {f"{city}, {c.name}": code for code, c in audience.COUNTRIES.items() for city, _ in c.cities}


def _top5(demo: dict) -> float:
    return sum(sorted(demo["top_countries"].values(), reverse=True)[:5])


def test_every_city_is_at_most_its_country_on_every_sampled_day():
    checked = 0
    for platform in PLATFORMS:
        for handle in HANDLES[:12]:
            acct = world.account(platform, handle)
            for day in DAYS:
                demo = acct.demographics(day)
                countries = demo["top_countries"]
                for city, share in demo["top_cities"].items():
                    code = CITY_COUNTRY[city]  # every city names its country
                    assert code in countries, (platform, handle, day, city)
                    assert 0 < share <= countries[code], (platform, handle, day, city, share, countries[code])
                    checked += 1
                assert sum(countries.values()) <= 100.0
                assert len(demo["top_cities"]) == audience.TOP_CITIES
    assert checked == len(PLATFORMS) * 12 * len(DAYS) * audience.TOP_CITIES


def test_top5_share_varies_by_account():
    day = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
    sums = [_top5(world.account(p, h).demographics(day)) for p in PLATFORMS for h in HANDLES]
    assert min(sums) >= 50 and max(sums) <= 97
    assert max(sums) - min(sums) >= 25  # local creators and global ones
    assert statistics.pstdev(sums) > 5
    assert len({round(s, 2) for s in sums}) > len(sums) * 0.9  # not one figure for everyone (was 80.00)


def test_audience_drifts_slowly_day_to_day_and_more_over_a_year():
    day_steps, year_steps, unchanged = [], [], 0
    for platform in ("instagram", "tiktok", "linkedin"):
        for handle in HANDLES[:25]:
            acct = world.account(platform, handle)
            for start in (datetime(2025, 2, 3, 23, tzinfo=timezone.utc), datetime(2026, 3, 17, 23, tzinfo=timezone.utc)):
                today = acct.demographics(start)
                tomorrow = acct.demographics(start + timedelta(days=1))
                in_a_year = acct.demographics(start + timedelta(days=365))
                if tomorrow == today:
                    unchanged += 1
                for code, share in today["top_countries"].items():
                    day_steps.append(abs(tomorrow["top_countries"][code] - share))  # same countries listed
                    year_steps.append(abs(in_a_year["top_countries"][code] - share))
                assert abs(_top5(tomorrow) - _top5(today)) < 1.0
                for key in ("age_18_24", "gender_male"):
                    assert abs(tomorrow[key] - today[key]) < 1.0
    assert unchanged == 0  # every day moves a little
    assert max(day_steps) < 1.0  # percentage points from one day to the next
    assert statistics.mean(year_steps) > 5 * statistics.mean(day_steps)  # a year apart: clearly different


def test_same_day_same_answer_whatever_was_asked_before():
    acct = world.account("instagram", "creator_7")
    day = datetime(2026, 9, 9, 10, tzinfo=timezone.utc)
    first = acct.demographics(day)
    acct.demographics(day + timedelta(days=400))
    audience._demographics.cache_clear()
    audience._knot.cache_clear()
    assert acct.demographics(day.replace(hour=23)) == first  # any time of the day


def test_languages_follow_the_countries():
    day = datetime(2026, 1, 15, tzinfo=timezone.utc)
    for platform in PLATFORMS:
        for handle in HANDLES:
            demo = world.account(platform, handle).demographics(day)
            languages = demo["top_languages"]
            assert 0 < sum(languages.values()) <= 100.01
            spoken = {lang for code in demo["top_countries"] for lang, _ in audience.COUNTRIES[code].languages}
            assert set(languages) <= spoken | {"en", "es", "ar", "fr", "pt"}  # the rest of the world's
            top_country = max(demo["top_countries"], key=demo["top_countries"].get)
            main_language = max(audience.COUNTRIES[top_country].languages, key=lambda lp: lp[1])[0]
            if demo["top_countries"][top_country] >= 40:
                assert main_language in languages, (platform, handle, top_country, languages)


def test_ages_and_genders_follow_the_platform():
    day = datetime(2026, 4, 1, tzinfo=timezone.utc)

    def mean(platform: str, key) -> float:
        return statistics.mean(key(world.account(platform, h).demographics(day)) for h in HANDLES)

    def older(d):
        return d["age_35_44"] + d["age_45_plus"]

    assert mean("linkedin", older) > mean("tiktok", older) + 15
    assert mean("tiktok", lambda d: d["age_13_17"]) > 8
    assert mean("linkedin", lambda d: d["age_13_17"]) == 0  # no under-18s on LinkedIn
    assert mean("pinterest", lambda d: d["gender_female"]) > 60
    assert mean("twitter", lambda d: d["gender_male"]) > 50
    for platform in PLATFORMS:
        for handle in HANDLES[:10]:
            d = world.account(platform, handle).demographics(day)
            ages = [d[k] for k in ("age_13_17", "age_18_24", "age_25_34", "age_35_44", "age_45_plus")]
            assert sum(ages) == pytest.approx(100, abs=0.05)
            assert d["gender_male"] + d["gender_female"] <= 100


def test_linkedin_geo_endpoint_serves_the_world_geo_table():
    sim = li_sim.Simulator(datetime(2026, 11, 20, tzinfo=timezone.utc), ["acme.robotics"])
    ids = [audience.GEO_IDS["DK"], audience.GEO_IDS["US"], "999999999"]
    answer = sim._geo(None, SimRequest("GET", "/geo", {"ids": f"List({','.join(ids)})"}, {}, None))
    assert answer.status == 200
    body = answer.body
    assert body["results"]["104514075"]["defaultLocalizedName"]["value"] == "Denmark"
    assert body["results"]["103644278"]["id"] == 103644278
    assert set(body["errors"]) == {"999999999"}
    # Every country the audience can list has a LinkedIn geo id, and each id one country.
    assert len(set(audience.GEO_IDS.values())) == len(audience.COUNTRIES)


def test_rest_of_world_stays_below_every_listed_country():
    day = datetime(2026, 7, 1, tzinfo=timezone.utc)
    for handle in HANDLES:
        listed = world.account("linkedin", handle).demographics(day)["top_countries"]
        rest = audience.rest_of_world(listed, 100_000)
        assert not set(rest) & set(listed)
        assert sum(rest.values()) + sum(round(v * 1000) for v in listed.values()) == pytest.approx(100_000, abs=10)
        assert max(rest.values()) < min(listed.values()) * 1000


TOTALS = ("posts_count", "total_likes", "total_comments", "total_views", "total_shares", "retweets_count")


def test_each_total_says_its_scope(conn):
    notes = dict(conn.execute(
        "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a "
        "WHERE a.attrelid = 'social_analytics_snapshots'::regclass AND a.attnum > 0 AND NOT a.attisdropped"
    ).fetchall())
    for column in TOTALS:
        assert "LIFETIME" in notes[column] and "TRACKED" in notes[column], column
    assert "LIFETIME" in notes["watch_time_minutes"] and "Never summed" in notes["watch_time_minutes"]
    assert "TRACKED" in notes["engagement_rate"] and "TRACKED" in notes["tracked_totals"]
    latest = dict(conn.execute(
        "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a "
        "WHERE a.attrelid = 'social_analytics_latest'::regclass AND a.attnum > 0"
    ).fetchall())
    for column in TOTALS:
        assert "LIFETIME" in latest[column] and "TRACKED" in latest[column], column
    languages = conn.execute(
        "SELECT col_description('social_audience_demographics'::regclass, "
        "(SELECT attnum FROM pg_attribute WHERE attrelid = 'social_audience_demographics'::regclass "
        "AND attname = 'top_languages'))"
    ).fetchone()[0]
    assert "Always NULL" in languages and "documents an audience-language breakdown" in languages


def test_home_language_agrees_with_the_home_market():
    offered = ("en", "es", "pt", "de", "fr")
    seen = set()
    for handle in [f"h{i}" for i in range(300)]:
        home = audience.COUNTRIES[audience.home_country(handle)]
        language = audience.home_language(handle, offered)
        seen.add(language)
        assert language == "en" or language == max(home.languages, key=lambda lp: lp[1])[0]
        assert language in {lang for lang, _ in home.languages} or language == "en"
    assert seen == set(offered)
