"""Pipeline health: the last run per platform, failed accounts, tokens expiring, today's quota
and cost."""

import streamlit as st

from social_pipeline.dashboard import export, filters
from social_pipeline.dashboard.queries import TOKEN_WARNING_DAYS, title

f = filters.sidebar()
st.title("Pipeline health")
st.caption(filters.describe(f))

runs = filters.run("last_runs", f)
failed = filters.run("failed_accounts", f)
tokens = filters.run("expiring_tokens", f)
usage = filters.run("usage_today", f)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Accounts pulled (last day)", f"{int(runs['completed'].sum()):,}" if len(runs) else "0")
m2.metric("Failing accounts", f"{len(failed):,}")
m3.metric("Tokens expiring", f"{len(tokens):,}")
m4.metric("Requests today", f"{int(usage['requests'].sum()):,}" if len(usage) else "0")

st.subheader("Last run per platform")
if runs.empty:
    st.info("No pulls in the period.")
else:
    runs["platform"] = runs["platform"].map(title)
    st.dataframe(runs, hide_index=True, width="stretch")
    st.bar_chart(runs, x="platform", y=["completed", "failed", "skipped"], x_label=None, y_label="accounts",
                 color=["#2e7d32", "#c62828", "#f9a825"])
    st.caption("Each platform's newest pulled day in the period (social_fetch_jobs): how its accounts fared.")
export.download(runs, "last_runs")

st.subheader("Failed accounts")
if failed.empty:
    st.success("Every account's newest pull in the period succeeded.")
else:
    failed["platform"] = failed["platform"].map(title)
    st.dataframe(failed, hide_index=True, width="stretch")
    st.caption("Accounts whose newest pull in the period failed or was skipped, with the message "
               "(`social-pipeline accounts retry` pulls a skipped one again).")
export.download(failed, "failed_accounts")

st.subheader("Tokens expiring")
if tokens.empty:
    st.success(f"No access token expires within {TOKEN_WARNING_DAYS} days (of those with a recorded expiry).")
else:
    tokens["platform"] = tokens["platform"].map(title)
    st.dataframe(tokens, hide_index=True, width="stretch")
    st.caption("social_account_credentials.token_expires_at; days_left below 0: expired.")
export.download(tokens, "expiring_tokens")

st.subheader("Quota and cost used today (UTC)")
if usage.empty:
    st.info("No requests made today yet.")
else:
    shown = usage.copy()
    shown["cost_units"] = [export.cell(v, p) if v == v else "no unit quota" for v, p in
                           zip(usage["cost_units"], usage["platform"])]
    shown["cost_usd"] = [f"${v:,.4f}" if v == v and v is not None else "not billed per request"
                         for v in usage["cost_usd"]]
    shown["platform"] = shown["platform"].map(title)
    st.dataframe(shown, hide_index=True, width="stretch")
    st.bar_chart(usage.assign(platform=usage["platform"].map(title)), x="platform", y="requests", x_label=None,
                 y_label="requests today")
    st.caption("From the raw ledger (social_raw_pulls, by when each request was made): requests, failed ones, "
               "retries, quota units (YouTube) and US dollars (X).")
export.download(usage, "usage_today")
