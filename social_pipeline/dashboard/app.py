"""Entry point: `streamlit run social_pipeline/dashboard/app.py` (what `social-pipeline dashboard`
and `social-pipeline dev` start). The chosen page, which draws the
shared filters in the sidebar (filters.sidebar) before its charts."""

from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
PAGES = [
    ("overview", "Overview", ":material/dashboard:"),
    ("posts", "Posts", ":material/article:"),
    ("hashtags", "Hashtags and content", ":material/tag:"),
    ("audience", "Audience and comments", ":material/groups:"),
    ("health", "Pipeline health", ":material/monitor_heart:"),
]

st.set_page_config(page_title="social_pipeline dashboard", page_icon=":material/insights:", layout="wide")
pages = [st.Page(HERE / "views" / f"{path}.py", title=name, icon=icon, url_path=path) for path, name, icon in PAGES]


def _home() -> None:
    # The default page is served at "/" whatever its url_path; a redirect keeps /overview a page
    # of its own (a fixed address for links and bookmarks).
    st.switch_page(pages[0])


navigation = st.navigation([st.Page(_home, title="Home", url_path="home", default=True), *pages], position="hidden")
with st.sidebar:
    for page in pages:
        st.page_link(page)
    st.divider()
navigation.run()  # each page draws the shared filters next (filters.sidebar)
