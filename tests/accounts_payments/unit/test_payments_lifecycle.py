"""The Payment aggregate's lifecycle: allowed moves, stale news, Toqio's statuses, reasons."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts_payments.domain.payments.lifecycle import (
    FINAL,
    HOLD_OPEN,
    TOQIO_STATUS,
    PaymentState,
    can_move,
    is_stale,
)
from accounts_payments.domain.payments.payment import (
    Counterparty,
    CounterpartyKind,
    FxTerms,
    Payment,
)
from accounts_payments.domain.payments.reasons import ReasonCode, is_known
from accounts_payments.domain.payments.schemes import PaymentScheme, core_payment_type
from accounts_payments.domain.transactions import TransactionStatus
from shared_kernel.domain.errors import RuleViolated
from shared_kernel.domain.money import Money

NOW = datetime(2030, 1, 1, tzinfo=UTC)
S = PaymentState


def payment(**overrides: object) -> Payment:
    values: dict[str, object] = {
        "payment_id": "pay-1",
        "customer_id": "cust-1",
        "client_id": "cl-1",
        "source_account_id": "acc-1",
        "counterparty": Counterparty(
            kind=CounterpartyKind.BENEFICIARY,
            reference_id="ben-1",
            name="Jane Doe",
            currency="EUR",
            country="DE",
            iban="DE89370400440532013000",
        ),
        "scheme": PaymentScheme.SEPA,
        "amount": Money.of(1000, "EUR"),
        "credited": Money.of(1000, "EUR"),
        "created_at": NOW,
    }
    values.update(overrides)
    return Payment(**values)  # type: ignore[arg-type]


def test_the_happy_path_records_every_move_in_order() -> None:
    p = payment()
    p.reserve(at=NOW)
    assert p.submitted("prov-1", at=NOW)
    assert p.move_to(S.ACCEPTED, at=NOW)
    assert p.move_to(S.SETTLED, at=NOW)
    moves = p.pull_transitions()
    assert [(m.previous, m.state) for m in moves] == [
        (S.CREATED, S.RESERVED),
        (S.RESERVED, S.SUBMITTED),
        (S.SUBMITTED, S.ACCEPTED),
        (S.ACCEPTED, S.SETTLED),
    ]
    assert [m.sequence for m in moves] == [1, 2, 3, 4]
    assert p.provider_payment_id == "prov-1"
    assert p.toqio_status is TransactionStatus.POSTED
    assert p.pull_transitions() == []


def test_news_of_a_state_already_passed_changes_nothing() -> None:
    p = payment()
    p.reserve(at=NOW)
    p.move_to(S.SETTLED, at=NOW)
    p.pull_transitions()
    assert not p.move_to(S.ACCEPTED, at=NOW)
    assert not p.move_to(S.SETTLED, at=NOW)
    assert not p.submitted("prov-2", at=NOW)
    assert p.state is S.SETTLED
    assert p.pull_transitions() == []


def test_a_rejected_payment_cannot_settle() -> None:
    p = payment()
    p.reserve(at=NOW)
    p.move_to(S.REJECTED, at=NOW, reason=ReasonCode.of("AC04"))
    with pytest.raises(RuleViolated) as caught:
        p.move_to(S.SETTLED, at=NOW)
    assert caught.value.code == "INVALID_PAYMENT_TRANSITION"
    assert p.state is S.REJECTED
    assert p.reason == ReasonCode("AC04", "The beneficiary's account is closed")


def test_a_settled_payment_is_returned_not_rejected() -> None:
    p = payment()
    p.reserve(at=NOW)
    p.move_to(S.SETTLED, at=NOW)
    with pytest.raises(RuleViolated):
        p.move_to(S.REJECTED, at=NOW)
    assert p.move_to(S.RETURNED, at=NOW, reason=ReasonCode.of("MD06"))
    assert p.toqio_status is TransactionStatus.POSTED


@given(st.sampled_from(list(S)), st.sampled_from(list(S)))
def test_moves_are_either_allowed_stale_or_refused(
    current: PaymentState, target: PaymentState
) -> None:
    p = payment(state=current)
    if can_move(current, target):
        assert p.move_to(target, at=NOW)
        assert p.state is target
    elif is_stale(current, target):
        assert not p.move_to(target, at=NOW)
        assert p.state is current
    else:
        with pytest.raises(RuleViolated):
            p.move_to(target, at=NOW)
        assert p.state is current


def test_final_states_allow_nothing_and_holds_are_open_only_before_an_outcome() -> None:
    assert {S.REJECTED, S.CANCELLED, S.RETURNED} == FINAL
    assert {S.RESERVED, S.SUBMITTED, S.ACCEPTED} == HOLD_OPEN
    assert set(TOQIO_STATUS) == set(S)
    assert payment(state=S.ACCEPTED).hold_open
    assert not payment(state=S.SETTLED).hold_open


def test_core_payment_type_follows_the_scheme_unless_the_payment_converts() -> None:
    assert payment().core_payment_type == "payment-type-EU-SEPA-Step2"
    assert core_payment_type(PaymentScheme.SEPA_INSTANT, fx=False) == "payment-type-EU-SEPA-Instant"
    assert core_payment_type(PaymentScheme.INTERNAL_TRANSFER, fx=False) == "INTERNAL-TRANSFER"
    fx = payment(fx=FxTerms(rate=Decimal("0.85"), fixed_side="SENDER"))
    assert fx.is_fx
    assert fx.core_payment_type == "payment-type-fx"


def test_reason_codes_describe_iso_codes_and_keep_a_providers_own_words() -> None:
    assert ReasonCode.of("am04").description == "Insufficient funds at the bank"
    assert ReasonCode.of(None).code == "MS03"
    assert ReasonCode.of("ZZ99").description == "Refused by the bank (ZZ99)"
    own = ReasonCode.of("ACCOUNT_NOT_FOUND", "the bank has no such account")
    assert own == ReasonCode("MS03", "the bank has no such account (ACCOUNT_NOT_FOUND)")
    assert is_known("AC04")
    assert not is_known("ZZ99")
