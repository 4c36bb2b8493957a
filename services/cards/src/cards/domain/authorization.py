"""The authorization aggregate: decided once, then cleared or reversed against its hold."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from cards.domain import errors
from cards.domain.authorization_decision import (
    AuthorizationRequest,
    DeclineReason,
    LocalDecision,
)
from cards.domain.authorization_values import (
    AuthorizationOperation,
    AuthorizationStatus,
    HoldAction,
    HoldInstruction,
    OperationKind,
    OperationOutcome,
    ProcessorDecision,
)
from cards.domain.card_checks import checked_id
from cards.domain.limits import LimitKind, SpendKind
from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.money import Money


class Authorization:
    """One processor authorization: stored before it is decided, answered once, then settled.

    PENDING_FUNDS → APPROVED | DECLINED. An approved authorization is cleared once (at most
    its open amount, the rest of the hold is released: the ledger resolves a hold once), or
    reversed, in part (the open amount shrinks) or in full (REVERSED, the hold is voided).
    Cleared plus reversed never exceeds the amount authorized. Clearing does not look at the
    card: a card closed since the authorization still clears. ``authorization_id`` is also
    the ledger hold's id.
    """

    def __init__(
        self,
        *,
        authorization_id: str,
        request: AuthorizationRequest,
        tenant_id: str | None,
        account_id: str | None,
        status: AuthorizationStatus,
        created_at: datetime,
        decline_reason: DeclineReason | None = None,
        declined_limit: LimitKind | None = None,
        decided_at: datetime | None = None,
        operations: Iterable[AuthorizationOperation] = (),
        version: int = 1,
    ) -> None:
        """Rebuild an authorization from stored state; new ones come from :meth:`open`."""
        self._authorization_id = authorization_id
        self._request = request
        self._tenant_id = tenant_id
        self._account_id = account_id
        self._status = status
        self._created_at = created_at
        self._decline_reason = decline_reason
        self._declined_limit = declined_limit
        self._decided_at = decided_at
        self._operations = list(operations)
        self._version = version

    @classmethod
    def open(
        cls,
        *,
        authorization_id: str,
        request: AuthorizationRequest,
        decision: LocalDecision,
        at: datetime,
        tenant_id: str | None = None,
        account_id: str | None = None,
    ) -> Authorization:
        """Record ``request`` with its local decision: DECLINED, or PENDING_FUNDS.

        ``tenant_id`` and ``account_id`` (the card's) are required unless declined: they say
        where funds are reserved. An unknown card declines with no tenant.

        Raises:
            InvalidInput: ``INVALID_AUTHORIZATION`` when the ids are missing for a reservation.
        """
        if decision.pending_funds and (not tenant_id or not account_id):
            raise errors.invalid_authorization("accountId", "funds need a tenant and account")
        declined = not decision.pending_funds
        return cls(
            authorization_id=_checked_id("authorizationId", authorization_id),
            request=request,
            tenant_id=tenant_id,
            account_id=account_id,
            status=AuthorizationStatus.DECLINED if declined else AuthorizationStatus.PENDING_FUNDS,
            created_at=at,
            decline_reason=decision.reason,
            declined_limit=decision.limit,
            decided_at=at if declined else None,
        )

    # Decision --------------------------------------------------------------------------------

    def check_replay(self, request: AuthorizationRequest) -> None:
        """Accept ``request`` as a replay of this one (answer with the stored decision).

        Raises:
            Conflict: ``AUTHORIZATION_MISMATCH`` naming the fields that differ.
        """
        differences = self._request.differences(request)
        if differences:
            raise errors.authorization_mismatch(request.processor_id, differences)

    def approve(self, at: datetime) -> None:
        """Funds are reserved (the hold is placed): the authorization is approved."""
        self._check_status(AuthorizationStatus.PENDING_FUNDS, "approved")
        self._status = AuthorizationStatus.APPROVED
        self._decided_at = at
        self._version += 1

    def decline(self, reason: DeclineReason, at: datetime) -> HoldInstruction:
        """Funds were refused or not answered in time: the authorization is declined.

        Returns:
            VOID after FUNDS_TIMEOUT, because a late reservation may still place a hold (or
            must be refused: the VOID leaves a tombstone); otherwise nothing.
        """
        self._check_status(AuthorizationStatus.PENDING_FUNDS, "declined")
        self._status = AuthorizationStatus.DECLINED
        self._decline_reason = reason
        self._decided_at = at
        self._version += 1
        if reason is DeclineReason.FUNDS_TIMEOUT:
            return HoldInstruction(HoldAction.VOID)
        return HoldInstruction.nothing()

    # Settlement ------------------------------------------------------------------------------

    def clear(self, processor_id: str, amount: Money, at: datetime) -> OperationOutcome:
        """Clear ``amount`` (at most the open amount): POST it; the rest of the hold is released.

        The same clearing sent again (same processor id and amount) changes nothing.

        Raises:
            Conflict: not APPROVED, or the processor id was used for another operation.
            RuleViolated: ``CLEARING_EXCEEDS_AUTHORIZATION``.
            InvalidInput: ``INVALID_AUTHORIZATION`` for a non-positive or foreign amount.
        """
        return self._settle(OperationKind.CLEARING, processor_id, amount, at)

    def reverse(self, processor_id: str, amount: Money, at: datetime) -> OperationOutcome:
        """Reverse ``amount`` of the open amount: in full, REVERSED and VOID; in part, nothing.

        A partial reversal leaves the hold as placed (it resolves once): the later clearing
        posts at most what is still open and releases the rest. The same reversal sent again
        changes nothing.

        Raises:
            Conflict: not APPROVED, or the processor id was used for another operation.
            RuleViolated: ``REVERSAL_EXCEEDS_AUTHORIZATION``.
            InvalidInput: ``INVALID_AUTHORIZATION`` for a non-positive or foreign amount.
        """
        return self._settle(OperationKind.REVERSAL, processor_id, amount, at)

    # State -----------------------------------------------------------------------------------

    @property
    def authorization_id(self) -> str:
        return self._authorization_id

    @property
    def request(self) -> AuthorizationRequest:
        return self._request

    @property
    def processor_id(self) -> str:
        return self._request.processor_id

    @property
    def card_id(self) -> str:
        return self._request.card_id

    @property
    def amount(self) -> Money:
        """The amount authorized."""
        return self._request.amount

    @property
    def tenant_id(self) -> str | None:
        return self._tenant_id

    @property
    def account_id(self) -> str | None:
        return self._account_id

    @property
    def spend_kind(self) -> SpendKind:
        return self._request.spend_kind

    @property
    def status(self) -> AuthorizationStatus:
        return self._status

    @property
    def decision(self) -> ProcessorDecision | None:
        """What the processor is (or was) answered; ``None`` while funds are pending."""
        if self._status is AuthorizationStatus.PENDING_FUNDS:
            return None
        if self._status is AuthorizationStatus.DECLINED:
            return ProcessorDecision.DECLINED
        return ProcessorDecision.APPROVED

    @property
    def decline_reason(self) -> DeclineReason | None:
        return self._decline_reason

    @property
    def declined_limit(self) -> LimitKind | None:
        """The limit behind a LIMIT_EXCEEDED_* decline."""
        return self._declined_limit

    @property
    def created_at(self) -> datetime:
        return self._created_at

    @property
    def decided_at(self) -> datetime | None:
        return self._decided_at

    @property
    def operations(self) -> tuple[AuthorizationOperation, ...]:
        """Clearings and reversals, in the order applied."""
        return tuple(self._operations)

    @property
    def version(self) -> int:
        return self._version

    @property
    def cleared(self) -> Money:
        """The amount cleared (posted)."""
        return self._total(OperationKind.CLEARING)

    @property
    def reversed(self) -> Money:
        """The amount reversed."""
        return self._total(OperationKind.REVERSAL)

    @property
    def open_amount(self) -> Money:
        """What is still authorized and neither cleared nor reversed (zero unless APPROVED)."""
        if self._status is not AuthorizationStatus.APPROVED:
            return Money.zero(self.amount.currency)
        return self.amount - self.reversed

    @property
    def released(self) -> Money:
        """What a clearing left of the hold, released to the account."""
        if self._status is not AuthorizationStatus.CLEARED:
            return Money.zero(self.amount.currency)
        return self.amount - self.reversed - self.cleared

    def __repr__(self) -> str:
        return (
            f"Authorization(authorization_id={self._authorization_id!r}, "
            f"status={self._status.value}, amount={self.amount})"
        )

    # Internals -------------------------------------------------------------------------------

    def _check_status(self, expected: AuthorizationStatus, action: str) -> None:
        if self._status is not expected:
            raise errors.authorization_state_conflict(
                self._authorization_id, self._status.value, action
            )

    def _settle(
        self, kind: OperationKind, processor_id: str, amount: Money, at: datetime
    ) -> OperationOutcome:
        processor_id = _checked_id("processorId", processor_id)
        for done in self._operations:
            if done.processor_id == processor_id:
                if done.kind is not kind or done.amount != amount:
                    raise errors.operation_mismatch(processor_id, self._authorization_id)
                return OperationOutcome(
                    operation=done, instruction=HoldInstruction.nothing(), replayed=True
                )
        if amount.currency != self.amount.currency or not amount.is_positive():
            raise errors.invalid_authorization(
                "amount", f"must be a positive amount in {self.amount.currency.code}"
            )
        clearing = kind is OperationKind.CLEARING
        self._check_status(AuthorizationStatus.APPROVED, "cleared" if clearing else "reversed")
        open_amount = self.open_amount
        if amount > open_amount:
            exceeds = (
                errors.clearing_exceeds_authorization
                if clearing
                else errors.reversal_exceeds_authorization
            )
            raise exceeds(self._authorization_id, amount.format(), open_amount.format())
        operation = AuthorizationOperation(
            processor_id=processor_id, kind=kind, amount=amount, at=at
        )
        self._operations.append(operation)
        self._version += 1
        if clearing:
            self._status = AuthorizationStatus.CLEARED
            instruction = HoldInstruction(HoldAction.POST, amount)
        elif amount == open_amount:
            self._status = AuthorizationStatus.REVERSED
            instruction = HoldInstruction(HoldAction.VOID)
        else:
            instruction = HoldInstruction.nothing()
        return OperationOutcome(operation=operation, instruction=instruction)

    def _total(self, kind: OperationKind) -> Money:
        total = Money.zero(self.amount.currency)
        for operation in self._operations:
            if operation.kind is kind:
                total += operation.amount
        return total


def _checked_id(field: str, value: str) -> str:
    try:
        return checked_id(field, value)
    except InvalidInput:
        raise errors.invalid_authorization(field, "a valid identifier is required") from None
