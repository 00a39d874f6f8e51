"""Moved to :mod:`social_pipeline.ingest.pulling` (an alias while imports move)."""
import sys

from .ingest import pulling as _module

sys.modules[__name__] = _module
