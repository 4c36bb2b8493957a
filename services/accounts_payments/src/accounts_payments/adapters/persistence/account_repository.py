"""SqlAlchemyAccountRepository: merchants, accounts, booked transactions and OTPs on SQL tables."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from accounts_payments.adapters.persistence.account_tables import (
    accounts,
    booked_transactions,
    merchants,
    otp_challenges,
)
from accounts_payments.domain.accounts import Account, AccountStatus, BankDetails, PostalAddress
from accounts_payments.domain.clients import Merchant
from accounts_payments.domain.otp import OtpChallenge
from accounts_payments.domain.transactions import BookedTransaction, TransactionStatus


def _aware(moment: datetime) -> datetime:
    # SQLite keeps no time zone; every time we store is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _account_row(account: Account) -> dict[str, Any]:
    bank = account.bank
    return {
        "id": account.account_id,
        "customer_id": account.customer_id,
        "client_id": account.client_id,
        "currency": account.currency,
        "country_code": account.country_code,
        "partner_product": account.partner_product,
        "holder_name": account.holder_name,
        "alias": account.alias,
        "address": account.address.address,
        "address2": account.address.address2,
        "city": account.address.city,
        "postal_code": account.address.postal_code,
        "read_only": account.read_only,
        "status": account.status.value,
        "provider_merchant_id": account.provider_merchant_id,
        "provider_account_id": bank.provider_account_id if bank else None,
        "iban": bank.iban if bank else None,
        "bic": bank.bic if bank else None,
        "uk_account_number": bank.uk_account_number if bank else None,
        "uk_sort_code": bank.uk_sort_code if bank else None,
        "created_at": account.created_at,
    }


def _account(row: Mapping[str, Any]) -> Account:
    bank = (
        BankDetails(
            provider_account_id=row["provider_account_id"],
            iban=row["iban"],
            bic=row["bic"],
            uk_account_number=row["uk_account_number"],
            uk_sort_code=row["uk_sort_code"],
        )
        if row["provider_account_id"]
        else None
    )
    return Account(
        account_id=row["id"],
        customer_id=row["customer_id"],
        client_id=row["client_id"],
        currency=row["currency"],
        country_code=row["country_code"],
        partner_product=row["partner_product"],
        holder_name=row["holder_name"],
        alias=row["alias"],
        address=PostalAddress(
            address=row["address"],
            address2=row["address2"],
            city=row["city"],
            postal_code=row["postal_code"],
            country=row["country_code"],
        ),
        read_only=row["read_only"],
        status=AccountStatus(row["status"]),
        provider_merchant_id=row["provider_merchant_id"],
        bank=bank,
        created_at=_aware(row["created_at"]),
    )


def _transaction(row: Mapping[str, Any]) -> BookedTransaction:
    return BookedTransaction(
        transaction_id=row["id"],
        provider_transaction_id=row["provider_transaction_id"],
        customer_id=row["customer_id"],
        client_id=row["client_id"],
        account_id=row["account_id"],
        amount_minor=row["amount_minor"],
        currency=row["currency"],
        status=TransactionStatus(row["status"]),
        booked_at=_aware(row["booked_at"]),
        debtor_name=row["debtor_name"],
        debtor_iban=row["debtor_iban"],
        reference=row["reference"],
    )


def _otp(row: Mapping[str, Any]) -> OtpChallenge:
    return OtpChallenge(
        operation_id=row["operation_id"],
        customer_id=row["customer_id"],
        account_id=row["account_id"],
        code_hash=row["code_hash"],
        expires_at=_aware(row["expires_at"]),
        attempts=row["attempts"],
        verified=row["verified"],
    )


class SqlAlchemyAccountRepository:
    """The AccountRepository in one session's transaction; every query is scoped by customer."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _one(self, statement: sa.Select[Any]) -> Mapping[str, Any] | None:
        row: Mapping[str, Any] | None = (await self._session.execute(statement)).mappings().first()
        return row

    async def find_merchant(self, customer_id: str, client_id: str) -> Merchant | None:
        row = await self._one(
            sa.select(merchants).where(
                merchants.c.customer_id == customer_id, merchants.c.client_id == client_id
            )
        )
        return Merchant(**row) if row else None

    async def add_merchant(self, merchant: Merchant) -> None:
        await self._session.execute(
            merchants.insert().values(
                customer_id=merchant.customer_id,
                client_id=merchant.client_id,
                provider_merchant_id=merchant.provider_merchant_id,
                legal_name=merchant.legal_name,
                created_at=merchant.created_at,
            )
        )

    async def add(self, account: Account) -> None:
        await self._session.execute(accounts.insert().values(_account_row(account)))

    async def add_if_new_provider_account(self, account: Account) -> bool:
        # ON CONFLICT DO NOTHING: a failed INSERT would abort the whole PostgreSQL transaction;
        # a concurrent insert of the same provider account makes this one wait, then yield.
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(accounts)
            .values(_account_row(account))
            .on_conflict_do_nothing(index_elements=["provider_account_id"])
            .returning(accounts.c.id)
        )
        return (await self._session.execute(statement)).scalar_one_or_none() is not None

    async def save(self, account: Account) -> None:
        row = _account_row(account)
        del row["id"], row["customer_id"], row["created_at"]
        await self._session.execute(
            accounts.update()
            .where(
                accounts.c.id == account.account_id, accounts.c.customer_id == account.customer_id
            )
            .values(row)
        )

    async def get(self, customer_id: str, account_id: str, *, lock: bool = False) -> Account | None:
        statement = sa.select(accounts).where(
            accounts.c.id == account_id, accounts.c.customer_id == customer_id
        )
        row = await self._one(statement.with_for_update() if lock else statement)
        return _account(row) if row else None

    async def find_by_id(self, account_id: str) -> Account | None:
        row = await self._one(sa.select(accounts).where(accounts.c.id == account_id))
        return _account(row) if row else None

    async def list_for_client(self, customer_id: str, client_id: str) -> list[Account]:
        result = await self._session.execute(
            sa.select(accounts)
            .where(accounts.c.customer_id == customer_id, accounts.c.client_id == client_id)
            .order_by(accounts.c.created_at, accounts.c.id)
        )
        return [_account(dict(row)) for row in result.mappings()]

    async def find_by_iban(self, customer_id: str, iban: str) -> Account | None:
        row = await self._one(
            sa.select(accounts)
            .where(accounts.c.customer_id == customer_id, accounts.c.iban == iban)
            .order_by(accounts.c.created_at, accounts.c.id)
            .limit(1)
        )
        return _account(row) if row else None

    async def find_by_provider_account(self, provider_account_id: str) -> Account | None:
        row = await self._one(
            sa.select(accounts).where(accounts.c.provider_account_id == provider_account_id)
        )
        return _account(row) if row else None

    async def add_transaction(self, transaction: BookedTransaction) -> bool:
        # ON CONFLICT DO NOTHING: a failed INSERT would abort the whole PostgreSQL transaction.
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(booked_transactions)
            .values(
                id=transaction.transaction_id,
                provider_transaction_id=transaction.provider_transaction_id,
                customer_id=transaction.customer_id,
                client_id=transaction.client_id,
                account_id=transaction.account_id,
                amount_minor=transaction.amount_minor,
                currency=transaction.currency,
                status=transaction.status.value,
                booked_at=transaction.booked_at,
                debtor_name=transaction.debtor_name,
                debtor_iban=transaction.debtor_iban,
                reference=transaction.reference,
            )
            .on_conflict_do_nothing(index_elements=["provider_transaction_id"])
            .returning(booked_transactions.c.id)
        )
        return (await self._session.execute(statement)).scalar_one_or_none() is not None

    async def find_transaction(
        self, customer_id: str, transaction_id: str
    ) -> BookedTransaction | None:
        row = await self._one(
            sa.select(booked_transactions).where(
                booked_transactions.c.id == transaction_id,
                booked_transactions.c.customer_id == customer_id,
            )
        )
        return _transaction(row) if row else None

    async def find_transaction_by_provider_id(
        self, provider_transaction_id: str
    ) -> BookedTransaction | None:
        row = await self._one(
            sa.select(booked_transactions).where(
                booked_transactions.c.provider_transaction_id == provider_transaction_id
            )
        )
        return _transaction(row) if row else None

    async def add_otp(self, challenge: OtpChallenge) -> None:
        await self._session.execute(otp_challenges.insert().values(**_otp_row(challenge)))

    async def get_otp(self, customer_id: str, operation_id: str) -> OtpChallenge | None:
        row = await self._one(
            sa.select(otp_challenges)
            .where(
                otp_challenges.c.operation_id == operation_id,
                otp_challenges.c.customer_id == customer_id,
            )
            .with_for_update()
        )
        return _otp(row) if row else None

    async def save_otp(self, challenge: OtpChallenge) -> None:
        row = _otp_row(challenge)
        await self._session.execute(
            otp_challenges.update()
            .where(otp_challenges.c.operation_id == challenge.operation_id)
            .values(row)
        )


def _otp_row(challenge: OtpChallenge) -> dict[str, Any]:
    return {
        "operation_id": challenge.operation_id,
        "customer_id": challenge.customer_id,
        "account_id": challenge.account_id,
        "code_hash": challenge.code_hash,
        "expires_at": challenge.expires_at,
        "attempts": challenge.attempts,
        "verified": challenge.verified,
    }
