"""Payment tables: outbound payments and the insert-only history of their lifecycle."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from accounts_payments.adapters.persistence.metadata import metadata
from accounts_payments.domain.payments.lifecycle import PaymentState
from building_blocks.persistence import UtcDateTime

__all__ = ["ExactDecimal", "metadata", "payment_transitions", "payments"]

_STATE = sa.String(16)
_STATES = ", ".join(f"'{state.value}'" for state in PaymentState)
_REASON_CODE = sa.String(8)
_REASON = sa.String(200)


class ExactDecimal(sa.TypeDecorator[Decimal]):
    """A ``NUMERIC(24, 12)`` that reads back what was written, on PostgreSQL and SQLite alike.

    SQLite has no decimal type and would round-trip through a float, so there the value is
    kept as text. Values are rounded to 12 places the way PostgreSQL's ``NUMERIC`` does, so
    both databases store the same number, and read back without trailing zeros.
    """

    impl = sa.Numeric(24, 12)
    cache_ok = True
    _PLACES = Decimal(1).scaleb(-12)
    _LIMIT = Decimal(10) ** 12

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(40))
        return dialect.type_descriptor(self.impl)

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not value.is_finite() or abs(value) >= self._LIMIT:
            raise ValueError(f"{value} does not fit a NUMERIC(24, 12) column")
        rounded = value.quantize(self._PLACES, rounding=ROUND_HALF_UP)
        return str(rounded) if dialect.name == "sqlite" else rounded

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else plain(Decimal(value))


def plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros and without an exponent (``1.100`` -> ``1.1``)."""
    normal = value.normalize()
    # normalize() writes 100 as 1E+2; quantizing to units brings back the plain digits.
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


payments = sa.Table(
    "payments",
    metadata,
    # Toqio's transaction id: unique forever, across tenants.
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("customer_id", sa.String(128), nullable=False),
    sa.Column("client_id", sa.String(64), nullable=False),
    sa.Column("source_account_id", sa.String(36), nullable=False),
    # The payee as it stood at payment time; later edits of the beneficiary do not reach here.
    sa.Column("counterparty_kind", sa.String(16), nullable=False),
    sa.Column("counterparty_ref", sa.String(64), nullable=False),
    sa.Column("counterparty_name", sa.String(140), nullable=False),
    sa.Column("counterparty_currency", sa.String(3), nullable=False),
    sa.Column("counterparty_country", sa.String(2), nullable=False),
    sa.Column("counterparty_iban", sa.String(34)),
    sa.Column("counterparty_bic", sa.String(11)),
    sa.Column("counterparty_uk_sort_code", sa.String(6)),
    sa.Column("counterparty_uk_account_number", sa.String(8)),
    sa.Column("counterparty_account_number", sa.String(64)),
    sa.Column("counterparty_account_id", sa.String(36)),
    sa.Column("scheme", sa.String(32), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("credited_minor", sa.BigInteger, nullable=False),
    sa.Column("credited_currency", sa.String(3), nullable=False),
    sa.Column("fx_rate", ExactDecimal),
    sa.Column("fx_fixed_side", sa.String(16)),
    sa.Column("concept", sa.String(140), nullable=False),
    sa.Column("reference", sa.String(140), nullable=False),
    sa.Column("purpose_code", sa.String(35)),
    sa.Column("user_id", sa.String(128)),
    sa.Column("company_id", sa.String(128)),
    sa.Column("payer", sa.Text),  # a JSON object of strings
    sa.Column("idempotency_key", sa.String(255)),
    sa.Column("provider_payment_id", sa.String(64), unique=True),
    sa.Column("state", _STATE, nullable=False),
    sa.Column("reason_code", _REASON_CODE),
    sa.Column("reason", _REASON),
    sa.Column("transitions_recorded", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.CheckConstraint(f"state IN ({_STATES})", name="state_known"),
    sa.CheckConstraint("transitions_recorded >= 0", name="transitions_not_negative"),
    # NULL keys never collide (on PostgreSQL and SQLite), so requests without a key can repeat.
    sa.UniqueConstraint("customer_id", "idempotency_key"),
    # The submission sweep reads reserved payments by age.
    sa.Index(None, "state", "updated_at"),
    sa.Index(None, "source_account_id"),
)

payment_transitions = sa.Table(
    "payment_transitions",
    metadata,
    # Insert-only (the repository never updates or deletes a move); the key refuses a move
    # recorded twice.
    sa.Column("payment_id", sa.String(64), sa.ForeignKey(payments.c.id), primary_key=True),
    sa.Column("sequence", sa.Integer, primary_key=True),
    sa.Column("previous", _STATE),
    sa.Column("state", _STATE, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("reason_code", _REASON_CODE),
    sa.Column("reason", _REASON),
    sa.CheckConstraint(f"state IN ({_STATES})", name="state_known"),
    sa.CheckConstraint(f"previous IS NULL OR previous IN ({_STATES})", name="previous_known"),
)
