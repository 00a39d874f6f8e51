"""Audience and comments: demographics as bars, sentiment over time, the most liked comments."""

import streamlit as st

from social_pipeline.dashboard import export, filters
from social_pipeline.dashboard.queries import title

f = filters.sidebar()
st.title("Audience and comments")
st.caption(filters.describe(f))

st.subheader("Who follows")
demo = filters.run("demographics", f)
missing = filters.run("demographics_missing", f)
age_col, gender_col, country_col = st.columns(3)
for column, dimension, heading, reports in ((age_col, "age", "Age", "with_age"),
                                            (gender_col, "gender", "Gender", "with_gender")):
    with column:
        st.markdown(f"**{heading}** (percent of followers)")
        rows = demo[demo["dimension"] == dimension]
        silent = missing.loc[missing[reports] == 0, "platform"].tolist()
        if rows.empty or rows["share"].isna().all():
            st.info(f"{heading} {export.not_reported(silent)}" if silent else f"No {heading.lower()} data.")
        else:
            st.bar_chart(rows.dropna(subset=["share"]), x="bucket", y="share", x_label=None, y_label="%")
            reported = int(rows["reported"].max())
            total = int(rows["total"].max())
            note = f"mean of {reported} of {total} accounts"
            if silent:
                note += f"; {export.not_reported(silent)}"
            st.caption(note)
with country_col:
    st.markdown("**Countries** (percent of followers)")
    places = filters.run("countries", f)
    if places.empty:
        st.info("No countries reported.")
    else:
        st.bar_chart(places, x="country", y="share", horizontal=True, sort="-share", x_label="%", y_label=None)
        st.caption("Mean share among the accounts listing the country in their top countries.")
    export.download(places, "audience_countries")
export.download(demo.assign(platforms=demo["platforms"].map(lambda p: " ".join(p))) if not demo.empty else demo,
                "audience_demographics")
st.caption("Each account's newest row of social_audience_demographics up to the period's last day.")

st.subheader("Comment sentiment")
mood = filters.run("sentiment_over_time", f)
if mood.empty:
    st.info("No comments on the posts published in the period.")
else:
    st.area_chart(mood, x="day", y=["positive", "neutral", "negative", "unscored"], x_label="day (UTC)",
                  y_label="comments", color=["#2e7d32", "#9e9e9e", "#c62828", "#d7ccc8"])
    st.caption("Comments on the posts published in the period (social_comments), by the day they were written; "
               "unscored: the model gave no sentiment (e.g. a language it cannot score), never called neutral.")
export.download(mood, "comment_sentiment")

st.subheader("Most liked comments")
top = filters.run("top_comments", f)
if top.empty:
    st.info("No comments.")
else:
    top["creator"] = [
        "creator's reply" if by else ("creator replied" if replied else "")
        for by, replied in zip(top["by_creator"], top["creator_replied"])]
    top["platform_name"] = top["platform"].map(title)
    # Shown as words where the value is unknown (the CSV keeps the empty cell): LinkedIn names no
    # commenter but the organization itself; a comment the model could not score is "unscored".
    shown = top.assign(author=[export.cell(a, p, "{}") for a, p in zip(top["author"], top["platform"])],
                       sentiment=top["sentiment"].fillna("unscored"))
    st.dataframe(shown[["likes_count", "comment_text", "author", "creator", "sentiment", "platform_name",
                        "commented_at", "post_url"]],
                 hide_index=True, width="stretch",
                 column_config={"likes_count": st.column_config.NumberColumn("likes", format="localized"),
                                "platform_name": st.column_config.TextColumn("platform"),
                                "post_url": st.column_config.LinkColumn("post", display_text="open")})
export.download(top.drop(columns=["platform_name"], errors="ignore"), "top_comments")
