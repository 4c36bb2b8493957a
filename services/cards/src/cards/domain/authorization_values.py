"""The values an authorization's life is told in: statuses, hold instructions, operations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared_kernel.domain.money import Money


class AuthorizationStatus(StrEnum):
    """Where an authorization stands; DECLINED, CLEARED and REVERSED are final."""

    # Stored before the decision, while funds are being reserved.
    PENDING_FUNDS = "PENDING_FUNDS"
    APPROVED = "APPROVED"
    DECLINED = "DECLINED"
    CLEARED = "CLEARED"
    REVERSED = "REVERSED"

    @property
    def is_final(self) -> bool:
        """Whether nothing more can happen to the authorization."""
        return self in (
            AuthorizationStatus.DECLINED,
            AuthorizationStatus.CLEARED,
            AuthorizationStatus.REVERSED,
        )


class ProcessorDecision(StrEnum):
    """The answer the processor gets."""

    APPROVED = "APPROVED"
    DECLINED = "DECLINED"


class HoldAction(StrEnum):
    """What to tell accounts_payments about the hold (FundsReleaseRequestedV1's action)."""

    NONE = "NONE"
    POST = "POST"
    VOID = "VOID"


@dataclass(frozen=True, slots=True)
class HoldInstruction:
    """What the caller must do with the ledger hold: nothing, post ``amount``, or void it."""

    action: HoldAction
    amount: Money | None = None

    @classmethod
    def nothing(cls) -> HoldInstruction:
        return cls(HoldAction.NONE)


class OperationKind(StrEnum):
    """What the processor did after the authorization."""

    CLEARING = "CLEARING"
    REVERSAL = "REVERSAL"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorizationOperation:
    """One clearing or reversal, kept under the processor's id for idempotency."""

    processor_id: str
    kind: OperationKind
    amount: Money
    at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationOutcome:
    """A clearing or reversal as applied; ``replayed`` when it had been applied before."""

    operation: AuthorizationOperation
    instruction: HoldInstruction
    replayed: bool = False
