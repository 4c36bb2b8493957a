"""In-memory stand-ins for the cards unit of work: cards, secrets, audit, webhooks, outbox.

A :class:`FakeCardsStore` is the "database"; each :class:`FakeCardsUnitOfWork` works on a
copy of it and publishes the copy on ``commit``, so leaving a unit without committing (or
with an exception) changes nothing, as a rolled-back transaction would. Audit events are
chained into the store's :class:`FakeAuditLog` on commit only.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import TracebackType
from typing import Any, Self

from cards.application.audit.chain import next_entry
from cards.application.cards.ports import CardIssuance
from cards.application.vault.ports import SecretAlreadyStored
from cards.domain.audit import AuditEntry, AuditEvent, AuditHead
from cards.domain.authorization import Authorization
from cards.domain.card import Card
from cards.domain.lifecycle import CardTransition
from cards.domain.secrets import SealedSecret, SecretField
from cards.domain.spend import SpendUsage
from shared_kernel.contracts import IntegrationMessage
from shared_kernel.domain.errors import Conflict
from shared_kernel.domain.money import Currency
from tests.cards.audit_fakes import FakeAuditLog


def copy_card(card: Card) -> Card:
    """A separate copy of ``card``'s stored state (no pending transitions)."""
    return Card(
        profile=card.profile,
        status=card.status,
        issued_at=card.issued_at,
        version=card.version,
        alias=card.alias,
        read_only=card.read_only,
        limits=card.limits,
        controls=card.controls,
        deleted_at=card.deleted_at,
    )


@dataclass(frozen=True)
class Webhook:
    """One webhook queued for Toqio."""

    webhook_type: str
    payload: Mapping[str, Any]
    customer_id: str
    ordering_key: str | None
    dedupe_key: str | None


@dataclass
class CardsState:
    """What a unit of work reads and writes; copied per unit."""

    cards: dict[str, Card] = field(default_factory=dict)
    issuances: dict[str, CardIssuance] = field(default_factory=dict)
    transitions: list[CardTransition] = field(default_factory=list)
    secrets: dict[tuple[str, SecretField], tuple[SealedSecret, str | None]] = field(
        default_factory=dict
    )
    authorizations: dict[str, Authorization] = field(default_factory=dict)
    usage: dict[str, SpendUsage] = field(default_factory=dict)
    webhooks: list[Webhook] = field(default_factory=list)
    published: list[IntegrationMessage] = field(default_factory=list)

    def copied(self) -> CardsState:
        return CardsState(
            cards={k: copy_card(v) for k, v in self.cards.items()},
            issuances=dict(self.issuances),
            transitions=list(self.transitions),
            secrets=dict(self.secrets),
            authorizations=copy.copy(self.authorizations),
            usage=dict(self.usage),
            webhooks=list(self.webhooks),
            published=list(self.published),
        )


class FakeCardRepository:
    """``IssuingCardRepository`` over a state copy, with the SQL one's version check."""

    def __init__(self, state: CardsState) -> None:
        self._state = state
        self._versions: dict[str, int] = {}

    async def add(self, card: Card) -> None:
        if card.card_id in self._state.cards:
            raise Conflict(f"card {card.card_id} exists", code="CARD_EXISTS")
        self._state.transitions.extend(card.pull_transitions())
        self._state.cards[card.card_id] = copy_card(card)
        self._state.issuances.setdefault(card.card_id, CardIssuance())
        self._versions[card.card_id] = card.version

    async def get(self, tenant_id: str, card_id: str, *, for_update: bool = False) -> Card | None:
        card = self._state.cards.get(card_id)
        if card is None or card.tenant_id != tenant_id:
            return None
        return self._remember(card)

    async def find(self, card_id: str, *, for_update: bool = False) -> Card | None:
        card = self._state.cards.get(card_id)
        return None if card is None else self._remember(card)

    async def save(self, card: Card) -> None:
        read = self._versions[card.card_id]
        if self._state.cards[card.card_id].version != read:
            raise Conflict(f"card {card.card_id} was changed", code="CARD_MODIFIED")
        self._state.transitions.extend(card.pull_transitions())
        self._state.cards[card.card_id] = copy_card(card)
        self._versions[card.card_id] = card.version

    async def of_account(self, tenant_id: str, account_id: str) -> Sequence[Card]:
        found = [
            card
            for card in self._state.cards.values()
            if card.tenant_id == tenant_id and card.profile.account_id == account_id
        ]
        return [self._remember(card) for card in sorted(found, key=lambda c: c.issued_at)]

    async def issuance(self, card_id: str) -> CardIssuance | None:
        return self._state.issuances.get(card_id)

    async def record_issuance(self, card_id: str, issuance: CardIssuance) -> None:
        if card_id not in self._state.cards:
            raise ValueError(f"card {card_id} is not stored")
        self._state.issuances[card_id] = issuance

    def _remember(self, card: Card) -> Card:
        self._versions[card.card_id] = card.version
        return copy_card(card)


class FakeCardSecretRepository:
    """``CardSecretRepository`` over a state copy; one PAN fingerprint per card at most."""

    def __init__(self, state: CardsState) -> None:
        self._state = state

    async def add(self, sealed: SealedSecret, fingerprint: str | None = None) -> None:
        slot = (sealed.card_id, sealed.field)
        taken = fingerprint is not None and any(
            stored_fingerprint == fingerprint
            for _, stored_fingerprint in self._state.secrets.values()
        )
        if slot in self._state.secrets or taken:
            raise SecretAlreadyStored("The card already has this secret, or the PAN is stored")
        self._state.secrets[slot] = (sealed, fingerprint)

    async def get(self, card_id: str, field: SecretField) -> SealedSecret | None:
        stored = self._state.secrets.get((card_id, field))
        return None if stored is None else stored[0]

    async def update(self, sealed: SealedSecret) -> bool:
        slot = (sealed.card_id, sealed.field)
        if slot not in self._state.secrets:
            return False
        self._state.secrets[slot] = (sealed, self._state.secrets[slot][1])
        return True

    async def remove(self, card_id: str, field: SecretField) -> bool:
        return self._state.secrets.pop((card_id, field), None) is not None

    async def card_with_fingerprint(self, fingerprint: str) -> str | None:
        for (card_id, _), (_, stored) in self._state.secrets.items():
            if stored == fingerprint:
                return card_id
        return None


class StubAuthorizationRepository:
    """``AuthorizationRepository`` enough for card reads: stored authorizations, set usage."""

    def __init__(self, state: CardsState) -> None:
        self._state = state

    async def add(self, authorization: Authorization) -> bool:
        key = authorization.authorization_id
        if key in self._state.authorizations:
            return False
        self._state.authorizations[key] = authorization
        return True

    async def by_processor_id(
        self, processor_id: str, *, for_update: bool = False
    ) -> Authorization | None:
        return next(
            (a for a in self._state.authorizations.values() if a.processor_id == processor_id),
            None,
        )

    async def get(self, authorization_id: str, *, for_update: bool = False) -> Authorization | None:
        return self._state.authorizations.get(authorization_id)

    async def save(self, authorization: Authorization) -> None:
        self._state.authorizations[authorization.authorization_id] = authorization

    async def usage(self, card_id: str, currency: Currency, today: date) -> SpendUsage:
        return self._state.usage.get(card_id) or SpendUsage.zero(currency)


class StagedAuditTrail:
    """``AuditTrail`` whose entries reach the log only when the unit commits."""

    def __init__(self, log: FakeAuditLog) -> None:
        self._log = log
        self.events: list[AuditEvent] = []

    async def append(self, event: AuditEvent) -> AuditEntry:
        # Its place once committed; the MAC is recomputed by the log when the unit commits.
        head = self._log.head
        place = AuditHead(last_sequence=head.last_sequence + len(self.events))
        self.events.append(event)
        return next_entry(place, event, self._log.mac)


class FakeCardsStore:
    """The committed state every fake unit of work starts from."""

    def __init__(self) -> None:
        self.state = CardsState()
        self.audit_log = FakeAuditLog()
        self.commits = 0
        self._fail_at: int | None = None

    def unit_of_work(self) -> FakeCardsUnitOfWork:
        """A new unit of work (the ``CardsWorkFactory``)."""
        return FakeCardsUnitOfWork(self)

    def fail_commit(self, *, after: int = 0) -> None:
        """Let ``after`` more commits succeed, then fail the next (a lost connection)."""
        self._fail_at = self.commits + after

    def _check_commit(self) -> None:
        if self._fail_at is not None and self.commits == self._fail_at:
            self._fail_at = None
            raise RuntimeError("the database went away")

    @property
    def audit_events(self) -> list[AuditEvent]:
        return [entry.event for entry in self.audit_log.stored]

    @property
    def webhooks(self) -> list[Webhook]:
        return self.state.webhooks

    def card(self, card_id: str) -> Card:
        return copy_card(self.state.cards[card_id])

    def add_card(self, card: Card, issuance: CardIssuance | None = None) -> None:
        """Store ``card`` as committed (its pending transitions are dropped)."""
        card.pull_transitions()
        self.state.cards[card.card_id] = copy_card(card)
        self.state.issuances[card.card_id] = issuance or CardIssuance()


class FakeCardsUnitOfWork:
    """``CardsWork`` over a copy of the store's state; ``commit`` publishes the copy."""

    def __init__(self, store: FakeCardsStore) -> None:
        self._store = store
        self._state = store.state.copied()
        self.cards = FakeCardRepository(self._state)
        self.secrets = FakeCardSecretRepository(self._state)
        self.authorizations = StubAuthorizationRepository(self._state)
        self.audit = StagedAuditTrail(store.audit_log)
        self.committed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        self._store._check_commit()
        self._store.state = self._state
        for event in self.audit.events:
            await self._store.audit_log.append(event)
        self._store.commits += 1
        self.committed = True

    def publish(self, message: IntegrationMessage, *, correlation_id: str | None = None) -> None:
        self._state.published.append(message)

    async def notify_toqio(
        self,
        webhook_type: str,
        payload: Mapping[str, Any],
        *,
        customer_id: str,
        ordering_key: str | None = None,
        dedupe_key: str | None = None,
    ) -> None:
        self._state.webhooks.append(
            Webhook(webhook_type, dict(payload), customer_id, ordering_key, dedupe_key)
        )
