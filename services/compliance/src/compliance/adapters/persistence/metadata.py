"""The SQLAlchemy metadata of compliance: every table lives on the ``compliance`` schema."""

from __future__ import annotations

from building_blocks.persistence import service_metadata

metadata = service_metadata("compliance")
