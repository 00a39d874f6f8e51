"""Fixtures shared by the platform tests: ``scripted_transport``, the one fake transport
(:class:`~social_pipeline_tests.platforms.contract_transport.ScriptedTransport`)."""

from __future__ import annotations

import pytest

from social_pipeline_tests.platforms.contract_transport import ScriptedTransport


@pytest.fixture
def scripted_transport() -> ScriptedTransport:
    """A fresh :class:`ScriptedTransport`; ``install`` it on the client's session."""
    return ScriptedTransport()
