"""Moved to :mod:`social_pipeline.ingest.settings` (an alias while imports move)."""
import sys

from .ingest import settings as _module

sys.modules[__name__] = _module
