"""Pulling through the simulator: reproducible per day, secrets kept out of what is stored."""

from datetime import date

import pytest

from social_pipeline.platforms import PLATFORMS
from social_pipeline.platforms.base import AccountRef
from social_pipeline.ingest.pulling import pull_account, raw_rows
from social_pipeline.simulator import demo_token
from social_pipeline.ingest.accounts import DEMO_HANDLES


def _account(platform, token=None):
    handle = DEMO_HANDLES[platform]
    return AccountRef(id="00000000-0000-0000-0000-000000000009", platform=platform, handle=handle,
                      provider_name="demo", posts_per_fetch=3,
                      access_token=token if token is not None else demo_token(platform, handle))


def _payloads(result):
    return [(r.endpoint, r.page_index, r.status_code, r.payload) for r in result.responses]


def test_every_platform_pull_is_reproducible_for_a_day():
    for platform in PLATFORMS:
        first = pull_account(_account(platform), date(2026, 6, 1))
        second = pull_account(_account(platform), date(2026, 6, 1))
        later = pull_account(_account(platform), date(2026, 6, 20))
        assert first.ok, first.error
        assert _payloads(first) == _payloads(second), platform
        assert _payloads(first) != _payloads(later), platform


def test_failed_pull_is_recorded_without_the_secret():
    secret = "sk-live-very-secret-123"
    result = pull_account(_account("youtube", token=secret), date(2026, 6, 1), sleep=lambda s: None)
    assert not result.ok
    rows = raw_rows(result, date(2026, 6, 1))
    assert rows[-1]["endpoint"] == "(pull)" and rows[-1]["pull_status"] == "failed"
    assert "youtube/democreator" in result.error
    assert secret not in repr(rows) and secret not in result.error


def _session_with(answers):
    """A session whose every request gets the next (status, body, headers) of ``answers``; an
    answer ``(requests.Timeout, None, None)`` times out."""
    import requests

    from social_pipeline.simulator.transport import PlatformSimulator, SimResponse
    from social_pipeline_tests.platforms.contract_transport import ScriptedTransport

    class _Reached(PlatformSimulator):
        """The server a timed-out request reaches: its answer never comes back (see below)."""

        platform = "example"

        def handle(self, request):
            return SimResponse(200, {})

    def time_out(body):
        raise requests.Timeout("scripted")

    transport = ScriptedTransport()
    timeouts = 0
    for status, body, headers in answers:
        if isinstance(status, type) and issubclass(status, requests.Timeout):
            # Scripted answers are HTTP responses: a timeout is a request let through to the
            # server (each later answer's rule lets one more through) whose answer raises.
            timeouts += 1
            continue
        transport.script(r".", (status, headers, body), after=timeouts)
    if timeouts:
        transport.serve("https://api.example", _Reached(None)).rewrite(r".", time_out)
    return transport.install(requests.Session())


def test_http_client_retry_policy():
    import time as _time

    import requests

    from social_pipeline.platforms.base import HttpClient, PlatformError
    from social_pipeline.platforms.ratelimit import QuotaBudget, RateLimiter

    slept = []
    answers = [
        (429, {"error": "slow"}, {"Retry-After": "7"}),
        (429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": str(int(_time.time()) + 30), "x-rate-limit-remaining": "0"}),
        (503, "<html>down</html>", {}),
        (requests.Timeout, None, None),
        (200, '{"data": [1', {}),
        (200, {"data": [1, 2]}, {"x-app-usage": '{"call_count": 95, "total_time": 10, "total_cputime": 3}'}),
    ]
    clock = [0.0]
    limiter = RateLimiter(1000, 60, clock=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s))
    http = HttpClient(_session_with(answers), sleep=slept.append, max_attempts=6, backoff_seconds=1, limiter=limiter, jitter=lambda: 0.5)
    assert http.get("https://api.example/x", endpoint="x", cost_units=None) == {"data": [1, 2]}
    assert [r.attempt for r in http.responses] == [1, 2, 3, 4, 5, 6]
    assert slept[0] == 7  # Retry-After honoured
    assert 25 <= slept[1] <= 31  # X's reset header used when there is no Retry-After
    assert slept[2:] == [4, 8, 16]  # exponential: 1 * 2**(n-1) * (0.5 + 0.5)
    assert [r.status_code for r in http.responses] == [429, 429, 503, None, 200, 200]
    assert http.responses[3].error.startswith("timed out") and "not JSON" in http.responses[4].error
    assert http.responses[5].usage["x-app-usage"].startswith('{"call_count": 95')
    assert limiter._paused_until >= clock[0] + 59  # Meta usage over 90 %: the provider pauses

    # A 4xx other than 429 is not retried; a Retry-After beyond the cap gives up at once.
    http = HttpClient(_session_with([(404, {"error": {"message": "no such post"}}, {})]), sleep=slept.append)
    with pytest.raises(PlatformError, match="HTTP 404"):
        http.get("https://api.example/x", endpoint="x")
    http = HttpClient(_session_with([(429, {}, {"Retry-After": "3600"})]), sleep=slept.append)
    with pytest.raises(PlatformError, match="retry after 3600"):
        http.get("https://api.example/x", endpoint="x")
    http = HttpClient(_session_with([(401, {"error": "expired"}, {})]), sleep=slept.append)
    with pytest.raises(PlatformError, match="reconnect the account"):
        http.get("https://api.example/x", endpoint="x")
    # A unit quota stops a request before it is sent.
    http = HttpClient(_session_with([(200, {}, {})] * 3), quota=QuotaBudget(units_per_day=2))
    http.get("https://api.example/x", endpoint="x", cost_units=1)
    http.get("https://api.example/x", endpoint="x", cost_units=1)
    with pytest.raises(PlatformError, match="quota"):
        http.get("https://api.example/x", endpoint="x", cost_units=1)
    assert len(http.responses) == 2


def test_rate_limiter_spaces_requests():
    from social_pipeline.platforms.ratelimit import RateLimiter

    clock = [0.0]
    limiter = RateLimiter(60, 60, clock=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s))
    for _ in range(60):
        assert limiter.acquire() == 0  # the burst
    waits = [limiter.acquire() for _ in range(3)]
    assert waits == pytest.approx([1.0, 1.0, 1.0])
    assert clock[0] == pytest.approx(3.0)
