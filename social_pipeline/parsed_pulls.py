"""Moved to :mod:`social_pipeline.ingest.parsed_pulls` (an alias while imports move)."""
import sys

from .ingest import parsed_pulls as _module

sys.modules[__name__] = _module
