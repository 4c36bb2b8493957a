"""SqlAlchemyCardsUnitOfWork: one transaction for cards, secrets, authorizations and audit."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from building_blocks.outbox import Outbox
from building_blocks.persistence.announcing import AnnouncingUnitOfWork
from building_blocks.webhooks import WebhookQueue
from cards.adapters.persistence.audit_log import SqlAlchemyAuditTrail
from cards.adapters.persistence.authorization_repository import (
    SqlAlchemyAuthorizationRepository,
)
from cards.adapters.persistence.card_repository import SqlAlchemyCardRepository
from cards.adapters.persistence.vault_repository import SqlAlchemyCardSecretRepository
from cards.application.audit.ports import AuditMac


class SqlAlchemyCardsUnitOfWork(AnnouncingUnitOfWork):
    """``CardsUnitOfWork`` on one SQLAlchemy transaction, announcing through outbox and webhooks.

    The audit trail appends in the same transaction as the change it records.
    """

    cards: SqlAlchemyCardRepository
    secrets: SqlAlchemyCardSecretRepository
    authorizations: SqlAlchemyAuthorizationRepository
    audit: SqlAlchemyAuditTrail

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        outbox: Outbox,
        webhooks: WebhookQueue,
        audit_mac: AuditMac,
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
        self._audit_mac = audit_mac

    def _open(self, session: AsyncSession) -> None:
        self.cards = SqlAlchemyCardRepository(session)
        self.secrets = SqlAlchemyCardSecretRepository(session)
        self.authorizations = SqlAlchemyAuthorizationRepository(session)
        self.audit = SqlAlchemyAuditTrail(session, self._audit_mac)
