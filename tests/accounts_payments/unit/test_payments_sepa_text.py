"""SEPA text rules: the EPC character set and the scheme's lengths, refused never rewritten."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts_payments.domain.payments.sepa_text import (
    INVALID_SEPA_TEXT,
    NAME_MAX,
    REFERENCE_MAX,
    REMITTANCE_MAX,
    SepaTexts,
    check_sepa_texts,
)
from shared_kernel.domain.errors import InvalidInput

EPC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ "


def test_plain_latin_texts_pass() -> None:
    check_sepa_texts(SepaTexts("Acme GmbH", "Invoice 2030-001 (March)", "INV-2030-001"))


@pytest.mark.parametrize(
    ("texts", "field_name", "fragment"),
    [
        (SepaTexts("Müller GmbH"), "beneficiary.name", "'ü'"),
        (SepaTexts("Acme", concept="Café & bar"), "concept", "'é', '&'"),
        (SepaTexts("Acme", reference="ref_1"), "reference", "'_'"),
        (SepaTexts("A" * (NAME_MAX + 1)), "beneficiary.name", f"at most {NAME_MAX}"),
        (SepaTexts("Acme", concept="x" * (REMITTANCE_MAX + 1)), "concept", "at most 140"),
        (SepaTexts("Acme", reference="r" * (REFERENCE_MAX + 1)), "reference", "at most 35"),
        (SepaTexts("Acme", reference="/INV1"), "reference", "start or end with '/'"),
        (SepaTexts("Acme", reference="INV//1"), "reference", "'//'"),
    ],
)
def test_texts_outside_the_rules_are_refused_naming_field_and_reason(
    texts: SepaTexts, field_name: str, fragment: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_sepa_texts(texts)
    assert caught.value.code == INVALID_SEPA_TEXT
    assert [p.field for p in caught.value.problems] == [field_name]
    assert fragment in caught.value.problems[0].message


def test_every_broken_rule_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_sepa_texts(SepaTexts("Zoë", concept="€100", reference="a" * 40))
    assert [p.field for p in caught.value.problems] == ["beneficiary.name", "concept", "reference"]


@given(
    st.text(alphabet=EPC, max_size=REFERENCE_MAX).filter(
        lambda t: not t.startswith("/") and not t.endswith("/") and "//" not in t
    )
)
def test_any_text_of_the_epc_set_within_the_lengths_passes(text: str) -> None:
    check_sepa_texts(SepaTexts("Acme", concept=text, reference=text))


@given(st.text(min_size=1, max_size=20).filter(lambda t: any(c not in EPC for c in t)))
def test_any_character_outside_the_epc_set_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        check_sepa_texts(SepaTexts("Acme", concept=text))
