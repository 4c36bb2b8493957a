"""The composition root shares the service's table metadata; it never deep-copies it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.unit


def test_a_service_container_shares_its_metadata_instead_of_copying_it() -> None:
    # Copying grew with every statement SQLAlchemy memoised on the columns: minutes per
    # container late in a long test run.
    from building_blocks.messaging import InMemoryBroker
    from building_blocks.settings import load_settings
    from compliance.adapters.persistence import tables
    from compliance.config import Settings
    from compliance.container import Container

    settings = load_settings(Settings, {"DATABASE_URL": "sqlite:///unused.db"})
    container = Container(settings=settings, broker=InMemoryBroker())

    assert container.core.metadata() is tables.metadata
