"""One module per dashboard page, run by st.navigation (app.py). Not named pages/: Streamlit would
also list a pages/ folder next to the entry script as pages of its own."""
