"""Card authorizations and their clearings and reversals, each keyed by the processor's id.

The database keeps what no bug may break even by hand-typed SQL: an authorization is never
deleted, what the processor asked (card, amount, merchant...) never changes, a final status
(DECLINED, CLEARED, REVERSED) never changes, and operations are insert-only. ``create_all``
attaches the triggers below; the Alembic migration runs the same statements
(:func:`postgresql_ddl` renders them for the ``cards`` schema, :data:`DROP_POSTGRESQL` undoes
them).
"""

from __future__ import annotations

import sqlalchemy as sa

from building_blocks.persistence import UtcDateTime
from cards.adapters.persistence.metadata import metadata
from cards.domain.authorization_decision import AuthorizationKind, DeclineReason
from cards.domain.authorization_values import AuthorizationStatus, OperationKind
from cards.domain.card_checks import MAX_ID_LENGTH
from cards.domain.controls import MAX_MERCHANT_NAME_LENGTH
from cards.domain.limits import LimitKind, SpendKind

__all__ = [
    "DROP_POSTGRESQL",
    "POSTGRESQL_DDL",
    "SQLITE_DDL",
    "authorization_operations",
    "authorizations",
    "metadata",
    "postgresql_ddl",
]


def _one_of(values: list[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


_STATUSES = _one_of([status.value for status in AuthorizationStatus])
_KINDS = _one_of([kind.value for kind in AuthorizationKind])
_SPEND_KINDS = _one_of([kind.value for kind in SpendKind])
_REASONS = _one_of([reason.value for reason in DeclineReason])
_LIMITS = _one_of([kind.value for kind in LimitKind])
_OPERATIONS = _one_of([kind.value for kind in OperationKind])
_DECLINED = AuthorizationStatus.DECLINED.value
_PENDING = AuthorizationStatus.PENDING_FUNDS.value
# Ids the processor and Toqio choose: as long as the domain accepts (checked_id).
_EXTERNAL_ID = sa.String(MAX_ID_LENGTH)
_OUR_ID = sa.String(64)

authorizations = sa.Table(
    "authorizations",
    metadata,
    # Ours, a UUIDv7; also the id of the ledger hold accounts_payments places.
    sa.Column("authorization_id", _OUR_ID, primary_key=True),
    # The processor's id of the request: the idempotency key, unique forever.
    sa.Column("processor_id", _EXTERNAL_ID, nullable=False, unique=True),
    # No foreign key to cards: an authorization for an unknown card is stored (and declined).
    sa.Column("card_id", _EXTERNAL_ID, nullable=False),
    # NULL only for a decline of an unknown card: funds are reserved on tenant and account.
    sa.Column("tenant_id", _EXTERNAL_ID),
    sa.Column("account_id", _EXTERNAL_ID),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("spend_kind", sa.String(16), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("merchant_name", sa.String(MAX_MERCHANT_NAME_LENGTH), nullable=False),
    sa.Column("merchant_mcc", sa.String(4), nullable=False),
    sa.Column("merchant_country", sa.String(2), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("decline_reason", sa.String(40)),
    sa.Column("declined_limit", sa.String(40)),
    # The hold's id once funds are reserved (the authorization id, as the contract says).
    sa.Column("hold_id", _OUR_ID),
    # Running totals of the operations, so spend usage is one query over this table alone.
    sa.Column("cleared_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("reversed_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("decided_at", UtcDateTime),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.CheckConstraint(f"status IN ({_STATUSES})", name="status_known"),
    sa.CheckConstraint(f"kind IN ({_KINDS})", name="kind_known"),
    sa.CheckConstraint(f"spend_kind IN ({_SPEND_KINDS})", name="spend_kind_known"),
    sa.CheckConstraint(
        f"decline_reason IS NULL OR decline_reason IN ({_REASONS})", name="decline_reason_known"
    ),
    sa.CheckConstraint(
        f"declined_limit IS NULL OR declined_limit IN ({_LIMITS})", name="declined_limit_known"
    ),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
    sa.CheckConstraint(
        "cleared_minor >= 0 AND reversed_minor >= 0"
        " AND cleared_minor + reversed_minor <= amount_minor",
        name="settled_within_amount",
    ),
    # A declined authorization says why; nothing else carries a reason.
    sa.CheckConstraint(
        f"(status = '{_DECLINED}') = (decline_reason IS NOT NULL)", name="reason_iff_declined"
    ),
    # Decided means answered: only an authorization waiting for funds has no decision time.
    sa.CheckConstraint(
        f"(status = '{_PENDING}') = (decided_at IS NULL)", name="decided_unless_pending"
    ),
    sa.CheckConstraint(
        f"status = '{_DECLINED}' OR (tenant_id IS NOT NULL AND account_id IS NOT NULL)",
        name="funds_need_an_account",
    ),
    sa.CheckConstraint("version > 0", name="version_positive"),
    # Spend usage reads one card's authorizations by time.
    sa.Index(None, "card_id", "created_at"),
    # Finding authorizations left waiting for funds (a crash between the two transactions).
    sa.Index(None, "status", "created_at"),
)

authorization_operations = sa.Table(
    "authorization_operations",
    metadata,
    # The processor's id of the clearing or reversal: its idempotency key, unique forever.
    sa.Column("processor_id", _EXTERNAL_ID, primary_key=True),
    sa.Column(
        "authorization_id",
        _OUR_ID,
        sa.ForeignKey(authorizations.c.authorization_id),
        nullable=False,
    ),
    # The order in which the authorization applied its operations, from 1.
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.CheckConstraint(f"kind IN ({_OPERATIONS})", name="kind_known"),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
    sa.CheckConstraint("position > 0", name="position_positive"),
    # Insert-only: rows are never updated; the position is unique per authorization.
    sa.UniqueConstraint("authorization_id", "position"),
)

_FINAL = _one_of([status.value for status in AuthorizationStatus if status.is_final])
# What the processor asked, and whose it is: fixed once stored.
_FIXED = (
    "processor_id",
    "card_id",
    "tenant_id",
    "account_id",
    "kind",
    "spend_kind",
    "amount_minor",
    "currency",
    "merchant_name",
    "merchant_mcc",
    "merchant_country",
    "created_at",
)
_FIXED_CHANGED_PG = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _FIXED)
_FIXED_CHANGED_SQLITE = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _FIXED)

# ``%(schema)s``, ``%(fullname)s`` and ``%(table)s`` are filled in by SQLAlchemy's DDL (and by
# postgresql_ddl for the migration); ``%%`` is a literal ``%`` once they are.
_AUTHORIZATIONS_POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION %(schema)s.authorizations_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'authorization %% cannot be deleted', OLD.authorization_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF """
    + _FIXED_CHANGED_PG
    + """ THEN
        RAISE EXCEPTION 'authorization %%: what the processor asked cannot change',
            OLD.authorization_id USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.status IN ("""
    + _FINAL
    + """) AND NEW.status IS DISTINCT FROM OLD.status THEN
        RAISE EXCEPTION 'authorization %% is %%, a final status: it cannot become %%',
            OLD.authorization_id, OLD.status, NEW.status USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$""",
    "CREATE TRIGGER authorizations_guard BEFORE UPDATE OR DELETE ON %(fullname)s "
    "FOR EACH ROW EXECUTE FUNCTION %(schema)s.authorizations_guard()",
)
_OPERATIONS_POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION %(schema)s.authorization_operations_insert_only()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'authorization operations are insert-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$""",
    "CREATE TRIGGER authorization_operations_no_update_delete BEFORE UPDATE OR DELETE "
    "ON %(fullname)s FOR EACH ROW "
    "EXECUTE FUNCTION %(schema)s.authorization_operations_insert_only()",
    "CREATE TRIGGER authorization_operations_no_truncate BEFORE TRUNCATE ON %(fullname)s "
    "FOR EACH STATEMENT EXECUTE FUNCTION %(schema)s.authorization_operations_insert_only()",
)
POSTGRESQL_DDL: dict[str, tuple[str, ...]] = {
    "authorizations": _AUTHORIZATIONS_POSTGRESQL,
    "authorization_operations": _OPERATIONS_POSTGRESQL,
}
"""The PostgreSQL triggers, by table, in the order the migration runs them."""

DROP_POSTGRESQL = (
    "DROP TRIGGER IF EXISTS authorization_operations_no_truncate ON cards.authorization_operations",
    "DROP TRIGGER IF EXISTS authorization_operations_no_update_delete "
    "ON cards.authorization_operations",
    "DROP FUNCTION IF EXISTS cards.authorization_operations_insert_only()",
    "DROP TRIGGER IF EXISTS authorizations_guard ON cards.authorizations",
    "DROP FUNCTION IF EXISTS cards.authorizations_guard()",
)
"""What the migration's downgrade runs, before dropping the tables."""

# SQLite (embedded mode) has no schemas and runs one statement per execute.
SQLITE_DDL: dict[str, tuple[str, ...]] = {
    "authorizations": (
        "CREATE TRIGGER authorizations_never_deleted BEFORE DELETE ON %(table)s "
        "BEGIN SELECT RAISE(ABORT, 'authorizations cannot be deleted'); END",
        f"CREATE TRIGGER authorizations_request_fixed BEFORE UPDATE ON %(table)s "
        f"WHEN {_FIXED_CHANGED_SQLITE} "
        "BEGIN SELECT RAISE(ABORT, 'what the processor asked cannot change'); END",
        f"CREATE TRIGGER authorizations_final_status_kept BEFORE UPDATE OF status ON %(table)s "
        f"WHEN OLD.status IN ({_FINAL}) AND NEW.status IS NOT OLD.status "
        "BEGIN SELECT RAISE(ABORT, 'a final authorization cannot change status'); END",
    ),
    "authorization_operations": (
        "CREATE TRIGGER authorization_operations_no_update BEFORE UPDATE ON %(table)s "
        "BEGIN SELECT RAISE(ABORT, 'authorization operations are insert-only'); END",
        "CREATE TRIGGER authorization_operations_no_delete BEFORE DELETE ON %(table)s "
        "BEGIN SELECT RAISE(ABORT, 'authorization operations are insert-only'); END",
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
for _table in (authorizations, authorization_operations):
    for _statement in POSTGRESQL_DDL[_table.name]:
        _attach(_table, _statement, "postgresql")
    for _statement in SQLITE_DDL[_table.name]:
        _attach(_table, _statement, "sqlite")
