"""Posts: every post of the filter with its latest metrics and a sparkline of its views; one
post's growth curve against its account's median."""

import streamlit as st

from social_pipeline.dashboard import export, filters
from social_pipeline.dashboard.queries import POSTS_LIMIT, title

f = filters.sidebar()
st.title("Posts")
st.caption(filters.describe(f) + " · posts published in the period")

total = int(filters.run("posts_count", f)["posts"].iloc[0])
posts = filters.run("posts_table", f)
if total > len(posts):
    st.warning(f"Showing the newest {len(posts):,} of {total:,} posts published in the period "
               f"(at most {POSTS_LIMIT:,}); narrow the filters or the dates to see the others.")
else:
    st.caption(f"{total:,} posts")
METRICS = {"current_views": "views", "current_likes": "likes", "current_comments": "comments",
           "current_shares": "shares", "current_saves": "saves", "current_impressions": "impressions",
           "current_reach": "reach", "engagement_rate": "engagement rate"}
if posts.empty:
    st.info("No posts published in the period.")
else:
    posts["not_reported"] = export.unknown_note(posts, METRICS)
    posts["platform_name"] = posts["platform"].map(title)
    number = {c: st.column_config.NumberColumn(w, format="localized") for c, w in METRICS.items()}
    number["engagement_rate"] = st.column_config.NumberColumn("engagement %", format="%.2f")
    st.dataframe(
        posts[["posted_at", "platform_name", "account", "caption", "post_kind", *METRICS, "views_trend",
               "not_reported", "post_url"]],
        hide_index=True, width="stretch", height=520,
        column_config={
            **number,
            "posted_at": st.column_config.DatetimeColumn("published (UTC)", format="YYYY-MM-DD HH:mm"),
            "platform_name": st.column_config.TextColumn("platform"),
            "views_trend": st.column_config.LineChartColumn("views by day"),
            "not_reported": st.column_config.TextColumn("unknown"),
            "post_url": st.column_config.LinkColumn("link", display_text="open"),
        })
    st.caption("Latest metrics from social_post_performance; an empty cell (None) is a metric the platform "
               "does not report (the 'unknown' column names it), never 0. Click a header to sort.")
export.download(posts.drop(columns=["platform_name"], errors="ignore"), "posts")

st.subheader("Growth curve")
choices = filters.run("curve_post_choices", f)
if choices.empty:
    st.info("No post to draw.")
else:
    labels = {int(r.post_id): f"{title(r.platform)} @{r.account}: {r.caption}" for r in choices.itertuples()}
    post_id = st.selectbox("Post (the 200 most viewed of the filter)", list(labels), format_func=labels.get,
                           key="curve_post")
    curve = filters.run("post_curve", f, int(post_id))
    if curve.empty or curve["this_post"].isna().all():
        platform = choices.loc[choices["post_id"] == post_id, "platform"].iloc[0]
        st.info(f"Views {export.not_reported([platform])} for this post, or no measurement yet.")
    else:
        chart = curve.rename(columns={"this_post": "this post", "account_median": "account median"})
        st.line_chart(chart, x="age_hours", y=["this post", "account median"], x_label="hours since publication",
                      y_label="views")
        st.caption("Hourly measurements for the first 48 hours, then one per day (at the end of the day), from "
                   "social_post_metrics; the median is over the account's 200 newest other posts at the same age.")
    export.download(curve, "post_growth_curve")
