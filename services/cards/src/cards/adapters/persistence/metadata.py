"""The SQLAlchemy metadata of cards: every table lives on the ``cards`` schema."""

from __future__ import annotations

from building_blocks.persistence import service_metadata

metadata = service_metadata("cards")
