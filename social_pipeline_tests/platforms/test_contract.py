"""The platform contract: what every provider of every registered platform must do.

Parametrized over ``social_pipeline.platforms.SPECS`` (every provider of every spec), so a platform
added to the registry gets these cases without a line here. Each case runs the real client with
the platform's simulator behind the ``scripted_transport`` (no network, no database), which also
plays the platform's throttles, errors and odd payloads.
"""

from __future__ import annotations

from collections import Counter

import json
import re
from typing import Any

import pytest

from social_pipeline.ingest.pulling import PullResult, raw_rows
from social_pipeline.platforms.base import SECRET_KEYS, PlatformError, RawResponse
from social_pipeline.simulator import world
from social_pipeline.simulator.meta_graph import throttle_error
from social_pipeline_tests.platforms.contract_cases import (
    AS_OF,
    BAD_REQUEST_MESSAGE,
    DAY,
    CASES,
    GRAPH,
    NO_CREDENTIAL,
    RETIRED_METRIC,
    VISIBLE_KINDS,
    Case,
    fatal_request_error,
    likes_drop,
    too_many,
    without,
)

# Cases a platform cannot meet today: (case id, contract) -> reason. Each is a strict xfail, so
# the day a platform is fixed the case fails until its line here is removed.
KNOWN_GAPS: dict[tuple[str, str], str] = {}

CONTRACTS = ("paging", "throttle", "server_error", "fatal_4xx", "expired_token", "retired_metric", "null_not_zero", "no_credential", "hostile_text")


assert {c for _, c in KNOWN_GAPS} <= set(CONTRACTS) and {i for i, _ in KNOWN_GAPS} <= {c.id for c in CASES}


def _params(contract: str):
    assert contract in CONTRACTS
    out = []
    for case in CASES:
        reason = KNOWN_GAPS.get((case.id, contract))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


def _recorded_text(responses: list[RawResponse]) -> list[str]:
    """Everything a pull records about its exchanges, as text."""
    out = []
    for r in responses:
        out.append(json.dumps(r.payload, ensure_ascii=False, default=str))
        out.append(json.dumps(r.request_params, ensure_ascii=False, default=str))
        out.append(r.endpoint)
        out.append(r.error or "")
        out.append(json.dumps(r.usage, default=str))
    return out


def _world_ids(case: Case, client) -> list[str]:
    sim = case.simulator()
    kinds = VISIBLE_KINDS.get(case.platform)
    posts = world.account(case.platform, case.handle).posts_until(AS_OF)
    return [sim.post_id(p) for p in posts if kinds is None or p.kind in kinds]


# -- paging ------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", _params("paging"))
def test_paging_follows_the_cursor_to_the_end(case: Case, scripted_transport):
    client = case.build(scripted_transport)
    client.pull(case.account())
    responses = client.http.responses
    assert any(r.page_index > 0 for r in responses), "the listing fit in one page: the case does not test paging"
    parsed = client.parse(responses)
    ids = [p["external_post_id"] for p in parsed.posts]
    assert len(ids) == len(set(ids)), "a post was parsed twice"
    expected = _world_ids(case, client)
    assert len(expected) > 20
    missing = set(expected) - set(ids)
    assert not missing, f"{len(missing)} of the account's {len(expected)} posts were not pulled"
    originals = [p for p in parsed.posts if p.get("post_kind") in (None, "original", "quote")]
    assert len(originals) == len(expected)


# -- throttles and server errors ---------------------------------------------------------------
RESET_HEADERS = ("x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-reset")


@pytest.mark.parametrize("variant", ["retry-after", "reset-header-only"])
@pytest.mark.parametrize("case", _params("throttle"))
def test_429_with_the_documented_body_is_retried(case: Case, variant: str, scripted_transport):
    status, headers, body = too_many(case, wait=3)
    assert status == 429 and "Retry-After" in headers
    if variant == "reset-header-only":  # X and Bluesky may say only when the window resets
        if not any(h.lower() in RESET_HEADERS for h in headers):
            pytest.skip(f"{case.id}'s documented 429 has no reset header")
        headers = {k: v for k, v in headers.items() if k != "Retry-After"}
    answers = [(status, headers, body)]
    if case.platform in GRAPH:  # Graph signals its throttles as HTTP 400 with a code
        meta = throttle_error(4)
        answers.append((meta.status, meta.headers, meta.body))
    scripted_transport.script(r".", *answers, after=1)  # mid-pull, past the first request
    waits: list[float] = []
    client = case.build(scripted_transport, sleeps=waits)
    client.pull(case.account(posts=3))
    statuses = [r.status_code for r in client.http.responses]
    assert statuses[1 : 1 + len(answers)] == [a[0] for a in answers]
    assert statuses[1 + len(answers)] == 200
    retried = client.http.responses[1 + len(answers)]
    assert (retried.endpoint, retried.page_index) == (client.http.responses[1].endpoint, client.http.responses[1].page_index)
    assert waits and waits[0] >= 2, "Retry-After / the reset header was not honoured"
    assert max(waits) < 60
    assert len(client.parse(client.http.responses).posts) == 3


@pytest.mark.parametrize("case", _params("server_error"))
def test_5xx_is_retried(case: Case, scripted_transport):
    scripted_transport.script(
        r".",
        (503, {}, {"error": {"message": "Service Unavailable", "code": 503}}),
        (500, {}, "<html><body><h1>500 Internal Server Error</h1></body></html>"),
        after=1,
    )
    client = case.build(scripted_transport)
    client.pull(case.account(posts=3))
    assert [r.status_code for r in client.http.responses][1:4] == [503, 500, 200]
    assert len(client.parse(client.http.responses).posts) == 3


@pytest.mark.parametrize("case", _params("fatal_4xx"))
def test_a_4xx_that_is_not_a_throttle_is_fatal(case: Case, scripted_transport):
    answer = fatal_request_error(case)
    scripted_transport.script(r".", *[answer] * 5)
    client = case.build(scripted_transport)
    with pytest.raises(PlatformError) as info:
        client.pull(case.account(posts=3))
    assert info.value.status_code == 400
    assert "400" in str(info.value) and BAD_REQUEST_MESSAGE in str(info.value), str(info.value)
    assert len(client.http.responses) == 1, "a 4xx that is not a throttle was retried"


# -- refused credentials -----------------------------------------------------------------------
def _names(case: Case) -> list[str]:
    return [case.platform, case.spec.title, *case.spec.aliases]


@pytest.mark.parametrize("case", _params("expired_token"))
def test_an_expired_token_says_what_to_fix_without_the_credential(case: Case, scripted_transport):
    if case.platform in NO_CREDENTIAL:
        pytest.skip(f"{case.platform}'s public API takes no credential")
    credentials = dict(case.credentials)
    if case.refused_credential == "token":
        refused = case.user_token + "-expired"  # the simulators' expired/revoked token
        account = case.account(token=refused)
    else:
        refused = "revoked-" + credentials[case.refused_credential]
        credentials[case.refused_credential] = refused
        account = case.account()
    client = case.build(scripted_transport, credentials=credentials)
    with pytest.raises(PlatformError) as info:
        client.pull(account)
    message = str(info.value)
    assert any(re.search(rf"\b{re.escape(name)}\b", message, re.I) for name in _names(case)), message
    assert case.handle.lstrip("@") in message, message
    assert "SOCIAL_PIPELINE_" in message or "social_accounts.access_token" in message, message
    for secret in [refused, *case.secrets]:
        assert secret not in message
        assert not [t for t in _recorded_text(client.http.responses) if secret in t]


# -- a retired metric --------------------------------------------------------------------------
@pytest.mark.parametrize("case", _params("retired_metric"))
def test_a_retired_metric_is_none_and_asked_for_once(case: Case, scripted_transport):
    retired = RETIRED_METRIC.get((case.platform, case.provider))
    if retired is None:
        pytest.skip(f"{case.id} names no metric in its requests: a field it stops serving is the NULL-not-0 case")
    knob, metric, field_name = retired
    client = case.build(scripted_transport, simulator=case.simulator(**{knob: {metric}}))
    client.pull(case.account(posts=12))
    refused = [r for r in client.http.responses if not r.ok]
    assert refused and all(r.status_code == 400 for r in refused)
    # At most once per endpoint and kind of post asked (Instagram asks a Reel, an image and a
    # carousel for different metric lists): never again on every post.
    per_endpoint = Counter(r.endpoint for r in refused)
    assert max(per_endpoint.values()) <= 3, f"the refused metric was asked for again on every post: {per_endpoint}"
    posts = client.parse(client.http.responses).posts
    assert len(posts) == 12 and [p[field_name] for p in posts] == [None] * 12
    # ...while the metrics the platform still serves are kept.
    assert any(p["likes_count"] is not None for p in posts)


# -- NULL, not 0 -------------------------------------------------------------------------------
@pytest.mark.parametrize("case", _params("null_not_zero"))
def test_a_metric_the_platform_omits_is_none_never_zero(case: Case, scripted_transport):
    mode, name = likes_drop(case)
    dropped = scripted_transport.rewrite(r".", lambda body: without(body, mode, name))
    client = case.build(scripted_transport)
    client.pull(case.account(posts=12))
    assert dropped.applied > 0
    posts = client.parse(client.http.responses).posts
    assert len(posts) == 12
    assert [p["likes_count"] for p in posts] == [None] * len(posts)


# -- credentials are never recorded ------------------------------------------------------------
@pytest.mark.parametrize("case", _params("no_credential"))
def test_no_credential_in_a_stored_payload_or_recorded_param(case: Case, scripted_transport):
    secrets = case.secrets
    echoed = {"bodies": 0}

    def count_echoes(body: Any) -> Any:
        text = json.dumps(body)
        echoed["bodies"] += any(s in text for s in secrets)
        return body

    scripted_transport.rewrite(r".", count_echoes)
    client = case.build(scripted_transport)
    client.pull(case.account(posts=30))
    if case.platform not in NO_CREDENTIAL:  # the credentials really went out
        wire = [f"{s.url} {dict(s.headers)} {s.body!r}" for s in scripted_transport.sent]
        assert any(secret in w for secret in secrets for w in wire)
    if case.platform in GRAPH:
        assert echoed["bodies"] > 0, "the simulator no longer echoes the token in Graph's paging links"
    recorded = _recorded_text(client.http.responses)
    for secret in secrets:
        hits = [t for t in recorded if secret in t]
        assert not hits, f"{secret!r} recorded: {hits[0][:200]}"
    parsed = client.parse(client.http.responses)
    assert not [s for s in secrets if s in repr(parsed)]


def test_a_credential_passed_as_a_request_param_is_recorded_redacted(scripted_transport):
    """Clients pass credentials in ``secret_params``; one passed in ``params`` by mistake (or by a
    name the platform gives it) is still never recorded: every name in ``SECRET_KEYS`` is."""
    case = CASES[0]
    scripted_transport.script(r"/contract", (200, {}, {"ok": True}))
    client = case.build(scripted_transport)
    secret = "sk-CONTRACT-PARAM-SECRET-0b1c"
    params = {name: secret for name in SECRET_KEYS} | {"fields": "id"}
    client.http.get(client.url("/contract"), endpoint="contract", params=params)
    assert secret in scripted_transport.sent[-1].url  # it was sent
    recorded = client.http.responses[-1].request_params
    assert recorded["fields"] == "id" and secret not in json.dumps(recorded)


# -- hostile text ------------------------------------------------------------------------------
HOSTILE = "nul\x00 lone\ud800surrogate \u202eRTL\u202c \u200f emoji 👩🏽‍💻🇯🇵 " + "x" * 10_000


def _hostile(body: Any) -> Any:
    """Every human-written string (one with a space, not a URL) given hostile text."""
    if isinstance(body, dict):
        return {k: _hostile(v) for k, v in body.items()}
    if isinstance(body, list):
        return [_hostile(v) for v in body]
    if isinstance(body, str) and " " in body and not body.startswith("http"):
        return HOSTILE + body
    return body


@pytest.mark.parametrize("case", _params("hostile_text"))
def test_hostile_text_survives_parse(case: Case, scripted_transport):
    planted = scripted_transport.rewrite(r".", _hostile)
    client = case.build(scripted_transport)
    client.pull(case.account(posts=5))
    assert planted.applied > 0
    parsed = client.parse(client.http.responses)
    assert len(parsed.posts) == 5
    # ...and the raw rows are storable (no NUL or lone surrogate reaches PostgreSQL).
    result = PullResult(case.account(), "pull", True, client.http.responses)
    stored = json.dumps([row["payload"] for row in raw_rows(result, DAY)], ensure_ascii=False)
    assert "\x00" not in stored and "\\u0000" not in stored
    stored.encode("utf-8")
    texts = [p.get("caption") or p.get("title") or "" for p in parsed.posts]
    assert any("👩🏽‍💻" in t and "\u202e" in t and len(t) > 10_000 for t in texts), "the hostile caption did not arrive whole"
