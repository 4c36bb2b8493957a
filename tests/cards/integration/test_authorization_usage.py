"""Spend usage on PostgreSQL and SQLite: what each window committed, in one query."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from building_blocks.persistence import Database
from cards.adapters.persistence import tables
from cards.adapters.persistence.authorization_repository import SqlAlchemyAuthorizationRepository
from cards.domain.authorization import Authorization
from cards.domain.authorization_decision import DeclineReason
from cards.domain.limits import LimitKind
from cards.domain.spend import SpendUsage
from shared_kernel.domain.money import Money
from tests.cards.authorization_fakes import usage_of
from tests.cards.card_builders import eur
from tests.cards.integration.authorization_store import EUR, NOW, opened, store

pytestmark = pytest.mark.integration


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/cards.db"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, schema="cards")
    await database.create_schema(tables.metadata)
    yield database
    await database.dispose()


# Spend usage ---------------------------------------------------------------------------------


def _spending_history() -> list[Authorization]:
    def approved(
        processor_id: str,
        minor: int,
        *,
        at: datetime = NOW,
        mcc: str = "5411",
        card: str = "card-1",
    ) -> Authorization:
        item = opened(processor_id, eur(minor), at=at, mcc=mcc, card_id=card)
        item.approve(item.created_at)
        return item

    partly_reversed = approved("today-reversed-in-part", 3_000)
    partly_reversed.reverse("r-1", eur(1_000), NOW)
    reversed_in_full = approved("today-reversed", 4_000)
    reversed_in_full.reverse("r-2", eur(4_000), NOW)
    cleared = approved("today-cleared", 5_000)
    cleared.clear("c-1", eur(4_500), NOW)
    other_currency = opened("today-usd", Money.of(9_999, "USD"))
    other_currency.approve(NOW)
    return [
        approved("today-purchase", 1_000),
        approved("today-atm", 2_000, mcc="6011"),
        opened("today-pending", eur(500)),
        opened("today-declined", eur(700), declined=DeclineReason.INSUFFICIENT_FUNDS),
        partly_reversed,
        reversed_in_full,
        cleared,
        approved("june-3", 10_000, at=NOW.replace(day=3)),
        approved("june-10-atm", 6_000, at=NOW.replace(day=10), mcc="6011"),
        approved("may", 20_000, at=NOW.replace(month=5)),
        approved("other-card", 100_000, card="card-2"),
        other_currency,
        approved("tomorrow", 50_000, at=NOW + timedelta(days=1)),
        approved("midnight", 300, at=NOW.replace(hour=0, minute=0, second=0, microsecond=0)),
    ]


EXPECTED = SpendUsage(
    currency=EUR,
    purchases_today=eur(1_000 + 500 + 2_000 + 4_500 + 300),
    atm_today=eur(2_000),
    purchases_this_month=eur(8_300 + 10_000),
    atm_this_month=eur(2_000 + 6_000),
    lifetime=eur(18_300 + 8_000 + 20_000),
    purchases_today_count=5,
    atm_today_count=1,
)


async def test_usage_sums_what_each_window_committed_in_one_query(database: Database) -> None:
    await store(database, *_spending_history())

    async with database.sessions() as session:
        usage = await SqlAlchemyAuthorizationRepository(session).usage("card-1", EUR, NOW.date())

    assert usage == EXPECTED


def test_the_fake_repository_computes_usage_the_same_way() -> None:
    assert usage_of(_spending_history(), "card-1", EUR, NOW.date()) == EXPECTED


async def test_a_card_with_no_authorizations_has_spent_nothing(database: Database) -> None:
    async with database.sessions() as session:
        usage = await SqlAlchemyAuthorizationRepository(session).usage("card-1", EUR, NOW.date())

    assert usage == SpendUsage.zero(EUR)
    assert usage.used(LimitKind.PURCHASES_OPERATIONS) == 0
