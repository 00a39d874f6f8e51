"""Pulling an account and turning its pulls into records, outside Dagster.

- ``accounts``: which accounts to pull, and the demo accounts seeded on first run.
- ``settings``: each platform's settings from the environment.
- ``pulling``: one account's pull for one day, and the raw ledger's row codec.
- ``parsed_pulls``: each pull parsed once (the parse cache), with the quarantine of bad pulls.
- ``normalize``: a day's newest good pulls as records per account.
- ``tokens``: access tokens refreshed ahead of expiry, and the expiring report.

The assets (``social_pipeline/assets``) call these; nothing here imports Dagster or an asset.
"""
