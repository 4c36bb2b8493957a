"""Journal rules: what a valid journal is, and what posting one does to its accounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from accounts_payments.domain.ledger import errors
from accounts_payments.domain.ledger.balances import CounterChange, apply_changes, posted
from accounts_payments.domain.ledger.values import LedgerBalance, NormalSide, Posting, signed_minor
from shared_kernel.domain.money import Money


@dataclass(frozen=True, slots=True)
class PlannedEntry:
    """An entry to insert: one posting plus the account's posted balance right after it."""

    account_id: str
    side: NormalSide
    amount: Money
    balance_after: Money


@dataclass(frozen=True, slots=True)
class JournalPlan:
    """The outcome of posting a journal: every touched account's new counters, its entries."""

    balances: dict[str, LedgerBalance]
    entries: tuple[PlannedEntry, ...] = field(default=())


def validate_journal(postings: Sequence[Posting]) -> None:
    """Check a journal on its own: two or more positive postings, balanced per currency.

    Raises:
        InvalidInput: ``UNBALANCED_JOURNAL``, ``INVALID_AMOUNT`` or
            ``LEDGER_CURRENCY_MISMATCH`` (one account posted in two currencies).
    """
    if len(postings) < 2:
        raise errors.unbalanced("a journal needs at least two postings")
    net: dict[str, int] = defaultdict(int)
    currency_of: dict[str, str] = {}
    for posting in postings:
        if not isinstance(posting.amount, Money) or posting.amount.minor <= 0:
            raise errors.invalid_amount("every posting amount must be positive")
        code = posting.amount.currency.code
        seen = currency_of.setdefault(posting.account_id, code)
        if seen != code:
            raise errors.currency_mismatch(posting.account_id, seen, code)
        sign = 1 if NormalSide(posting.side) is NormalSide.DEBIT else -1
        net[code] += sign * posting.amount.minor
    unbalanced = sorted(code for code, amount in net.items() if amount)
    if unbalanced:
        raise errors.unbalanced(f"debits and credits differ in {', '.join(unbalanced)}")


def account_ids(postings: Sequence[Posting]) -> list[str]:
    """The distinct accounts a journal touches, in the ascending order they are locked in."""
    return sorted({posting.account_id for posting in postings})


def plan_journal(
    postings: Sequence[Posting],
    balances: Mapping[str, LedgerBalance],
    pending: Mapping[str, CounterChange] | None = None,
) -> JournalPlan:
    """Work out a valid journal's effect on ``balances`` without changing anything.

    Args:
        postings: the journal's legs.
        balances: current counters of (at least) every touched account.
        pending: pending-counter changes made in the same step (posting a hold releases it).

    Raises:
        NotFound: ``LEDGER_ACCOUNT_NOT_FOUND``.
        InvalidInput: as :func:`validate_journal`.
        RuleViolated: ``INSUFFICIENT_FUNDS`` when an account would end below its floor.
    """
    validate_journal(postings)
    changes: dict[str, CounterChange] = defaultdict(CounterChange, pending or {})
    running: dict[str, int] = {}
    entries: list[PlannedEntry] = []
    for posting in postings:
        account = balances.get(posting.account_id)
        if account is None:
            raise errors.account_not_found(posting.account_id)
        if posting.amount.currency.code != account.currency:
            raise errors.currency_mismatch(
                account.account_id, account.currency, posting.amount.currency.code
            )
        side = NormalSide(posting.side)
        changes[account.account_id] += posted(side, posting.amount.minor)
        before = running.get(account.account_id, account.total_minor)
        after = before + signed_minor(side, account.normal_side, posting.amount.minor)
        running[account.account_id] = after
        entries.append(
            PlannedEntry(
                account.account_id, side, posting.amount, Money.of(after, account.currency)
            )
        )
    return JournalPlan(apply_changes(balances, changes), tuple(entries))
