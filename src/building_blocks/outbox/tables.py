"""The outbox and inbox tables, added to a service's own metadata."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import sqlalchemy as sa

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
_Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


@dataclass(frozen=True, slots=True)
class MessagingTables:
    """The tables the outbox, its relay and the inbox work on."""

    outbox: sa.Table
    inbox: sa.Table

    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        # dependency-injector deep-copies provided objects when a container is built; a
        # copied Table keeps column comparators typed NullType, so ``attempts + 1`` fails.
        # Tables are shared schema descriptions: every holder must use the same objects.
        return self


def messaging_tables(metadata: sa.MetaData) -> MessagingTables:
    """Add ``outbox`` and ``inbox`` to ``metadata`` (the service's schema) and return them.

    The outbox ``id`` orders publication; ``message_id`` is unique so a message is stored once.
    The inbox key ``(consumer, message_id)`` lets each consumer see a message at most once.
    """
    outbox = sa.Table(
        "outbox",
        metadata,
        sa.Column("id", _Id, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.String(64), nullable=False, unique=True),
        sa.Column("routing_key", sa.String(255), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    # The relay only ever reads unsent rows in id order: keep that index small.
    sa.Index(
        "ix_outbox_unsent",
        outbox.c.id,
        postgresql_where=outbox.c.sent_at.is_(None),
        sqlite_where=outbox.c.sent_at.is_(None),
    )
    inbox = sa.Table(
        "inbox",
        metadata,
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("message_id", sa.String(64), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    return MessagingTables(outbox=outbox, inbox=inbox)
