"""Hashtags and content: the hashtag leaderboard, and one internal video across platforms."""

import streamlit as st

from social_pipeline.dashboard import export, filters
from social_pipeline.dashboard.queries import title

f = filters.sidebar()
st.title("Hashtags and content")
st.caption(filters.describe(f))

st.subheader("Hashtag leaderboard")
board = filters.run("hashtag_leaderboard", f)
if board.empty:
    st.info("No hashtags on the posts published in the period.")
else:
    board["views_note"] = [
        "" if n == p else f"views from {n} of {p} posts" for n, p in zip(board["posts_with_views"], board["posts"])]
    st.bar_chart(board.head(20), x="hashtag", y="posts", horizontal=True, sort="-posts", x_label="posts",
                 y_label=None)
    st.dataframe(board, hide_index=True, width="stretch", column_config={
        "total_views": st.column_config.NumberColumn("total views", format="localized"),
        "avg_views": st.column_config.NumberColumn("mean views", format="localized"),
        "avg_engagement_rate": st.column_config.NumberColumn("mean engagement %", format="%.2f"),
        "views_note": st.column_config.TextColumn("unknown"),
    })
    st.caption("Posts published in the period with each hashtag (their latest metrics); the 50 most used. "
               "Views are summed over the posts whose platform reports them (Bluesky and LinkedIn do not).")
export.download(board, "hashtag_leaderboard")

window = st.selectbox("Trending over the last", [7, 30, 90], index=1, format_func=lambda d: f"{d} days",
                      key="hashtag_window")
insights = filters.run("hashtag_insights", f, int(window))
st.dataframe(insights, hide_index=True, width="stretch")
st.caption(f"social_hashtag_insights({window}) over every account, ranked as social_top_hashtags ranks "
           "(mean engagement rate, then posts); narrowed to the filtered platforms.")
export.download(insights, "hashtag_insights")

st.subheader("One video across platforms")
found = filters.run("videos", f)
if found.empty:
    st.info("No internal video is linked to a post yet (social_content_mappings, or a post's video_id).")
else:
    names = {r.video_id: f"{r.video_title or r.video_id} ({r.posts} posts)" for r in found.itertuples()}
    video = st.selectbox("Video", list(names), format_func=names.get, key="video")
    posts = filters.run("video_posts", f, video)
    summary = found[found["video_id"] == video].iloc[0]
    c1, c2, c3 = st.columns(3)
    c1.metric("Posts", f"{int(summary['posts']):,}")
    c2.metric("Total views", export.cell(summary["total_views"], None) if summary["total_views"] == summary["total_views"]
              else "not reported")
    c3.metric("Best platform", title(summary["best_platform"]))
    if not posts.empty:
        posts["views"] = [export.cell(v, p) for v, p in zip(posts["current_views"], posts["platform"])]
        st.bar_chart(posts.dropna(subset=["current_views"]), x="platform", y="current_views", x_label=None,
                     y_label="views")
        st.dataframe(posts[["platform", "account", "views", "current_likes", "current_comments", "current_shares",
                            "engagement_rate", "is_clip", "posted_at", "post_url"]],
                     hide_index=True, width="stretch",
                     column_config={"post_url": st.column_config.LinkColumn("link", display_text="open")})
    st.caption("social_content_posts (each post's link to the video: its own video_id, or a content mapping) "
               "and social_content_performance.")
    export.download(found, "videos")
    export.download(posts.drop(columns=["views"], errors="ignore"), "video_posts")
