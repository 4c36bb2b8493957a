"""Authorizations as table rows and back: the mapping the repository reads and writes with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cards.domain.authorization import Authorization
from cards.domain.authorization_decision import (
    AuthorizationKind,
    AuthorizationRequest,
    DeclineReason,
)
from cards.domain.authorization_values import (
    AuthorizationOperation,
    AuthorizationStatus,
    OperationKind,
)
from cards.domain.controls import Merchant
from cards.domain.limits import LimitKind
from shared_kernel.domain.money import Currency, Money

# Statuses reached only once the hold was placed: the row names the hold.
_WITH_HOLD = frozenset(
    {AuthorizationStatus.APPROVED, AuthorizationStatus.CLEARED, AuthorizationStatus.REVERSED}
)


def authorization_row(authorization: Authorization, now: datetime) -> dict[str, Any]:
    """The ``authorizations`` row of a new authorization."""
    request = authorization.request
    return {
        "authorization_id": authorization.authorization_id,
        "processor_id": request.processor_id,
        "card_id": request.card_id,
        "tenant_id": authorization.tenant_id,
        "account_id": authorization.account_id,
        "kind": request.kind.value,
        "spend_kind": request.spend_kind.value,
        "amount_minor": request.amount.minor,
        "currency": request.amount.currency.code,
        "merchant_name": request.merchant.name,
        "merchant_mcc": request.merchant.mcc,
        "merchant_country": request.merchant.country,
        "created_at": authorization.created_at,
        **state_row(authorization, now),
    }


def state_row(authorization: Authorization, now: datetime) -> dict[str, Any]:
    """The columns of ``authorizations`` that change after the insert."""
    reason = authorization.decline_reason
    limit = authorization.declined_limit
    with_hold = authorization.status in _WITH_HOLD
    return {
        "status": authorization.status.value,
        "decline_reason": reason.value if reason is not None else None,
        "declined_limit": limit.value if limit is not None else None,
        # The contract's hold id is the authorization id; kept once funds were reserved.
        "hold_id": authorization.authorization_id if with_hold else None,
        "cleared_minor": authorization.cleared.minor,
        "reversed_minor": authorization.reversed.minor,
        "decided_at": authorization.decided_at,
        "updated_at": now,
        "version": authorization.version,
    }


def operation_row(
    authorization_id: str, position: int, operation: AuthorizationOperation
) -> dict[str, Any]:
    """The ``authorization_operations`` row of the operation at ``position`` (from 1)."""
    return {
        "processor_id": operation.processor_id,
        "authorization_id": authorization_id,
        "position": position,
        "kind": operation.kind.value,
        "amount_minor": operation.amount.minor,
        "currency": operation.amount.currency.code,
        "at": operation.at,
    }


def authorization_of(row: sa.RowMapping, operations: Sequence[sa.RowMapping]) -> Authorization:
    """The authorization stored in ``row``, with its ``operations`` rows in order."""
    currency = Currency.of(row["currency"])
    request = AuthorizationRequest(
        processor_id=row["processor_id"],
        card_id=row["card_id"],
        amount=Money(row["amount_minor"], currency),
        merchant=Merchant(row["merchant_name"], row["merchant_mcc"], row["merchant_country"]),
        kind=AuthorizationKind(row["kind"]),
    )
    reason, limit = row["decline_reason"], row["declined_limit"]
    return Authorization(
        authorization_id=row["authorization_id"],
        request=request,
        tenant_id=row["tenant_id"],
        account_id=row["account_id"],
        status=AuthorizationStatus(row["status"]),
        created_at=row["created_at"],
        decline_reason=DeclineReason(reason) if reason is not None else None,
        declined_limit=LimitKind(limit) if limit is not None else None,
        decided_at=row["decided_at"],
        operations=[
            AuthorizationOperation(
                processor_id=op["processor_id"],
                kind=OperationKind(op["kind"]),
                amount=Money(op["amount_minor"], Currency.of(op["currency"])),
                at=op["at"],
            )
            for op in operations
        ],
        version=row["version"],
    )
