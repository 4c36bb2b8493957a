"""ListCases, GetCase and DecideCase through fakes: outcomes, audit, webhook and event."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from compliance.application.reviews.decide import MONITORING_STATUS_UPDATED, DecideCase
from compliance.application.reviews.ports import (
    ActivityTotals,
    MerchantActivity,
    SortKey,
    StatusFilter,
)
from compliance.application.reviews.queries import CASE_NOT_FOUND, GetCase, ListCases
from compliance.domain.access import ReviewerIdentity
from compliance.domain.monitoring.decision import Decision, MonitoringStatus, Reason
from compliance.domain.reviews import (
    CASE_ALREADY_DECIDED,
    SECOND_REVIEWER_REQUIRED,
    SUPERVISOR_REQUIRED,
    CaseStatus,
    ReviewDecision,
)
from shared_kernel.contracts import TransactionDecidedV1
from shared_kernel.domain.errors import Conflict, InvalidInput, NotFound, RuleViolated
from tests.compliance.monitoring_fakes import FakeDecisionStore
from tests.compliance.review_fakes import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    NOW,
    FakeReviewStore,
    FixedRates,
    held_case,
)

pytestmark = pytest.mark.unit

APPROVE, REJECT = ReviewDecision.APPROVE, ReviewDecision.REJECT
FOUR_EYES = 1_000_000  # 10,000.00 EUR
RATES = FixedRates({("USD", "EUR"): Decimal("0.9")})


@pytest.fixture
def store() -> FakeReviewStore:
    return FakeReviewStore()


def _decide(store: FakeReviewStore, four_eyes: int | None = FOUR_EYES) -> DecideCase:
    return DecideCase(
        store.unit_of_work, store, RATES, lambda: NOW, four_eyes_above_minor=four_eyes
    )


# ListCases


def _queue(store: FakeReviewStore) -> None:
    store.add(held_case("c1", risk_score=70, amount="900.00", created_at=NOW))
    store.add(held_case("c2", risk_score=20, amount="50.00", created_at=NOW + timedelta(1)))
    store.add(held_case("c3", risk_score=90, customer_id="cust-2", created_at=NOW + timedelta(2)))
    store.add(held_case("c4", status=CaseStatus.AWAITING_SECOND_REVIEW))
    store.add(held_case("c5", status=CaseStatus.APPROVED))
    store.add(held_case("c6", status=CaseStatus.REJECTED))


async def test_the_pending_queue_holds_cases_awaiting_a_first_or_second_review(
    store: FakeReviewStore,
) -> None:
    _queue(store)

    page = await ListCases(store)()

    assert {case.case_id for case in page.items} == {"c1", "c2", "c3", "c4"}
    assert (page.total, page.page, page.page_size) == (4, 1, 20)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (StatusFilter.APPROVED, {"c5"}),
        (StatusFilter.REJECTED, {"c6"}),
        (StatusFilter.ALL, {"c1", "c2", "c3", "c4", "c5", "c6"}),
    ],
)
async def test_the_queue_filters_by_status(
    store: FakeReviewStore, status: StatusFilter, expected: set[str]
) -> None:
    _queue(store)

    page = await ListCases(store)(status=status)

    assert {case.case_id for case in page.items} == expected


async def test_the_queue_filters_by_customer_and_minimum_risk_and_sorts_and_pages(
    store: FakeReviewStore,
) -> None:
    _queue(store)
    list_cases = ListCases(store)

    riskiest = await list_cases(sort=SortKey.RISK_SCORE, descending=True, page_size=2)
    second_page = await list_cases(sort=SortKey.RISK_SCORE, descending=True, page=2, page_size=2)
    customer = await list_cases(customer_id="cust-2")
    risky = await list_cases(min_risk=50, sort=SortKey.AMOUNT)

    assert [c.case_id for c in riskiest.items] == ["c3", "c1"]
    assert riskiest.total == second_page.total == 4
    assert [c.case_id for c in second_page.items] == ["c4", "c2"]
    assert [c.case_id for c in customer.items] == ["c3"]
    assert [c.case_id for c in risky.items] == ["c3", "c1"]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"page": 0}, "page"),
        ({"page_size": 0}, "pageSize"),
        ({"page_size": 101}, "pageSize"),
        ({"min_risk": 101}, "minRisk"),
    ],
)
async def test_a_page_out_of_range_is_refused(
    store: FakeReviewStore, arguments: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await ListCases(store)(**arguments)

    assert [p.field for p in refused.value.problems] == [field]


# GetCase


def _decision_for(case_id: str) -> Decision:
    return Decision(
        decision_id=f"decision-{case_id}",
        transaction_id=f"tx-{case_id}",
        customer_id="cust-1",
        client_id="client-1",
        status=MonitoringStatus.PENDING_EXTERNAL_APPROVAL,
        risk_score=40,
        reasons=(Reason("AMOUNT_THRESHOLD:large-amount", "Above 10000.00 EUR"),),
        outcomes=(),
        decided_at=NOW,
        decided_by="engine",
    )


async def test_reading_a_case_gives_its_decision_transaction_and_activity_and_is_audited(
    store: FakeReviewStore,
) -> None:
    store.add(held_case("c1"))
    decisions = FakeDecisionStore()
    decisions.decisions["cust-1", "tx-c1"] = _decision_for("c1")
    store.activity = MerchantActivity(
        recent=[], last_24_hours=ActivityTotals(debits=2), last_30_days=ActivityTotals(debits=9)
    )

    detail = await GetCase(store, decisions, lambda: NOW)("c1", ALICE)

    assert detail.case.case_id == "c1"
    assert detail.decision.reasons[0].code == "AMOUNT_THRESHOLD:large-amount"
    assert detail.transaction.transaction_id == "tx-c1"
    assert detail.activity.last_30_days.debits == 9
    assert store.activity_asked == [("cust-1", "client-1", NOW, 20)]
    assert store.actions() == [("c1", "alice", "CASE_VIEWED")]


async def test_reading_an_unknown_case_is_not_found(store: FakeReviewStore) -> None:
    with pytest.raises(NotFound) as missing:
        await GetCase(store, FakeDecisionStore(), lambda: NOW)("nope", ALICE)

    assert missing.value.code == CASE_NOT_FOUND
    assert store.audit_log == []


# DecideCase


async def test_an_approval_below_four_eyes_tells_toqio_and_announces_the_decision(
    store: FakeReviewStore,
) -> None:
    store.add(held_case("c1", amount="10000.00"))

    case = await _decide(store)("c1", ALICE, APPROVE, " Invoice checked ")

    assert case.status is CaseStatus.APPROVED
    assert store.cases["c1"].status is CaseStatus.APPROVED
    [webhook] = store.webhooks
    assert webhook.webhook_type == MONITORING_STATUS_UPDATED
    assert MONITORING_STATUS_UPDATED == "TRANSACTION_MONITORING_STATUS_UPDATED"
    assert (webhook.customer_id, webhook.ordering_key, webhook.dedupe_key) == (
        "cust-1",
        "transaction:tx-c1",
        "monitoring-status:c1",
    )
    payload = dict(webhook.payload)
    assert len(payload.pop("id")) == 36
    assert payload == {
        "transactionId": "tx-c1",
        "status": "APPROVED",
        "previousStatus": "PENDING_EXTERNAL_APPROVAL",
        "reason": "Invoice checked",
        "decidedAt": "2030-06-01T12:00:00.123Z",
        "decidedBy": "alice",
    }
    [(event, correlation_id)] = store.events
    assert event == TransactionDecidedV1(
        customer_id="cust-1",
        transaction_id="tx-c1",
        decision_id="decision-c1",
        status="APPROVED",
        risk_score=40,
        decided_by="alice",
    )
    assert correlation_id == "tx-c1"
    assert store.actions() == [("c1", "alice", "CASE_APPROVED")]
    assert store.audit_log[0].detail == "Invoice checked"


async def test_a_rejection_is_final_at_any_amount(store: FakeReviewStore) -> None:
    store.add(held_case("c1", amount="50000.00"))

    case = await _decide(store)("c1", CAROL, REJECT, "Payee not known")

    assert case.status is CaseStatus.REJECTED
    assert [w.payload["status"] for w in store.webhooks] == ["REJECTED"]
    assert [e.status for e, _ in store.events if isinstance(e, TransactionDecidedV1)] == [
        "REJECTED"
    ]
    assert store.actions() == [("c1", "carol", "CASE_REJECTED")]


async def test_four_eyes_first_approval_waits_and_a_supervisor_closes_the_case(
    store: FakeReviewStore,
) -> None:
    store.add(held_case("c1", amount="10000.01"))
    decide = _decide(store)

    first = await decide("c1", ALICE, APPROVE, "Looks fine")
    assert first.status is CaseStatus.AWAITING_SECOND_REVIEW
    assert store.webhooks == []
    assert store.events == []

    second = await decide("c1", BOB, APPROVE, "Agreed")

    assert second.status is CaseStatus.APPROVED
    assert [w.payload["decidedBy"] for w in store.webhooks] == ["alice,bob"]
    assert [w.payload["reason"] for w in store.webhooks] == ["Agreed"]
    assert [e.decided_by for e, _ in store.events if isinstance(e, TransactionDecidedV1)] == [
        "alice,bob"
    ]
    assert store.actions() == [("c1", "alice", "FIRST_APPROVAL"), ("c1", "bob", "CASE_APPROVED")]


@pytest.mark.parametrize(
    ("amount", "currency", "final"),
    [
        pytest.param("11111.11", "USD", True, id="usd-at-or-below"),
        pytest.param("11111.12", "USD", False, id="usd-above"),
        pytest.param("10.00", "GBP", False, id="no-stated-rate"),
    ],
)
async def test_the_four_eyes_amount_is_compared_in_euros_at_the_stated_rates(
    store: FakeReviewStore, amount: str, currency: str, final: bool
) -> None:
    store.add(held_case("c1", amount=amount, currency=currency))

    case = await _decide(store)("c1", ALICE, APPROVE, "Looks fine")

    assert case.is_final is final


async def test_without_a_four_eyes_amount_one_approval_is_always_final(
    store: FakeReviewStore,
) -> None:
    store.add(held_case("c1", amount="9999999.00"))

    case = await _decide(store, four_eyes=None)("c1", ALICE, APPROVE, "Looks fine")

    assert case.status is CaseStatus.APPROVED


@pytest.mark.parametrize(
    ("second", "code"),
    [(ALICE, SECOND_REVIEWER_REQUIRED), (CAROL, SUPERVISOR_REQUIRED)],
)
async def test_a_refused_second_approval_changes_nothing_and_is_audited(
    store: FakeReviewStore, second: ReviewerIdentity, code: str
) -> None:
    store.add(held_case("c1", amount="20000.00"))
    decide = _decide(store)
    await decide("c1", ALICE, APPROVE, "Looks fine")

    with pytest.raises(RuleViolated) as refused:
        await decide("c1", second, APPROVE, "Me too")

    assert refused.value.code == code
    assert store.cases["c1"].status is CaseStatus.AWAITING_SECOND_REVIEW
    assert len(store.cases["c1"].approvals) == 1
    assert store.webhooks == []
    assert store.actions()[-1][2] == "DECISION_REFUSED"
    assert store.audit_log[-1].detail.startswith(f"{code} (APPROVE)")


async def test_deciding_a_decided_case_is_a_conflict_and_is_audited(
    store: FakeReviewStore,
) -> None:
    store.add(held_case("c1"))
    decide = _decide(store)
    await decide("c1", ALICE, REJECT, "Payee not known")

    with pytest.raises(Conflict) as refused:
        await decide("c1", BOB, APPROVE, "Overruling")

    assert refused.value.code == CASE_ALREADY_DECIDED
    assert store.cases["c1"].status is CaseStatus.REJECTED
    assert len(store.webhooks) == 1
    assert store.actions() == [("c1", "alice", "CASE_REJECTED"), ("c1", "bob", "DECISION_REFUSED")]


async def test_a_decision_without_a_reason_is_refused_and_audited(store: FakeReviewStore) -> None:
    store.add(held_case("c1"))

    with pytest.raises(InvalidInput):
        await _decide(store)("c1", ALICE, APPROVE, "  ")

    assert store.cases["c1"].status is CaseStatus.PENDING
    assert store.webhooks == []
    assert store.events == []
    assert store.actions() == [("c1", "alice", "DECISION_REFUSED")]


async def test_deciding_an_unknown_case_is_not_found_and_audited(store: FakeReviewStore) -> None:
    with pytest.raises(NotFound) as missing:
        await _decide(store)("nope", ALICE, APPROVE, "Looks fine")

    assert missing.value.code == CASE_NOT_FOUND
    assert store.actions() == [("nope", "alice", "DECISION_REFUSED")]


async def test_a_refusal_that_cannot_be_audited_still_reaches_the_reviewer(
    store: FakeReviewStore,
) -> None:
    store.audit_fails = True

    with pytest.raises(NotFound):
        await _decide(store)("nope", ALICE, APPROVE, "Looks fine")


async def test_two_reviewers_deciding_at_once_cannot_both_win(store: FakeReviewStore) -> None:
    store.add(held_case("c1"))
    decide = _decide(store)

    results = await asyncio.gather(
        decide("c1", BOB, APPROVE, "Fine"),
        decide("c1", DAVE, APPROVE, "Fine too"),
        return_exceptions=True,
    )

    assert sorted(type(r).__name__ for r in results) == ["Conflict", "ReviewCase"]
    assert len(store.webhooks) == 1
    assert len(store.cases["c1"].approvals) == 1
