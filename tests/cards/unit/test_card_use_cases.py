"""Issuing cards and their lifecycle through the use cases, on fakes and the real vault."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cards.application.cards.changes import CARD_FAILED, CARD_STATUS_UPDATED
from cards.application.cards.ports import ProcessorCardRequest, ProcessorStatus
from cards.domain.audit import AuditAction
from cards.domain.card_types import CardForm
from cards.domain.lifecycle import CardAction, CardStatus, Channel, ToqioCardStatus
from cards.domain.limits import LimitKind, SpendKind
from cards.domain.secrets import SecretField
from cards.domain.spend import SpendUsage
from shared_kernel.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    NotImplementedByProvider,
)
from shared_kernel.domain.money import Money
from tests.cards.card_kit import BIN, TENANT, CardKit, ScriptedDigits, command

pytestmark = pytest.mark.unit


@pytest.fixture
def kit() -> CardKit:
    return CardKit()


class UnreachableProcessor:
    async def issue_card(self, request: ProcessorCardRequest) -> str:
        raise ConnectionError("processor down")


async def test_a_virtual_card_is_active_at_once_with_its_pan_pin_and_code_sealed(
    kit: CardKit,
) -> None:
    view = await kit.issue_card()(command())
    card, issuance = view.card, view.issuance
    pan = await kit.pan_of(card.card_id)
    pin = kit.store.state.secrets[(card.card_id, SecretField.PIN)][0]
    code = kit.sandbox.security_code(card.card_id)

    assert card.status is CardStatus.ACTIVE
    assert card.profile.form is CardForm.VIRTUAL
    assert pan is not None
    assert BIN.contains(pan)
    assert card.profile.last4 == pan.last4
    assert card.profile.pan_ref.startswith("tok_")
    assert len((await kit.vault.open_pin(pin)).digits) == 4
    assert code is not None
    assert len(code) == 6
    assert issuance.security_code_hash is not None
    assert kit.hasher.matches(card.card_id, code, issuance.security_code_hash)
    assert issuance.processor_status is ProcessorStatus.ACCEPTED
    assert issuance.processor_card_id is not None
    assert [t.action for t in kit.store.state.transitions] == [CardAction.ISSUE]
    assert [e.action for e in kit.store.audit_events] == [AuditAction.CARD_ISSUED]
    assert kit.store.audit_events[0].details["last4"] == pan.last4
    assert kit.store.webhooks == []
    assert kit.leaked_card_numbers() == []


async def test_a_physical_card_waits_for_activation(kit: CardKit) -> None:
    view = await kit.issue_card()(command(physical=True))

    assert view.card.status is CardStatus.PENDING_ACTIVATION
    assert view.card.toqio_status is ToqioCardStatus.PENDING


async def test_a_card_is_issued_with_exactly_the_limits_asked_for(kit: CardKit) -> None:
    limits = {LimitKind.DAILY: Decimal("1000"), LimitKind.ATM_OPERATIONS: 5}

    view = await kit.issue_card()(command(limits=limits, programme="STANDARD", design="blue"))

    assert view.card.limits.configured() == {
        LimitKind.DAILY: Money.of(100_000, "EUR"),
        LimitKind.ATM_OPERATIONS: 5,
    }
    assert view.issuance.programme == "STANDARD"
    assert view.issuance.design == "blue"


async def test_limits_out_of_bounds_are_refused_naming_the_field_and_nothing_is_stored(
    kit: CardKit,
) -> None:
    limits = {LimitKind.DAILY: Decimal("50000"), LimitKind.TRANSACTION: Decimal("1.005")}

    with pytest.raises(InvalidInput) as refused:
        await kit.issue_card()(command(limits=limits))
    with pytest.raises(InvalidInput) as out_of_bounds:
        await kit.issue_card()(command(limits={LimitKind.DAILY: Decimal("50000")}))

    assert refused.value.code == "INVALID_LIMITS"
    assert [p.field for p in refused.value.problems] == ["cardLimitTransaction"]
    assert out_of_bounds.value.code == "INVALID_LIMITS"
    assert [(p.field, p.code) for p in out_of_bounds.value.problems] == [
        ("cardLimitDaily", "ABOVE_MAXIMUM")
    ]
    assert kit.store.state.cards == {}
    assert kit.store.state.secrets == {}
    assert kit.store.commits == 0


@pytest.mark.parametrize("funding", ["CREDIT", "PREPAID", "CHARGE"])
async def test_cards_other_than_debit_are_not_implemented(kit: CardKit, funding: str) -> None:
    with pytest.raises(NotImplementedByProvider) as refused:
        await kit.issue_card()(command(funding=funding))

    assert refused.value.code == "FUNCTION_NOT_IMPLEMENTED_YET"
    assert kit.store.state.cards == {}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"company_id": None}, "companyId"),
        ({"currency": None}, "currency"),
        ({"client_type": "GOVERNMENT"}, "clientType"),
        ({"name_on_card": "A NAME FAR TOO LONG TO FIT"}, "nameOnCard"),
        ({"programme": "P" * 65}, "cardProgramme"),
        ({"design": "de\tsign"}, "cardDesign"),
    ],
)
async def test_a_request_missing_what_a_card_needs_is_refused_naming_it(
    kit: CardKit, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await kit.issue_card()(command(**overrides))

    assert refused.value.problems[0].field == field
    assert kit.store.state.cards == {}


async def test_a_pan_another_card_has_is_never_issued_twice(kit: CardKit) -> None:
    kit.digits = ScriptedDigits({9: ["123456789", "123456789", "987654321"]})

    first = await kit.issue()
    second = await kit.issue()

    first_pan, second_pan = await kit.pan_of(first), await kit.pan_of(second)
    assert first_pan is not None
    assert second_pan is not None
    assert first_pan.digits != second_pan.digits
    assert second_pan.digits.startswith(BIN.prefix + "987654321")


async def test_a_range_with_no_free_pan_is_refused(kit: CardKit) -> None:
    kit.digits = ScriptedDigits({9: ["123456789"] * 9})
    await kit.issue()

    with pytest.raises(Conflict) as refused:
        await kit.issue()

    assert refused.value.code == "PAN_RANGE_EXHAUSTED"
    assert len(kit.store.state.cards) == 1


async def test_weak_pins_are_never_issued(kit: CardKit) -> None:
    kit.digits = ScriptedDigits({4: ["1111", "1234", "9876", "4071"]})

    card_id = await kit.issue()

    sealed = kit.store.state.secrets[(card_id, SecretField.PIN)][0]
    assert (await kit.vault.open_pin(sealed)).digits == "4071"


async def test_a_card_the_processor_refuses_is_closed_and_toqio_told(kit: CardKit) -> None:
    kit.sandbox.arm_refusal("card programme full 4111111111111111")

    view = await kit.issue_card()(command())

    card_id = view.card.card_id
    assert view.card.status is CardStatus.CLOSED
    assert view.issuance.processor_status is ProcessorStatus.FAILED
    assert view.issuance.processor_reason == "card programme full [digits]"
    assert [(w.webhook_type, w.payload) for w in kit.store.webhooks] == [
        (
            CARD_STATUS_UPDATED,
            {
                "cardId": card_id,
                "status": "CLOSED",
                "previousStatus": "ACTIVE",
                "reason": "the card processor refused the card: card programme full [digits]",
                "date": kit.store.webhooks[0].payload["date"],
            },
        ),
        (CARD_FAILED, {"cardId": card_id}),
    ]
    closing = kit.store.audit_events[-1]
    assert closing.action is AuditAction.CARD_STATUS_CHANGED
    assert closing.channel == Channel.PROCESSOR.value
    assert closing.actor == "PROCESSOR:processor"
    assert kit.leaked_card_numbers() == []


async def test_a_name_on_card_saying_decline_is_refused_by_the_sandbox(kit: CardKit) -> None:
    view = await kit.issue_card()(command(name_on_card="DECLINE ME", physical=True))

    assert view.card.status is CardStatus.CLOSED
    assert kit.store.webhooks[-1].webhook_type == CARD_FAILED


async def test_an_unreachable_processor_leaves_the_card_requested(kit: CardKit) -> None:
    kit.processor = UnreachableProcessor()

    view = await kit.issue_card()(command())

    assert view.card.status is CardStatus.ACTIVE
    assert view.issuance.processor_status is ProcessorStatus.REQUESTED
    assert kit.store.webhooks == []


async def test_suspend_then_cancel_are_recorded_audited_and_sent_to_toqio(kit: CardKit) -> None:
    card_id = await kit.issue()

    suspended = await kit.suspend_card()(TENANT, card_id)
    again = await kit.suspend_card()(TENANT, card_id)
    cancelled = await kit.cancel_card()(TENANT, card_id)

    assert suspended.card.status is CardStatus.SUSPENDED
    assert again.card.version == suspended.card.version
    assert cancelled.card.status is CardStatus.CANCELLED
    moves = [(t.action, t.from_status, t.to_status) for t in kit.store.state.transitions]
    assert moves == [
        (CardAction.ISSUE, None, CardStatus.ACTIVE),
        (CardAction.SUSPEND, CardStatus.ACTIVE, CardStatus.SUSPENDED),
        (CardAction.CANCEL, CardStatus.SUSPENDED, CardStatus.CANCELLED),
    ]
    statuses = [(w.payload["previousStatus"], w.payload["status"]) for w in kit.store.webhooks]
    assert statuses == [("ACTIVE", "SUSPENDED"), ("SUSPENDED", "CANCELLED")]
    assert {w.ordering_key for w in kit.store.webhooks} == {f"card:{card_id}"}
    audited = [e for e in kit.store.audit_events if e.action is AuditAction.CARD_STATUS_CHANGED]
    assert [(e.details["from"], e.details["to"]) for e in audited] == [
        ("ACTIVE", "SUSPENDED"),
        ("SUSPENDED", "CANCELLED"),
    ]
    assert audited[0].actor == "USER:toqio-integration-hub"
    assert audited[0].details["reason"] == "suspendCard requested through Toqio"


async def test_a_cancelled_card_is_never_changed_again(kit: CardKit) -> None:
    card_id = await kit.issue()
    await kit.cancel_card()(TENANT, card_id)
    before = (kit.store.card(card_id).version, len(kit.store.webhooks), kit.store.commits)

    with pytest.raises(Conflict) as refused:
        await kit.suspend_card()(TENANT, card_id)

    assert refused.value.code == "CARD_TERMINAL_STATE"
    assert card_id in refused.value.message
    after = (kit.store.card(card_id).version, len(kit.store.webhooks), kit.store.commits)
    assert after == before


async def test_a_deleted_card_is_closed_gone_for_toqio_and_deleting_again_changes_nothing(
    kit: CardKit,
) -> None:
    card_id = await kit.issue()

    deleted = await kit.delete_card()(TENANT, card_id)
    again = await kit.delete_card()(TENANT, card_id)

    assert deleted.card.status is CardStatus.CLOSED
    assert deleted.card.is_deleted
    assert again.card.version == deleted.card.version
    assert [w.payload["status"] for w in kit.store.webhooks] == ["CLOSED"]
    with pytest.raises(NotFound) as gone:
        await kit.get_card()(TENANT, card_id)
    assert gone.value.code == "CARD_NOT_FOUND"


async def test_deleting_a_cancelled_card_is_audited_but_toqio_sees_no_new_status(
    kit: CardKit,
) -> None:
    card_id = await kit.issue()
    await kit.cancel_card()(TENANT, card_id)

    view = await kit.delete_card()(TENANT, card_id)

    assert view.card.status is CardStatus.CANCELLED
    assert [w.payload["status"] for w in kit.store.webhooks] == ["CANCELLED"]
    assert kit.store.audit_events[-1].details["action"] == "DELETE"


async def test_another_tenants_card_is_not_found_and_unchanged(kit: CardKit) -> None:
    card_id = await kit.issue()

    for use_case in (kit.get_card(), kit.suspend_card(), kit.cancel_card(), kit.delete_card()):
        with pytest.raises(NotFound) as refused:
            await use_case("cust-2", card_id)
        assert refused.value.code == "CARD_NOT_FOUND"
    assert kit.store.card(card_id).status is CardStatus.ACTIVE


async def test_a_card_shows_what_it_spent_this_month(kit: CardKit) -> None:
    card_id = await kit.issue()
    spent = SpendUsage.zero("EUR").after(Money.of(1250, "EUR"), SpendKind.PURCHASE)
    kit.store.state.usage[card_id] = spent.after(Money.of(2000, "EUR"), SpendKind.ATM_WITHDRAWAL)

    view = await kit.get_card()(TENANT, card_id)

    assert view.spend == Money.of(3250, "EUR")
    assert view.card.card_id == card_id
