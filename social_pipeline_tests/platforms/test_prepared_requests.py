"""The cheap request preparation sends exactly what ``Session.request`` would have sent."""

import pytest
import requests
from requests.adapters import BaseAdapter

from social_pipeline.platforms.prepared import prepare, query_string, send

CASES = [
    ("GET", "https://api.linkedin.com/rest/socialActions/urn:li:share:7012/comments", {"start": 50, "count": 50}, None),
    ("GET", "https://graph.facebook.com/v21.0/17841400/media?fields=id,caption", {"after": "QVFIU=", "limit": 25}, None),
    ("GET", "https://www.googleapis.com/youtube/v3/videos", {"id": ["a1", "b2", None], "part": "statistics", "x": None}, None),
    ("GET", "https://api.x.com/2/users/by/username/caf\u00e9", None, None),  # not ASCII: requests' own path
    ("GET", "https://bsky.social/xrpc/app.bsky.feed.getAuthorFeed", {"actor": "a b+c/d?e&f=\u00e9\U0001F600", "cursor": ""}, None),
    ("POST", "https://open.tiktokapis.com/v2/video/list/", {"fields": "id,title"}, {"max_count": 20, "cursor": 0, "t": "\u00e9"}),
    ("POST", "https://api.pinterest.com/v5/oauth/token", None, None),
    ("GET", "https://api.linkedin.com/rest/posts?q=author&author=urn%3Ali%3Aorganization%3A1", {"count": 10, "flag": True}, None),
]


class Capture(BaseAdapter):
    def __init__(self):
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.sent.append(request)
        response = requests.Response()
        response.status_code = 200
        response._content = b"{}"
        response.request = request
        response.url = request.url
        return response

    def close(self):
        pass


def _session(trust_env: bool) -> tuple[requests.Session, Capture]:
    session = requests.Session()
    session.trust_env = trust_env
    adapter = Capture()
    session.mount("https://", adapter)
    return session, adapter


@pytest.mark.parametrize("trust_env", [False, True])
@pytest.mark.parametrize("method,url,params,body", CASES)
def test_same_request_as_requests_sends(method, url, params, body, trust_env):
    headers = {"Authorization": "Bearer t0k", "LinkedIn-Version": "202411", "X-Empty": None}
    session, adapter = _session(trust_env)
    session.request(method, url, params=params, headers=headers, json=body, timeout=5)
    send(session, method, url, params=params, headers=headers, json_body=body, timeout=5)
    theirs, ours = adapter.sent
    assert ours.method == theirs.method
    assert ours.url == theirs.url
    assert dict(ours.headers) == dict(theirs.headers)
    assert ours.body == theirs.body


def test_query_matches_requests_encoding():
    params = {"q": ["x y", "z"], "n": 3, "none": None, "u": "\u00fc"}
    assert query_string(params) == requests.models.RequestEncodingMixin._encode_params(params)


def test_bad_header_value_is_refused_like_requests():
    session, _ = _session(False)
    with pytest.raises(requests.exceptions.InvalidHeader):
        prepare(session, "GET", "https://api.x.com/2/me", None, {"Authorization": "Bearer a\r\nX-Injected: 1"})


def test_session_with_cookies_takes_requests_own_path():
    session, adapter = _session(False)
    session.cookies.set("sid", "abc")
    send(session, "GET", "https://api.x.com/2/me", params={"a": 1})
    assert adapter.sent[0].headers["Cookie"] == "sid=abc"
