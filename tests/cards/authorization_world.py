"""The Authorize use case over fakes: a store with one active EUR card, funds and a clock."""

from __future__ import annotations

from cards.application.authorizations.authorize import AuthorizationAnswer, Authorize
from cards.domain.card import Card
from cards.domain.lifecycle import CardStatus
from cards.domain.limits import CardLimits, LimitKind
from tests.cards.authorization_fakes import FakeCardsStore, FakeCardsUnitOfWork, FakeClock
from tests.cards.card_builders import auth_request, card_in, eur, merchant
from tests.cards.funds_fakes import FakeFundsReservation

DEADLINE = 0.3
LIMITS = CardLimits.of(
    "EUR",
    {
        LimitKind.TRANSACTION: eur(50_000),
        LimitKind.PURCHASES_OPERATIONS: 3,
        LimitKind.DAILY: eur(100_000),
        LimitKind.MONTHLY: eur(200_000),
        LimitKind.LIFETIME: eur(300_000),
    },
)


class World:
    """A store with one active EUR card, the funds fake, a clock and the use case."""

    def __init__(self, card: Card | None = None) -> None:
        self.store = FakeCardsStore()
        self.store.put_card(card or card_in(CardStatus.ACTIVE, limits=LIMITS))
        self.funds = FakeFundsReservation()
        self.clock = FakeClock()
        self.authorize = Authorize(
            lambda: FakeCardsUnitOfWork(self.store),
            self.funds,
            clock=self.clock,
            deadline=DEADLINE,
        )

    async def spend(self, minor: int, n: int, *, mcc: str = "5411") -> AuthorizationAnswer:
        return await self.authorize(
            auth_request(eur(minor), processor_id=f"p-{n}", at=merchant(mcc))
        )
