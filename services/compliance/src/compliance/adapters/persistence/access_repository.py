"""API keys and reviewers on SQLAlchemy, each call in its own short transaction."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from building_blocks.persistence import Database
from compliance.adapters.persistence.access_tables import api_keys, reviewers
from compliance.domain.access import ApiKey, Reviewer, ReviewerRole


def _api_key(row: RowMapping) -> ApiKey:
    return ApiKey(
        key_id=row["key_id"],
        customer_id=row["customer_id"],
        key_hash=row["key_hash"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


def _reviewer(row: RowMapping) -> Reviewer:
    return Reviewer(
        reviewer_id=row["reviewer_id"],
        username=row["username"],
        role=ReviewerRole(row["role"]),
        password_hash=row["password_hash"],
        created_at=row["created_at"],
        disabled=row["disabled"],
    )


class SqlAlchemyApiKeyRepository:
    """``ApiKeyRepository`` on the ``api_keys`` table."""

    def __init__(self, database: Database) -> None:
        self._sessions = database.sessions

    async def add(self, key: ApiKey) -> None:
        """Insert a new key record."""
        async with self._sessions.begin() as session:
            await session.execute(
                sa.insert(api_keys).values(
                    key_id=key.key_id,
                    customer_id=key.customer_id,
                    key_hash=key.key_hash,
                    created_at=key.created_at,
                    revoked_at=key.revoked_at,
                )
            )

    async def get(self, key_id: str) -> ApiKey | None:
        """The record of ``key_id``, else ``None``."""
        async with self._sessions.begin() as session:
            query = sa.select(api_keys).where(api_keys.c.key_id == key_id)
            row = (await session.execute(query)).mappings().one_or_none()
        return None if row is None else _api_key(row)

    async def revoke(self, key_id: str, at: datetime) -> None:
        """Set ``revoked_at`` unless it is set already."""
        async with self._sessions.begin() as session:
            await session.execute(
                sa.update(api_keys)
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )


class SqlAlchemyReviewerRepository:
    """``ReviewerRepository`` on the ``reviewers`` table; usernames are unique there."""

    def __init__(self, database: Database) -> None:
        self._sessions = database.sessions

    async def add(self, reviewer: Reviewer) -> bool:
        """Insert ``reviewer``; ``False`` when the unique username is taken."""
        try:
            async with self._sessions.begin() as session:
                await session.execute(
                    sa.insert(reviewers).values(
                        reviewer_id=reviewer.reviewer_id,
                        username=reviewer.username,
                        role=reviewer.role.value,
                        password_hash=reviewer.password_hash,
                        created_at=reviewer.created_at,
                        disabled=reviewer.disabled,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def _one(self, condition: sa.ColumnElement[bool]) -> Reviewer | None:
        async with self._sessions.begin() as session:
            query = sa.select(reviewers).where(condition)
            row = (await session.execute(query)).mappings().one_or_none()
        return None if row is None else _reviewer(row)

    async def get(self, reviewer_id: str) -> Reviewer | None:
        """The reviewer with this id, else ``None``."""
        return await self._one(reviewers.c.reviewer_id == reviewer_id)

    async def by_username(self, username: str) -> Reviewer | None:
        """The reviewer with this normalised username, else ``None``."""
        return await self._one(reviewers.c.username == username)

    async def set_password_hash(self, reviewer_id: str, password_hash: str) -> None:
        """Replace the reviewer's password hash."""
        async with self._sessions.begin() as session:
            await session.execute(
                sa.update(reviewers)
                .where(reviewers.c.reviewer_id == reviewer_id)
                .values(password_hash=password_hash)
            )
