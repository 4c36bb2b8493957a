"""The explanation of a review case: the monitoring decision, the transaction, the activity.

Amounts are exact decimal strings (``"15000.00"``) beside their currency.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from building_blocks.web import CamelStruct
from compliance.application.reviews.ports import (
    ActivityEntry,
    ActivityTotals,
    CaseDetail,
    MerchantActivity,
)
from compliance.domain.monitoring.decision import Decision, RuleOutcome
from compliance.domain.monitoring.transaction import MonitoredTransaction
from compliance.entrypoints.http.review_schemas import CaseOut
from compliance.entrypoints.http.validate_schemas import ReasonOut
from shared_kernel.domain.money import Money


def _eur(minor: int) -> Decimal:
    return Money.of(minor, "EUR").to_decimal()


class OutcomeOut(CamelStruct, frozen=True, kw_only=True):
    """One rule's result: what it read, what it asked for, and why."""

    rule_id: str
    kind: str
    verdict: str
    score: int
    explanation: str
    inputs: dict[str, str]
    overridable: bool

    @classmethod
    def of(cls, outcome: RuleOutcome) -> OutcomeOut:
        return cls(
            rule_id=outcome.rule_id,
            kind=outcome.kind,
            verdict=outcome.verdict.value,
            score=outcome.score,
            explanation=outcome.explanation,
            inputs=dict(outcome.inputs),
            overridable=outcome.overridable,
        )


class DecisionOut(CamelStruct, frozen=True, kw_only=True):
    """The monitoring decision as the engine (or vendor, or fallback) made it."""

    decision_id: str
    status: str
    risk_score: int
    reasons: list[ReasonOut]
    outcomes: list[OutcomeOut]
    decided_at: datetime
    decided_by: str
    rule_set_id: str
    rule_set_version: int
    sanctions_versions: list[str]

    @classmethod
    def of(cls, decision: Decision) -> DecisionOut:
        return cls(
            decision_id=decision.decision_id,
            status=decision.status.value,
            risk_score=decision.risk_score,
            reasons=[ReasonOut(code=r.code, message=r.message) for r in decision.reasons],
            outcomes=[OutcomeOut.of(outcome) for outcome in decision.outcomes],
            decided_at=decision.decided_at,
            decided_by=decision.decided_by,
            rule_set_id=decision.rule_set_id,
            rule_set_version=decision.rule_set_version,
            sanctions_versions=list(decision.sanctions_versions),
        )


class BeneficiaryOut(CamelStruct, frozen=True, kw_only=True):
    """The payee, as Toqio described it."""

    type: str
    name: str
    iban: str
    bic_swift: str
    account_number: str
    bank_country: str
    country: str


class TransactionOut(CamelStruct, frozen=True, kw_only=True):
    """The transaction as received (Toqio's field names)."""

    transaction_id: str
    customer_id: str
    client_id: str
    user_id: str
    source_account_id: str
    beneficiary_account_id: str
    amount: Decimal
    currency: str
    beneficiary: BeneficiaryOut
    bank_payment_scheme: str
    concept: str
    reference: str
    purpose_code: str
    is_fx_transaction: bool
    are_own_accounts: bool
    created_at: datetime

    @classmethod
    def of(cls, tx: MonitoredTransaction) -> TransactionOut:
        party = tx.beneficiary
        return cls(
            transaction_id=tx.transaction_id,
            customer_id=tx.customer_id,
            client_id=tx.client_id,
            user_id=tx.user_id,
            source_account_id=tx.source_account_id,
            beneficiary_account_id=tx.beneficiary_account_id,
            amount=tx.amount.to_decimal(),
            currency=tx.amount.currency.code,
            beneficiary=BeneficiaryOut(
                type=party.type.value,
                name=party.name,
                iban=party.iban,
                bic_swift=party.bic,
                account_number=party.account_number,
                bank_country=party.bank_country,
                country=party.country,
            ),
            bank_payment_scheme=tx.scheme,
            concept=tx.concept,
            reference=tx.reference,
            purpose_code=tx.purpose_code,
            is_fx_transaction=tx.is_fx,
            are_own_accounts=tx.own_accounts,
            created_at=tx.created_at,
        )


class BookingOut(CamelStruct, frozen=True, kw_only=True):
    """One booked transaction of the merchant."""

    transaction_id: str
    direction: str
    account_id: str
    kind: str
    amount: Decimal
    currency: str
    counterparty: str
    booked_at: datetime

    @classmethod
    def of(cls, entry: ActivityEntry) -> BookingOut:
        return cls(
            transaction_id=entry.transaction_id,
            direction=entry.direction,
            account_id=entry.account_id,
            kind=entry.kind,
            amount=entry.amount.to_decimal(),
            currency=entry.amount.currency.code,
            counterparty=entry.counterparty,
            booked_at=entry.booked_at,
        )


class TotalsOut(CamelStruct, frozen=True, kw_only=True):
    """Counts and euro sums (at the stated rates) of the merchant's bookings in a window."""

    debits: int
    debit_amount_eur: Decimal
    credits: int
    credit_amount_eur: Decimal

    @classmethod
    def of(cls, totals: ActivityTotals) -> TotalsOut:
        return cls(
            debits=totals.debits,
            debit_amount_eur=_eur(totals.debit_eur_minor),
            credits=totals.credits,
            credit_amount_eur=_eur(totals.credit_eur_minor),
        )


class ActivityOut(CamelStruct, frozen=True, kw_only=True):
    """The merchant's newest bookings and its totals over the last 24 hours and 30 days."""

    recent: list[BookingOut]
    last_24_hours: TotalsOut
    last_30_days: TotalsOut

    @classmethod
    def of(cls, activity: MerchantActivity) -> ActivityOut:
        return cls(
            recent=[BookingOut.of(entry) for entry in activity.recent],
            last_24_hours=TotalsOut.of(activity.last_24_hours),
            last_30_days=TotalsOut.of(activity.last_30_days),
        )


class CaseDetailOut(CamelStruct, frozen=True, kw_only=True):
    """Everything a reviewer needs to decide a case."""

    case: CaseOut
    decision: DecisionOut
    transaction: TransactionOut
    activity: ActivityOut

    @classmethod
    def of(cls, detail: CaseDetail) -> CaseDetailOut:
        return cls(
            case=CaseOut.of_case(detail.case),
            decision=DecisionOut.of(detail.decision),
            transaction=TransactionOut.of(detail.transaction),
            activity=ActivityOut.of(detail.activity),
        )
