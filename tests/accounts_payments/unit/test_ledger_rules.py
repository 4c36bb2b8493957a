"""Ledger rules, run against the in-memory fake and the SQLAlchemy adapter on SQLite alike."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from accounts_payments.adapters.persistence.in_memory_ledger import InMemoryLedger
from accounts_payments.adapters.persistence.ledger_tables import (
    ledger_accounts,
    ledger_entries,
    ledger_holds,
    ledger_journals,
)
from accounts_payments.adapters.persistence.sqlalchemy_ledger import SqlAlchemyLedger
from accounts_payments.application.ports.ledger import (
    HoldStatus,
    Ledger,
    NormalSide,
    Posting,
)
from building_blocks.persistence import Database, SqlAlchemyUnitOfWork
from shared_kernel.domain.errors import Conflict, DomainError, InvalidInput, NotFound, RuleViolated
from shared_kernel.domain.money import Money

pytestmark = pytest.mark.unit

DEBIT, CREDIT = NormalSide.DEBIT, NormalSide.CREDIT
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LEDGER_TABLES = [ledger_accounts, ledger_journals, ledger_entries, ledger_holds]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


async def create_ledger_tables(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(lambda c: LEDGER_TABLES[0].metadata.create_all(c, LEDGER_TABLES))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["in_memory", "sqlite"])
async def ledger(
    request: pytest.FixtureRequest, tmp_path: Path, clock: Clock
) -> AsyncIterator[Ledger]:
    if request.param == "in_memory":
        yield InMemoryLedger(clock=clock)
        return
    database = Database(f"sqlite:///{tmp_path / 'ledger.db'}", schema="accounts_payments")
    await create_ledger_tables(database)
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        yield SqlAlchemyLedger(uow.session, clock=clock)
    await database.dispose()


def eur(minor: int) -> Money:
    return Money.of(minor, "EUR")


async def funded(ledger: Ledger, account: str, minor: int, *, floor: int | None = 0) -> None:
    """Open ``account`` (CREDIT-normal, EUR) and move ``minor`` into it from ``world``."""
    await ledger.open_account(account, "EUR", floor_minor=floor)
    with contextlib.suppress(Conflict):
        await ledger.open_account("world", "EUR", normal_side=DEBIT, floor_minor=None)
    if minor:
        await transfer(ledger, f"fund-{account}", "world", account, minor)


async def transfer(ledger: Ledger, journal: str, source: str, target: str, minor: int) -> None:
    """Debit ``source``, credit ``target``: money leaves a customer (CREDIT-normal) account."""
    postings = [Posting(source, DEBIT, eur(minor)), Posting(target, CREDIT, eur(minor))]
    await ledger.record(journal, postings, description=f"transfer {journal}")


async def refused(coro: object, error: type[DomainError], code: str) -> None:
    with pytest.raises(error) as caught:
        await coro  # type: ignore[misc]
    assert caught.value.code == code


async def test_a_transfer_moves_money_and_keeps_both_sides_equal(ledger: Ledger) -> None:
    await funded(ledger, "alice", 10_000)
    await funded(ledger, "bob", 0)
    await transfer(ledger, "t1", "alice", "bob", 2_500)
    alice, bob, world = [await ledger.balance(a) for a in ("alice", "bob", "world")]
    assert (alice.total, bob.total, world.total) == (eur(7_500), eur(2_500), eur(10_000))
    assert (alice.version, bob.version) == (2, 1)
    assert (alice.posted_debits, alice.posted_credits) == (2_500, 10_000)


async def test_a_transfer_beyond_the_available_balance_is_refused(ledger: Ledger) -> None:
    await funded(ledger, "alice", 1_000)
    await funded(ledger, "bob", 0)
    await refused(transfer(ledger, "t1", "alice", "bob", 1_001), RuleViolated, "INSUFFICIENT_FUNDS")
    assert (await ledger.balance("alice")).total == eur(1_000)
    # The refused journal id was not consumed.
    await transfer(ledger, "t1", "alice", "bob", 1_000)


async def test_an_overdraft_floor_lets_the_balance_go_negative_down_to_it(ledger: Ledger) -> None:
    await funded(ledger, "alice", 100, floor=-500)
    await funded(ledger, "bob", 0)
    await transfer(ledger, "t1", "alice", "bob", 600)
    assert (await ledger.balance("alice")).available == eur(-500)
    await refused(transfer(ledger, "t2", "alice", "bob", 1), RuleViolated, "INSUFFICIENT_FUNDS")


async def test_an_account_without_floor_may_go_anywhere(ledger: Ledger) -> None:
    await funded(ledger, "bob", 0)
    await transfer(ledger, "t1", "world", "bob", 10**12)
    assert (await ledger.balance("world")).floor_minor is None


@pytest.mark.parametrize(
    ("postings", "code"),
    [
        ([], "UNBALANCED_JOURNAL"),
        ([Posting("alice", DEBIT, eur(5))], "UNBALANCED_JOURNAL"),
        ([Posting("alice", DEBIT, eur(5)), Posting("bob", CREDIT, eur(4))], "UNBALANCED_JOURNAL"),
        ([Posting("alice", DEBIT, eur(0)), Posting("bob", CREDIT, eur(0))], "INVALID_AMOUNT"),
        ([Posting("alice", DEBIT, eur(-5)), Posting("bob", CREDIT, eur(-5))], "INVALID_AMOUNT"),
        (
            [
                Posting("alice", DEBIT, eur(5)),
                Posting("bob", CREDIT, eur(5)),
                Posting("alice", DEBIT, Money.of(5, "GBP")),
                Posting("bob", CREDIT, Money.of(5, "GBP")),
            ],
            "LEDGER_CURRENCY_MISMATCH",
        ),
        (
            [
                Posting("alice", DEBIT, Money.of(5, "GBP")),
                Posting("bob", CREDIT, Money.of(5, "GBP")),
            ],
            "LEDGER_CURRENCY_MISMATCH",
        ),
    ],
)
async def test_malformed_journals_are_refused(
    ledger: Ledger, postings: list[Posting], code: str
) -> None:
    await funded(ledger, "alice", 100)
    await funded(ledger, "bob", 100)
    await refused(ledger.record("j", postings, description="bad"), InvalidInput, code)
    assert (await ledger.balance("alice")).version == 1


async def test_a_multi_currency_journal_balances_per_currency(ledger: Ledger) -> None:
    await ledger.open_account("eur-in", "EUR", floor_minor=None)
    await ledger.open_account("eur-out", "EUR", floor_minor=None)
    await ledger.open_account("gbp-in", "GBP", floor_minor=None)
    await ledger.open_account("gbp-out", "GBP", floor_minor=None)
    gbp = Money.of(80, "GBP")
    postings = [
        Posting("eur-out", DEBIT, eur(100)),
        Posting("eur-in", CREDIT, eur(100)),
        Posting("gbp-out", DEBIT, gbp),
        Posting("gbp-in", CREDIT, gbp),
    ]
    await ledger.record("fx", postings, description="fx", metadata={"rate": "0.8"})
    assert (await ledger.balance("gbp-in")).total == gbp


async def test_unknown_accounts_and_duplicates_are_reported(ledger: Ledger) -> None:
    await funded(ledger, "alice", 100)
    await refused(transfer(ledger, "t", "alice", "ghost", 1), NotFound, "LEDGER_ACCOUNT_NOT_FOUND")
    await refused(ledger.balance("ghost"), NotFound, "LEDGER_ACCOUNT_NOT_FOUND")
    await refused(ledger.open_account("alice", "EUR"), Conflict, "DUPLICATE_LEDGER_ACCOUNT")
    await refused(
        transfer(ledger, "fund-alice", "world", "alice", 1), Conflict, "DUPLICATE_JOURNAL"
    )
    await refused(
        ledger.open_account("x", "EUR", floor_minor=5), InvalidInput, "INVALID_LEDGER_ACCOUNT"
    )
    await refused(ledger.open_account("", "EUR"), InvalidInput, "INVALID_LEDGER_ACCOUNT")
    await refused(ledger.open_account("x", "XAU"), InvalidInput, "INVALID_CURRENCY")


async def test_a_hold_reduces_available_but_not_total(ledger: Ledger) -> None:
    await funded(ledger, "alice", 1_000)
    await funded(ledger, "shop", 0)
    await ledger.reserve("h1", debit_account="alice", credit_account="shop", amount=eur(700))
    alice = await ledger.balance("alice")
    assert (alice.total, alice.available) == (eur(1_000), eur(300))
    assert (await ledger.balance("shop")).pending_credits == 700
    await refused(
        ledger.reserve("h2", debit_account="alice", credit_account="shop", amount=eur(301)),
        RuleViolated,
        "INSUFFICIENT_FUNDS",
    )
    await refused(transfer(ledger, "t", "alice", "shop", 301), RuleViolated, "INSUFFICIENT_FUNDS")


async def test_a_partial_post_takes_part_and_releases_the_rest(ledger: Ledger) -> None:
    await funded(ledger, "alice", 1_000)
    await funded(ledger, "shop", 0)
    await ledger.reserve(
        "h1", debit_account="alice", credit_account="shop", amount=eur(700), description="card"
    )
    await refused(ledger.post_hold("h1", eur(701)), InvalidInput, "INVALID_AMOUNT")
    await refused(ledger.post_hold("h1", eur(0)), InvalidInput, "INVALID_AMOUNT")
    await ledger.post_hold("h1", eur(400))
    alice, shop = await ledger.balance("alice"), await ledger.balance("shop")
    assert (alice.total, alice.available, alice.pending_debits) == (eur(600), eur(600), 0)
    assert (shop.total, shop.pending_credits) == (eur(400), 0)
    hold = await ledger.hold("h1")
    assert (hold.status, hold.posted_minor, hold.resolved_at) == (HoldStatus.POSTED, 400, T0)
    lines = await ledger.statement("alice", since=T0, until=T0 + timedelta(seconds=1))
    assert [(line.journal_id, line.amount, line.balance_after) for line in lines] == [
        ("fund-alice", eur(1_000), eur(1_000)),
        ("h1", eur(-400), eur(600)),
    ]
    assert (lines[1].description, lines[1].metadata) == ("card", {"hold_id": "h1"})


async def test_a_hold_resolves_at_most_once(ledger: Ledger) -> None:
    await funded(ledger, "alice", 1_000)
    await funded(ledger, "shop", 0)
    for hold_id in ("h1", "h2"):
        await ledger.reserve(hold_id, debit_account="alice", credit_account="shop", amount=eur(100))
    await refused(
        ledger.reserve("h1", debit_account="alice", credit_account="shop", amount=eur(1)),
        Conflict,
        "DUPLICATE_HOLD",
    )
    await ledger.post_hold("h1")
    await ledger.void_hold("h2")
    for hold_id in ("h1", "h2"):
        await refused(ledger.post_hold(hold_id), Conflict, "HOLD_ALREADY_RESOLVED")
        await refused(ledger.void_hold(hold_id), Conflict, "HOLD_ALREADY_RESOLVED")
    assert (await ledger.balance("alice")).available == eur(900)
    await refused(ledger.void_hold("ghost"), NotFound, "HOLD_NOT_FOUND")
    await refused(ledger.hold("ghost"), NotFound, "HOLD_NOT_FOUND")


async def test_expired_holds_release_their_funds_once(ledger: Ledger, clock: Clock) -> None:
    await funded(ledger, "alice", 1_000)
    await funded(ledger, "shop", 0)
    soon, later = T0 + timedelta(minutes=5), T0 + timedelta(hours=1)
    await ledger.reserve(
        "h1", debit_account="alice", credit_account="shop", amount=eur(100), expires_at=soon
    )
    await ledger.reserve(
        "h2", debit_account="alice", credit_account="shop", amount=eur(200), expires_at=later
    )
    await ledger.reserve("h3", debit_account="alice", credit_account="shop", amount=eur(300))
    assert await ledger.expire_holds(soon - timedelta(seconds=1)) == []
    clock.now = soon
    assert await ledger.expire_holds(soon) == ["h1"]
    assert await ledger.expire_holds(soon) == []
    assert (await ledger.hold("h1")).status is HoldStatus.EXPIRED
    assert (await ledger.balance("alice")).available == eur(500)
    await refused(ledger.post_hold("h1"), Conflict, "HOLD_ALREADY_RESOLVED")


@pytest.mark.parametrize(
    ("debit", "credit", "amount", "error", "code"),
    [
        ("alice", "alice", eur(1), InvalidInput, "INVALID_HOLD"),
        ("alice", "shop", eur(0), InvalidInput, "INVALID_AMOUNT"),
        ("alice", "shop", Money.of(1, "GBP"), InvalidInput, "LEDGER_CURRENCY_MISMATCH"),
        ("alice", "ghost", eur(1), NotFound, "LEDGER_ACCOUNT_NOT_FOUND"),
    ],
)
async def test_malformed_holds_are_refused(
    ledger: Ledger, debit: str, credit: str, amount: Money, error: type[DomainError], code: str
) -> None:
    await funded(ledger, "alice", 100)
    await funded(ledger, "shop", 0)
    await refused(
        ledger.reserve("h", debit_account=debit, credit_account=credit, amount=amount), error, code
    )
    await refused(ledger.hold("h"), NotFound, "HOLD_NOT_FOUND")


async def test_posting_a_hold_in_another_currency_is_refused(ledger: Ledger) -> None:
    await funded(ledger, "alice", 100)
    await funded(ledger, "shop", 0)
    await ledger.reserve("h", debit_account="alice", credit_account="shop", amount=eur(50))
    gbp = Money.of(10, "GBP")
    await refused(ledger.post_hold("h", gbp), InvalidInput, "LEDGER_CURRENCY_MISMATCH")


async def test_a_debit_normal_account_reads_its_balance_on_the_debit_side(ledger: Ledger) -> None:
    await ledger.open_account("cash", "EUR", normal_side=DEBIT)
    await ledger.open_account("equity", "EUR", floor_minor=None)
    await ledger.record(
        "j", [Posting("cash", DEBIT, eur(900)), Posting("equity", CREDIT, eur(900))], description=""
    )
    await ledger.reserve("h", debit_account="equity", credit_account="cash", amount=eur(400))
    cash = await ledger.balance("cash")
    assert (cash.total, cash.available) == (eur(900), eur(500))
    await refused(
        ledger.reserve("h2", debit_account="equity", credit_account="cash", amount=eur(501)),
        RuleViolated,
        "INSUFFICIENT_FUNDS",
    )
    statement = await ledger.statement("cash", since=T0, until=T0 + timedelta(days=1))
    assert [line.amount for line in statement] == [eur(900)]


async def test_sqlite_refuses_to_change_or_delete_entries(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'ledger.db'}", schema="accounts_payments")
    await create_ledger_tables(database)
    async with SqlAlchemyUnitOfWork(database.sessions) as uow:
        ledger = SqlAlchemyLedger(uow.session)
        await funded(ledger, "alice", 100)
        await uow.commit()
    for statement in (sa.update(ledger_entries).values(amount_minor=1), sa.delete(ledger_entries)):
        async with SqlAlchemyUnitOfWork(database.sessions) as uow:
            with pytest.raises(sa.exc.IntegrityError, match="insert-only"):
                await uow.session.execute(statement)
    await database.dispose()
