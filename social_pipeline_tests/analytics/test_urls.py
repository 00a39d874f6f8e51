"""parse_post_url: every public post URL form of the nine platforms, and what is not a post."""

import dataclasses

import pytest

from social_pipeline.analytics.urls import PostRef, parse_post_url

TT = "7301234567890123456"
YT = "dQw4w9WgXcQ"
YT_WATCH = f"https://www.youtube.com/watch?v={YT}"
TW = "1712345678901234567"
PIN = "99360735500167749"
LI_ACT = "urn:li:activity:7123456789012345678"
LI_SHARE = "urn:li:share:7123456789000000001"
LI_UGC = "urn:li:ugcPost:7123456789000000002"
DID = "did:plc:z72i7hdynmk6r22z27h6tvur"

# url -> (platform, handle, external_id, canonical_url)
POSTS = {
    # --- TikTok ------------------------------------------------------------------------------
    f"https://www.tiktok.com/@scout2015/video/{TT}": ("tiktok", "scout2015", TT, f"https://www.tiktok.com/@scout2015/video/{TT}"),
    f"https://www.tiktok.com/@scout2015/video/{TT}?is_from_webapp=1&sender_device=pc&web_id=7290000000000000000": (
        "tiktok", "scout2015", TT, f"https://www.tiktok.com/@scout2015/video/{TT}"),
    f"https://www.tiktok.com/@chef.anna_/video/{TT}/?utm_source=open_api&_r=1": (
        "tiktok", "chef.anna_", TT, f"https://www.tiktok.com/@chef.anna_/video/{TT}"),
    f"tiktok.com/@scout2015/video/{TT}": ("tiktok", "scout2015", TT, f"https://www.tiktok.com/@scout2015/video/{TT}"),
    f"HTTPS://WWW.TIKTOK.COM/@scout2015/video/{TT}": ("tiktok", "scout2015", TT, f"https://www.tiktok.com/@scout2015/video/{TT}"),
    f"https://m.tiktok.com/@scout2015/video/{TT}?lang=en": ("tiktok", "scout2015", TT, f"https://www.tiktok.com/@scout2015/video/{TT}"),
    f"https://m.tiktok.com/v/{TT}.html?u_code=abc&preview_pb=0": ("tiktok", None, TT, f"https://www.tiktok.com/@/video/{TT}"),
    f"https://www.tiktok.com/@scout2015/photo/{TT}": ("tiktok", "scout2015", TT, f"https://www.tiktok.com/@scout2015/photo/{TT}"),
    f"https://www.tiktok.com/embed/v2/{TT}": ("tiktok", None, TT, f"https://www.tiktok.com/@/video/{TT}"),
    f"https://www.tiktok.com/@/video/{TT}": ("tiktok", None, TT, f"https://www.tiktok.com/@/video/{TT}"),
    # short links: the platform is known, the post only after the redirect
    "https://vm.tiktok.com/ZMeAbCdEf/": ("tiktok", None, None, "https://vm.tiktok.com/ZMeAbCdEf/"),
    "vt.tiktok.com/ZSjAbCdEf?share_app_id=1233": ("tiktok", None, None, "https://vt.tiktok.com/ZSjAbCdEf/"),
    "https://www.tiktok.com/t/ZTRAbCdEf/": ("tiktok", None, None, "https://www.tiktok.com/t/ZTRAbCdEf/"),
    # --- Instagram (external id = shortcode, case kept) --------------------------------------
    "https://www.instagram.com/p/CxYz_1-AbC9/": ("instagram", None, "CxYz_1-AbC9", "https://www.instagram.com/p/CxYz_1-AbC9/"),
    "https://www.instagram.com/p/CxYz_1-AbC9/?igshid=MzRlODBiNWFlZA==&img_index=2": (
        "instagram", None, "CxYz_1-AbC9", "https://www.instagram.com/p/CxYz_1-AbC9/"),
    "https://www.instagram.com/p/CxYz_1-AbC9/?utm_source=ig_web_copy_link": (
        "instagram", None, "CxYz_1-AbC9", "https://www.instagram.com/p/CxYz_1-AbC9/"),
    "https://www.instagram.com/reel/C1a2B3c4D5e/?utm_source=ig_web_button_share_sheet&igsh=MWQ1ZGUxMzBkMA==": (
        "instagram", None, "C1a2B3c4D5e", "https://www.instagram.com/reel/C1a2B3c4D5e/"),
    "instagram.com/reels/C1a2B3c4D5e": ("instagram", None, "C1a2B3c4D5e", "https://www.instagram.com/reel/C1a2B3c4D5e/"),
    "https://www.instagram.com/tv/B8kRtYuIoPq/": ("instagram", None, "B8kRtYuIoPq", "https://www.instagram.com/tv/B8kRtYuIoPq/"),
    "HTTP://INSTAGRAM.COM/P/CxYz_1-AbC9": ("instagram", None, "CxYz_1-AbC9", "https://www.instagram.com/p/CxYz_1-AbC9/"),
    "https://m.instagram.com/p/CxYz_1-AbC9/": ("instagram", None, "CxYz_1-AbC9", "https://www.instagram.com/p/CxYz_1-AbC9/"),
    "https://www.instagram.com/natgeo/p/CxYz_1-AbC9/": ("instagram", "natgeo", "CxYz_1-AbC9", "https://www.instagram.com/p/CxYz_1-AbC9/"),
    "https://instagr.am/p/CxYz_1-AbC9/": ("instagram", None, "CxYz_1-AbC9", "https://www.instagram.com/p/CxYz_1-AbC9/"),
    # --- YouTube -----------------------------------------------------------------------------
    YT_WATCH: ("youtube", None, YT, YT_WATCH),
    f"https://www.youtube.com/watch?v={YT}&t=42s": ("youtube", None, YT, YT_WATCH),
    f"https://www.youtube.com/watch?v={YT}&list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI&index=3": ("youtube", None, YT, YT_WATCH),
    f"https://www.youtube.com/watch?app=desktop&feature=youtu.be&v={YT}": ("youtube", None, YT, YT_WATCH),
    f"youtube.com/watch?v={YT}": ("youtube", None, YT, YT_WATCH),
    f"https://m.youtube.com/watch?v={YT}&pp=ygUEcmljaw%3D%3D": ("youtube", None, YT, YT_WATCH),
    f"https://music.youtube.com/watch?v={YT}&si=AbCdEfGhIjKlMnOp": ("youtube", None, YT, YT_WATCH),
    f"https://youtu.be/{YT}": ("youtube", None, YT, YT_WATCH),
    f"https://youtu.be/{YT}?si=AbCdEfGhIjKlMnOp&t=42": ("youtube", None, YT, YT_WATCH),
    f"youtu.be/{YT}/": ("youtube", None, YT, YT_WATCH),
    f"https://www.youtube.com/shorts/{YT}?feature=share": ("youtube", None, YT, YT_WATCH),
    f"https://youtube.com/shorts/{YT}?si=AbCdEfGhIjKlMnOp": ("youtube", None, YT, YT_WATCH),
    f"https://www.youtube.com/embed/{YT}?autoplay=1&start=30": ("youtube", None, YT, YT_WATCH),
    f"https://www.youtube-nocookie.com/embed/{YT}": ("youtube", None, YT, YT_WATCH),
    f"https://www.youtube.com/live/{YT}?si=AbCdEfGhIjKlMnOp": ("youtube", None, YT, YT_WATCH),
    f"HTTPS://WWW.YOUTUBE.COM/watch?v={YT}": ("youtube", None, YT, YT_WATCH),
    # --- Twitter / X -------------------------------------------------------------------------
    f"https://x.com/NASA/status/{TW}": ("twitter", "NASA", TW, f"https://x.com/NASA/status/{TW}"),
    f"https://twitter.com/NASA/status/{TW}?s=20&t=AbCdEfGhIjKlMnOpQrStUv": ("twitter", "NASA", TW, f"https://x.com/NASA/status/{TW}"),
    f"https://x.com/NASA/status/{TW}?s=46": ("twitter", "NASA", TW, f"https://x.com/NASA/status/{TW}"),
    f"https://mobile.twitter.com/NASA/status/{TW}/": ("twitter", "NASA", TW, f"https://x.com/NASA/status/{TW}"),
    f"https://mobile.x.com/NASA/status/{TW}": ("twitter", "NASA", TW, f"https://x.com/NASA/status/{TW}"),
    f"https://twitter.com/NASA/statuses/{TW}": ("twitter", "NASA", TW, f"https://x.com/NASA/status/{TW}"),
    f"https://x.com/NASA/status/{TW}/photo/1": ("twitter", "NASA", TW, f"https://x.com/NASA/status/{TW}"),
    f"https://x.com/NASA/status/{TW}/video/1": ("twitter", "NASA", TW, f"https://x.com/NASA/status/{TW}"),
    f"https://www.twitter.com/NASA/status/{TW}": ("twitter", "NASA", TW, f"https://x.com/NASA/status/{TW}"),
    f"x.com/NASA/status/{TW}": ("twitter", "NASA", TW, f"https://x.com/NASA/status/{TW}"),
    f"https://x.com/i/web/status/{TW}": ("twitter", None, TW, f"https://x.com/i/status/{TW}"),
    f"https://x.com/i/status/{TW}": ("twitter", None, TW, f"https://x.com/i/status/{TW}"),
    f"https://twitter.com/#!/NASA/status/{TW}": ("twitter", "NASA", TW, f"https://x.com/NASA/status/{TW}"),
    # --- Facebook (external id = object id; Graph post ids are {page}_{object}) --------------
    "https://www.facebook.com/nasa/posts/1234567890123456": ("facebook", "nasa", "1234567890123456", "https://www.facebook.com/nasa/posts/1234567890123456"),
    "https://www.facebook.com/nasa/posts/1234567890123456/?mibextid=cr9u03&rdid=AbC": (
        "facebook", "nasa", "1234567890123456", "https://www.facebook.com/nasa/posts/1234567890123456"),
    "https://www.facebook.com/nasa/posts/pfbid02Lk8sDQmHzJ4qWv3XyZ5aB6cD7eF8gH9iJ0kL1mN2oP3qR4sT5uV6wX7yZl": (
        "facebook", "nasa", "pfbid02Lk8sDQmHzJ4qWv3XyZ5aB6cD7eF8gH9iJ0kL1mN2oP3qR4sT5uV6wX7yZl",
        "https://www.facebook.com/nasa/posts/pfbid02Lk8sDQmHzJ4qWv3XyZ5aB6cD7eF8gH9iJ0kL1mN2oP3qR4sT5uV6wX7yZl"),
    "https://m.facebook.com/nasa/posts/1234567890123456?__tn__=%2CO*F": (
        "facebook", "nasa", "1234567890123456", "https://www.facebook.com/nasa/posts/1234567890123456"),
    "https://www.facebook.com/permalink.php?story_fbid=1234567890123456&id=100064758844406&__cft__[0]=AZ": (
        "facebook", "100064758844406", "1234567890123456",
        "https://www.facebook.com/permalink.php?story_fbid=1234567890123456&id=100064758844406"),
    "https://m.facebook.com/story.php?story_fbid=1234567890123456&id=100064758844406&mibextid=Nif5oz": (
        "facebook", "100064758844406", "1234567890123456",
        "https://www.facebook.com/permalink.php?story_fbid=1234567890123456&id=100064758844406"),
    "https://www.facebook.com/watch/?v=987654321098765": ("facebook", None, "987654321098765", "https://www.facebook.com/watch/?v=987654321098765"),
    "https://www.facebook.com/watch?v=987654321098765&ref=sharing": ("facebook", None, "987654321098765", "https://www.facebook.com/watch/?v=987654321098765"),
    "https://www.facebook.com/nasa/videos/987654321098765/": ("facebook", "nasa", "987654321098765", "https://www.facebook.com/nasa/videos/987654321098765"),
    "https://www.facebook.com/nasa/videos/launch-day-recap/987654321098765/": (
        "facebook", "nasa", "987654321098765", "https://www.facebook.com/nasa/videos/987654321098765"),
    "https://www.facebook.com/reel/1122334455667788?s=yWDuG2&fs=e&mibextid=Nif5oz": (
        "facebook", None, "1122334455667788", "https://www.facebook.com/reel/1122334455667788"),
    "https://m.facebook.com/reel/1122334455667788/": ("facebook", None, "1122334455667788", "https://www.facebook.com/reel/1122334455667788"),
    "https://www.facebook.com/100064758844406_1234567890123456": (
        "facebook", "100064758844406", "1234567890123456", "https://www.facebook.com/100064758844406/posts/1234567890123456"),
    "https://fb.watch/oAbCdEfGhI/": ("facebook", None, None, "https://fb.watch/oAbCdEfGhI/"),
    "https://www.facebook.com/share/p/1AbCdEfGhI/": ("facebook", None, None, "https://www.facebook.com/share/p/1AbCdEfGhI/"),
    # --- Pinterest ---------------------------------------------------------------------------
    f"https://www.pinterest.com/pin/{PIN}/": ("pinterest", None, PIN, f"https://www.pinterest.com/pin/{PIN}/"),
    f"https://pinterest.com/pin/{PIN}": ("pinterest", None, PIN, f"https://www.pinterest.com/pin/{PIN}/"),
    f"https://www.pinterest.co.uk/pin/{PIN}/?mt=login": ("pinterest", None, PIN, f"https://www.pinterest.com/pin/{PIN}/"),
    f"https://pinterest.com.au/pin/{PIN}/": ("pinterest", None, PIN, f"https://www.pinterest.com/pin/{PIN}/"),
    f"https://de.pinterest.com/pin/{PIN}/?utm_source=share": ("pinterest", None, PIN, f"https://www.pinterest.com/pin/{PIN}/"),
    f"https://www.pinterest.fr/pin/{PIN}/": ("pinterest", None, PIN, f"https://www.pinterest.com/pin/{PIN}/"),
    f"https://www.pinterest.com/pin/easy-weeknight-pasta--{PIN}/": ("pinterest", None, PIN, f"https://www.pinterest.com/pin/{PIN}/"),
    "https://pin.it/4AbCdEfGh": ("pinterest", None, None, "https://pin.it/4AbCdEfGh"),
    # --- LinkedIn (external id = the URN) ----------------------------------------------------
    "https://www.linkedin.com/posts/satyanadella_ai-copilot-activity-7123456789012345678-AbCd/": (
        "linkedin", "satyanadella", LI_ACT, f"https://www.linkedin.com/feed/update/{LI_ACT}/"),
    "https://www.linkedin.com/posts/satyanadella_we-share-2-tips-activity-7123456789012345678-AbCd?utm_source=share&utm_medium=member_desktop": (
        "linkedin", "satyanadella", LI_ACT, f"https://www.linkedin.com/feed/update/{LI_ACT}/"),
    "https://www.linkedin.com/posts/acme-corp_launch-ugcPost-7123456789000000002-Xy_z": (
        "linkedin", "acme-corp", LI_UGC, f"https://www.linkedin.com/feed/update/{LI_UGC}/"),
    f"https://www.linkedin.com/feed/update/{LI_ACT}/": ("linkedin", None, LI_ACT, f"https://www.linkedin.com/feed/update/{LI_ACT}/"),
    f"https://www.linkedin.com/feed/update/{LI_SHARE}": ("linkedin", None, LI_SHARE, f"https://www.linkedin.com/feed/update/{LI_SHARE}/"),
    f"https://www.linkedin.com/feed/update/{LI_UGC}/?utm_source=share": ("linkedin", None, LI_UGC, f"https://www.linkedin.com/feed/update/{LI_UGC}/"),
    "https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A7123456789012345678/": (
        "linkedin", None, LI_ACT, f"https://www.linkedin.com/feed/update/{LI_ACT}/"),
    "https://www.linkedin.com/feed/update/urn%3Ali%3AugcPost%3A7123456789000000002?trk=public": (
        "linkedin", None, LI_UGC, f"https://www.linkedin.com/feed/update/{LI_UGC}/"),
    f"https://www.linkedin.com/embed/feed/update/{LI_SHARE}": ("linkedin", None, LI_SHARE, f"https://www.linkedin.com/feed/update/{LI_SHARE}/"),
    f"https://uk.linkedin.com/feed/update/{LI_SHARE}": ("linkedin", None, LI_SHARE, f"https://www.linkedin.com/feed/update/{LI_SHARE}/"),
    "https://lnkd.in/eAbCdEf": ("linkedin", None, None, "https://lnkd.in/eAbCdEf"),
    # --- Bluesky (external id = rkey) --------------------------------------------------------
    "https://bsky.app/profile/jay.bsky.team/post/3k44deefqdk2g": (
        "bluesky", "jay.bsky.team", "3k44deefqdk2g", "https://bsky.app/profile/jay.bsky.team/post/3k44deefqdk2g"),
    "https://bsky.app/profile/Jay.Bsky.Team/post/3k44deefqdk2g/": (
        "bluesky", "jay.bsky.team", "3k44deefqdk2g", "https://bsky.app/profile/jay.bsky.team/post/3k44deefqdk2g"),
    f"https://bsky.app/profile/{DID}/post/3k44deefqdk2g?ref_src=embed": (
        "bluesky", DID, "3k44deefqdk2g", f"https://bsky.app/profile/{DID}/post/3k44deefqdk2g"),
    "bsky.app/profile/jay.bsky.team/post/3k44deefqdk2g": (
        "bluesky", "jay.bsky.team", "3k44deefqdk2g", "https://bsky.app/profile/jay.bsky.team/post/3k44deefqdk2g"),
    f"at://{DID}/app.bsky.feed.post/3k44deefqdk2g": ("bluesky", DID, "3k44deefqdk2g", f"https://bsky.app/profile/{DID}/post/3k44deefqdk2g"),
    # --- Threads (external id = shortcode) ---------------------------------------------------
    "https://www.threads.net/@zuck/post/C8aBcDeFgHi": ("threads", "zuck", "C8aBcDeFgHi", "https://www.threads.com/@zuck/post/C8aBcDeFgHi"),
    "https://www.threads.com/@zuck/post/C8aBcDeFgHi?xmt=AQGzAbC&slof=1": (
        "threads", "zuck", "C8aBcDeFgHi", "https://www.threads.com/@zuck/post/C8aBcDeFgHi"),
    "threads.net/@zuck/post/C8aBcDeFgHi/": ("threads", "zuck", "C8aBcDeFgHi", "https://www.threads.com/@zuck/post/C8aBcDeFgHi"),
    "https://THREADS.NET/@zuck/post/C8aBcDeFgHi/media": ("threads", "zuck", "C8aBcDeFgHi", "https://www.threads.com/@zuck/post/C8aBcDeFgHi"),
    "https://www.threads.net/t/C8aBcDeFgHi/": ("threads", None, "C8aBcDeFgHi", "https://www.threads.com/t/C8aBcDeFgHi"),
}


@pytest.mark.parametrize("url", list(POSTS))
def test_post_url_forms(url):
    platform, handle, external_id, canonical_url = POSTS[url]
    assert parse_post_url(url) == PostRef(platform, handle, external_id, canonical_url)


def test_every_platform_is_covered():
    assert {v[0] for v in POSTS.values()} == {
        "tiktok", "instagram", "youtube", "twitter", "facebook", "pinterest", "bluesky", "threads", "linkedin",
    }


@pytest.mark.parametrize("url", [u for u, v in POSTS.items() if v[2] is not None])
def test_canonical_url_parses_back_to_the_same_post(url):
    ref = parse_post_url(url)
    again = parse_post_url(ref.canonical_url)
    assert again is not None
    assert (again.platform, again.external_id) == (ref.platform, ref.external_id)
    sep = "&" if "?" in ref.canonical_url else "?"
    tracked = parse_post_url(ref.canonical_url + sep + "utm_source=x&utm_medium=y#comments")
    assert tracked == again


def test_short_links_know_the_platform_but_not_the_post():
    ref = parse_post_url("https://vm.tiktok.com/ZMeAbCdEf/")
    assert ref.is_short_link and ref.platform == "tiktok"
    assert not parse_post_url(f"https://youtu.be/{YT}").is_short_link


def test_ids_keep_their_case_and_the_result_is_frozen():
    a = parse_post_url("https://www.instagram.com/p/AbCdEfGhIjK/")
    b = parse_post_url("https://www.instagram.com/p/abcdefghijk/")
    assert a.external_id == "AbCdEfGhIjK" and b.external_id == "abcdefghijk"
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.platform = "threads"


def test_surrounding_whitespace_is_ignored():
    assert parse_post_url(f"  https://youtu.be/{YT}\n").external_id == YT


NOT_POSTS = [
    None,
    "",
    "   ",
    "not a url",
    "https://",
    "ftp://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "mailto:someone@example.com",
    "https://example.com/watch?v=dQw4w9WgXcQ",
    "https://notyoutube.com/watch?v=dQw4w9WgXcQ",
    "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
    "https://www.tiktok.com/@scout2015",
    "https://www.tiktok.com/@scout2015/video/",
    "https://www.tiktok.com/@scout2015/video/notanumber",
    "https://www.tiktok.com/tag/cooking",
    "https://www.tiktok.com/",
    "https://www.instagram.com/natgeo/",
    "https://www.instagram.com/explore/tags/travel/",
    "https://www.instagram.com/reels/audio/1234567890/",
    "https://www.instagram.com/stories/natgeo/3123456789012345678/",
    "https://www.instagram.com/p/",
    "https://www.youtube.com/",
    "https://www.youtube.com/@MrBeast",
    "https://www.youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw",
    "https://www.youtube.com/playlist?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI",
    "https://www.youtube.com/watch?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI",
    "https://www.youtube.com/watch?v=tooshort",
    "https://www.youtube.com/embed/videoseries?list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI",
    "https://www.youtube.com/results?search_query=cats",
    "https://youtu.be/",
    "https://x.com/NASA",
    "https://x.com/NASA/status/",
    "https://x.com/NASA/status/abc",
    "https://twitter.com/search?q=nasa",
    "https://x.com/home",
    "https://www.facebook.com/nasa",
    "https://www.facebook.com/nasa/",
    "https://www.facebook.com/profile.php?id=100064758844406",
    "https://www.facebook.com/watch/",
    "https://www.facebook.com/permalink.php?id=100064758844406",
    "https://www.facebook.com/groups/123456/",
    "https://www.pinterest.com/nasa/",
    "https://www.pinterest.com/nasa/space-board/",
    "https://www.pinterest.com/pin/",
    "https://www.pinterest.com/search/pins/?q=pasta",
    "https://www.linkedin.com/in/satyanadella/",
    "https://www.linkedin.com/company/microsoft/",
    "https://www.linkedin.com/feed/",
    "https://www.linkedin.com/feed/update/urn:li:organization:1035/",
    "https://www.linkedin.com/pulse/some-article-satya-nadella/",
    "https://bsky.app/profile/jay.bsky.team",
    "https://bsky.app/profile/jay.bsky.team/post/",
    "https://bsky.app/profile/jay.bsky.team/feed/whats-hot",
    "at://did:plc:abc/app.bsky.actor.profile/self",
    "https://www.threads.net/@zuck",
    "https://www.threads.net/@zuck/post/",
    "https://www.threads.net/",
]


@pytest.mark.parametrize("url", NOT_POSTS)
def test_not_a_post_url(url):
    assert parse_post_url(url) is None
