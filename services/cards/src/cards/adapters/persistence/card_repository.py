"""SqlAlchemyCardRepository: cards, their issuing records and insert-only transition history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from cards.adapters.persistence.card_rows import (
    card_from_row,
    card_row,
    card_state,
    transition_from_row,
    transition_row,
)
from cards.adapters.persistence.card_tables import card_transitions, cards
from cards.application.cards.ports import CardIssuance, ProcessorStatus
from cards.domain.card import Card
from cards.domain.lifecycle import CardTransition
from shared_kernel.domain.errors import Conflict

CARD_MODIFIED = "CARD_MODIFIED"

Clock = Callable[[], datetime]

_c = cards.c
_t = card_transitions.c


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _rowcount(result: sa.Result[Any]) -> int:
    return int(result.rowcount)  # type: ignore[attr-defined]


class SqlAlchemyCardRepository:
    """``IssuingCardRepository`` on ``cards`` and ``card_transitions``, in one session.

    It remembers the version of every card it read or added: ``save`` updates the row only
    where that version is still stored, so a change made meanwhile by another transaction
    (one that did not lock the card) is refused, never overwritten.
    """

    def __init__(self, session: AsyncSession, *, clock: Clock = _utc_now) -> None:
        self._session = session
        self._clock = clock
        self._versions: dict[str, int] = {}

    async def add(self, card: Card) -> None:
        """Store a newly issued card and its ISSUE transition."""
        await self._session.execute(sa.insert(cards).values(card_row(card, self._clock())))
        await self._append(card.pull_transitions())
        self._versions[card.card_id] = card.version

    async def get(self, tenant_id: str, card_id: str, *, for_update: bool = False) -> Card | None:
        """The tenant's card, else ``None``; ``for_update`` locks its row (PostgreSQL)."""
        query = sa.select(cards).where(_c.card_id == card_id, _c.tenant_id == tenant_id)
        return await self._one(query, for_update)

    async def find(self, card_id: str, *, for_update: bool = False) -> Card | None:
        """A card by id alone (the processor knows no tenant), else ``None``."""
        return await self._one(sa.select(cards).where(_c.card_id == card_id), for_update)

    async def save(self, card: Card) -> None:
        """Store the card's changes and its new transitions.

        Raises:
            Conflict: ``CARD_MODIFIED`` when the stored version moved since the card was read.
            ValueError: The card was not read or added through this repository.
        """
        read = self._versions.get(card.card_id)
        if read is None:
            raise ValueError(f"card {card.card_id} was not read through this repository")
        transitions = card.pull_transitions()
        if card.version == read and not transitions:
            return
        result = await self._session.execute(
            sa.update(cards)
            .where(_c.card_id == card.card_id, _c.version == read)
            .values(**card_state(card), updated_at=self._clock())
        )
        if _rowcount(result) != 1:
            raise Conflict(
                f"card {card.card_id} was changed by another request; try again",
                code=CARD_MODIFIED,
            )
        await self._append(transitions)
        self._versions[card.card_id] = card.version

    async def of_account(self, tenant_id: str, account_id: str) -> Sequence[Card]:
        """Every card of one account of the tenant, oldest first."""
        query = (
            sa.select(cards)
            .where(_c.tenant_id == tenant_id, _c.account_id == account_id)
            .order_by(_c.issued_at, _c.card_id)
        )
        rows = (await self._session.execute(query)).mappings().all()
        return [self._remember(card_from_row(row)) for row in rows]

    async def issuance(self, card_id: str) -> CardIssuance | None:
        """The card's issuing record, else ``None``."""
        query = sa.select(
            _c.security_code_hash,
            _c.processor_status,
            _c.processor_card_id,
            _c.processor_reason,
            _c.programme,
            _c.design,
        ).where(_c.card_id == card_id)
        row = (await self._session.execute(query)).mappings().one_or_none()
        if row is None:
            return None
        return CardIssuance(
            security_code_hash=row["security_code_hash"],
            processor_status=ProcessorStatus(row["processor_status"]),
            processor_card_id=row["processor_card_id"],
            processor_reason=row["processor_reason"],
            programme=row["programme"],
            design=row["design"],
        )

    async def record_issuance(self, card_id: str, issuance: CardIssuance) -> None:
        """Store the card's issuing record.

        Raises:
            ValueError: There is no such card.
        """
        result = await self._session.execute(
            sa.update(cards)
            .where(_c.card_id == card_id)
            .values(
                security_code_hash=issuance.security_code_hash,
                processor_status=issuance.processor_status.value,
                processor_card_id=issuance.processor_card_id,
                processor_reason=issuance.processor_reason,
                programme=issuance.programme,
                design=issuance.design,
                updated_at=self._clock(),
            )
        )
        if _rowcount(result) != 1:
            raise ValueError(f"card {card_id} is not stored")

    async def history(self, card_id: str) -> list[CardTransition]:
        """Every recorded transition of the card, oldest first."""
        query = sa.select(card_transitions).where(_t.card_id == card_id).order_by(_t.version)
        return [transition_from_row(row) for row in (await self._session.execute(query)).mappings()]

    async def _append(self, transitions: Sequence[CardTransition]) -> None:
        if transitions:
            rows = [transition_row(transition) for transition in transitions]
            await self._session.execute(sa.insert(card_transitions), rows)

    async def _one(self, query: sa.Select[Any], for_update: bool) -> Card | None:
        # SQLite has no row locks and ignores FOR UPDATE; its single writer serialises instead.
        query = query.with_for_update() if for_update else query
        row = (await self._session.execute(query)).mappings().one_or_none()
        return None if row is None else self._remember(card_from_row(row))

    def _remember(self, card: Card) -> Card:
        self._versions[card.card_id] = card.version
        return card
