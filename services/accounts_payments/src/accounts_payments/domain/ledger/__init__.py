"""The double-entry ledger: journals, entries, holds and their invariants."""

from accounts_payments.domain.ledger.balances import CounterChange, apply_change, new_account
from accounts_payments.domain.ledger.book import Entry, Journal, LedgerBook, statement_line
from accounts_payments.domain.ledger.holds import (
    Hold,
    HoldStatus,
    new_hold,
    plan_post,
    plan_release,
    plan_reserve,
)
from accounts_payments.domain.ledger.journal import (
    JournalPlan,
    PlannedEntry,
    account_ids,
    plan_journal,
    validate_journal,
)
from accounts_payments.domain.ledger.values import (
    LedgerBalance,
    NormalSide,
    Posting,
    StatementLine,
    signed_minor,
)

__all__ = [
    "CounterChange",
    "Entry",
    "Hold",
    "HoldStatus",
    "Journal",
    "JournalPlan",
    "LedgerBalance",
    "LedgerBook",
    "NormalSide",
    "PlannedEntry",
    "Posting",
    "StatementLine",
    "account_ids",
    "apply_change",
    "new_account",
    "new_hold",
    "plan_journal",
    "plan_post",
    "plan_release",
    "plan_reserve",
    "signed_minor",
    "statement_line",
    "validate_journal",
]
