"""Moved to :mod:`social_pipeline.ingest.accounts` (an alias while imports move)."""
import sys

from .ingest import accounts as _module

sys.modules[__name__] = _module
