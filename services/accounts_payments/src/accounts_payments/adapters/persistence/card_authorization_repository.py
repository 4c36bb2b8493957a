"""SqlAlchemyCardAuthorizationRepository, and the accounts unit of work extended with it."""

from __future__ import annotations

from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from accounts_payments.adapters.persistence.card_funds_tables import card_authorizations
from accounts_payments.adapters.persistence.transactions import ConcurrentUpdate
from accounts_payments.adapters.persistence.unit_of_work import SqlAlchemyAccountsUnitOfWork
from accounts_payments.application.cards.authorizations import (
    CardAuthorization,
    CardFundsStatus,
    Refusal,
)

_table = card_authorizations


def _row(record: CardAuthorization) -> dict[str, Any]:
    return {
        "authorization_id": record.authorization_id,
        "customer_id": record.customer_id,
        "account_id": record.account_id,
        "card_id": record.card_id,
        "card_last4": record.card_last4,
        "merchant_name": record.merchant_name,
        "merchant_mcc": record.merchant_mcc,
        "merchant_country": record.merchant_country,
        "transaction_type": record.transaction_type,
        "amount_minor": record.amount_minor,
        "currency": record.currency,
        "status": record.status.value,
        "reason": record.reason.value if record.reason else None,
        "posted_minor": record.posted_minor,
        "requested_at": record.requested_at,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


def _record(row: sa.Row[Any]) -> CardAuthorization:
    values = row._mapping
    return CardAuthorization(
        authorization_id=values["authorization_id"],
        customer_id=values["customer_id"],
        account_id=values["account_id"],
        card_id=values["card_id"],
        card_last4=values["card_last4"],
        merchant_name=values["merchant_name"],
        merchant_mcc=values["merchant_mcc"],
        merchant_country=values["merchant_country"],
        transaction_type=values["transaction_type"],
        amount_minor=values["amount_minor"],
        currency=values["currency"],
        status=CardFundsStatus(values["status"]),
        reason=Refusal(values["reason"]) if values["reason"] else None,
        posted_minor=values["posted_minor"],
        requested_at=values["requested_at"],
        created_at=values["created_at"],
        updated_at=values["updated_at"],
    )


class SqlAlchemyCardAuthorizationRepository:
    """The CardAuthorizationRepository port inside the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, authorization_id: str, *, lock: bool = False) -> CardAuthorization | None:
        query = sa.select(_table).where(_table.c.authorization_id == authorization_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else _record(row)

    async def add(self, authorization: CardAuthorization) -> bool:
        # ON CONFLICT DO NOTHING: a failed INSERT would abort the whole PostgreSQL transaction,
        # and a concurrent insert of the same id is waited for, then reported as taken.
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(_table)
            .values(**_row(authorization))
            .on_conflict_do_nothing(index_elements=["authorization_id"])
            .returning(_table.c.authorization_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def save(self, authorization: CardAuthorization) -> None:
        # Only a RESERVED record settles, once: the WHERE refuses a second settlement.
        result = await self._session.execute(
            sa.update(_table)
            .where(_table.c.authorization_id == authorization.authorization_id)
            .where(_table.c.status == CardFundsStatus.RESERVED.value)
            .values(
                status=authorization.status.value,
                posted_minor=authorization.posted_minor,
                updated_at=authorization.updated_at,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate(
                f"card authorization {authorization.authorization_id} was settled concurrently"
            )


class SqlAlchemyCardFundsUnitOfWork(SqlAlchemyAccountsUnitOfWork):
    """The accounts unit of work with ``card_authorizations`` on the same transaction."""

    card_authorizations: SqlAlchemyCardAuthorizationRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.card_authorizations = SqlAlchemyCardAuthorizationRepository(self.session)
        return self
