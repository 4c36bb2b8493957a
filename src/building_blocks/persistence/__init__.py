"""SQLAlchemy 2 async engine, per-service schema metadata and the unit of work."""

from building_blocks.persistence.database import Database, async_url
from building_blocks.persistence.metadata import service_metadata
from building_blocks.persistence.types import UtcDateTime
from building_blocks.persistence.unit_of_work import SqlAlchemyUnitOfWork
from building_blocks.persistence.upsert import dialect_insert

__all__ = [
    "Database",
    "SqlAlchemyUnitOfWork",
    "UtcDateTime",
    "async_url",
    "dialect_insert",
    "service_metadata",
]
