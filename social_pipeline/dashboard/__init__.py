"""The creator's dashboard: a Streamlit app on the analytics database (issue 16).

    social-pipeline dashboard              serves it on 127.0.0.1:8501
    social-pipeline dev                    serves it next to the Dagster UI

``queries.py`` holds every SQL statement the pages run (values bound, identifiers quoted), each
returning a DataFrame; ``BENCH_QUERIES`` lists them for the benchmark. The dashboard reads the
analytics tables and views only: it imports none of platforms/, ingest/, simulator/, assets/, and
never reads a token column (social_accounts.access_token, social_account_credentials.refresh_token).
"""
