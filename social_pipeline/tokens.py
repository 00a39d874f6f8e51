"""Moved to :mod:`social_pipeline.ingest.tokens` (an alias while imports move)."""
import sys

from .ingest import tokens as _module

sys.modules[__name__] = _module
