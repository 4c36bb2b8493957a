"""SqlAlchemyBeneficiaryRepository, and the accounts unit of work extended with it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from accounts_payments.adapters.persistence.beneficiary_tables import beneficiaries
from accounts_payments.adapters.persistence.unit_of_work import SqlAlchemyAccountsUnitOfWork
from accounts_payments.domain.beneficiaries import (
    BankAccountDetails,
    Beneficiary,
    BeneficiaryProfile,
    BeneficiaryType,
)

_BANK_FIELDS = tuple(f.name for f in fields(BankAccountDetails))
_PROFILE_FIELDS = tuple(f.name for f in fields(BeneficiaryProfile) if f.name != "type")


def _aware(moment: datetime) -> datetime:
    # SQLite keeps no time zone; every time we store is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _row(beneficiary: Beneficiary) -> dict[str, Any]:
    return {
        "customer_id": beneficiary.customer_id,
        "id": beneficiary.beneficiary_id,
        "client_id": beneficiary.client_id,
        "asset_type": beneficiary.asset_type,
        "bank_country": beneficiary.bank_country,
        **{name: getattr(beneficiary.bank, name) for name in _BANK_FIELDS},
        "type": beneficiary.profile.type.value,
        **{name: getattr(beneficiary.profile, name) for name in _PROFILE_FIELDS},
        "user_id": beneficiary.user_id,
        "company_id": beneficiary.company_id,
        "beneficiary_account_id": beneficiary.beneficiary_account_id,
        "banking_provider_beneficiary_id": beneficiary.banking_provider_beneficiary_id,
        "source_account": beneficiary.source_account,
        "deleted": beneficiary.deleted,
        "created_at": beneficiary.created_at,
        "updated_at": beneficiary.updated_at,
    }


def _beneficiary(row: Mapping[str, Any]) -> Beneficiary:
    return Beneficiary(
        beneficiary_id=row["id"],
        customer_id=row["customer_id"],
        client_id=row["client_id"],
        asset_type=row["asset_type"],
        bank_country=row["bank_country"],
        bank=BankAccountDetails(**{name: row[name] for name in _BANK_FIELDS}),
        profile=BeneficiaryProfile(
            type=BeneficiaryType(row["type"]), **{name: row[name] for name in _PROFILE_FIELDS}
        ),
        user_id=row["user_id"],
        company_id=row["company_id"],
        beneficiary_account_id=row["beneficiary_account_id"],
        banking_provider_beneficiary_id=row["banking_provider_beneficiary_id"],
        source_account=row["source_account"],
        deleted=row["deleted"],
        created_at=_aware(row["created_at"]),
        updated_at=_aware(row["updated_at"]),
    )


class SqlAlchemyBeneficiaryRepository:
    """BeneficiaryRepository on the ``beneficiaries`` table; every query is tenant-scoped."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, beneficiary: Beneficiary) -> None:
        await self._session.execute(sa.insert(beneficiaries).values(**_row(beneficiary)))

    async def save(self, beneficiary: Beneficiary) -> None:
        b = beneficiaries.c
        changes = _row(beneficiary)
        # The bank details are never rewritten, whatever the aggregate holds.
        for fixed in ("customer_id", "id", "client_id", "asset_type", "bank_country"):
            changes.pop(fixed)
        for name in _BANK_FIELDS:
            changes.pop(name)
        await self._session.execute(
            sa.update(beneficiaries)
            .where(b.customer_id == beneficiary.customer_id, b.id == beneficiary.beneficiary_id)
            .values(**changes)
        )

    async def get(
        self, customer_id: str, client_id: str, beneficiary_id: str, *, lock: bool = False
    ) -> Beneficiary | None:
        b = beneficiaries.c
        query = sa.select(beneficiaries).where(
            b.customer_id == customer_id, b.client_id == client_id, b.id == beneficiary_id
        )
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).mappings().one_or_none()
        return None if row is None else _beneficiary(dict(row))


class SqlAlchemyBeneficiariesUnitOfWork(SqlAlchemyAccountsUnitOfWork):
    """The accounts unit of work with ``beneficiaries`` on the same transaction."""

    beneficiaries: SqlAlchemyBeneficiaryRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.beneficiaries = SqlAlchemyBeneficiaryRepository(self.session)
        return self
