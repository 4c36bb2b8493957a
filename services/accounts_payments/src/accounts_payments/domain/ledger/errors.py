"""The ledger's domain errors, each with the Toqio error code its envelope carries."""

from __future__ import annotations

from shared_kernel.domain.errors import Conflict, InvalidInput, NotFound, RuleViolated


def account_not_found(account_id: str) -> NotFound:
    return NotFound(f"ledger account {account_id} does not exist", code="LEDGER_ACCOUNT_NOT_FOUND")


def hold_not_found(hold_id: str) -> NotFound:
    return NotFound(f"hold {hold_id} does not exist", code="HOLD_NOT_FOUND")


def insufficient_funds() -> RuleViolated:
    # Shown to end users, so it names no internal account and no balance.
    return RuleViolated(
        "Insufficient funds: the available balance does not cover this amount",
        code="INSUFFICIENT_FUNDS",
    )


def unbalanced(message: str) -> InvalidInput:
    return InvalidInput(message, code="UNBALANCED_JOURNAL")


def invalid_amount(message: str) -> InvalidInput:
    return InvalidInput(message, code="INVALID_AMOUNT")


def currency_mismatch(account_id: str, expected: str, given: str) -> InvalidInput:
    return InvalidInput(
        f"ledger account {account_id} holds {expected}, not {given}",
        code="LEDGER_CURRENCY_MISMATCH",
    )


def invalid_account(message: str) -> InvalidInput:
    return InvalidInput(message, code="INVALID_LEDGER_ACCOUNT")


def invalid_hold(message: str) -> InvalidInput:
    return InvalidInput(message, code="INVALID_HOLD")


def duplicate_account(account_id: str) -> Conflict:
    return Conflict(f"ledger account {account_id} already exists", code="DUPLICATE_LEDGER_ACCOUNT")


def duplicate_journal(journal_id: str) -> Conflict:
    return Conflict(f"journal {journal_id} was already recorded", code="DUPLICATE_JOURNAL")


def duplicate_hold(hold_id: str) -> Conflict:
    return Conflict(f"hold {hold_id} already exists", code="DUPLICATE_HOLD")


def hold_already_resolved(hold_id: str, status: str) -> Conflict:
    return Conflict(f"hold {hold_id} is already {status}", code="HOLD_ALREADY_RESOLVED")
