"""`SOCIAL_PIPELINE_<P>_BASE_URL` holds the API's path as the real base URL does (`/xrpc`, `/v5`,
`/2`): the simulator served over HTTP answers such a base URL, so the README's example works as
written. The official clients pull through it with their demo tokens."""

import threading
from datetime import date, datetime, timezone

import pytest

from social_pipeline.ingest.pulling import pull_account
from social_pipeline.ingest.settings import PlatformSettings
from social_pipeline.platforms import spec
from social_pipeline.platforms.base import AccountRef
from social_pipeline.simulator import demo_token
from social_pipeline.simulator.server import api_paths, make_server

AS_OF = datetime(2026, 11, 20, 23, 59, 59, tzinfo=timezone.utc)


@pytest.mark.parametrize("platform", ["bluesky", "pinterest", "linkedin"])
def test_official_client_pulls_through_a_base_url_with_the_api_path(platform):
    server = make_server(platform, port=0, as_of=AS_OF)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        (path,) = api_paths(platform)
        base = f"http://127.0.0.1:{server.server_address[1]}{path}"
        handle = spec(platform).demo_handle
        settings = PlatformSettings(platform=platform, base_url=base, requests_per_minute=60_000)
        account = AccountRef(id="00000000-0000-0000-0000-000000000043", platform=platform, handle=handle,
                             provider_name="official", posts_per_fetch=3, access_token=demo_token(platform, handle))
        result = pull_account(account, date(2026, 11, 20), settings=settings, sleep=lambda s: None)
        assert result.ok, result.error
        assert all(r.status_code == 200 for r in result.responses)
        assert len(spec(platform).client.parse(result.responses).posts) == 3
    finally:
        server.shutdown()
        server.server_close()


def test_api_paths_come_from_the_clients_base_urls():
    assert api_paths("bluesky") == ("/xrpc",)
    assert api_paths("pinterest") == ("/v5",)
    assert set(api_paths("youtube")) >= {"/youtube/v3"}
