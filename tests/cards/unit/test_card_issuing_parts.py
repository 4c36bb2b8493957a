"""The parts card issuing is made of: ids, configuration, the code hasher, the sandbox processor."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from cards.adapters.crypto.security_code_hasher import HmacSecurityCodeHasher
from cards.adapters.processor.sandbox_processor import SandboxCardProcessor
from cards.application.cards.card_ids import new_card_id, new_pan_token
from cards.application.cards.limit_input import limit_values
from cards.application.cards.options import (
    CardImages,
    IssuingPolicy,
    default_limit_bounds,
    parse_limit_bounds,
)
from cards.application.cards.ports import ProcessorCardRequest, ProcessorRefused
from cards.application.cards.processor_requests import clean_reason
from cards.domain.card_checks import checked_id, checked_pan_ref
from cards.domain.card_types import CardForm, ClientType, FundingType
from cards.domain.expiry import Expiry
from cards.domain.limits import LimitKind
from cards.domain.pan import Pan
from shared_kernel.domain.errors import InvalidInput
from shared_kernel.domain.money import Currency, Money
from tests.cards.card_kit import BIN

pytestmark = pytest.mark.unit

KEY = bytes(range(32))
VISA = Pan("4242424242424242")


def request(card_id: str = "card_1", name: str | None = "ADA LOVELACE") -> ProcessorCardRequest:
    return ProcessorCardRequest(
        card_id=card_id,
        tenant_id="cust-1",
        account_id="acc-1",
        form=CardForm.PHYSICAL,
        funding=FundingType.DEBIT,
        currency=Currency.of("EUR"),
        expiry=Expiry(5, 2033),
        pan=VISA,
        security_code="314159",
        name_on_card=name,
    )


def test_card_ids_and_tokens_are_valid_references_with_no_card_number_in_them() -> None:
    ids = [new_card_id() for _ in range(2000)]
    tokens = [new_pan_token() for _ in range(2000)]

    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)  # UUIDv7 inside: they sort by creation
    for value in ids + tokens:
        assert not re.search(r"\d{12}", value)
        assert checked_id("cardId", value) == value
    assert all(checked_pan_ref(token) == token for token in tokens)


def test_a_processor_request_never_shows_its_pan_or_code() -> None:
    shown = repr(request())

    assert VISA.digits not in shown
    assert "314159" not in shown
    assert "ADA" not in shown


def test_the_security_code_hash_is_keyed_and_bound_to_its_card() -> None:
    hasher = HmacSecurityCodeHasher(KEY)
    stored = hasher.hash("card_1", "123456")

    assert len(stored) == 64
    assert hasher.matches("card_1", "123456", stored)
    assert not hasher.matches("card_1", "123457", stored)
    assert not hasher.matches("card_2", "123456", stored)
    assert not HmacSecurityCodeHasher(bytes(32)).matches("card_1", "123456", stored)
    assert repr(hasher) == "HmacSecurityCodeHasher(key=<hidden>)"
    with pytest.raises(ValueError, match="at least 32 bytes"):
        HmacSecurityCodeHasher(b"short")


async def test_the_sandbox_processor_accepts_and_keeps_the_code_delivered() -> None:
    processor = SandboxCardProcessor()

    processor_id = await processor.issue_card(request())

    assert processor_id.startswith("sbx_")
    assert processor.security_code("card_1") == "314159"
    assert processor.security_code("card_2") is None
    assert processor.requested == ["card_1"]
    assert "314159" not in repr(processor)


async def test_the_sandbox_processor_refuses_when_armed_or_asked_by_the_name() -> None:
    processor = SandboxCardProcessor()
    assert processor.arm_refusal("out of plastic", count=2) == 2

    refusals = []
    for card_id in ("card_1", "card_2"):
        with pytest.raises(ProcessorRefused) as refused:
            await processor.issue_card(request(card_id))
        refusals.append(refused.value.reason)
    accepted = await processor.issue_card(request("card_3"))
    with pytest.raises(ProcessorRefused):
        await processor.issue_card(request("card_4", name="please decline"))

    assert refusals == ["out of plastic", "out of plastic"]
    assert accepted
    assert processor.security_code("card_4") is None
    with pytest.raises(ValueError, match="at least one"):
        processor.arm_refusal(count=0)


def test_a_processor_reason_is_cleaned_of_digits_and_noise() -> None:
    assert clean_reason("PAN 4111 1111 1111 1111 rejected\n") == "PAN [digits] rejected"
    assert clean_reason("code 42") == "code 42"
    assert clean_reason("   ") == "no reason given"
    assert len(clean_reason("x" * 500)) == 200


def test_limits_from_the_wire_are_exact_and_refused_per_field() -> None:
    eur = Currency.of("EUR")

    values = limit_values(
        eur,
        {
            LimitKind.DAILY: Decimal("10.5"),
            LimitKind.ATM_OPERATIONS: Decimal("3"),
            LimitKind.PURCHASES_OPERATIONS: 7,
            LimitKind.MONTHLY: None,
        },
    )
    with pytest.raises(InvalidInput) as refused:
        limit_values(eur, {LimitKind.DAILY: Decimal("0.001"), LimitKind.ATM_OPERATIONS: 2})

    assert values == {
        LimitKind.DAILY: Money.of(1050, "EUR"),
        LimitKind.ATM_OPERATIONS: 3,
        LimitKind.PURCHASES_OPERATIONS: 7,
        LimitKind.MONTHLY: None,
    }
    assert [p.field for p in refused.value.problems] == ["cardLimitDaily"]


def test_limit_bounds_are_read_from_configuration() -> None:
    table = parse_limit_bounds(
        '{"DEBIT:CONSUMER:GBP": {"cardLimitDaily": ["10", "250.50"], "atmOperationsLimit": [0, 3]}}'
    )

    bounds = table.for_programme(FundingType.DEBIT, ClientType.CONSUMER, "GBP")
    assert bounds.minimum(LimitKind.DAILY) == Money.of(1000, "GBP")
    assert bounds.maximum(LimitKind.DAILY) == Money.of(25050, "GBP")
    assert bounds.maximum(LimitKind.ATM_OPERATIONS) == 3
    assert table.for_programme(FundingType.DEBIT, ClientType.BUSINESS, "GBP").bounds == {}


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"DEBIT:BUSINESS": {}}',
        '{"DEBIT:BUSINESS:XXX": {}}',
        '{"DEBIT:BUSINESS:EUR": {"dailyLimit": [0, 1]}}',
        '{"DEBIT:BUSINESS:EUR": {"cardLimitDaily": [5, 1]}}',
        '{"DEBIT:BUSINESS:EUR": {"atmOperationsLimit": [0, 1.5]}}',
        '{"DEBIT:BUSINESS:EUR": {"cardLimitDaily": [0, "1.001"]}}',
    ],
)
def test_unreadable_limit_bounds_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_limit_bounds(text)

    assert refused.value.problems[0].field == "bounds"


def test_default_bounds_cover_debit_cards_in_the_main_currencies() -> None:
    table = default_limit_bounds()

    for code in ("EUR", "GBP", "USD"):
        for client in ClientType:
            bounds = table.for_programme(FundingType.DEBIT, client, code)
            assert set(bounds.bounds) == set(LimitKind)


def test_card_image_urls_only_ever_carry_a_design_name() -> None:
    images = CardImages("https://cdn.example.com/{design}.png", "std")

    assert images.url("blue") == "https://cdn.example.com/blue.png"
    assert images.url("../../etc/passwd?x=1") == "https://cdn.example.com/std.png"
    assert images.url(None) == "https://cdn.example.com/std.png"
    for template in ("ftp://x/{design}", "https://x/{card_id}.png", "https://x/{design"):
        with pytest.raises(InvalidInput):
            CardImages(template)
    with pytest.raises(InvalidInput):
        CardImages(default_design="no spaces please")


def test_an_issuing_policy_refuses_impossible_settings() -> None:
    with pytest.raises(InvalidInput):
        IssuingPolicy(bin_range=BIN, validity_years=0)
    with pytest.raises(InvalidInput):
        IssuingPolicy(bin_range=BIN, pin_length=3)
