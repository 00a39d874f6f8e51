"""The loopback simulator server's latency, request limit and counters, over a real socket; the
client-side limiter's bursts on a fake clock.

No assertion here depends on how fast the machine is: clocks are fakes, and the one test about
overlapping requests waits on a barrier that only a server sleeping outside its lock can pass.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone

import pytest
import requests

from social_pipeline.cli import build_parser
from social_pipeline.platforms import ratelimit
from social_pipeline.platforms.base import AccountRef
from social_pipeline.platforms.ratelimit import RateLimiter, limiter_for
from social_pipeline.ingest.pulling import pull_account
from social_pipeline.ingest.settings import PlatformSettings
from social_pipeline.simulator import demo_token
from social_pipeline.simulator.server import STATS_PATH, make_server, too_many_requests

AS_OF = datetime(2024, 2, 15, 23, 59, 59, tzinfo=timezone.utc)
HANDLE = "limits_probe"


class FakeClock:
    """A clock that only moves when someone sleeps on it (or the test moves it)."""

    def __init__(self, start: float = 100.0):
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


@pytest.fixture
def serve():
    """Start servers on a free loopback port; shut them down after the test."""
    started = []

    def start(platform: str = "tiktok", **kwargs):
        server = make_server(platform, port=0, as_of=AS_OF, **kwargs)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server, f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def _user_info(base: str, session=None, handle: str = HANDLE) -> requests.Response:
    return (session or requests).get(
        f"{base}/v2/user/info/", params={"fields": "open_id,display_name"},
        headers={"Authorization": f"Bearer {demo_token('tiktok', handle)}"}, timeout=30,
    )


# -- the client-side limiter -------------------------------------------------------------------
def test_burst_bounds_back_to_back_requests_then_the_rate_paces_them():
    clock = FakeClock()
    limiter = RateLimiter(600, 60, burst=5, clock=clock, sleep=clock.sleep)  # 10/s, 5 at once
    assert [limiter.acquire() for _ in range(5)] == [0, 0, 0, 0, 0]
    assert limiter.acquire() == pytest.approx(0.1)
    for _ in range(94):
        limiter.acquire()
    # 100 requests: 5 from the full bucket, 95 refilled at 10 a second.
    assert clock.now - 100.0 == pytest.approx(9.5)
    assert limiter.waited_seconds == pytest.approx(9.5)


def test_a_quiet_spell_refills_no_more_than_the_burst():
    clock = FakeClock()
    limiter = RateLimiter(60, 1, burst=3, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        limiter.acquire()
    clock.advance(3600)  # an hour idle
    waits = [limiter.acquire() for _ in range(5)]
    assert waits[:3] == [0, 0, 0] and waits[3] == pytest.approx(1 / 60)


def test_without_a_burst_the_bucket_holds_the_whole_window_as_before():
    clock = FakeClock()
    limiter = RateLimiter(60, 60, clock=clock, sleep=clock.sleep)
    assert limiter.burst == 60
    assert all(limiter.acquire() == 0 for _ in range(60))
    assert limiter.acquire() == pytest.approx(1.0)


def test_burst_below_one_request_is_refused():
    with pytest.raises(ValueError, match="burst"):
        RateLimiter(10, 1, burst=0.5)


def test_try_acquire_takes_nothing_when_it_says_wait():
    clock = FakeClock()
    limiter = RateLimiter(2, 1, burst=2, clock=clock)
    assert limiter.try_acquire() == 0.0 and limiter.try_acquire() == 0.0
    assert limiter.try_acquire() == pytest.approx(0.5)
    assert limiter.try_acquire() == pytest.approx(0.5)  # asking again did not book a slot
    clock.advance(0.5)
    assert limiter.try_acquire() == 0.0
    assert limiter.try_acquire() == pytest.approx(0.5)


def test_a_pause_during_a_wait_voids_the_booked_slot():
    clock = FakeClock()

    def sleep(seconds):  # while this thread waits for its slot, another one gets a 429
        clock.sleep(seconds)
        if len(clock.sleeps) == 1:
            limiter.pause(5)

    limiter = RateLimiter(10, 1, burst=1, clock=clock, sleep=sleep)
    assert limiter.acquire() == 0
    waited = limiter.acquire()
    assert clock.sleeps[0] == pytest.approx(0.1)
    assert waited == pytest.approx(5.1)  # it went only after the pause
    assert clock.now == pytest.approx(105.1)


def test_threads_share_one_bucket():
    clock = FakeClock()  # frozen: only the burst can be granted
    limiter = RateLimiter(1, 60, burst=50, clock=clock)
    granted = []
    barrier = threading.Barrier(8)

    def worker():
        barrier.wait()
        granted.extend(1 for _ in range(40) if limiter.try_acquire() == 0.0)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 50


def test_live_limiters_burst_half_a_second_not_a_minute():
    limiter = limiter_for("burst-test", "tiktok", 3000)  # 50 a second
    assert limiter.rate == 3000 and limiter.burst == pytest.approx(50 * ratelimit.DEFAULT_BURST_SECONDS)
    assert limiter_for("burst-test", "tiktok", 3000) is limiter
    assert limiter_for("burst-test", "tiktok", 3000, burst=1).burst == 1  # a different burst: a new limiter
    assert limiter_for("burst-test", "twitter", 60).burst == 1  # never below one request


# -- the server ----------------------------------------------------------------------------------
def test_latency_is_slept_outside_the_lock_so_requests_overlap(serve):
    # Two requests can only both reach the barrier if the server sleeps them at the same time.
    barrier = threading.Barrier(2, timeout=30)
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        barrier.wait()

    server, base = serve(latency_ms=5000, sleep=sleep)  # the fake sleep returns at once
    with requests.Session() as a, requests.Session() as b:
        answers = []
        threads = [threading.Thread(target=lambda s=s: answers.append(_user_info(base, s))) for s in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert [r.status_code for r in answers] == [200, 200]
    assert len(slept) == 2 and all(0 < s <= 5 for s in slept)
    assert server.stats.snapshot()["answered"] == 2


def test_limit_answers_429_with_retry_after_and_counts_it(serve):
    clock = FakeClock()  # frozen: the burst, then nothing until the test moves time
    server, base = serve(requests_per_second=2, clock=clock)
    with requests.Session() as session:
        statuses = [_user_info(base, session).status_code for _ in range(2)]
        refused = _user_info(base, session)
        assert statuses == [200, 200]
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "1"  # 0.5 s rounded up to whole seconds
        assert refused.json()["error"]["code"] == "rate_limit_exceeded"  # TikTok's envelope
        assert _user_info(base, session).status_code == 429
        clock.advance(0.5)
        assert _user_info(base, session).status_code == 200
        stats = session.get(base + STATS_PATH, timeout=30).json()
    assert stats["received"] == stats["answered"] == 5
    assert stats["limited"] == 2 and stats["statuses"] == {"200": 3, "429": 2}
    assert server.stats.snapshot()["limited"] == 2


def test_stats_path_is_neither_limited_nor_counted_and_resets(serve):
    clock = FakeClock()
    server, base = serve(requests_per_second=1, clock=clock)
    assert _user_info(base).status_code == 200
    for _ in range(3):
        assert requests.get(base + STATS_PATH, timeout=30).status_code == 200
    before = requests.get(base + STATS_PATH + "?reset=1", timeout=30).json()
    assert before["received"] == 1 and before["first_at"] is not None
    assert requests.get(base + STATS_PATH, timeout=30).json()["received"] == 0


def test_keep_alive_serves_several_requests_on_one_connection(serve):
    server, base = serve()
    with requests.Session() as session:
        first = _user_info(base, session)
        second = _user_info(base, session)
    assert first.status_code == second.status_code == 200
    assert first.raw.version == 11 and "close" not in first.headers.get("Connection", "").lower()


def test_without_limits_nothing_is_refused(serve):
    server, base = serve()
    assert server.limiter is None and server.latency == 0
    with requests.Session() as session:
        assert {_user_info(base, session).status_code for _ in range(20)} == {200}
    assert server.stats.snapshot()["limited"] == 0


def test_the_client_pulls_through_the_limited_server(serve, monkeypatch):
    """The real TikTok client, official provider, over the socket: its 429 is retried."""
    monkeypatch.setenv("SOCIAL_PIPELINE_RETRY_BACKOFF_SECONDS", "0")  # wait what Retry-After says
    clock = FakeClock()
    server, base = serve(requests_per_second=2, burst=2, clock=clock)
    for _ in range(2):  # someone else spends the bucket: the pull's first request gets a 429
        assert _user_info(base, handle="someone_else").status_code == 200
    waits = []

    def sleep(seconds):  # the client's backoff; time moves on for the server too
        waits.append(seconds)
        clock.advance(seconds)

    # A rate of its own gives this test a fresh process-wide limiter (no pause left by another).
    settings = PlatformSettings(platform="tiktok", base_url=base, requests_per_minute=59_999)
    account = AccountRef(id="00000000-0000-0000-0000-000000000042", platform="tiktok", handle=HANDLE,
                         provider_name="official", posts_per_fetch=5, access_token=demo_token("tiktok", HANDLE))
    result = pull_account(account, date(2026, 1, 15), settings=settings, sleep=sleep)
    assert result.ok, result.error
    assert [r.status_code for r in result.responses] == [429, 200, 200]  # user info twice, one video page
    assert result.responses[0].usage == {"retry-after": "1"} and waits == [1.0]  # Retry-After honoured
    assert server.stats.snapshot()["limited"] == 1


def test_every_platform_has_a_429_in_its_own_shape():
    tiktok = too_many_requests("tiktok", 0.2, 10)
    assert tiktok.status == 429 and tiktok.headers["Retry-After"] == "1"
    assert tiktok.body["error"]["code"] == "rate_limit_exceeded"
    x = too_many_requests("twitter", 2.5, 10)
    assert x.headers["Retry-After"] == "3" and x.headers["x-rate-limit-remaining"] == "0"
    assert int(x.headers["x-rate-limit-reset"]) > 1e9 and x.body["title"] == "Too Many Requests"
    sky = too_many_requests("bluesky", 1, 10)
    assert sky.body["error"] == "RateLimitExceeded" and sky.headers["ratelimit-remaining"] == "0"
    assert too_many_requests("youtube", 1, 10).body["error"]["errors"][0]["reason"] == "rateLimitExceeded"
    assert too_many_requests("instagram", 1, 10).body["error"]["code"] == 4
    for platform in ("facebook", "threads", "pinterest", "linkedin", "tiktok_rapidapi"):
        answer = too_many_requests(platform, 1, 10)
        assert answer.status == 429 and answer.headers["Retry-After"] == "1" and answer.body


def test_serve_command_takes_latency_and_limit():
    args = build_parser().parse_args(
        ["simulator", "serve", "tiktok", "--port", "0", "--latency-ms", "50", "--requests-per-second", "40"])
    assert (args.latency_ms, args.requests_per_second) == (50.0, 40.0)
    args = build_parser().parse_args(["simulator", "serve", "tiktok"])
    assert (args.latency_ms, args.requests_per_second) == (0.0, None)
    with pytest.raises(ValueError, match="requests_per_second"):
        make_server("tiktok", requests_per_second=0)
    with pytest.raises(ValueError, match="latency_ms"):
        make_server("tiktok", latency_ms=-1)
