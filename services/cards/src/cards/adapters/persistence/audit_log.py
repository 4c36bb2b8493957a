"""The audit log on SQLAlchemy: appends inside the caller's transaction, batched reads."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from building_blocks.persistence import Database
from cards.adapters.persistence.audit_tables import HEAD_ID, audit_head, audit_log
from cards.application.audit.chain import next_entry
from cards.application.audit.ports import AuditLogExtent, AuditMac, UnreadableAuditEntry
from cards.domain.audit import GENESIS_MAC, AuditAction, AuditEntry, AuditEvent, AuditHead
from shared_kernel.domain.errors import DomainError

DEFAULT_BATCH_SIZE = 1000

_h = audit_head.c
# Taking the head is a write, not SELECT ... FOR UPDATE: on PostgreSQL the UPDATE holds the
# same row lock until commit, so concurrent appenders queue and each sees its predecessor's
# head; on SQLite it makes the transaction a writer at once (the driver opens transactions
# only at the first write, so a read first would let two appenders read the same head).
_TAKE_HEAD = (
    sa.update(audit_head)
    .where(_h.id == HEAD_ID)
    .values(last_sequence=_h.last_sequence + 1)
    .returning(_h.last_sequence, _h.last_mac)
)


class SqlAlchemyAuditTrail:
    """``AuditTrail`` in the session of the caller's unit of work; it never commits."""

    def __init__(self, session: AsyncSession, mac: AuditMac) -> None:
        self._session = session
        self._mac = mac

    async def append(self, event: AuditEvent) -> AuditEntry:
        """Chain ``event`` after the head and move the head to it, in the caller's transaction.

        Concurrent appenders wait on the head row until this transaction ends, so the chain
        never forks; if it rolls back, the head and the entry go with it and no gap remains.
        """
        entry = next_entry(await self._take_head(), event, self._mac)
        await self._session.execute(sa.insert(audit_log).values(_row(entry)))
        await self._session.execute(
            sa.update(audit_head).where(_h.id == HEAD_ID).values(last_mac=entry.mac)
        )
        return entry

    async def _take_head(self) -> AuditHead:
        taken = (await self._session.execute(_TAKE_HEAD)).one_or_none()
        if taken is None:
            # The first append ever: create the head lazily, so no seeding is needed. A
            # concurrent first appender's insert waits for this one and then does nothing.
            await self._session.execute(self._seed_head())
            taken = (await self._session.execute(_TAKE_HEAD)).one()
        return AuditHead(last_sequence=taken.last_sequence - 1, last_mac=taken.last_mac)

    def _seed_head(self) -> sa.Insert:
        dialect = self._session.get_bind().dialect.name
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        return (
            insert(audit_head)
            .values(id=HEAD_ID, last_sequence=0, last_mac=GENESIS_MAC)
            .on_conflict_do_nothing()
        )


class SqlAlchemyAuditRecorder:
    """``AuditRecorder``: one append in a transaction of its own."""

    def __init__(self, database: Database, mac: AuditMac) -> None:
        self._database = database
        self._mac = mac

    async def record(self, event: AuditEvent) -> AuditEntry:
        """Append ``event`` and commit."""
        async with self._database.sessions.begin() as session:
            return await SqlAlchemyAuditTrail(session, self._mac).append(event)


class SqlAlchemyAuditReader:
    """``AuditReader`` reading in short transactions of ``batch_size`` entries each."""

    def __init__(self, database: Database, *, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self._database = database
        self._batch_size = batch_size

    async def extent(self) -> AuditLogExtent:
        """The head (empty if never written) and the highest stored sequence, in one query."""
        at_head = sa.select(audit_head).where(_h.id == HEAD_ID)
        # One statement, hence one snapshot: an append committing meanwhile is in both or neither.
        statement = sa.select(
            at_head.with_only_columns(_h.last_sequence).scalar_subquery(),
            at_head.with_only_columns(_h.last_mac).scalar_subquery(),
            sa.select(sa.func.max(audit_log.c.sequence)).scalar_subquery(),
        )
        async with self._database.sessions() as session:
            last_sequence, last_mac, highest = (await session.execute(statement)).one()
        if last_sequence is None:
            head = AuditHead()
        else:
            head = AuditHead(last_sequence=last_sequence, last_mac=last_mac)
        return AuditLogExtent(head=head, highest_sequence=highest or 0)

    async def entries(self, *, up_to: int | None = None) -> AsyncIterator[AuditEntry]:
        """Every entry in ascending sequence order, ``up_to`` included.

        No session stays open while the caller holds an entry, so stopping early leaks nothing.

        Raises:
            UnreadableAuditEntry: At the first row that no longer decodes as an event.
        """
        sequence = audit_log.c.sequence
        after = 0
        while True:
            statement = sa.select(audit_log).where(sequence > after)
            if up_to is not None:
                statement = statement.where(sequence <= up_to)
            statement = statement.order_by(sequence).limit(self._batch_size)
            async with self._database.sessions() as session:
                rows = (await session.execute(statement)).mappings().all()
            for row in rows:
                yield _entry(row)
            if len(rows) < self._batch_size:
                return
            after = rows[-1]["sequence"]


def _row(entry: AuditEntry) -> dict[str, Any]:
    event = entry.event
    return {
        "sequence": entry.sequence,
        "occurred_at": event.occurred_at,
        "action": event.action.value,
        "actor": event.actor,
        "channel": event.channel,
        "tenant_id": event.tenant_id,
        "subject": event.subject,
        "details": json.dumps(dict(event.details), sort_keys=True, separators=(",", ":")),
        "previous_mac": entry.previous_mac,
        "mac": entry.mac,
    }


def _entry(row: sa.RowMapping) -> AuditEntry:
    try:
        details = json.loads(row["details"])
        if not isinstance(details, dict):
            raise TypeError("details are not an object")
        event = AuditEvent(
            action=AuditAction(row["action"]),
            actor=row["actor"],
            channel=row["channel"],
            tenant_id=row["tenant_id"],
            subject=row["subject"],
            occurred_at=row["occurred_at"],
            details=details,
        )
    except (ValueError, TypeError, DomainError):
        # The sequence only: the stored content is what an attacker controls, keep it out.
        raise UnreadableAuditEntry(row["sequence"]) from None
    return AuditEntry(
        event=event, sequence=row["sequence"], previous_mac=row["previous_mac"], mac=row["mac"]
    )
