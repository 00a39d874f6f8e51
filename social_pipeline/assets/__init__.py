"""The asset graph, one module per layer."""

from .audience import social_audience_demographics
from .comments import social_comments
from .content import social_content_mappings
from .hourly import social_post_metrics_hourly
from .hashtags import social_hashtags, social_post_hashtags
from .operations import social_api_usage, social_fetch_jobs
from .posts import social_post_metrics, social_posts_analytics
from .raw import raw_assets
from .snapshots import social_analytics_snapshots

all_assets = [
    *raw_assets,
    social_posts_analytics,
    social_post_metrics,
    social_comments,
    social_hashtags,
    social_post_hashtags,
    social_analytics_snapshots,
    social_audience_demographics,
    social_api_usage,
    social_fetch_jobs,
    social_content_mappings,
    social_post_metrics_hourly,
]
