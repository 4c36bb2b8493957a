"""The bodies of ``POST /transaction/validate``, as our answer to Toqio's open question defines.

Requests are read tolerantly (unknown fields ignored, optional fields may be null or absent);
the answer is strict and carries only the three statuses Toqio understands.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from building_blocks.web import CamelStruct
from compliance.domain.monitoring.decision import Decision

Id = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
Text = Annotated[str, msgspec.Meta(max_length=500)]


class BeneficiaryIn(CamelStruct, frozen=True, kw_only=True):
    """``beneficiary``: who is paid."""

    type: Text | None = None
    name: Text | None = None
    iban: Text | None = None
    bic_swift: Text | None = None
    account_number: Text | None = None
    bank_country: Text | None = None
    country: Text | None = None


class ValidateRequest(CamelStruct, frozen=True, kw_only=True):
    """A transaction Toqio asks to validate before executing it."""

    transaction_id: Id
    customer_id: Id
    client_id: Id
    source_account_id: Id
    amount: Decimal
    currency: Annotated[str, msgspec.Meta(min_length=1, max_length=8)]
    user_id: Text | None = None
    beneficiary_account_id: Text | None = None
    base_amount: Decimal | None = None
    base_currency: Text | None = None
    beneficiary: BeneficiaryIn | None = None
    bank_payment_scheme: Text | None = None
    concept: Text | None = None
    reference: Text | None = None
    purpose_code: Text | None = None
    is_fx_transaction: bool | None = None
    are_own_accounts: bool | None = None
    created_at: datetime | None = None


class ReasonOut(CamelStruct, frozen=True, kw_only=True):
    """One reason of a decision."""

    code: str
    message: str


class ValidateResponse(CamelStruct, frozen=True, kw_only=True):
    """The decision: one of three statuses, a 0-100 risk score and the reasons."""

    transaction_id: str
    status: Literal["APPROVED", "REJECTED", "PENDING_EXTERNAL_APPROVAL"]
    risk_score: Annotated[int, msgspec.Meta(ge=0, le=100)]
    reasons: list[ReasonOut]
    decision_id: str

    @classmethod
    def of(cls, decision: Decision) -> ValidateResponse:
        """The answer for ``decision``."""
        return cls(
            transaction_id=decision.transaction_id,
            status=decision.status.value,
            risk_score=decision.risk_score,
            reasons=[ReasonOut(code=r.code, message=r.message) for r in decision.reasons],
            decision_id=decision.decision_id,
        )
