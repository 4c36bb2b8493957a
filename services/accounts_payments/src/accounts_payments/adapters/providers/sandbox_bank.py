"""The sandbox bank: a BankingProvider and PaymentProvider with its own state, for dev and tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from accounts_payments.adapters.persistence.sandbox_tables import (
    sandbox_account_numbers,
    sandbox_accounts,
    sandbox_merchants,
)
from accounts_payments.adapters.providers.sandbox_branches import (
    DEFAULT_BRANCHES,
    UK_COUNTRIES,
    SandboxBranch,
)
from accounts_payments.adapters.providers.sandbox_controls import SandboxControls
from accounts_payments.adapters.providers.sandbox_faults import (
    SandboxFaults,
    SandboxOperation,
    rejected,
)
from accounts_payments.adapters.providers.sandbox_payments import SandboxPayments
from accounts_payments.adapters.providers.sandbox_sql import insert, utc_now
from accounts_payments.adapters.providers.sandbox_transfers import SandboxTransfers, balance_minor
from accounts_payments.application.ports.banking_provider import (
    MerchantProfile,
    ProviderAccount,
    ProviderAccountStatus,
    ProviderCapabilities,
)
from accounts_payments.application.ports.payment_provider import (
    PaymentInstruction,
    ProviderPaymentReceipt,
)
from accounts_payments.application.ports.provider_accounts import ProviderOpenedAccount
from building_blocks.persistence import Database
from shared_kernel.domain.errors import NotFound
from shared_kernel.domain.ids import new_id

T = TypeVar("T")

Status = ProviderAccountStatus
# Which changes a bank accepts; CLOSED is final and PENDING is only where accounts start.
_ALLOWED = {
    Status.PENDING: {Status.ACTIVE, Status.BLOCKED, Status.CLOSED},
    Status.ACTIVE: {Status.BLOCKED, Status.CLOSED},
    Status.BLOCKED: {Status.ACTIVE, Status.CLOSED},
}


class SandboxBank(SandboxControls):
    """A simulated bank that opens real-looking accounts and fails on demand.

    Its state lives in the ``sandbox_*`` tables and every call runs in its own short
    transaction, never the connector's: a real bank is another system. ``faults`` makes
    calls time out, be rejected or find the bank down; ``latency`` delays every call.
    Payments are decided ``settlement_delay`` seconds after submission (``SandboxPayments``).
    """

    name = "sandbox"
    # What the sandbox really offers: EUR accounts in SEPA countries and GBP accounts with
    # sort codes in the UK; FX payments at its table of rates (SandboxFxRates), converted by
    # the connector's ledger; confirmation of payee against the holders of its own
    # accounts; statements and ownership certificates come from the connector's ledger and
    # the IBAN it holds, without an OTP.
    capabilities = ProviderCapabilities(
        multi_currency=True,
        uk_accounts=True,
        sepa_accounts=True,
        statements=True,
        ownership_certificate=True,
        confirmation_of_payee=True,
        fx=True,
        requires_otp_for_statements=False,
    )

    def __init__(
        self,
        database: Database,
        *,
        bank_code_by_country: Mapping[str, SandboxBranch] = DEFAULT_BRANCHES,
        latency: float = 0.0,
        max_accounts_per_merchant: int = 25,
        faults: SandboxFaults | None = None,
        clock: Callable[[], datetime] = utc_now,
        settlement_delay: float = 2.0,
    ) -> None:
        self._database = database
        self._branches = {
            country.upper(): branch for country, branch in bank_code_by_country.items()
        }
        self._latency = latency
        self._max_accounts = max_accounts_per_merchant
        self._clock = clock
        self.faults = faults or SandboxFaults()
        self.transfers = SandboxTransfers(database, clock)
        self.payments = SandboxPayments(database, clock, settlement_delay=settlement_delay)

    async def _call(self, operation: SandboxOperation, action: Callable[[], Awaitable[T]]) -> T:
        if self._latency:
            await asyncio.sleep(self._latency)
        fault = self.faults.take(operation)
        if fault is not None and not fault.after_effect:
            await fault.strike()
        result = await action()
        if fault is not None:
            await fault.strike()
        return result

    async def find_merchant(self, customer_id: str, client_id: str) -> str | None:
        """The sandbox's merchant id for Toqio's client, or ``None``."""

        async def find() -> str | None:
            m = sandbox_merchants.c
            query = sa.select(m.id).where(m.customer_id == customer_id, m.client_id == client_id)
            async with self._database.engine.connect() as connection:
                found = (await connection.execute(query)).scalar_one_or_none()
            return None if found is None else str(found)

        return await self._call(SandboxOperation.FIND_MERCHANT, find)

    async def create_merchant(self, customer_id: str, merchant: MerchantProfile) -> str:
        """Onboard the merchant; onboarding the same client again returns the first id."""

        async def create() -> str:
            m = sandbox_merchants.c
            row = {
                "id": new_id(),
                "customer_id": customer_id,
                "client_id": merchant.client_id,
                "legal_name": merchant.legal_name,
                "country_code": merchant.country_code.upper(),
                "created_at": self._clock(),
            }
            statement = insert(self._database, sandbox_merchants).values(**row)
            async with self._database.engine.begin() as connection:
                await connection.execute(statement.on_conflict_do_nothing())
                query = sa.select(m.id).where(
                    m.customer_id == customer_id, m.client_id == merchant.client_id
                )
                return str((await connection.execute(query)).scalar_one())

        return await self._call(SandboxOperation.CREATE_MERCHANT, create)

    async def open_account(
        self,
        customer_id: str,
        provider_merchant_id: str,
        *,
        currency: str,
        country_code: str,
        product_code: str,
        holder_name: str,
    ) -> ProviderAccount:
        """Open an ACTIVE account with the next account number of the country's branch."""
        country, currency = country_code.upper(), currency.upper()

        async def open_() -> ProviderAccount:
            branch = self._branches.get(country)
            if branch is None or branch.currency != currency:
                raise rejected("UNSUPPORTED_COUNTRY_PRODUCT")
            async with self._database.engine.begin() as connection:
                await self._check_merchant(connection, customer_id, provider_merchant_id)
                number = await self._next_number(connection, country)
                iban = branch.iban_for(country, number)
                uk = country in UK_COUNTRIES
                now = self._clock()
                row: dict[str, Any] = {
                    "id": new_id(),
                    "merchant_id": provider_merchant_id,
                    "customer_id": customer_id,
                    "currency": currency,
                    "country_code": country,
                    "product_code": product_code,
                    "holder_name": holder_name,
                    "status": Status.ACTIVE,
                    "account_number": number,
                    "iban": iban.value,
                    "bic": branch.bic,
                    "uk_sort_code": branch.branch_code if uk else None,
                    "uk_account_number": branch.national_account_number(number) if uk else None,
                    "created_at": now,
                    "updated_at": now,
                }
                await connection.execute(sa.insert(sandbox_accounts).values(**row))
            return _account(row)

        return await self._call(SandboxOperation.OPEN_ACCOUNT, open_)

    async def open_account_unprompted(
        self,
        customer_id: str,
        client_id: str,
        *,
        currency: str,
        country_code: str,
        product_code: str,
    ) -> ProviderOpenedAccount:
        """Open an account for an onboarded merchant on the bank's own initiative.

        What a real bank does when it opens, say, a second currency account by itself: the
        account is opened like any other (same numbering, same armed ``open_account``
        faults), in the merchant's legal name, and reported as a ``ProviderOpenedAccount``
        for the connector's ``ProviderAccountOpenedSink``.

        Raises:
            NotFound: ``ERROR_CLIENT_NOT_FOUND``, the bank has not onboarded the client.
            ProviderRejected: as ``open_account`` (country, currency, limits).
        """
        m = sandbox_merchants.c
        query = sa.select(m.id, m.legal_name).where(
            m.customer_id == customer_id, m.client_id == client_id
        )
        async with self._database.engine.connect() as connection:
            merchant = (await connection.execute(query)).one_or_none()
        if merchant is None:
            raise NotFound(
                f"The sandbox bank has no merchant for client {client_id} of customer "
                f"{customer_id}",
                code="ERROR_CLIENT_NOT_FOUND",
            )
        account = await self.open_account(
            customer_id,
            str(merchant.id),
            currency=currency,
            country_code=country_code,
            product_code=product_code,
            holder_name=merchant.legal_name,
        )
        return ProviderOpenedAccount.of(account, customer_id=customer_id, client_id=client_id)

    async def _check_merchant(
        self, connection: AsyncConnection, customer_id: str, merchant_id: str
    ) -> None:
        m, a = sandbox_merchants.c, sandbox_accounts.c
        merchant = sa.select(m.id).where(m.id == merchant_id, m.customer_id == customer_id)
        if (await connection.execute(merchant)).scalar_one_or_none() is None:
            raise rejected("MERCHANT_NOT_FOUND")
        open_accounts = sa.select(sa.func.count()).where(
            a.merchant_id == merchant_id, a.status != Status.CLOSED
        )
        if (await connection.execute(open_accounts)).scalar_one() >= self._max_accounts:
            raise rejected("ACCOUNT_LIMIT_REACHED")

    async def _next_number(self, connection: AsyncConnection, country: str) -> int:
        # One upsert bumps the country's counter; on PostgreSQL its row lock serialises
        # concurrent openings until this transaction ends, so numbers never repeat.
        counter = sandbox_account_numbers
        statement = (
            insert(self._database, counter)
            .values(country_code=country, last_number=1)
            .on_conflict_do_update(
                index_elements=[counter.c.country_code],
                set_={"last_number": counter.c.last_number + 1},
            )
            .returning(counter.c.last_number)
        )
        return int((await connection.execute(statement)).scalar_one())

    async def get_account(self, provider_account_id: str) -> ProviderAccount:
        """The account as the sandbox holds it."""

        async def get() -> ProviderAccount:
            async with self._database.engine.connect() as connection:
                return _account(await _account_row(connection, provider_account_id))

        return await self._call(SandboxOperation.GET_ACCOUNT, get)

    async def set_account_status(
        self, provider_account_id: str, status: ProviderAccountStatus
    ) -> ProviderAccount:
        """Activate, block or close; asking for the current status changes nothing."""

        async def change() -> ProviderAccount:
            async with self._database.engine.begin() as connection:
                row = await _account_row(connection, provider_account_id, lock=True)
                current = Status(row["status"])
                if current == status:
                    return _account(row)
                if current is Status.CLOSED:
                    raise rejected("ACCOUNT_CLOSED")
                if status not in _ALLOWED[current]:
                    raise rejected("INVALID_STATUS_CHANGE")
                if status is Status.CLOSED and await balance_minor(connection, row["id"]):
                    raise rejected("ACCOUNT_HAS_FUNDS")
                changes = {"status": status, "updated_at": self._clock()}
                await connection.execute(
                    sa.update(sandbox_accounts)
                    .where(sandbox_accounts.c.id == provider_account_id)
                    .values(**changes)
                )
            return _account({**row, **changes})

        return await self._call(SandboxOperation.SET_ACCOUNT_STATUS, change)

    async def ping(self) -> bool:
        """Whether the sandbox answers (its database does)."""
        return await self._call(SandboxOperation.PING, self._database.ping)

    async def account_holder(self, iban: str) -> str | None:
        """The holder of an open sandbox account with ``iban``; ``None`` for other banks' IBANs."""

        async def find() -> str | None:
            a = sandbox_accounts.c
            query = sa.select(a.holder_name).where(a.iban == iban, a.status != Status.CLOSED)
            async with self._database.engine.connect() as connection:
                return (await connection.execute(query)).scalar_one_or_none()

        # A payee check reads an account, so the faults armed on get_account apply to it too.
        return await self._call(SandboxOperation.GET_ACCOUNT, find)

    async def submit_payment(self, instruction: PaymentInstruction) -> ProviderPaymentReceipt:
        """Take an outbound payment, decided later (see ``SandboxPayments.submit``)."""
        return await self._call(
            SandboxOperation.SUBMIT_PAYMENT, lambda: self.payments.submit(instruction)
        )


async def _account_row(
    connection: AsyncConnection, account_id: str, *, lock: bool = False
) -> dict[str, Any]:
    query = sa.select(sandbox_accounts).where(sandbox_accounts.c.id == account_id)
    if lock:
        query = query.with_for_update()
    row = (await connection.execute(query)).mappings().one_or_none()
    if row is None:
        raise rejected("ACCOUNT_NOT_FOUND")
    return dict(row)


def _account(row: Mapping[str, Any]) -> ProviderAccount:
    return ProviderAccount(
        provider_account_id=row["id"],
        provider_merchant_id=row["merchant_id"],
        currency=row["currency"],
        country_code=row["country_code"],
        product_code=row["product_code"],
        status=Status(row["status"]),
        holder_name=row["holder_name"],
        iban=row["iban"],
        bic=row["bic"],
        uk_account_number=row["uk_account_number"],
        uk_sort_code=row["uk_sort_code"],
    )
