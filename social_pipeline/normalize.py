"""Moved to :mod:`social_pipeline.ingest.normalize` (an alias while imports move)."""
import sys

from .ingest import normalize as _module

sys.modules[__name__] = _module
