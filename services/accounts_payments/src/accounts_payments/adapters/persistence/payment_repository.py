"""SqlAlchemyPaymentRepository, and the beneficiaries unit of work extended with it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from accounts_payments.adapters.persistence.beneficiary_repository import (
    SqlAlchemyBeneficiariesUnitOfWork,
)
from accounts_payments.adapters.persistence.payment_tables import payment_transitions, payments
from accounts_payments.adapters.persistence.transactions import ConcurrentUpdate
from accounts_payments.domain.payments.lifecycle import PaymentState
from accounts_payments.domain.payments.payment import (
    Counterparty,
    CounterpartyKind,
    FxTerms,
    Payment,
    PaymentTransition,
)
from accounts_payments.domain.payments.reasons import ReasonCode
from accounts_payments.domain.payments.schemes import PaymentScheme
from shared_kernel.domain.money import Money

_COUNTERPARTY = {
    "counterparty_ref": "reference_id",
    "counterparty_name": "name",
    "counterparty_currency": "currency",
    "counterparty_country": "country",
    "counterparty_iban": "iban",
    "counterparty_bic": "bic",
    "counterparty_uk_sort_code": "uk_sort_code",
    "counterparty_uk_account_number": "uk_account_number",
    "counterparty_account_number": "account_number",
    "counterparty_account_id": "account_id",
}


def _reason(code: str | None, text: str | None) -> ReasonCode | None:
    return None if code is None else ReasonCode(code, text or "")


def _changes(payment: Payment) -> dict[str, Any]:
    """The columns a payment's lifecycle changes."""
    return {
        "provider_payment_id": payment.provider_payment_id,
        "state": payment.state.value,
        "reason_code": payment.reason.code if payment.reason else None,
        "reason": payment.reason.description if payment.reason else None,
        "transitions_recorded": payment.transitions_recorded,
        # A payment that never moved last changed when it was created.
        "updated_at": payment.updated_at or payment.created_at,
    }


def _row(payment: Payment) -> dict[str, Any]:
    party = payment.counterparty
    return {
        "id": payment.payment_id,
        "customer_id": payment.customer_id,
        "client_id": payment.client_id,
        "source_account_id": payment.source_account_id,
        "counterparty_kind": party.kind.value,
        **{column: getattr(party, name) for column, name in _COUNTERPARTY.items()},
        "scheme": payment.scheme.value,
        "amount_minor": payment.amount.minor,
        "currency": payment.amount.currency.code,
        "credited_minor": payment.credited.minor,
        "credited_currency": payment.credited.currency.code,
        "fx_rate": payment.fx.rate if payment.fx else None,
        "fx_fixed_side": payment.fx.fixed_side if payment.fx else None,
        "concept": payment.concept,
        "reference": payment.reference,
        "purpose_code": payment.purpose_code,
        "user_id": payment.user_id,
        "company_id": payment.company_id,
        "payer": None if payment.payer is None else json.dumps(dict(payment.payer)),
        "idempotency_key": payment.idempotency_key,
        "created_at": payment.created_at,
        **_changes(payment),
    }


def _payment(row: Mapping[str, Any]) -> Payment:
    counterparty = Counterparty(
        kind=CounterpartyKind(row["counterparty_kind"]),
        **{name: row[column] for column, name in _COUNTERPARTY.items()},
    )
    fx = None if row["fx_rate"] is None else FxTerms(row["fx_rate"], row["fx_fixed_side"])
    return Payment(
        payment_id=row["id"],
        customer_id=row["customer_id"],
        client_id=row["client_id"],
        source_account_id=row["source_account_id"],
        counterparty=counterparty,
        scheme=PaymentScheme(row["scheme"]),
        amount=Money.of(row["amount_minor"], row["currency"]),
        credited=Money.of(row["credited_minor"], row["credited_currency"]),
        created_at=row["created_at"],
        fx=fx,
        concept=row["concept"],
        reference=row["reference"],
        purpose_code=row["purpose_code"],
        user_id=row["user_id"],
        company_id=row["company_id"],
        payer=None if row["payer"] is None else json.loads(row["payer"]),
        idempotency_key=row["idempotency_key"],
        provider_payment_id=row["provider_payment_id"],
        state=PaymentState(row["state"]),
        reason=_reason(row["reason_code"], row["reason"]),
        updated_at=row["updated_at"],
        transitions_recorded=row["transitions_recorded"],
    )


def _transition_rows(payment_id: str, moves: Sequence[PaymentTransition]) -> list[dict[str, Any]]:
    return [
        {
            "payment_id": payment_id,
            "sequence": move.sequence,
            "previous": None if move.previous is None else move.previous.value,
            "state": move.state.value,
            "at": move.at,
            "reason_code": move.reason.code if move.reason else None,
            "reason": move.reason.description if move.reason else None,
        }
        for move in moves
    ]


def _transition(row: Mapping[str, Any]) -> PaymentTransition:
    previous = None if row["previous"] is None else PaymentState(row["previous"])
    return PaymentTransition(
        sequence=row["sequence"],
        previous=previous,
        state=PaymentState(row["state"]),
        at=row["at"],
        reason=_reason(row["reason_code"], row["reason"]),
    )


class SqlAlchemyPaymentRepository:
    """PaymentRepository on ``payments`` and the insert-only ``payment_transitions``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, payment: Payment) -> bool:
        # ON CONFLICT DO NOTHING, on any unique key (id, idempotency key): a failed INSERT would
        # abort the whole PostgreSQL transaction, and a concurrent insert of the same key makes
        # this one wait for the other transaction, then yield if it committed.
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(payments).values(_row(payment)).on_conflict_do_nothing().returning(payments.c.id)
        )
        if (await self._session.execute(statement)).scalar_one_or_none() is None:
            return False
        await self._append(payment.payment_id, payment.pull_transitions())
        return True

    async def save(self, payment: Payment) -> None:
        """Write back the lifecycle and append the new moves.

        Raises:
            ConcurrentUpdate: the stored payment moved since this copy was read (a caller
                that did not lock it lost a race; re-running the unit of work may succeed),
                or the customer has no such payment.
        """
        p = payments.c
        moves = payment.pull_transitions()
        # The count of moves is the row's version: a stale copy updates nothing.
        read_at = payment.transitions_recorded - len(moves)
        result = await self._session.execute(
            sa.update(payments)
            .where(p.id == payment.payment_id, p.customer_id == payment.customer_id)
            .where(p.transitions_recorded == read_at)
            .values(_changes(payment))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate(f"payment {payment.payment_id} changed concurrently")
        await self._append(payment.payment_id, moves)

    async def _append(self, payment_id: str, moves: Sequence[PaymentTransition]) -> None:
        if moves:
            rows = _transition_rows(payment_id, moves)
            await self._session.execute(sa.insert(payment_transitions), rows)

    async def get(self, customer_id: str, payment_id: str, *, lock: bool = False) -> Payment | None:
        p = payments.c
        return await self._one(
            sa.select(payments).where(p.customer_id == customer_id, p.id == payment_id), lock=lock
        )

    async def find(self, payment_id: str, *, lock: bool = False) -> Payment | None:
        return await self._one(sa.select(payments).where(payments.c.id == payment_id), lock=lock)

    async def find_by_idempotency_key(self, customer_id: str, key: str) -> Payment | None:
        p = payments.c
        return await self._one(
            sa.select(payments).where(p.customer_id == customer_id, p.idempotency_key == key)
        )

    async def awaiting_submission(self, updated_before: datetime, limit: int) -> list[Payment]:
        p = payments.c
        result = await self._session.execute(
            sa.select(payments)
            .where(p.state == PaymentState.RESERVED.value, p.updated_at < updated_before)
            .order_by(p.updated_at, p.id)
            .limit(limit)
        )
        return [_payment(dict(row)) for row in result.mappings()]

    async def history(self, payment_id: str) -> list[PaymentTransition]:
        """Every recorded move of the payment, first to last."""
        t = payment_transitions.c
        result = await self._session.execute(
            sa.select(payment_transitions).where(t.payment_id == payment_id).order_by(t.sequence)
        )
        return [_transition(dict(row)) for row in result.mappings()]

    async def _one(self, query: sa.Select[Any], *, lock: bool = False) -> Payment | None:
        # SQLite has no row locks and ignores FOR UPDATE; its single writer serialises instead.
        query = query.with_for_update() if lock else query
        row = (await self._session.execute(query)).mappings().one_or_none()
        return None if row is None else _payment(row)


class SqlAlchemyPaymentsUnitOfWork(SqlAlchemyBeneficiariesUnitOfWork):
    """The beneficiaries unit of work with ``payments`` on the same transaction."""

    payments: SqlAlchemyPaymentRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.payments = SqlAlchemyPaymentRepository(self.session)
        return self
