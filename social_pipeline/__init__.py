"""social_pipeline: social-media analytics from nine platforms into PostgreSQL, with Dagster."""

import warnings

# Dagster marks two features we rely on as beta/preview: backfill_policy (multi-day backfill runs)
# and partitioned asset checks. They are used knowingly; do not warn at every import.
warnings.filterwarnings("ignore", message=r".*backfill_policy.*is currently in beta")
warnings.filterwarnings("ignore", message=r".*partitions_def on an AssetCheckSpec is currently in preview")
