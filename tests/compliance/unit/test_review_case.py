"""The review case's state machine: reasons, final decisions and the four-eyes rule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from compliance.domain.access import ReviewerIdentity, ReviewerRole
from compliance.domain.reviews import (
    CASE_ALREADY_DECIDED,
    SECOND_REVIEWER_REQUIRED,
    SUPERVISOR_REQUIRED,
    CaseStatus,
    ReviewDecision,
)
from shared_kernel.domain.errors import Conflict, InvalidInput, RuleViolated
from tests.compliance.review_fakes import ALICE, BOB, CAROL, DAVE, NOW, held_case

pytestmark = pytest.mark.unit

APPROVE, REJECT = ReviewDecision.APPROVE, ReviewDecision.REJECT
LATER = NOW + timedelta(minutes=5)


def test_an_approval_at_or_below_the_four_eyes_amount_is_final() -> None:
    case = held_case()

    entry = case.decide(
        ALICE, APPROVE, "  Known supplier, invoice checked  ", NOW, needs_second_review=False
    )

    assert case.status is CaseStatus.APPROVED
    assert case.decided_at == NOW
    assert case.decided_by == "alice"
    assert entry.reason == "Known supplier, invoice checked"
    assert [(a.username, a.decision) for a in case.approvals] == [("alice", APPROVE)]


def test_a_rejection_by_any_reviewer_is_final_even_above_the_four_eyes_amount() -> None:
    case = held_case()

    case.decide(CAROL, REJECT, "Payee unknown to the merchant", NOW, needs_second_review=True)

    assert case.status is CaseStatus.REJECTED
    assert case.decided_by == "carol"
    assert case.final_decision is not None
    assert case.final_decision.reason == "Payee unknown to the merchant"


def test_above_the_four_eyes_amount_the_first_approval_waits_for_a_second() -> None:
    case = held_case()

    case.decide(ALICE, APPROVE, "Looks fine to me", NOW, needs_second_review=True)

    assert case.status is CaseStatus.AWAITING_SECOND_REVIEW
    assert case.decided_at is None
    assert case.decided_by == ""
    assert not case.is_final


def test_a_supervisors_second_approval_closes_the_case_with_both_names() -> None:
    case = held_case()
    case.decide(ALICE, APPROVE, "Looks fine to me", NOW, needs_second_review=True)

    case.decide(BOB, APPROVE, "Agreed, contract on file", LATER, needs_second_review=True)

    assert case.status is CaseStatus.APPROVED
    assert case.decided_at == LATER
    assert case.decided_by == "alice,bob"
    assert case.final_decision is not None
    assert case.final_decision.reason == "Agreed, contract on file"


def test_the_second_approval_is_required_whatever_the_amount_now_looks_like() -> None:
    case = held_case()
    case.decide(ALICE, APPROVE, "Looks fine to me", NOW, needs_second_review=True)

    with pytest.raises(RuleViolated) as refused:
        case.decide(CAROL, APPROVE, "Also fine", LATER, needs_second_review=False)

    assert refused.value.code == SUPERVISOR_REQUIRED


def test_the_first_approver_cannot_give_the_second_approval() -> None:
    supervisor = ReviewerIdentity(reviewer_id="r-bob", username="bob", role=ReviewerRole.SUPERVISOR)
    case = held_case()
    case.decide(supervisor, APPROVE, "Looks fine to me", NOW, needs_second_review=True)

    with pytest.raises(RuleViolated) as refused:
        case.decide(supervisor, APPROVE, "Still fine", LATER, needs_second_review=True)

    assert refused.value.code == SECOND_REVIEWER_REQUIRED
    assert case.status is CaseStatus.AWAITING_SECOND_REVIEW
    assert len(case.approvals) == 1


def test_a_reviewer_who_is_not_a_supervisor_cannot_give_the_second_approval() -> None:
    case = held_case()
    case.decide(ALICE, APPROVE, "Looks fine to me", NOW, needs_second_review=True)

    with pytest.raises(RuleViolated) as refused:
        case.decide(CAROL, APPROVE, "Fine too", LATER, needs_second_review=True)

    assert refused.value.code == SUPERVISOR_REQUIRED
    assert case.status is CaseStatus.AWAITING_SECOND_REVIEW


def test_a_case_awaiting_its_second_review_can_still_be_rejected_by_anyone() -> None:
    case = held_case()
    case.decide(ALICE, APPROVE, "Looks fine to me", NOW, needs_second_review=True)

    case.decide(CAROL, REJECT, "Sanctions doubt", LATER, needs_second_review=True)

    assert case.status is CaseStatus.REJECTED
    assert case.decided_by == "carol"
    assert [a.decision for a in case.approvals] == [APPROVE, REJECT]


@pytest.mark.parametrize("decision", [APPROVE, REJECT])
def test_deciding_a_final_case_is_a_conflict(decision: ReviewDecision) -> None:
    case = held_case()
    case.decide(BOB, APPROVE, "Looks fine to me", NOW, needs_second_review=False)

    with pytest.raises(Conflict) as refused:
        case.decide(DAVE, decision, "Changed my mind", LATER, needs_second_review=False)

    assert refused.value.code == CASE_ALREADY_DECIDED
    assert case.decided_by == "bob"
    assert len(case.approvals) == 1


@pytest.mark.parametrize("reason", ["", "   ", "ok", " ok ", "x" * 1001])
def test_a_missing_short_or_overlong_reason_is_refused_and_changes_nothing(reason: str) -> None:
    case = held_case()

    with pytest.raises(InvalidInput) as refused:
        case.decide(ALICE, REJECT, reason, NOW, needs_second_review=False)

    assert [p.field for p in refused.value.problems] == ["reason"]
    assert case.status is CaseStatus.PENDING
    assert case.approvals == []


def test_a_reason_of_exactly_the_limits_is_accepted() -> None:
    short, long = held_case("a"), held_case("b")

    short.decide(ALICE, REJECT, "why", NOW, needs_second_review=False)
    long.decide(ALICE, REJECT, "y" * 1000, NOW, needs_second_review=False)

    assert short.status is long.status is CaseStatus.REJECTED
