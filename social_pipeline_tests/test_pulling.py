"""Pulling through the simulator: reproducible per day, secrets kept out of what is stored."""

from datetime import date

from social_pipeline.platforms import PLATFORMS
from social_pipeline.platforms.base import AccountRef
from social_pipeline.pulling import pull_account, raw_rows
from social_pipeline.simulator import demo_token
from social_pipeline.accounts import DEMO_HANDLES


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
