"""Card tables: cards and the insert-only history of their lifecycle, guarded by the database.

The database holds the two rules no bug may break even by hand-typed SQL: a card in a final
status (CANCELLED, CLOSED) never changes status and no card row is ever deleted; and the
transition history is never updated or deleted. ``create_all`` attaches the triggers below;
the Alembic migration executes the same statements (:func:`postgresql_ddl` renders them for
the ``cards`` schema, :data:`DROP_POSTGRESQL` undoes them).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from building_blocks.persistence import UtcDateTime
from cards.adapters.persistence.metadata import metadata
from cards.application.cards.ports import ProcessorStatus
from cards.domain.card_checks import MAX_ALIAS_LENGTH, MAX_ID_LENGTH, MAX_NAME_ON_CARD_LENGTH
from cards.domain.card_types import CardForm, FundingType
from cards.domain.lifecycle import MAX_REASON_LENGTH, TERMINAL_STATUSES, CardAction, CardStatus
from cards.domain.lifecycle import Channel as ChangeChannel

__all__ = [
    "DROP_POSTGRESQL",
    "POSTGRESQL_DDL",
    "SQLITE_DDL",
    "card_transitions",
    "cards",
    "metadata",
    "postgresql_ddl",
]

MAX_LABEL_LENGTH = 64  # Toqio's cardProgramme and cardDesign.
MAX_PROCESSOR_REASON_LENGTH = 200


def _known(values: Iterable[object]) -> str:
    return ", ".join(f"'{value}'" for value in sorted(str(v) for v in values))


_ID = sa.String(MAX_ID_LENGTH)
_STATUS = sa.String(24)
_STATUSES = _known(CardStatus)
_FINAL = _known(TERMINAL_STATUSES)

cards = sa.Table(
    "cards",
    metadata,
    sa.Column("card_id", _ID, primary_key=True),
    # The Toqio customer: every Toqio read and change is scoped by it.
    sa.Column("tenant_id", _ID, nullable=False),
    sa.Column("account_id", _ID, nullable=False),
    sa.Column("company_id", _ID, nullable=False),
    sa.Column("user_id", _ID),
    sa.Column("form", sa.String(8), nullable=False),
    sa.Column("funding", sa.String(8), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    # All a card row knows of its PAN: the last four digits and the vault's token.
    sa.Column("last4", sa.String(4), nullable=False),
    sa.Column("pan_ref", sa.String(200), nullable=False),
    sa.Column("expiry_month", sa.SmallInteger, nullable=False),
    sa.Column("expiry_year", sa.SmallInteger, nullable=False),
    sa.Column("name_on_card", sa.String(MAX_NAME_ON_CARD_LENGTH)),
    sa.Column("replaces_card_id", _ID),
    sa.Column("status", _STATUS, nullable=False),
    sa.Column("alias", sa.String(MAX_ALIAS_LENGTH)),
    sa.Column("read_only", sa.Boolean, nullable=False),
    sa.Column("limits", sa.Text, nullable=False),  # JSON: minor units or counts by Toqio name
    sa.Column("controls", sa.Text, nullable=False),  # JSON: merchant-category/country lists
    # Bumped by every change: a save whose version moved meanwhile is refused.
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("issued_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("deleted_at", UtcDateTime),
    # HMAC-SHA256 (hex) of the card's security code; the code itself is never stored.
    sa.Column("security_code_hash", sa.String(64)),
    sa.Column("processor_status", sa.String(16), nullable=False),
    sa.Column("processor_card_id", sa.String(MAX_ID_LENGTH), unique=True),
    sa.Column("processor_reason", sa.String(MAX_PROCESSOR_REASON_LENGTH)),
    sa.Column("programme", sa.String(MAX_LABEL_LENGTH)),
    sa.Column("design", sa.String(MAX_LABEL_LENGTH)),
    sa.CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
    sa.CheckConstraint(f"form IN ({_known(CardForm)})", name="form_known"),
    sa.CheckConstraint(f"funding IN ({_known(FundingType)})", name="funding_known"),
    sa.CheckConstraint(
        f"processor_status IN ({_known(ProcessorStatus)})", name="processor_status_known"
    ),
    sa.CheckConstraint("version > 0", name="version_positive"),
    sa.CheckConstraint("expiry_month BETWEEN 1 AND 12", name="expiry_month_valid"),
    # A deleted card is closed (or was cancelled) for good.
    sa.CheckConstraint(
        f"deleted_at IS NULL OR status IN ({_FINAL})", name="deleted_cards_are_final"
    ),
    sa.Index(None, "tenant_id", "account_id"),
)

card_transitions = sa.Table(
    "card_transitions",
    metadata,
    # One row per recorded change; the card's version after it is unique per card.
    sa.Column("card_id", _ID, sa.ForeignKey(cards.c.card_id), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("tenant_id", _ID, nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("from_status", _STATUS),
    sa.Column("to_status", _STATUS, nullable=False),
    sa.Column("actor_kind", sa.String(24), nullable=False),
    sa.Column("actor_id", sa.String(200), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(MAX_REASON_LENGTH), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.CheckConstraint(f"to_status IN ({_STATUSES})", name="to_status_known"),
    sa.CheckConstraint(
        f"from_status IS NULL OR from_status IN ({_STATUSES})", name="from_status_known"
    ),
    sa.CheckConstraint(f"action IN ({_known(CardAction)})", name="action_known"),
    sa.CheckConstraint(f"channel IN ({_known(ChangeChannel)})", name="channel_known"),
)

# ``%(schema)s``, ``%(fullname)s`` and ``%(table)s`` are filled in by SQLAlchemy's DDL (and by
# postgresql_ddl for the migration); ``%%`` is a literal ``%`` once they are.
_CARDS_FINAL_POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION %(schema)s.cards_final_status_is_kept() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'card %% cannot be deleted: cards are kept for audit', OLD.card_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status IN ("""
    + _FINAL
    + """) AND NEW.status IS DISTINCT FROM OLD.status THEN
        RAISE EXCEPTION 'card %% is %%, a final status: it cannot become %%',
            OLD.card_id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$""",
    "CREATE TRIGGER cards_final_status_is_kept BEFORE UPDATE OF status OR DELETE ON %(fullname)s "
    "FOR EACH ROW EXECUTE FUNCTION %(schema)s.cards_final_status_is_kept()",
)
_TRANSITIONS_INSERT_ONLY_POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION %(schema)s.card_transitions_insert_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'card transitions are insert-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$""",
    "CREATE TRIGGER card_transitions_no_update_delete BEFORE UPDATE OR DELETE ON %(fullname)s "
    "FOR EACH ROW EXECUTE FUNCTION %(schema)s.card_transitions_insert_only()",
    "CREATE TRIGGER card_transitions_no_truncate BEFORE TRUNCATE ON %(fullname)s "
    "FOR EACH STATEMENT EXECUTE FUNCTION %(schema)s.card_transitions_insert_only()",
)
POSTGRESQL_DDL: dict[str, tuple[str, ...]] = {
    "cards": _CARDS_FINAL_POSTGRESQL,
    "card_transitions": _TRANSITIONS_INSERT_ONLY_POSTGRESQL,
}
"""The PostgreSQL triggers, by table, in the order the migration runs them."""

DROP_POSTGRESQL = (
    "DROP TRIGGER IF EXISTS card_transitions_no_truncate ON cards.card_transitions",
    "DROP TRIGGER IF EXISTS card_transitions_no_update_delete ON cards.card_transitions",
    "DROP FUNCTION IF EXISTS cards.card_transitions_insert_only()",
    "DROP TRIGGER IF EXISTS cards_final_status_is_kept ON cards.cards",
    "DROP FUNCTION IF EXISTS cards.cards_final_status_is_kept()",
)
"""What the migration's downgrade runs, before dropping the tables."""

# SQLite (embedded mode) has no schemas and runs one statement per execute.
SQLITE_DDL: dict[str, tuple[str, ...]] = {
    "cards": (
        "CREATE TRIGGER cards_final_status_is_kept BEFORE UPDATE OF status ON %(table)s "
        f"WHEN OLD.status IN ({_FINAL}) AND NEW.status IS NOT OLD.status "
        "BEGIN SELECT RAISE(ABORT, 'a card in a final status cannot change status'); END",
        "CREATE TRIGGER cards_never_deleted BEFORE DELETE ON %(table)s "
        "BEGIN SELECT RAISE(ABORT, 'cards cannot be deleted: they are kept for audit'); END",
    ),
    "card_transitions": (
        "CREATE TRIGGER card_transitions_no_update BEFORE UPDATE ON %(table)s "
        "BEGIN SELECT RAISE(ABORT, 'card transitions are insert-only: UPDATE refused'); END",
        "CREATE TRIGGER card_transitions_no_delete BEFORE DELETE ON %(table)s "
        "BEGIN SELECT RAISE(ABORT, 'card transitions are insert-only: DELETE refused'); END",
    ),
}


def postgresql_ddl(schema: str = "cards") -> list[str]:
    """The PostgreSQL trigger statements with names filled in, for the Alembic migration."""
    return [
        statement % {"schema": schema, "fullname": f"{schema}.{table}", "table": table}
        for table, statements in POSTGRESQL_DDL.items()
        for statement in statements
    ]


def _attach(table: sa.Table, statement: str, dialect: str) -> None:
    ddl = sa.DDL(statement)  # type: ignore[no-untyped-call]
    sa.event.listen(table, "after_create", ddl.execute_if(dialect=dialect))


# One DDL per statement: the asyncpg driver prepares each, and a prepared statement is single.
for _table in (cards, card_transitions):
    for _statement in POSTGRESQL_DDL[_table.name]:
        _attach(_table, _statement, "postgresql")
    for _statement in SQLITE_DDL[_table.name]:
        _attach(_table, _statement, "sqlite")
