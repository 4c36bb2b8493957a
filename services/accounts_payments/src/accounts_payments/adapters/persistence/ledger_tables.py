"""Ledger tables: accounts with counters, journals, insert-only entries, holds."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from accounts_payments.adapters.persistence.metadata import metadata
from accounts_payments.domain.ledger import (
    Entry,
    Hold,
    HoldStatus,
    Journal,
    LedgerBalance,
    NormalSide,
    StatementLine,
    statement_line,
)
from building_blocks.persistence import UtcDateTime
from shared_kernel.domain.money import Money

__all__ = [
    "INSERT_ONLY_POSTGRESQL",
    "INSERT_ONLY_SQLITE",
    "balance_from_row",
    "hold_from_row",
    "hold_row",
    "ledger_accounts",
    "ledger_entries",
    "ledger_holds",
    "ledger_journals",
    "metadata",
    "statement_line_from_row",
]

_ID = sa.String(100)
_SIDES = "'DEBIT', 'CREDIT'"

ledger_accounts = sa.Table(
    "ledger_accounts",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("normal_side", sa.String(6), nullable=False),
    sa.Column("floor_minor", sa.BigInteger, nullable=True),
    sa.Column("posted_debits", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("posted_credits", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("pending_debits", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("pending_credits", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("version", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("posted_debits >= 0", name="posted_debits_not_negative"),
    sa.CheckConstraint("posted_credits >= 0", name="posted_credits_not_negative"),
    sa.CheckConstraint("pending_debits >= 0", name="pending_debits_not_negative"),
    sa.CheckConstraint("pending_credits >= 0", name="pending_credits_not_negative"),
    sa.CheckConstraint("version >= 0", name="version_not_negative"),
    sa.CheckConstraint(f"normal_side IN ({_SIDES})", name="normal_side_known"),
    sa.CheckConstraint("floor_minor IS NULL OR floor_minor <= 0", name="floor_not_positive"),
)

ledger_journals = sa.Table(
    "ledger_journals",
    metadata,
    # Caller-chosen business ids (Toqio's transaction id), unique forever.
    sa.Column("id", _ID, primary_key=True),
    sa.Column("description", sa.String(500), nullable=False, server_default=""),
    sa.Column("metadata", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

ledger_entries = sa.Table(
    "ledger_entries",
    metadata,
    sa.Column("id", sa.Uuid(as_uuid=False), primary_key=True),
    sa.Column("journal_id", _ID, sa.ForeignKey(ledger_journals.c.id), nullable=False),
    sa.Column("account_id", _ID, sa.ForeignKey(ledger_accounts.c.id), nullable=False),
    sa.Column("side", sa.String(6), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("balance_after", sa.BigInteger, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
    sa.CheckConstraint(f"side IN ({_SIDES})", name="side_known"),
    sa.Index(None, "account_id", "created_at", "id"),
    sa.Index(None, "journal_id"),
)

ledger_holds = sa.Table(
    "ledger_holds",
    metadata,
    sa.Column("id", _ID, primary_key=True),
    sa.Column("debit_account", _ID, sa.ForeignKey(ledger_accounts.c.id), nullable=False),
    sa.Column("credit_account", _ID, sa.ForeignKey(ledger_accounts.c.id), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("posted_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("description", sa.String(500), nullable=False, server_default=""),
    sa.Column("expires_at", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("resolved_at", UtcDateTime, nullable=True),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
    sa.CheckConstraint(
        "posted_minor >= 0 AND posted_minor <= amount_minor", name="posted_within_amount"
    ),
    sa.CheckConstraint("status IN ('PENDING', 'POSTED', 'VOIDED', 'EXPIRED')", name="status_known"),
    # The expiry sweep reads pending holds by due time.
    sa.Index(None, "status", "expires_at"),
)


def balance_from_row(row: sa.Row[Any]) -> LedgerBalance:
    """The domain view of a ``ledger_accounts`` row."""
    return LedgerBalance(
        account_id=row.id,
        currency=row.currency,
        normal_side=NormalSide(row.normal_side),
        posted_debits=row.posted_debits,
        posted_credits=row.posted_credits,
        pending_debits=row.pending_debits,
        pending_credits=row.pending_credits,
        floor_minor=row.floor_minor,
        version=row.version,
    )


def hold_from_row(row: sa.Row[Any]) -> Hold:
    """The domain view of a ``ledger_holds`` row."""
    return Hold(
        id=row.id,
        debit_account=row.debit_account,
        credit_account=row.credit_account,
        amount=Money.of(row.amount_minor, row.currency),
        created_at=row.created_at,
        expires_at=row.expires_at,
        description=row.description,
        status=HoldStatus(row.status),
        posted_minor=row.posted_minor,
        resolved_at=row.resolved_at,
    )


def hold_row(hold: Hold) -> dict[str, Any]:
    """The ``ledger_holds`` row of a new hold."""
    return {
        "id": hold.id,
        "debit_account": hold.debit_account,
        "credit_account": hold.credit_account,
        "amount_minor": hold.amount.minor,
        "currency": hold.amount.currency.code,
        "status": hold.status.value,
        "posted_minor": hold.posted_minor,
        "description": hold.description,
        "expires_at": hold.expires_at,
        "created_at": hold.created_at,
        "resolved_at": hold.resolved_at,
    }


def statement_line_from_row(row: sa.Row[Any], normal_side: NormalSide) -> StatementLine:
    """A statement line from an entry row joined with its journal's description and metadata."""
    entry = Entry(
        str(row.id),
        row.journal_id,
        row.account_id,
        NormalSide(row.side),
        Money.of(row.amount_minor, row.currency),
        Money.of(row.balance_after, row.currency),
        row.created_at,
    )
    journal = Journal(row.journal_id, row.description, row.created_at, row.journal_metadata)
    return statement_line(entry, journal, normal_side)


# Entries are the ledger's history: the database itself refuses to change or remove them,
# so neither a bug nor a hand-typed statement can rewrite it. The same text belongs in the
# Alembic migration; ``%%`` is a literal ``%`` once SQLAlchemy's DDL has substituted names.
INSERT_ONLY_POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION %(schema)s.ledger_entries_insert_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are insert-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$""",
    "CREATE TRIGGER ledger_entries_no_update_delete BEFORE UPDATE OR DELETE ON %(fullname)s "
    "FOR EACH ROW EXECUTE FUNCTION %(schema)s.ledger_entries_insert_only()",
    "CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON %(fullname)s "
    "FOR EACH STATEMENT EXECUTE FUNCTION %(schema)s.ledger_entries_insert_only()",
)

# SQLite (embedded mode) has no schemas and runs one statement per execute.
INSERT_ONLY_SQLITE = (
    "CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON %(table)s "
    "BEGIN SELECT RAISE(ABORT, 'ledger entries are insert-only: UPDATE refused'); END",
    "CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON %(table)s "
    "BEGIN SELECT RAISE(ABORT, 'ledger entries are insert-only: DELETE refused'); END",
)


def _insert_only_trigger(statement: str, dialect: str) -> None:
    ddl = sa.DDL(statement)  # type: ignore[no-untyped-call]
    sa.event.listen(ledger_entries, "after_create", ddl.execute_if(dialect=dialect))


# One DDL per statement: the asyncpg driver prepares each, and a prepared statement is single.
for _statement in INSERT_ONLY_POSTGRESQL:
    _insert_only_trigger(_statement, "postgresql")
for _statement in INSERT_ONLY_SQLITE:
    _insert_only_trigger(_statement, "sqlite")
