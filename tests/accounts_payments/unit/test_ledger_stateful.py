"""Stateful property tests: ledger invariants hold after every step, in memory and on SQLite."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from accounts_payments.adapters.persistence.in_memory_ledger import InMemoryLedger
from accounts_payments.adapters.persistence.ledger_tables import (
    balance_from_row,
    hold_from_row,
    ledger_accounts,
    ledger_entries,
    ledger_holds,
    ledger_journals,
)
from accounts_payments.adapters.persistence.sqlalchemy_ledger import SqlAlchemyLedger
from accounts_payments.application.ports.ledger import Ledger
from accounts_payments.domain.ledger import (
    Hold,
    HoldStatus,
    LedgerBalance,
    LedgerBook,
    NormalSide,
    Posting,
)
from building_blocks.persistence import Database, SqlAlchemyUnitOfWork
from shared_kernel.domain.errors import DomainError
from shared_kernel.domain.money import Money

pytestmark = pytest.mark.unit

T = TypeVar("T")
T0 = datetime(2025, 3, 1, tzinfo=UTC)
DEBIT, CREDIT = NormalSide.DEBIT, NormalSide.CREDIT
CURRENCIES = ("EUR", "GBP")
ACCOUNTS = ("a0", "a1", "a2", "a3", "a4")
# Hold ids double as the journal ids of their posting, so one pool feeds both.
JOURNALS = ("j0", "j1", "j2", "j3", "j4", "j5", "j6", "j7", "h0")
HOLDS = ("h0", "h1", "h2", "h3", "h4")
LEDGER_TABLES = [ledger_accounts, ledger_journals, ledger_entries, ledger_holds]

amounts = st.integers(min_value=1, max_value=5_000)
INITIAL_ACCOUNTS = [
    ("world-EUR", "EUR", DEBIT, None),
    ("world-GBP", "GBP", DEBIT, None),
    ("a0", "EUR", CREDIT, 0),
    ("a1", "EUR", CREDIT, -1_000),
    ("a2", "EUR", CREDIT, 0),
    ("a3", "GBP", DEBIT, 0),
]
sides = st.sampled_from([DEBIT, CREDIT])


@dataclass(frozen=True)
class Snapshot:
    """Everything the invariants look at, read back from the ledger under test."""

    accounts: dict[str, LedgerBalance]
    entries: list[tuple[str, str, NormalSide, int, str, int]]  # journal, account, side, amount…
    holds: dict[str, Hold]


class InMemoryHarness:
    """Runs each operation on an ``InMemoryLedger``."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.loop = asyncio.new_event_loop()
        self.ledger = InMemoryLedger(clock=clock)

    def run(self, operation: Callable[[Ledger], Awaitable[T]]) -> T:
        return self.loop.run_until_complete(operation(self.ledger))

    def snapshot(self) -> Snapshot:
        book = self.ledger.book
        entries = [
            (
                e.journal_id,
                e.account_id,
                e.side,
                e.amount.minor,
                e.amount.currency.code,
                e.balance_after.minor,
            )
            for e in book.entries
        ]
        return Snapshot(dict(book.accounts), entries, dict(book.holds))

    def close(self) -> None:
        self.loop.close()


class SqliteHarness:
    """Runs each operation in its own unit of work on a fresh SQLite file."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.loop = asyncio.new_event_loop()
        self.folder = Path(tempfile.mkdtemp(prefix="ledger-"))
        self.database = Database(
            f"sqlite:///{self.folder / 'ledger.db'}", schema="accounts_payments"
        )
        self.clock = clock

        async def create() -> None:
            async with self.database.engine.begin() as connection:
                await connection.run_sync(
                    lambda c: ledger_accounts.metadata.create_all(c, LEDGER_TABLES)
                )

        self.loop.run_until_complete(create())

    def run(self, operation: Callable[[Ledger], Awaitable[T]]) -> T:
        async def in_unit_of_work() -> T:
            async with SqlAlchemyUnitOfWork(self.database.sessions) as uow:
                result = await operation(SqlAlchemyLedger(uow.session, clock=self.clock))
                await uow.commit()
                return result

        return self.loop.run_until_complete(in_unit_of_work())

    def snapshot(self) -> Snapshot:
        async def read() -> Snapshot:
            async with self.database.sessions() as session:
                accounts = (await session.execute(sa.select(ledger_accounts))).all()
                holds = (await session.execute(sa.select(ledger_holds))).all()
                e = ledger_entries.c
                rows = await session.execute(
                    sa.select(
                        e.journal_id,
                        e.account_id,
                        e.side,
                        e.amount_minor,
                        e.currency,
                        e.balance_after,
                    ).order_by(e.id)
                )
                entries = [(j, a, NormalSide(s), m, c, b) for j, a, s, m, c, b in rows.all()]
            return Snapshot(
                {row.id: balance_from_row(row) for row in accounts},
                entries,
                {row.id: hold_from_row(row) for row in holds},
            )

        return self.loop.run_until_complete(read())

    def close(self) -> None:
        self.loop.run_until_complete(self.database.dispose())
        self.loop.close()
        shutil.rmtree(self.folder, ignore_errors=True)


Outcome = tuple[type[DomainError], str] | None


class LedgerMachine(RuleBasedStateMachine):
    """Drives a ledger under test and a ``LedgerBook`` oracle with the same operations."""

    harness_type: ClassVar[Any] = InMemoryHarness

    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.harness = self.harness_type(lambda: self.now)
        self.model = LedgerBook()
        self.resolved: dict[str, Hold] = {}

    def teardown(self) -> None:
        self.harness.close()

    def both(self, operation: Callable[[Ledger], Awaitable[Any]], oracle: Callable[[], Any]) -> Any:
        """Run on both; they must agree on success or on the exact error."""
        expected: Outcome = None
        try:
            oracle()
        except DomainError as error:
            expected = (type(error), error.code)
        actual: Outcome = None
        result = None
        try:
            result = self.harness.run(operation)
        except DomainError as error:
            actual = (type(error), error.code)
        assert actual == expected
        return result

    def currency(self, account: str) -> str:
        found = self.model.accounts.get(account)
        return found.currency if found else "EUR"

    @initialize()
    def open_accounts(self) -> None:
        # Most steps need open accounts to say anything; a4 is left for the open_account rule.
        for account, code, side, floor in INITIAL_ACCOUNTS:
            self.both(
                lambda ledger, a=account, c=code, s=side, f=floor: ledger.open_account(
                    a, c, normal_side=s, floor_minor=f
                ),
                lambda a=account, c=code, s=side, f=floor: self.model.open_account(
                    a, c, normal_side=s, floor_minor=f
                ),
            )

    @rule(
        account=st.sampled_from(ACCOUNTS),
        currency=st.sampled_from(CURRENCIES),
        side=sides,
        floor=st.sampled_from([0, 0, -1_000, None, 10]),
    )
    def open_account(
        self, account: str, currency: str, side: NormalSide, floor: int | None
    ) -> None:
        self.both(
            lambda ledger: ledger.open_account(
                account, currency, normal_side=side, floor_minor=floor
            ),
            lambda: self.model.open_account(account, currency, normal_side=side, floor_minor=floor),
        )

    @rule(account=st.sampled_from(ACCOUNTS), amount=amounts, journal=st.sampled_from(JOURNALS))
    def fund(self, account: str, amount: int, journal: str) -> None:
        code = self.currency(account)
        side = (
            self.model.accounts[account].normal_side if account in self.model.accounts else CREDIT
        )
        money = Money.of(amount, code)
        postings = [
            Posting(account, side, money),
            Posting(f"world-{code}", DEBIT if side is CREDIT else CREDIT, money),
        ]
        self.record(journal, postings)

    @rule(
        source=st.sampled_from(ACCOUNTS),
        dest=st.sampled_from(ACCOUNTS),
        amount=amounts,
        journal=st.sampled_from(JOURNALS),
    )
    def transfer(self, source: str, dest: str, amount: int, journal: str) -> None:
        money = Money.of(amount, self.currency(source))
        self.record(journal, [Posting(source, DEBIT, money), Posting(dest, CREDIT, money)])

    @rule(
        legs=st.lists(
            st.tuples(
                st.sampled_from(ACCOUNTS),
                sides,
                st.integers(-10, 3_000),
                st.sampled_from(CURRENCIES),
            ),
            max_size=4,
        ),
        journal=st.sampled_from(JOURNALS),
    )
    def arbitrary_journal(self, legs: list[tuple[str, NormalSide, int, str]], journal: str) -> None:
        self.record(journal, [Posting(a, s, Money.of(m, c)) for a, s, m, c in legs])

    def record(self, journal: str, postings: list[Posting]) -> None:
        self.both(
            lambda ledger: ledger.record(
                journal, postings, description=journal, metadata={"k": "v"}
            ),
            lambda: self.model.record(
                journal, postings, description=journal, now=self.now, metadata={"k": "v"}
            ),
        )

    @rule(
        hold=st.sampled_from(HOLDS),
        debit=st.sampled_from(ACCOUNTS),
        credit=st.sampled_from(ACCOUNTS),
        amount=st.integers(min_value=1, max_value=2_000),
        ttl=st.sampled_from([None, 1, 5, 60]),
    )
    def reserve(self, hold: str, debit: str, credit: str, amount: int, ttl: int | None) -> None:
        money = Money.of(amount, self.currency(debit))
        expires = None if ttl is None else self.now + timedelta(minutes=ttl)
        self.both(
            lambda ledger: ledger.reserve(
                hold, debit_account=debit, credit_account=credit, amount=money, expires_at=expires
            ),
            lambda: self.model.reserve(
                hold,
                debit_account=debit,
                credit_account=credit,
                amount=money,
                now=self.now,
                expires_at=expires,
            ),
        )

    @rule(hold=st.sampled_from(HOLDS), part=st.none() | st.integers(-5, 2_500))
    def post_hold(self, hold: str, part: int | None) -> None:
        held = self.model.holds.get(hold)
        amount = None if part is None else Money.of(part, held.amount.currency if held else "EUR")
        self.both(
            lambda ledger: ledger.post_hold(hold, amount),
            lambda: self.model.post_hold(hold, amount, now=self.now),
        )

    @rule(hold=st.sampled_from(HOLDS))
    def void_hold(self, hold: str) -> None:
        self.both(
            lambda ledger: ledger.void_hold(hold), lambda: self.model.void_hold(hold, now=self.now)
        )

    @rule(minutes=st.integers(0, 30))
    def expire_holds(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        expected = self.model.expire_holds(self.now)
        assert self.both(lambda ledger: ledger.expire_holds(self.now), lambda: None) == expected

    @invariant()
    def double_entry_holds(self) -> None:
        snapshot = self.harness.snapshot()
        net: dict[str, int] = defaultdict(int)
        held: dict[str, int] = defaultdict(int)
        for account in snapshot.accounts.values():
            net[account.currency] += account.posted_debits - account.posted_credits
            held[account.currency] += account.pending_debits - account.pending_credits
        assert all(value == 0 for value in net.values()), net
        assert all(value == 0 for value in held.values()), held
        per_journal: dict[tuple[str, str], int] = defaultdict(int)
        for journal, _account, side, amount, code, _after in snapshot.entries:
            per_journal[journal, code] += amount if side is DEBIT else -amount
        assert all(value == 0 for value in per_journal.values()), per_journal

    @invariant()
    def no_available_balance_is_below_its_floor(self) -> None:
        for account in self.harness.snapshot().accounts.values():
            assert account.floor_minor is None or account.available_minor >= account.floor_minor

    @invariant()
    def counters_equal_their_entries_and_holds(self) -> None:
        snapshot = self.harness.snapshot()
        posted: dict[tuple[str, NormalSide], int] = defaultdict(int)
        last_after: dict[str, int] = {}
        for _journal, account, side, amount, _code, after in snapshot.entries:
            posted[account, side] += amount
            last_after[account] = after
        pending: dict[tuple[str, NormalSide], int] = defaultdict(int)
        for hold in snapshot.holds.values():
            if hold.status is HoldStatus.PENDING:
                pending[hold.debit_account, DEBIT] += hold.amount.minor
                pending[hold.credit_account, CREDIT] += hold.amount.minor
        for account_id, account in snapshot.accounts.items():
            assert account.posted_debits == posted[account_id, DEBIT]
            assert account.posted_credits == posted[account_id, CREDIT]
            assert account.pending_debits == pending[account_id, DEBIT]
            assert account.pending_credits == pending[account_id, CREDIT]
            assert last_after.get(account_id, 0) == account.total_minor

    @invariant()
    def holds_resolve_at_most_once(self) -> None:
        for hold in self.harness.snapshot().holds.values():
            if hold.id in self.resolved:
                assert hold == self.resolved[hold.id]
            elif hold.resolved:
                assert hold.posted_minor <= hold.amount.minor
                self.resolved[hold.id] = hold

    @invariant()
    def agrees_with_the_reference_model(self) -> None:
        snapshot = self.harness.snapshot()
        assert snapshot.accounts == dict(self.model.accounts)
        assert snapshot.holds == dict(self.model.holds)


class SqliteLedgerMachine(LedgerMachine):
    harness_type = SqliteHarness


TestInMemoryLedger = LedgerMachine.TestCase
TestInMemoryLedger.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSqlAlchemyLedgerOnSqlite = SqliteLedgerMachine.TestCase
TestSqlAlchemyLedgerOnSqlite.settings = settings(
    max_examples=12,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
