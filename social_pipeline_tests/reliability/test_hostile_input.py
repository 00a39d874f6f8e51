"""Hostile API input: every platform's parser either yields sane records or raises ParseError.

Each platform is pulled once through the simulator (the real client, pagination and payload
shapes); hypothesis then mutates the recorded payloads -- arbitrary JSON in place of fields,
missing keys, wrong types, huge and negative numbers, NaN/Infinity, NUL bytes, 1 MB captions,
emoji, combining marks, right-to-left text, SQL and HTML -- and re-parses them.

Property (what ``normalize.parse_day`` relies on to quarantine one account and go on with the
others): ``Client.parse`` (followed by ``parsed_pulls.validate``, as ``parse_day`` runs them) either
returns a ParsedPull whose counts are None or non-negative ints within BIGINT, whose percentages
are finite and within [0, 100], whose text fields are ``str`` and whose timestamps are aware
datetimes -- or raises :class:`ParseError`. Never any other exception.

A second, DB-level property: posts and comments built from hostile strings, cleaned with
``normalize.clean_text``, go through ``write_frame`` and read back identical (NUL -> U+FFFD).
"""

from __future__ import annotations

import copy
import math
from datetime import date, datetime
from functools import lru_cache

import pandas as pd
import psycopg
import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from social_pipeline.ingest.accounts import DEMO_HANDLES
from social_pipeline.ingest.normalize import clean_text
from social_pipeline.ingest.parsed_pulls import validate as _validate
from social_pipeline.platforms import PLATFORMS
from social_pipeline.platforms.base import (
    ACCOUNT_FIELDS,
    AccountRef,
    ParsedPull,
    ParseError,
    RawResponse,
    count,
)
from social_pipeline.ingest.pulling import client_class_for, pull_account
from social_pipeline.simulator import demo_token
from social_pipeline.storage.io_manager import TableSpec, write_frame

BIGINT_MAX = 9_223_372_036_854_775_807
DAY = date(2026, 6, 1)
MAX_EXAMPLES = 40

COMMON = dict(
    deadline=None,
    database=None,  # no .hypothesis folder in the repository
    derandomize=True,  # the same examples on every run: a failure here is never a flake
    # No shrinking: with 1 MB strings in play it can take minutes; the failure report lists the
    # mutations applied (the "applied" draw), which is enough to reproduce.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# -- the real responses, pulled once per platform ----------------------------------------------


@lru_cache(maxsize=None)
def pulled(platform: str) -> tuple[RawResponse, ...]:
    handle = DEMO_HANDLES[platform]
    account = AccountRef(
        id="00000000-0000-0000-0000-000000000009", platform=platform, handle=handle, provider_name="demo",
        posts_per_fetch=3, access_token=demo_token(platform, handle),
    )
    result = pull_account(account, DAY, sleep=lambda s: None)
    assert result.ok, result.error
    return tuple(result.responses)


# -- hostile values -----------------------------------------------------------------------------

ONE_MB = "x" * (1 << 20)
HOSTILE_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 5,
    ONE_MB,
    "#tag " * 50_000,  # ~250 kB of hashtags
    "😀🔥👩‍👩‍👧‍👦🏳️‍🌈",
    "e\u0301\u0301\u0301\u0327\u0308" * 100,  # combining marks piling up
    "\u202eevil\u202c \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",  # RTL override, Hebrew, Arabic
    "'; DROP TABLE social_posts_analytics; --",
    "Robert'); DELETE FROM social_accounts WHERE ('1'='1",
    "$$; SELECT pg_sleep(10); $$",
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "&lt;b&gt;&#x27;&quot;",
    "\\u0000 \\x00 %s %(start)s {} {0}",
    "\r\n\t\x0b\x0c\x1b[31m",
    "\ufeff\u200b\u200d\u2028\u2029",
    "-1",
    "1e309",
    "NaN",
    "Infinity",
    "99999999999999999999999999",
    "２３",  # full-width digits
    "2026-13-45T99:99:99Z",
    "0000-00-00",
    "1970-01-01T00:00:00Z",
    "null",
    "true",
    "[]",
    "{}",
]
HOSTILE_NUMBERS = [
    0, -1, -(2**31), 2**31, 2**53 + 1, BIGINT_MAX, BIGINT_MAX + 1, -(2**63), 2**64, 10**30, -(10**30),
    0.5, -0.0, 1e308, -1e308, 1e-308, float("nan"), float("inf"), float("-inf"), True, False,
]

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
json_value = st.recursive(
    json_leaf,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
hostile_string = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60),
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE_STRINGS), st.text(max_size=10)),
)
hostile_value = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS),
    hostile_string,
    json_value,
    st.integers(min_value=-(2**70), max_value=2**70),
)


def _paths(node, prefix=()):
    """Every path (a tuple of keys/indices) into a JSON value, the root included."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def _get(node, path):
    for key in path:
        node = node[key]
    return node


def _mutate(data, responses: list[RawResponse]) -> list[str]:
    """Apply 1-4 random mutations to the payloads in place; returns a description of each."""
    done = []
    candidates = [i for i, r in enumerate(responses) if r.ok]
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        index = data.draw(st.sampled_from(candidates), label="response")
        response = responses[index]
        paths = list(_paths(response.payload))
        path = data.draw(st.sampled_from(paths), label="path")
        target = _get(response.payload, path)
        ops = ["replace"]
        if path:
            ops.append("delete")
        if isinstance(target, str):
            ops.append("string")
        if isinstance(target, (int, float)) and not isinstance(target, bool):
            ops.append("number")
        if isinstance(target, list) and target:
            ops.append("duplicate")
        op = data.draw(st.sampled_from(ops), label="op")
        if op == "replace":
            value = data.draw(hostile_value, label="value")
        elif op == "string":
            value = data.draw(hostile_string, label="value")
        elif op == "number":
            value = data.draw(st.sampled_from(HOSTILE_NUMBERS) | st.integers(-(2**70), 2**70), label="value")
        if op == "duplicate":
            target.append(copy.deepcopy(target[data.draw(st.integers(0, len(target) - 1))]))
        elif not path:
            response.payload = value
        else:
            parent = _get(response.payload, path[:-1])
            if op == "delete":
                if isinstance(parent, dict):
                    del parent[path[-1]]
                else:
                    parent.pop(path[-1])
            else:
                parent[path[-1]] = value
        done.append(f"{response.endpoint}#{index} {op} {path!r}")
    return done


# -- the property --------------------------------------------------------------------------------

COUNT_FIELDS = frozenset(
    {*ACCOUNT_FIELDS, "likes_count", "comments_count", "views_count", "shares_count", "saves_count",
     "watch_time_seconds", "impressions", "reach", "duration"}
)
PERCENT_FIELDS = frozenset(
    {"completion_rate", "age_13_17", "age_18_24", "age_25_34", "age_35_44", "age_45_plus", "gender_male", "gender_female"}
)
TEXT_FIELDS = frozenset(
    {"external_user_id", "display_name", "external_post_id", "post_url", "caption", "title", "media_type",
     "media_url", "external_comment_id", "parent_external_comment_id", "comment_text", "author_username"}
)
TIME_FIELDS = frozenset({"posted_at", "commented_at"})


def _check_record(where: str, record: dict) -> None:
    assert isinstance(record, dict), where
    for key, value in record.items():
        if value is None:
            continue
        at = f"{where}.{key} = {value!r:.80}"
        if key in COUNT_FIELDS:
            # copy.py and the assets' astype("Int64") take integral floats; nothing else fits BIGINT.
            assert type(value) is int or (type(value) is float and math.isfinite(value) and value.is_integer()), at
            assert 0 <= value <= BIGINT_MAX, at
        elif key in PERCENT_FIELDS:
            assert isinstance(value, (int, float)) and not isinstance(value, bool), at
            assert math.isfinite(value) and 0 <= value <= 100, at
        elif key in TEXT_FIELDS:
            assert isinstance(value, str), at
        elif key in TIME_FIELDS:
            assert isinstance(value, datetime) and value.tzinfo is not None, at
        elif key == "author_external_id":
            assert isinstance(value, (str, int)) and not isinstance(value, bool), at


def check_parsed(parsed: ParsedPull) -> None:
    assert isinstance(parsed, ParsedPull)
    _check_record("account", parsed.account)
    for i, post in enumerate(parsed.posts):
        _check_record(f"posts[{i}]", post)
    for i, comment in enumerate(parsed.comments):
        _check_record(f"comments[{i}]", comment)
    demo = parsed.demographics
    if demo is not None:
        _check_record("demographics", demo)
        for key in ("top_countries", "top_cities", "top_languages"):
            shares = demo.get(key)
            if shares is None:
                continue
            assert isinstance(shares, dict), key
            for name, share in shares.items():
                assert isinstance(name, str), (key, name)
                assert isinstance(share, (int, float)) and not isinstance(share, bool), (key, share)
                assert math.isfinite(share) and 0 <= share <= 100, (key, name, share)
        hours = demo.get("peak_hours")
        if hours is not None:
            assert all(type(h) is int and 0 <= h <= 23 for h in hours), hours
        days = demo.get("peak_days")
        if days is not None:
            assert all(isinstance(d, str) for d in days), days


def parse_or_parse_error(platform: str, responses: list[RawResponse]) -> ParsedPull | None:
    """Parse as ``parse_day`` does; None when the pull is rejected with ParseError."""
    try:
        parsed = client_class_for(platform, "demo").parse(responses)
        _validate(parsed)
    except ParseError:
        return None
    return parsed


@pytest.mark.parametrize("platform", PLATFORMS)
def test_unmutated_pull_parses(platform):
    parsed = parse_or_parse_error(platform, copy.deepcopy(list(pulled(platform))))
    assert parsed is not None and parsed.posts
    check_parsed(parsed)


# The bugs this suite found (out-of-range epochs, Unicode digits, non-string names and parent ids,
# duplicated demographic buckets, fractional watch time, lone surrogates) are fixed; the tests
# below pin each fix.


@pytest.mark.parametrize("platform", PLATFORMS)
@settings(max_examples=MAX_EXAMPLES, **COMMON)
@given(data=st.data())
def test_parse_survives_hostile_payloads(platform, data):
    responses = copy.deepcopy(list(pulled(platform)))
    mutations = _mutate(data, responses)
    note(f"applied: {mutations}")
    try:
        parsed = parse_or_parse_error(platform, responses)  # anything but ParseError fails the test
        if parsed is not None:
            check_parsed(parsed)
    except ParseError:  # pragma: no cover - parse_or_parse_error turns it into None
        pass


# -- count() itself --------------------------------------------------------------------------------


@settings(max_examples=300, **COMMON)
@given(value=hostile_value)
def test_count_is_none_a_bigint_or_parse_error(value):
    try:
        result = count(value)
    except ParseError:
        return
    assert result is None or (type(result) is int and 0 <= result <= BIGINT_MAX)


@pytest.mark.parametrize("text", ["²", "³", "①", "1²"])
def test_count_rejects_superscript_digits_with_parse_error(text):
    with pytest.raises(ParseError):
        count(text)


# -- DB level: hostile strings written and read back ------------------------------------------------

POSTS_SPEC = TableSpec(
    "social_posts_analytics", mode="upsert", keys=("social_account_id", "platform", "external_post_id"),
    merge={"first_seen_date": "least", "last_seen_date": "greatest"}, newer_column="last_seen_date",
)
COMMENTS_SPEC = TableSpec(
    "social_comments", mode="upsert", keys=("post_id", "external_comment_id"),
    merge={"first_seen_date": "least", "last_seen_date": "greatest"}, newer_column="last_seen_date",
)
db_string = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.text(max_size=80),  # any Unicode scalar value (hypothesis leaves out lone surrogates)
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE_STRINGS), st.text(max_size=20)),
)


@pytest.fixture(scope="module")
def hostile_db(module_db_url):
    with psycopg.connect(module_db_url, autocommit=True) as c:
        account = c.execute(
            "INSERT INTO social_accounts (platform, handle) VALUES ('tiktok', 'hostile') RETURNING id::text"
        ).fetchone()[0]
    return module_db_url, account


def _expected(value: str) -> str:
    return value.replace("\x00", "\ufffd")


def test_hostile_strings_round_trip_through_write_frame(hostile_db):
    url, account = hostile_db
    counter = iter(range(10**9))

    @settings(max_examples=60, **COMMON)
    @given(caption=db_string, title=db_string, url_text=db_string, author=db_string, comment=db_string, ext=db_string)
    def roundtrip(caption, title, url_text, author, comment, ext):
        ext_id = clean_text(f"{next(counter)}:{ext}", 255)
        posts = pd.DataFrame(
            [{
                "social_account_id": account, "external_post_id": ext_id, "platform": "tiktok",
                "post_url": clean_text(url_text), "caption": clean_text(caption), "title": clean_text(title, 500),
                "media_type": clean_text(title, 50), "first_seen_date": DAY, "last_seen_date": DAY,
            }]
        )
        with psycopg.connect(url) as c:
            write_frame(c, POSTS_SPEC, posts, None)
            post_id, *stored = c.execute(
                "SELECT id, external_post_id, post_url, caption, title, media_type FROM social_posts_analytics "
                "WHERE platform = 'tiktok' AND external_post_id = %s", (ext_id,),
            ).fetchone()
        assert stored == [ext_id, posts.post_url[0], posts.caption[0], posts.title[0], posts.media_type[0]]
        assert "\x00" not in "".join(stored)
        assert stored[2] == _expected(caption) and stored[1] == _expected(url_text)
        assert len(stored[3]) <= 500 and len(stored[4]) <= 50

        comments = pd.DataFrame(
            [{
                "post_id": post_id, "external_comment_id": ext_id, "comment_text": clean_text(comment),
                "author_username": clean_text(author, 255), "author_external_id": clean_text(ext, 255),
                "is_reply": False, "is_creator_reply": False, "first_seen_date": DAY, "last_seen_date": DAY,
            }]
        )
        with psycopg.connect(url) as c:
            write_frame(c, COMMENTS_SPEC, comments, None)
            write_frame(c, COMMENTS_SPEC, comments, None)  # the upsert path, on conflict
            rows = c.execute(
                "SELECT comment_text, author_username, author_external_id FROM social_comments WHERE post_id = %s",
                (post_id,),
            ).fetchall()
        assert rows == [(_expected(comment), comments.author_username[0], comments.author_external_id[0])]

    roundtrip()


def test_lone_surrogate_from_json_is_cleaned_before_the_database(hostile_db):
    import json

    url, account = hostile_db
    caption = json.loads('"cut emoji \\ud83d"')  # what json.loads gives for a truncated pair
    posts = pd.DataFrame(
        [{"social_account_id": account, "external_post_id": "surrogate", "platform": "tiktok",
          "caption": clean_text(caption), "first_seen_date": DAY, "last_seen_date": DAY}]
    )
    with psycopg.connect(url) as c:
        write_frame(c, POSTS_SPEC, posts, None)
        stored = c.execute(
            "SELECT caption FROM social_posts_analytics WHERE external_post_id = 'surrogate'"
        ).fetchone()[0]
    assert stored.startswith("cut emoji ")


# -- the bugs found, pinned (strict: each turns into a failure once fixed) ---------------------------


def _responses(platform: str) -> list[RawResponse]:
    return copy.deepcopy(list(pulled(platform)))


def _first(responses, endpoint, has=lambda p: True) -> RawResponse:
    return next(r for r in responses if r.endpoint == endpoint and r.ok and has(r.payload))


def _parse(platform, responses):
    return parse_or_parse_error(platform, responses)


@pytest.mark.parametrize("epoch", [10**20, 9_223_372_036_854_775_807, -(10**20), 1e300])
def test_huge_epoch_is_a_parse_error(epoch):
    responses = _responses("tiktok")
    _first(responses, "v2/video/list").payload["data"]["videos"][0]["create_time"] = epoch
    assert _parse("tiktok", responses) is None  # rejected with ParseError


def test_linkedin_huge_epoch_ms_is_a_parse_error():
    responses = _responses("linkedin")
    comments = _first(responses, "socialActions/comments", lambda p: bool(p.get("elements")))
    comments.payload["elements"][0]["created"]["time"] = 10**17
    try:
        assert _parse("linkedin", responses) is None
    except ParseError:  # pragma: no cover - the fixed behaviour
        pass


@pytest.mark.parametrize("platform", ["facebook", "youtube"])
def test_non_string_author_name_is_rejected_or_dropped(platform):
    responses = _responses(platform)
    if platform == "facebook":
        body = _first(responses, "post/comments", lambda p: bool(p.get("data")))
        body.payload["data"][0]["from"]["name"] = 10**40
    else:
        body = _first(responses, "commentThreads.list", lambda p: bool(p.get("items")))
        body.payload["items"][0]["snippet"]["topLevelComment"]["snippet"]["authorDisplayName"] = ["x"]
    parsed = _parse(platform, responses)
    if parsed is not None:
        assert all(c["author_username"] is None or isinstance(c["author_username"], str) for c in parsed.comments)


def test_duplicated_demographic_bucket_stays_within_100_percent():
    responses = _responses("pinterest")
    demo = _first(responses, "ad_accounts/audience_insights").payload["demographics"]
    demo["genders"] = demo["genders"] + copy.deepcopy(demo["genders"])
    parsed = _parse("pinterest", responses)
    if parsed is not None:
        check_parsed(parsed)


def test_instagram_watch_time_in_ms_becomes_whole_seconds():
    responses = _responses("instagram")
    for r in responses:
        if r.endpoint == "ig-media/insights" and r.ok:
            for entry in r.payload["data"]:
                if entry.get("name") == "ig_reels_video_view_total_time":
                    entry["values"][0]["value"] = 14_449_238_123  # real totals are arbitrary ms
    parsed = _parse("instagram", responses)
    values = [p["watch_time_seconds"] for p in parsed.posts if p["watch_time_seconds"] is not None]
    assert values
    pd.Series(values, dtype="float64").astype("Int64")  # what social_post_metrics does
