"""In-memory stand-ins for the authorization use cases: a transactional store and armed funds."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import TracebackType
from typing import Any, Self

from cards.application.audit.ports import AuditTrail
from cards.application.ports.authorizations import AuthorizationRepository
from cards.application.ports.cards import CardRepository
from cards.application.vault.ports import CardSecretRepository
from cards.domain.authorization import Authorization
from cards.domain.authorization_values import AuthorizationStatus
from cards.domain.card import Card
from cards.domain.limits import SpendKind
from cards.domain.secrets import SealedSecret, SecretField
from cards.domain.spend import SpendUsage
from shared_kernel.contracts import (
    FundsReleaseRequestedV1,
    IntegrationMessage,
)
from shared_kernel.domain.money import Currency, Money
from tests.cards.audit_fakes import FakeAuditLog
from tests.cards.card_builders import NOW

_HELD = (AuthorizationStatus.PENDING_FUNDS, AuthorizationStatus.APPROVED)


class FakeClock:
    """A clock standing still at ``now`` until a test moves it."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def committed(authorization: Authorization) -> int:
    """What ``authorization`` commits of its card's spend (see ``SpendUsage``)."""
    if authorization.status in _HELD:
        return authorization.amount.minor - authorization.reversed.minor
    if authorization.status is AuthorizationStatus.CLEARED:
        return authorization.cleared.minor
    return 0


def usage_of(
    stored: list[Authorization], card_id: str, currency: Currency, today: date
) -> SpendUsage:
    """The spend usage the SQL repository computes, over a list of authorizations."""
    day_start = datetime.combine(today, time(), tzinfo=UTC)
    day_end, month_start = day_start + timedelta(days=1), day_start.replace(day=1)
    sums = {"pt": 0, "at": 0, "pm": 0, "am": 0, "life": 0, "pc": 0, "ac": 0}
    for auth in stored:
        if (
            auth.card_id != card_id
            or auth.amount.currency != currency
            or auth.created_at >= day_end
        ):
            continue
        amount = committed(auth)
        purchase = auth.spend_kind is SpendKind.PURCHASE
        sums["life"] += amount
        if auth.created_at >= month_start:
            sums["pm" if purchase else "am"] += amount
        if auth.created_at >= day_start:
            sums["pt" if purchase else "at"] += amount
            if amount > 0:
                sums["pc" if purchase else "ac"] += 1
    return SpendUsage(
        currency=currency,
        purchases_today=Money(sums["pt"], currency),
        atm_today=Money(sums["at"], currency),
        purchases_this_month=Money(sums["pm"], currency),
        atm_this_month=Money(sums["am"], currency),
        lifetime=Money(sums["life"], currency),
        purchases_today_count=sums["pc"],
        atm_today_count=sums["ac"],
    )


@dataclass
class FakeCardsStore:
    """What the database would hold once committed: cards, authorizations, outbox."""

    cards: dict[str, Card] = field(default_factory=dict)
    authorizations: dict[str, Authorization] = field(default_factory=dict)
    published: list[IntegrationMessage] = field(default_factory=list)
    commits: int = 0
    # Runs inside ``add``, before the unique check: what commits there is a concurrent writer.
    before_add: Callable[[], Awaitable[None]] | None = None
    # Commits changing these authorizations fail, as with a database gone away.
    unwritable: set[str] = field(default_factory=set)

    def put_card(self, card: Card) -> Card:
        self.cards[card.card_id] = copy.deepcopy(card)
        return card

    def authorization(self, processor_id: str) -> Authorization:
        """The committed authorization the processor sent under ``processor_id``."""
        return next(a for a in self.authorizations.values() if a.processor_id == processor_id)

    def releases(self) -> list[FundsReleaseRequestedV1]:
        return [m for m in self.published if isinstance(m, FundsReleaseRequestedV1)]


class FakeCardRepository:
    """``CardRepository`` over a unit of work's working copy of the cards."""

    def __init__(self, cards: dict[str, Card]) -> None:
        self._cards = cards

    async def add(self, card: Card) -> None:
        self._cards[card.card_id] = card

    async def get(self, tenant_id: str, card_id: str, *, for_update: bool = False) -> Card | None:
        card = self._cards.get(card_id)
        return card if card is not None and card.tenant_id == tenant_id else None

    async def find(self, card_id: str, *, for_update: bool = False) -> Card | None:
        return self._cards.get(card_id)

    async def save(self, card: Card) -> None:
        card.pull_transitions()
        self._cards[card.card_id] = card

    async def of_account(self, tenant_id: str, account_id: str) -> list[Card]:
        return [
            c
            for c in self._cards.values()
            if c.tenant_id == tenant_id and c.profile.account_id == account_id
        ]


class FakeAuthorizationRepository:
    """``AuthorizationRepository`` over a unit of work's working copy, unique processor ids.

    A processor id is unique across transactions, as the database's constraint makes it: one
    committed by another unit of work meanwhile refuses the insert too.
    """

    def __init__(self, authorizations: dict[str, Authorization], store: FakeCardsStore) -> None:
        self._authorizations = authorizations
        self._store = store

    async def add(self, authorization: Authorization) -> bool:
        if self._store.before_add is not None:
            hook, self._store.before_add = self._store.before_add, None
            await hook()
        stored = [*self._values(), *self._store.authorizations.values()]
        if any(a.processor_id == authorization.processor_id for a in stored):
            return False
        self._authorizations[authorization.authorization_id] = authorization
        return True

    async def by_processor_id(
        self, processor_id: str, *, for_update: bool = False
    ) -> Authorization | None:
        self._read_committed()
        return next((a for a in self._values() if a.processor_id == processor_id), None)

    async def get(self, authorization_id: str, *, for_update: bool = False) -> Authorization | None:
        self._read_committed()
        return self._authorizations.get(authorization_id)

    def _read_committed(self) -> None:
        # Like PostgreSQL's READ COMMITTED: a read sees what other transactions committed.
        for key, committed in self._store.authorizations.items():
            self._authorizations.setdefault(key, copy.deepcopy(committed))

    async def save(self, authorization: Authorization) -> None:
        self._authorizations[authorization.authorization_id] = authorization

    async def usage(self, card_id: str, currency: Currency, today: date) -> SpendUsage:
        return usage_of(self._values(), card_id, currency, today)

    def _values(self) -> list[Authorization]:
        return list(self._authorizations.values())


class FakeSecretRepository:
    """``CardSecretRepository`` on a dict; authorizations never touch it."""

    def __init__(self) -> None:
        self.stored: dict[tuple[str, SecretField], SealedSecret] = {}

    async def add(self, sealed: SealedSecret, fingerprint: str | None = None) -> None:
        self.stored[(sealed.card_id, sealed.field)] = sealed

    async def get(self, card_id: str, field: SecretField) -> SealedSecret | None:
        return self.stored.get((card_id, field))

    async def update(self, sealed: SealedSecret) -> bool:
        return self.stored.setdefault((sealed.card_id, sealed.field), sealed) is sealed

    async def remove(self, card_id: str, field: SecretField) -> bool:
        return self.stored.pop((card_id, field), None) is not None

    async def card_with_fingerprint(self, fingerprint: str) -> str | None:
        return None


class FakeCardsUnitOfWork:
    """``CardsUnitOfWork`` on copies of the store, written back only by ``commit``."""

    cards: CardRepository
    secrets: CardSecretRepository
    authorizations: AuthorizationRepository
    audit: AuditTrail

    def __init__(self, store: FakeCardsStore) -> None:
        self._store = store
        self._cards: dict[str, Card] = {}
        self._authorizations: dict[str, Authorization] = {}
        self._published: list[IntegrationMessage] = []

    async def __aenter__(self) -> Self:
        self._cards = copy.deepcopy(self._store.cards)
        self._authorizations = copy.deepcopy(self._store.authorizations)
        self.cards = FakeCardRepository(self._cards)
        self.authorizations = FakeAuthorizationRepository(self._authorizations, self._store)
        self.secrets = FakeSecretRepository()
        self.audit = FakeAuditLog()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._published = []

    async def commit(self) -> None:
        for key in self._store.unwritable & self._authorizations.keys():
            committed = self._store.authorizations.get(key)
            if committed is None or committed.version != self._authorizations[key].version:
                raise ConnectionError("the database went away")
        self._store.cards = copy.deepcopy(self._cards)
        self._store.authorizations = copy.deepcopy(self._authorizations)
        self._store.published.extend(self._published)
        self._store.commits += 1
        self._published = []

    def publish(self, message: IntegrationMessage, *, correlation_id: str | None = None) -> None:
        self._published.append(message)

    async def notify_toqio(
        self,
        webhook_type: str,
        payload: Mapping[str, Any],
        *,
        customer_id: str,
        ordering_key: str | None = None,
        dedupe_key: str | None = None,
    ) -> None:
        raise AssertionError("authorizations send no webhook")


class FakePendingAuthorizations:
    """``PendingAuthorizations`` over the committed store."""

    def __init__(self, store: FakeCardsStore) -> None:
        self._store = store

    async def pending_before(self, cutoff: datetime, limit: int) -> list[str]:
        pending = sorted(
            (a for a in self._store.authorizations.values() if a.created_at < cutoff),
            key=lambda a: a.created_at,
        )
        waiting = [a for a in pending if a.status is AuthorizationStatus.PENDING_FUNDS]
        return [a.authorization_id for a in waiting][:limit]
