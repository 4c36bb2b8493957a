"""The authorization aggregate: funds outcomes, replays, clearing and reversal arithmetic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cards.domain import errors
from cards.domain.authorization import Authorization
from cards.domain.authorization_decision import (
    AuthorizationKind,
    AuthorizationRequest,
    DeclineReason,
    LocalDecision,
    decide_locally,
)
from cards.domain.authorization_values import (
    AuthorizationStatus,
    HoldAction,
    HoldInstruction,
    OperationKind,
    ProcessorDecision,
)
from cards.domain.card import Card
from cards.domain.lifecycle import CardStatus
from cards.domain.limits import CardLimits, LimitKind, SpendKind
from cards.domain.spend import SpendUsage
from shared_kernel.domain.errors import Conflict, DomainError, InvalidInput, RuleViolated
from shared_kernel.domain.money import Money
from tests.cards.card_builders import (
    NOW,
    TODAY,
    TOQIO,
    auth_request,
    card_in,
    eur,
    merchant,
)

pytestmark = pytest.mark.unit

LATER = NOW + timedelta(seconds=1)
NOTHING = SpendUsage.zero("EUR")
LIMITS = CardLimits.of("EUR", {LimitKind.TRANSACTION: eur(5000), LimitKind.ATM_DAILY: eur(2000)})


def active_card(**overrides: object) -> Card:
    overrides.setdefault("limits", LIMITS)
    return card_in(CardStatus.ACTIVE, **overrides)


def decide(card: Card, request: AuthorizationRequest | None = None) -> LocalDecision:
    return decide_locally(card, NOTHING, request or auth_request(), TODAY)


def approved(amount: int = 1000) -> Authorization:
    authorization = pending(amount)
    authorization.approve(LATER)
    return authorization


def pending(amount: int = 1000) -> Authorization:
    request = auth_request(eur(amount))
    return Authorization.open(
        authorization_id="auth-1",
        request=request,
        decision=decide(active_card(limits=None), request),
        at=NOW,
        tenant_id="cust-1",
        account_id="acc-1",
    )


# Opening and deciding --------------------------------------------------------------------------


def test_a_locally_declined_request_is_stored_declined_and_answered_at_once() -> None:
    request = auth_request(eur(9999))
    authorization = Authorization.open(
        authorization_id="auth-1", request=request, decision=decide(active_card(), request), at=NOW
    )

    assert authorization.status is AuthorizationStatus.DECLINED
    assert authorization.decision is ProcessorDecision.DECLINED
    assert authorization.decline_reason is DeclineReason.LIMIT_EXCEEDED_TRANSACTION
    assert authorization.declined_limit is LimitKind.TRANSACTION
    assert authorization.decided_at == NOW
    assert authorization.tenant_id is None


def test_an_unknown_card_is_declined_without_a_card() -> None:
    decision = LocalDecision(SpendKind.PURCHASE, DeclineReason.CARD_NOT_FOUND)

    authorization = Authorization.open(
        authorization_id="auth-1", request=auth_request(), decision=decision, at=NOW
    )

    assert authorization.decline_reason is DeclineReason.CARD_NOT_FOUND


def test_a_request_waiting_for_funds_is_stored_before_it_is_decided() -> None:
    authorization = pending()

    assert authorization.status is AuthorizationStatus.PENDING_FUNDS
    assert authorization.decision is None
    assert authorization.open_amount == eur(0)
    assert (authorization.tenant_id, authorization.account_id) == ("cust-1", "acc-1")
    assert (authorization.card_id, authorization.processor_id) == ("card-1", "proc-auth-1")
    assert authorization.spend_kind is SpendKind.PURCHASE
    assert authorization.created_at == NOW
    assert "auth-1" in repr(authorization)


def test_waiting_for_funds_needs_the_account_to_reserve_on() -> None:
    with pytest.raises(InvalidInput):
        Authorization.open(
            authorization_id="auth-1",
            request=auth_request(),
            decision=LocalDecision(SpendKind.PURCHASE),
            at=NOW,
            tenant_id="cust-1",
        )


def test_reserved_funds_approve_the_authorization() -> None:
    authorization = approved(1000)

    assert authorization.status is AuthorizationStatus.APPROVED
    assert authorization.decision is ProcessorDecision.APPROVED
    assert authorization.decided_at == LATER
    assert authorization.open_amount == eur(1000)
    assert authorization.version == 2


def test_refused_funds_decline_without_touching_the_hold() -> None:
    authorization = pending()

    instruction = authorization.decline(DeclineReason.INSUFFICIENT_FUNDS, LATER)

    assert instruction == HoldInstruction.nothing()
    assert authorization.decision is ProcessorDecision.DECLINED


def test_a_funds_timeout_declines_and_voids_any_hold_placed_late() -> None:
    authorization = pending()

    instruction = authorization.decline(DeclineReason.FUNDS_TIMEOUT, LATER)

    assert instruction == HoldInstruction(HoldAction.VOID)
    assert authorization.decline_reason is DeclineReason.FUNDS_TIMEOUT


def test_an_authorization_is_decided_once() -> None:
    authorization = approved()

    with pytest.raises(Conflict) as refused:
        authorization.decline(DeclineReason.FUNDS_TIMEOUT, LATER)
    assert refused.value.code == "AUTHORIZATION_STATE_CONFLICT"
    with pytest.raises(Conflict):
        authorization.approve(LATER)
    assert authorization.status is AuthorizationStatus.APPROVED


# Replays ---------------------------------------------------------------------------------------


def test_the_same_request_again_gets_the_stored_decision() -> None:
    authorization = approved()

    authorization.check_replay(auth_request(eur(1000)))

    assert authorization.decision is ProcessorDecision.APPROVED


@pytest.mark.parametrize(
    ("replay", "named"),
    [
        (auth_request(eur(1001)), "amount"),
        (auth_request(Money.of(1000, "USD")), "currency"),
        (auth_request(eur(1000), card_id="card-2"), "cardId"),
        (auth_request(eur(1000), at=merchant("5812")), "merchant"),
        (auth_request(eur(1000), kind=AuthorizationKind.ADVICE), "kind"),
    ],
)
def test_a_replayed_processor_id_with_another_request_is_refused(
    replay: AuthorizationRequest, named: str
) -> None:
    authorization = approved()

    with pytest.raises(Conflict) as refused:
        authorization.check_replay(replay)

    assert refused.value.code == "AUTHORIZATION_MISMATCH"
    assert named in refused.value.message
    assert authorization.request.differences(replay) == (named,)
    assert not authorization.request.same_request(replay)


# Clearing and reversal -------------------------------------------------------------------------


def test_a_full_clearing_posts_the_whole_hold() -> None:
    authorization = approved(1000)

    outcome = authorization.clear("clr-1", eur(1000), LATER)

    assert outcome.instruction == HoldInstruction(HoldAction.POST, eur(1000))
    assert not outcome.replayed
    assert outcome.operation.kind is OperationKind.CLEARING
    assert authorization.status is AuthorizationStatus.CLEARED
    assert authorization.decision is ProcessorDecision.APPROVED
    assert (authorization.cleared, authorization.released) == (eur(1000), eur(0))


def test_a_partial_clearing_posts_less_and_releases_the_rest() -> None:
    authorization = approved(1000)

    outcome = authorization.clear("clr-1", eur(700), LATER)

    assert outcome.instruction == HoldInstruction(HoldAction.POST, eur(700))
    assert authorization.released == eur(300)
    assert authorization.open_amount == eur(0)


def test_clearing_more_than_was_authorized_is_refused_and_changes_nothing() -> None:
    authorization = approved(1000)

    with pytest.raises(RuleViolated) as refused:
        authorization.clear("clr-1", eur(1001), LATER)

    assert refused.value.code == "CLEARING_EXCEEDS_AUTHORIZATION"
    assert "10.01 EUR" in refused.value.message
    assert authorization.status is AuthorizationStatus.APPROVED
    assert authorization.operations == ()
    assert authorization.version == 2


def test_the_same_clearing_twice_has_one_effect() -> None:
    authorization = approved(1000)
    first = authorization.clear("clr-1", eur(600), LATER)

    again = authorization.clear("clr-1", eur(600), LATER)

    assert again.replayed
    assert again.instruction == HoldInstruction.nothing()
    assert again.operation == first.operation
    assert authorization.cleared == eur(600)


def test_a_replayed_clearing_with_another_amount_is_refused() -> None:
    authorization = approved(1000)
    authorization.clear("clr-1", eur(600), LATER)

    with pytest.raises(Conflict) as refused:
        authorization.clear("clr-1", eur(700), LATER)
    assert refused.value.code == "OPERATION_MISMATCH"
    with pytest.raises(Conflict):
        authorization.reverse("clr-1", eur(600), LATER)


def test_a_second_clearing_is_refused_because_a_hold_resolves_once() -> None:
    authorization = approved(1000)
    authorization.clear("clr-1", eur(600), LATER)

    with pytest.raises(Conflict) as refused:
        authorization.clear("clr-2", eur(100), LATER)

    assert refused.value.code == "AUTHORIZATION_STATE_CONFLICT"


def test_a_partial_reversal_shrinks_what_can_be_cleared() -> None:
    authorization = approved(1000)

    outcome = authorization.reverse("rev-1", eur(400), LATER)

    assert outcome.instruction == HoldInstruction.nothing()
    assert authorization.status is AuthorizationStatus.APPROVED
    assert authorization.open_amount == eur(600)
    with pytest.raises(RuleViolated):
        authorization.clear("clr-1", eur(601), LATER)
    authorization.clear("clr-1", eur(500), LATER)
    assert (authorization.cleared, authorization.reversed, authorization.released) == (
        eur(500),
        eur(400),
        eur(100),
    )


def test_a_full_reversal_voids_the_hold() -> None:
    authorization = approved(1000)
    authorization.reverse("rev-1", eur(250), LATER)

    outcome = authorization.reverse("rev-2", eur(750), LATER)

    assert outcome.instruction == HoldInstruction(HoldAction.VOID)
    assert authorization.status is AuthorizationStatus.REVERSED
    assert authorization.reversed == eur(1000)
    assert [op.processor_id for op in authorization.operations] == ["rev-1", "rev-2"]
    with pytest.raises(Conflict):
        authorization.clear("clr-1", eur(1), LATER)


def test_reversing_more_than_is_open_is_refused() -> None:
    authorization = approved(1000)

    with pytest.raises(RuleViolated) as refused:
        authorization.reverse("rev-1", eur(1001), LATER)

    assert refused.value.code == "REVERSAL_EXCEEDS_AUTHORIZATION"


@pytest.mark.parametrize("make", [pending, lambda: _declined()], ids=["pending", "declined"])
def test_only_an_approved_authorization_is_cleared_or_reversed(make: object) -> None:
    authorization = make()  # type: ignore[operator]

    with pytest.raises(Conflict):
        authorization.clear("clr-1", eur(100), LATER)
    with pytest.raises(Conflict):
        authorization.reverse("rev-1", eur(100), LATER)
    assert authorization.operations == ()


def _declined() -> Authorization:
    authorization = pending()
    authorization.decline(DeclineReason.INSUFFICIENT_FUNDS, LATER)
    return authorization


@pytest.mark.parametrize(
    ("processor_id", "amount"), [("clr-1", eur(0)), ("clr-1", Money.of(100, "USD")), ("", eur(1))]
)
def test_a_malformed_clearing_is_refused(processor_id: str, amount: Money) -> None:
    authorization = approved()

    with pytest.raises(InvalidInput) as refused:
        authorization.clear(processor_id, amount, LATER)

    assert refused.value.code == "INVALID_AUTHORIZATION"
    assert authorization.status is AuthorizationStatus.APPROVED


def test_a_card_closed_since_the_authorization_still_clears() -> None:
    card = active_card(limits=None)
    request = auth_request(eur(1000))
    authorization = Authorization.open(
        authorization_id="auth-1",
        request=request,
        decision=decide(card, request),
        at=NOW,
        tenant_id=card.tenant_id,
        account_id=card.profile.account_id,
    )
    authorization.approve(LATER)
    card.close(TOQIO)

    outcome = authorization.clear("clr-1", eur(1000), LATER)

    assert outcome.instruction.action is HoldAction.POST
    assert card.status is CardStatus.CLOSED


def test_an_authorization_rebuilt_from_storage_keeps_its_operations() -> None:
    authorization = approved(1000)
    authorization.reverse("rev-1", eur(100), LATER)

    rebuilt = Authorization(
        authorization_id=authorization.authorization_id,
        request=authorization.request,
        tenant_id=authorization.tenant_id,
        account_id=authorization.account_id,
        status=authorization.status,
        created_at=authorization.created_at,
        decided_at=authorization.decided_at,
        operations=authorization.operations,
        version=authorization.version,
    )

    assert rebuilt.open_amount == eur(900)
    assert rebuilt.reverse("rev-1", eur(100), LATER).replayed


# The arithmetic, for any sequence --------------------------------------------------------------

OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(list(OperationKind)),
        st.integers(min_value=-5, max_value=1_200),
        st.sampled_from(["op-1", "op-2", "op-3", "op-4", "op-5"]),
    ),
    max_size=8,
)


@settings(max_examples=500)
@given(st.integers(min_value=1, max_value=1_000), OPERATIONS)
def test_cleared_plus_reversed_never_exceeds_what_was_authorized(
    authorized: int, operations: list[tuple[OperationKind, int, str]]
) -> None:
    authorization = approved(authorized)
    posted = voided = 0
    for kind, amount, processor_id in operations:
        before = (authorization.status, authorization.operations, authorization.version)
        apply = authorization.clear if kind is OperationKind.CLEARING else authorization.reverse
        try:
            outcome = apply(processor_id, eur(amount), LATER)
        except DomainError:
            assert (authorization.status, authorization.operations, authorization.version) == before
            continue
        posted += outcome.instruction.action is HoldAction.POST
        voided += outcome.instruction.action is HoldAction.VOID
        total = authorization.cleared + authorization.reversed
        assert total <= eur(authorized)
        assert authorization.open_amount + total <= eur(authorized)
    # The hold resolves at most once: one POST or one VOID, never both.
    assert posted + voided <= 1
    if authorization.status is AuthorizationStatus.CLEARED:
        assert authorization.cleared + authorization.reversed + authorization.released == eur(
            authorized
        )
    if authorization.status is AuthorizationStatus.REVERSED:
        assert authorization.reversed == eur(authorized)


def test_final_statuses_are_declined_cleared_and_reversed() -> None:
    assert {s for s in AuthorizationStatus if s.is_final} == {
        AuthorizationStatus.DECLINED,
        AuthorizationStatus.CLEARED,
        AuthorizationStatus.REVERSED,
    }
    assert approved().released == eur(0)


def test_an_authorization_needs_a_valid_id() -> None:
    with pytest.raises(InvalidInput) as refused:
        Authorization.open(
            authorization_id="auth 1",
            request=auth_request(),
            decision=LocalDecision(SpendKind.PURCHASE, DeclineReason.CARD_NOT_FOUND),
            at=NOW,
        )

    assert refused.value.code == "INVALID_AUTHORIZATION"
    assert refused.value.problems[0].field == "authorizationId"
    assert errors.authorization_not_found("auth-9").code == "AUTHORIZATION_NOT_FOUND"
