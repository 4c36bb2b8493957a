"""Value types of the double-entry ledger: sides, postings, balances and statement lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from shared_kernel.domain.money import Money


class NormalSide(StrEnum):
    """Which side increases an account: customer money we owe is CREDIT-normal (a liability)."""

    DEBIT = "DEBIT"
    CREDIT = "CREDIT"


@dataclass(frozen=True, slots=True)
class LedgerBalance:
    """Counters of one ledger account, in minor units of its currency.

    ``total`` is the posted balance on the account's normal side; ``available`` also takes
    away pending (held) amounts that would reduce it. A change that lowers ``available`` may
    not leave it below ``floor_minor``; ``None`` means no floor (internal accounts).
    """

    account_id: str
    currency: str
    normal_side: NormalSide
    posted_debits: int
    posted_credits: int
    pending_debits: int
    pending_credits: int
    floor_minor: int | None
    version: int

    @property
    def total_minor(self) -> int:
        raw = self.posted_credits - self.posted_debits
        return raw if self.normal_side is NormalSide.CREDIT else -raw

    @property
    def available_minor(self) -> int:
        held = (
            self.pending_debits if self.normal_side is NormalSide.CREDIT else self.pending_credits
        )
        return self.total_minor - held

    @property
    def total(self) -> Money:
        return Money.of(self.total_minor, self.currency)

    @property
    def available(self) -> Money:
        return Money.of(self.available_minor, self.currency)


@dataclass(frozen=True, slots=True)
class Posting:
    """One leg of a journal: ``amount`` (positive) debited or credited to ``account_id``."""

    account_id: str
    side: NormalSide
    amount: Money


@dataclass(frozen=True, slots=True)
class StatementLine:
    """A posted entry as an account statement shows it (signed on the account's normal side)."""

    journal_id: str
    entry_id: str
    booked_at: datetime
    amount: Money
    balance_after: Money
    description: str
    metadata: Mapping[str, str] = field(default_factory=dict)


def signed_minor(side: NormalSide, normal_side: NormalSide, amount_minor: int) -> int:
    """Return ``amount_minor`` as seen by an account: positive on its normal side."""
    return amount_minor if side is normal_side else -amount_minor
