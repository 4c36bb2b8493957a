"""The vault's repositories on SQLAlchemy: data keys, a card's secrets, and secrets for rotation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from building_blocks.persistence import Database, dialect_insert
from cards.adapters.persistence.vault_tables import card_secrets, data_keys
from cards.application.vault.ports import (
    SecretAlreadyStored,
    WrappedDataKey,
    WrappedKey,
)
from cards.domain.secrets import SealedSecret, SecretField

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _rowcount(result: sa.Result[Any]) -> int:
    return int(result.rowcount)  # type: ignore[attr-defined]


def _data_key(row: sa.RowMapping) -> WrappedDataKey:
    return WrappedDataKey(
        tenant_id=row["tenant_id"],
        version=row["version"],
        wrapped=WrappedKey(row["kek_version"], bytes(row["wrapped_key"])),
        created_at=row["created_at"],
    )


def _sealed(row: sa.RowMapping) -> SealedSecret:
    return SealedSecret(
        tenant_id=row["tenant_id"],
        card_id=row["card_id"],
        field=SecretField(row["field"]),
        key_version=row["key_version"],
        ciphertext=bytes(row["ciphertext"]),
    )


class SqlAlchemyDataKeyRepository:
    """``DataKeyRepository`` on ``data_keys``; every call is its own short transaction."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def current(self, tenant_id: str) -> WrappedDataKey | None:
        """The tenant's highest data-key version, else ``None``."""
        k = data_keys.c
        query = (
            sa.select(data_keys).where(k.tenant_id == tenant_id).order_by(k.version.desc()).limit(1)
        )
        async with self._database.sessions() as session:
            row = (await session.execute(query)).mappings().one_or_none()
        return None if row is None else _data_key(row)

    async def get(self, tenant_id: str, version: int) -> WrappedDataKey | None:
        """That version of the tenant's data key, else ``None``."""
        k = data_keys.c
        query = sa.select(data_keys).where(k.tenant_id == tenant_id, k.version == version)
        async with self._database.sessions() as session:
            row = (await session.execute(query)).mappings().one_or_none()
        return None if row is None else _data_key(row)

    async def add(self, key: WrappedDataKey) -> WrappedDataKey:
        """Store ``key`` unless its version exists; the stored one either way."""
        k = data_keys.c
        insert = (
            dialect_insert(self._database, data_keys)
            .values(
                tenant_id=key.tenant_id,
                version=key.version,
                kek_version=key.wrapped.kek_version,
                wrapped_key=key.wrapped.blob,
                created_at=key.created_at,
            )
            .on_conflict_do_nothing()
        )
        query = sa.select(data_keys).where(k.tenant_id == key.tenant_id, k.version == key.version)
        async with self._database.sessions.begin() as session:
            # A concurrent insert of the same version makes this one wait for it, then do
            # nothing; the SELECT (a new snapshot under READ COMMITTED) then sees the winner.
            await session.execute(insert)
            row = (await session.execute(query)).mappings().one()
        return _data_key(row)

    async def tenants(self) -> list[str]:
        """Every tenant that has a data key, in order."""
        query = sa.select(data_keys.c.tenant_id).distinct().order_by(data_keys.c.tenant_id)
        async with self._database.sessions() as session:
            return list((await session.scalars(query)).all())

    async def wrapped_before(self, kek_version: int, limit: int) -> list[WrappedDataKey]:
        """Up to ``limit`` data keys wrapped under a KEK version older than ``kek_version``."""
        k = data_keys.c
        query = (
            sa.select(data_keys)
            .where(k.kek_version < kek_version)
            .order_by(k.tenant_id, k.version)
            .limit(limit)
        )
        async with self._database.sessions() as session:
            return [_data_key(row) for row in (await session.execute(query)).mappings()]

    async def rewrap(self, changes: Sequence[tuple[WrappedDataKey, WrappedKey]]) -> int:
        """Give each key its new wrapping where it still has the old one; how many changed."""
        k = data_keys.c
        done = 0
        async with self._database.sessions.begin() as session:
            for old, new in changes:
                result = await session.execute(
                    sa.update(data_keys)
                    .where(
                        k.tenant_id == old.tenant_id,
                        k.version == old.version,
                        k.kek_version == old.wrapped.kek_version,
                        k.wrapped_key == old.wrapped.blob,
                    )
                    .values(kek_version=new.kek_version, wrapped_key=new.blob)
                )
                done += _rowcount(result)
        return done


def _insert(session: AsyncSession, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    if session.get_bind().dialect.name == "sqlite":
        return sqlite.insert(table)
    return postgresql.insert(table)


class SqlAlchemyCardSecretRepository:
    """``CardSecretRepository`` on ``card_secrets``, inside the caller's transaction."""

    def __init__(self, session: AsyncSession, *, clock: Clock = _utc_now) -> None:
        self._session = session
        self._clock = clock

    async def add(self, sealed: SealedSecret, fingerprint: str | None = None) -> None:
        """Store a new secret (a PAN with its fingerprint).

        Raises:
            SecretAlreadyStored: The card has this field already, or the PAN is stored.
        """
        # ON CONFLICT DO NOTHING rather than catching IntegrityError: a failed INSERT would
        # abort the card's whole PostgreSQL transaction.
        insert = (
            _insert(self._session, card_secrets)
            .values(
                card_id=sealed.card_id,
                field=sealed.field.value,
                tenant_id=sealed.tenant_id,
                key_version=sealed.key_version,
                ciphertext=sealed.ciphertext,
                fingerprint=fingerprint,
                updated_at=self._clock(),
            )
            .on_conflict_do_nothing()
            .returning(card_secrets.c.card_id)
        )
        if (await self._session.execute(insert)).scalar_one_or_none() is None:
            raise SecretAlreadyStored(
                "The card already has this secret, or this card number is already stored"
            )

    async def get(self, card_id: str, field: SecretField) -> SealedSecret | None:
        """The card's sealed ``field``, else ``None``."""
        s = card_secrets.c
        query = sa.select(card_secrets).where(s.card_id == card_id, s.field == field.value)
        row = (await self._session.execute(query)).mappings().one_or_none()
        return None if row is None else _sealed(row)

    async def update(self, sealed: SealedSecret) -> bool:
        """Store a new value of an existing secret (a new PIN); ``False`` if there is none."""
        s = card_secrets.c
        result = await self._session.execute(
            sa.update(card_secrets)
            .where(
                s.card_id == sealed.card_id,
                s.field == sealed.field.value,
                s.tenant_id == sealed.tenant_id,
            )
            .values(
                key_version=sealed.key_version,
                ciphertext=sealed.ciphertext,
                updated_at=self._clock(),
            )
        )
        return _rowcount(result) == 1

    async def remove(self, card_id: str, field: SecretField) -> bool:
        """Delete the card's ``field``; ``False`` if there was none."""
        s = card_secrets.c
        result = await self._session.execute(
            sa.delete(card_secrets).where(s.card_id == card_id, s.field == field.value)
        )
        return _rowcount(result) == 1

    async def card_with_fingerprint(self, fingerprint: str) -> str | None:
        """The id of the card whose PAN has this fingerprint, else ``None``."""
        s = card_secrets.c
        query = sa.select(s.card_id).where(
            s.field == SecretField.PAN.value, s.fingerprint == fingerprint
        )
        return (await self._session.execute(query)).scalar_one_or_none()


def _row_of(sealed: SealedSecret) -> tuple[str, str, SecretField]:
    return sealed.tenant_id, sealed.card_id, sealed.field


class SqlAlchemySealedSecretRepository:
    """``SealedSecretRepository`` on ``card_secrets``: rotation's batches, one transaction each."""

    def __init__(self, database: Database, *, clock: Clock = _utc_now) -> None:
        self._database = database
        self._clock = clock

    async def older_than(
        self, tenant_id: str, key_version: int, limit: int, *, after: SealedSecret | None = None
    ) -> list[SealedSecret]:
        """Up to ``limit`` of the tenant's secrets under a version below ``key_version``."""
        s = card_secrets.c
        query = (
            sa.select(card_secrets)
            .where(s.tenant_id == tenant_id, s.key_version < key_version)
            .order_by(s.card_id, s.field)
            .limit(limit)
        )
        if after is not None:
            query = query.where(
                sa.tuple_(s.card_id, s.field) > sa.tuple_(after.card_id, after.field.value)
            )
        async with self._database.sessions() as session:
            return [_sealed(row) for row in (await session.execute(query)).mappings()]

    async def replace(self, changes: Sequence[tuple[SealedSecret, SealedSecret]]) -> int:
        """Store each ``new`` where its row still holds ``old``'s ciphertext; how many were."""
        if any(_row_of(old) != _row_of(new) for old, new in changes):
            raise ValueError("a replacement must be for the same tenant, card and field")
        s = card_secrets.c
        done = 0
        async with self._database.sessions.begin() as session:
            for old, new in changes:
                result = await session.execute(
                    sa.update(card_secrets)
                    .where(
                        s.card_id == old.card_id,
                        s.field == old.field.value,
                        s.key_version == old.key_version,
                        s.ciphertext == old.ciphertext,
                    )
                    .values(
                        key_version=new.key_version,
                        ciphertext=new.ciphertext,
                        updated_at=self._clock(),
                    )
                )
                done += _rowcount(result)
        return done
