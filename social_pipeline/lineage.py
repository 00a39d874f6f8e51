"""Column lineage of the derived columns, shown in the Dagster UI on each materialization, so a
wrong number can be followed back to the raw payload it came from."""

from dagster import AssetKey, TableColumnDep, TableColumnLineage

from .platforms import PLATFORMS

RAW = [(f"raw/{p}", "payload") for p in PLATFORMS]

# asset -> column -> [(upstream asset, upstream column)]
COLUMN_LINEAGE: dict[str, dict[str, list[tuple[str, str]]]] = {
    "social_posts_analytics": {
        c: RAW for c in ("caption", "post_url", "posted_at", "media_type", "duration", "post_kind", "hashtags", "keywords")
    },
    "social_post_metrics": {
        **{c: RAW for c in ("views_count", "likes_count", "comments_count", "shares_count", "saves_count",
                            "impressions", "reach", "watch_time_seconds", "completion_rate")},
        "engagement_rate": RAW,
    },
    # The hourly asset pulls its young posts itself: its numbers come from no upstream column.
    "social_analytics_snapshots": {
        "followers_count": RAW,
        "engagement_rate": [("social_post_metrics", "engagement_rate")],
        "total_views": [("social_post_metrics", "views_count")],
        "total_likes": [("social_post_metrics", "likes_count")],
        "follower_growth": [("social_analytics_snapshots", "followers_count")],
    },
    "social_hashtags": {
        "hashtag": [("social_posts_analytics", "hashtags"), ("social_posts_analytics", "caption")],
        "total_uses": [("social_posts_analytics", "hashtags"), ("social_posts_analytics", "caption")],
        "total_views": [("social_post_metrics", "views_count")],
        "avg_engagement_rate": [("social_post_metrics", "engagement_rate")],
    },
    "social_post_hashtags": {"hashtag_id": [("social_hashtags", "hashtag")], "position": [("social_posts_analytics", "hashtags"), ("social_posts_analytics", "caption")]},
    "social_comments": {
        "comment_text": RAW,
        "sentiment": [("social_comments", "comment_text")],
        "sentiment_score": [("social_comments", "comment_text")],
        "parent_comment_id": RAW,
    },
    "social_audience_demographics": {"age_18_24": RAW, "peak_hours": RAW + [("social_post_metrics", "engagement_rate")]},
    "social_api_usage": {"request_count": [(f"raw/{p}", "attempt") for p in PLATFORMS]},
    "social_fetch_jobs": {"status": [(f"raw/{p}", "pull_status") for p in PLATFORMS]},
}


def lineage_of(asset: str) -> dict[str, list[tuple[str, str]]] | None:
    """The asset's declared column lineage, for ``table_metadata(..., lineage=...)``: the IO manager
    emits it with each materialization without knowing which asset it is."""
    return COLUMN_LINEAGE.get(asset)


def column_lineage(asset: str) -> TableColumnLineage | None:
    deps = COLUMN_LINEAGE.get(asset)
    if not deps:
        return None
    return TableColumnLineage(
        deps_by_column={
            column: [TableColumnDep(asset_key=AssetKey(a.split("/")), column_name=c) for a, c in upstream]
            for column, upstream in deps.items()
        }
    )
