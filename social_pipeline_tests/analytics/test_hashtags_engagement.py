from social_pipeline.analytics.engagement import engagement_rate
from social_pipeline.analytics.hashtags import extract_hashtags


def test_hashtags_unicode_case_folding_and_urls():
    text = "New drop #Café #CAFÉ #日本 #fyp🔥 see https://example.com/page#section C# #123 (#Tag) &#39;x"
    assert extract_hashtags(text) == ["café", "日本", "fyp", "tag"]
    assert extract_hashtags("") == [] and extract_hashtags(None) == []
    assert extract_hashtags("#a_b1 #a_b1 #A_B1") == ["a_b1"]


def test_engagement_rate_formula():
    # The specification's example: 4,043 likes on 32,092 views -> 12.60 %.
    assert engagement_rate({"likes_count": 4043, "views_count": 32092}) == 12.60
    assert engagement_rate({"likes_count": 10, "comments_count": 5, "shares_count": 3, "saves_count": 2,
                            "views_count": 1000}) == 2.0
    # No views: impressions, then reach, then followers.
    assert engagement_rate({"likes_count": 10, "impressions": 200}) == 5.0
    assert engagement_rate({"likes_count": 10}, followers=1000) == 1.0
    # Unknown stays unknown; impossible rates are not clipped.
    assert engagement_rate({"views_count": 100}) is None
    assert engagement_rate({"likes_count": 10}) is None
    assert engagement_rate({"likes_count": 50, "views_count": 2}) is None


def test_hashtag_edges_emoji_and_marks():
    assert extract_hashtags("🔥#fire🔥 #tag😀next") == ["fire", "tag"]
    assert extract_hashtags("#नमस्ते #cafe\u0301") == ["नमस्ते", "café"]  # joining marks; NFC
    assert extract_hashtags("see page.html#anchor and x.com/#/y and <a>&#35;</a>") == []
    assert extract_hashtags("#" + "a" * 300) == []  # longer than the column


def test_hashtag_aggregates_by_hand():
    from datetime import date

    from social_pipeline.assets.hashtags import aggregate

    d = date(2026, 11, 20)
    rows = [
        # id, caption, first_seen, posted, views, rate, platform
        (1, "a #Cats #dogs", d, date(2026, 11, 1), 1000, 10.0, "tiktok"),
        (2, "b #cats", d, date(2026, 11, 5), 3000, 2.0, "youtube"),
        (3, "c #dogs", d, date(2026, 11, 3), None, None, "bluesky"),
    ]
    df = aggregate(rows, d).set_index("hashtag")
    assert df.loc["cats", "total_uses"] == 2 and df.loc["cats", "total_views"] == 4000
    assert df.loc["cats", "avg_engagement_rate"] == 6.0
    assert df.loc["dogs", "total_views"] == 1000 and df.loc["dogs", "avg_engagement_rate"] == 10.0
    assert df.loc["cats", "first_seen_date"] == date(2026, 11, 1) and df.loc["cats", "last_seen_date"] == date(2026, 11, 5)
    assert df.loc["cats", "platform_breakdown"] == {"tiktok": 1, "youtube": 1}
