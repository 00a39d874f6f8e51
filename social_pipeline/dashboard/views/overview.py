"""Overview: headline numbers against the previous period, followers over time, best time to
post, top posts."""

import altair as alt
import pandas as pd
import streamlit as st

from social_pipeline.dashboard import export, filters
from social_pipeline.dashboard.queries import title

f = filters.sidebar()
st.title("Overview")
st.caption(filters.describe(f) + f" · compared with the {f.days} days before")

head = filters.run("headline", f)
LABELS = {"followers": "Followers", "views": "Views", "impressions": "Impressions", "engagement_rate": "Engagement rate",
          "posts": "Posts"}
columns = st.columns(len(LABELS))
for column, row in zip(columns, head.itertuples()):
    with column:
        unknown = row.value is None or pd.isna(row.value)
        if unknown:
            st.metric(LABELS[row.metric], export.not_reported(row.missing) if row.missing else
                      ("not pulled yet" if row.not_pulled_yet else "none in the period"))
        else:
            value = float(row.value)
            delta = None if row.change is None or pd.isna(row.change) else float(row.change)
            shown = f"{value:.2f} %" if row.metric == "engagement_rate" else f"{value:,.0f}"
            delta_text = None if delta is None else (f"{delta:+.2f} pts" if row.metric == "engagement_rate"
                                                     else f"{delta:+,.0f}")
            st.metric(LABELS[row.metric], shown, delta_text)
        if row.metric != "posts" and int(row.reported) < int(row.total):
            notes = [f"from {int(row.reported):,} of {int(row.total):,} {row.unit}"]
            if row.missing:
                notes.append(export.not_reported(row.missing))
            if row.not_pulled_yet:
                notes.append(f"{int(row.not_pulled_yet):,} not pulled yet")
            st.caption("; ".join(notes))
st.caption("Followers: each account's newest reported count up to the period's last day (change: the same "
           "accounts at the day before the period). Views, impressions, engagement rate (mean) and posts: posts "
           "published in the period, at their latest metrics (social_post_performance). Impressions are counted "
           "apart from views (a post on screen is not a view): X counts impressions on every post and views only "
           "on videos, LinkedIn and Pinterest count impressions only.")
export.download(head.assign(missing=head["missing"].map(lambda m: " ".join(m))), "overview_headline")

st.subheader("Followers over time")
growth = filters.run("followers_over_time", f)
if growth.empty:
    st.info("No account snapshots in the period.")
else:
    st.line_chart(growth, x="snapshot_date", y="followers_count", color="account", x_label="day (UTC)",
                  y_label="followers")
    st.caption("The 10 largest accounts in the filter (social_analytics_snapshots); a gap is a day the "
               "platform did not report followers.")
export.download(growth, "followers_over_time")

st.subheader("Best time to post (UTC)")
cells = filters.run("best_time", f)
if cells.empty:
    st.info("No posts to judge from.")
else:
    chart = alt.Chart(cells).mark_rect().encode(
        x=alt.X("hour_utc:O", title="hour (UTC)"),
        y=alt.Y("weekday_name:N", title=None, sort=["monday", "tuesday", "wednesday", "thursday", "friday",
                                                    "saturday", "sunday"]),
        color=alt.Color("avg_engagement_rate:Q", title="engagement %", scale=alt.Scale(scheme="viridis")),
        opacity=alt.Opacity("confidence:N", scale=alt.Scale(domain=["low", "medium", "high"], range=[0.3, 0.65, 1.0]),
                            title="confidence"),
        tooltip=["weekday_name", "hour_utc", "posts", "avg_engagement_rate", "confidence"],
    )
    st.altair_chart(chart, width="stretch")
    st.caption("Mean engagement rate of the original and quote posts published in the period, by weekday and "
               "hour of publication (UTC), as social_best_time_to_post computes it; confidence: high from 10 "
               "posts, medium from 4 (faded cells: fewer posts behind them).")
export.download(cells, "best_time_to_post")

st.subheader("Top posts")
top = filters.run("top_posts", f)
if top.empty:
    st.info("No posts published in the period.")
else:
    top["views"] = [export.cell(v, p) for v, p in zip(top["current_views"], top["platform"])]
    top["platform_name"] = top["platform"].map(title)
    st.dataframe(
        top[["thumbnail", "caption", "platform_name", "account", "views", "current_likes", "current_comments",
             "engagement_rate", "posted_at", "post_url"]],
        hide_index=True, width="stretch",
        column_config={
            "thumbnail": st.column_config.ImageColumn("thumbnail"),
            "platform_name": st.column_config.TextColumn("platform"),
            "current_likes": st.column_config.NumberColumn("likes", format="localized"),
            "current_comments": st.column_config.NumberColumn("comments", format="localized"),
            "engagement_rate": st.column_config.NumberColumn("engagement %", format="%.2f"),
            "post_url": st.column_config.LinkColumn("link", display_text="open"),
        })
    st.caption("Most viewed posts published in the period; a platform that counts no views says so. Thumbnail: "
               "the image the platform gave at the last pull (social_posts_analytics.thumbnail_url; LinkedIn gives "
               "none, TikTok's cover link lasts 6 hours).")
export.download(top.drop(columns=["views", "platform_name"], errors="ignore"), "top_posts")
