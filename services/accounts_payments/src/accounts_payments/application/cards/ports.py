"""What the card funds use cases need: the authorization records and their unit of work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from accounts_payments.application.accounts.ports import AccountsWork
from accounts_payments.application.cards.authorizations import CardAuthorization


class CardAuthorizationRepository(Protocol):
    """Card authorization records, in the unit of work's transaction."""

    async def get(self, authorization_id: str, *, lock: bool = False) -> CardAuthorization | None:
        """The record, locked ``FOR UPDATE`` when ``lock``."""
        ...

    async def add(self, authorization: CardAuthorization) -> bool:
        """Store a new record; ``False`` (and nothing stored) when its id is taken.

        That includes a record a concurrent transaction has just committed: on PostgreSQL the
        insert waits for that transaction, so two writers of one id never both succeed.
        """
        ...

    async def save(self, authorization: CardAuthorization) -> None:
        """Write back a RESERVED record's settlement (status, posted amount, time).

        Raises:
            Conflict: the stored record is not RESERVED any more (settled concurrently).
        """
        ...


class CardFundsWork(AccountsWork, Protocol):
    """The accounts unit of work plus the card authorization records."""

    card_authorizations: CardAuthorizationRepository


CardFundsUnitOfWorkFactory = Callable[[], CardFundsWork]
