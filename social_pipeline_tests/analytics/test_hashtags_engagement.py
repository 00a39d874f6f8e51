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
