"""SqlAlchemyAccountsUnitOfWork: one session for ledger, customers, accounts, outbox, webhooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts_payments.adapters.persistence.account_repository import SqlAlchemyAccountRepository
from accounts_payments.adapters.persistence.customer_repository import (
    SqlAlchemyCustomerRepository,
)
from accounts_payments.adapters.persistence.sqlalchemy_ledger import SqlAlchemyLedger
from accounts_payments.application.ports.customers import CustomerDirectory
from accounts_payments.application.ports.ledger import Ledger
from building_blocks.outbox import Outbox
from building_blocks.persistence.announcing import AnnouncingUnitOfWork
from building_blocks.webhooks import WebhookQueue


class SqlAlchemyAccountsUnitOfWork(AnnouncingUnitOfWork):
    """AccountsUnitOfWork on one SQLAlchemy transaction, announcing through outbox and webhooks."""

    ledger: Ledger
    customers: CustomerDirectory
    accounts: SqlAlchemyAccountRepository

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        outbox: Outbox,
        webhooks: WebhookQueue,
        cipher: Any,
        wake_relay: Callable[[], None] = lambda: None,
        wake_dispatcher: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(
            sessions,
            outbox=outbox,
            webhooks=webhooks,
            wake_relay=wake_relay,
            wake_dispatcher=wake_dispatcher,
        )
        self._cipher = cipher

    def _open(self, session: AsyncSession) -> None:
        self.ledger = SqlAlchemyLedger(session)
        self.customers = SqlAlchemyCustomerRepository(session, self._cipher)
        self.accounts = SqlAlchemyAccountRepository(session)
