"""Confirmation of payee matching: normalisation, thresholds and outcomes."""

from __future__ import annotations

import pytest

from accounts_payments.application.beneficiaries.payee_matching import (
    MatchOutcome,
    match_names,
    normalise,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("typed", "holder"),
    [
        ("Müller GmbH", "MULLER"),
        ("Peña, José", "Jose Pena"),
        ("Smith John", "John Smith"),
        ("Acme Trading Ltd", "ACME TRADING LIMITED"),
        ("Construcciones García S.L.", "CONSTRUCCIONES GARCIA SL"),
        ("Kowalski Sp. z o.o.", "KOWALSKI"),
        ("Smith & Sons Ltd", "Smith and Sons Limited"),
        ("Mr John Smith", "john smith"),
        ("Straße GmbH", "STRASSE"),
        ("Internationale Handelsgesellschaft", "Internationale Handelsgesellschaf"),
    ],
)
def test_same_payee_written_differently_is_matched(typed: str, holder: str) -> None:
    assert match_names(typed, holder).outcome is MatchOutcome.MATCHED


@pytest.mark.parametrize(
    ("typed", "holder"),
    [
        ("Jon Smith", "John Smith"),
        ("Katherine Smyth", "Katharine Smith"),
        ("María Fernández", "Mario Fernandez"),
        ("John Smith", "John Michael Smith"),
    ],
)
def test_near_misses_are_partial_matches(typed: str, holder: str) -> None:
    match = match_names(typed, holder)
    assert match.outcome is MatchOutcome.PARTIALLY_MATCHED
    assert match.score < 96


@pytest.mark.parametrize(
    ("typed", "holder"),
    [
        ("Jane Doe", "John Smith"),
        ("Tesco", "Tesla"),
        ("Acme Ltd", "Acme Holdings Ltd"),
        ("Initech Ltd", "GLOBEX IBERIA SA"),
        ("", "John Smith"),
        ("Ltd", "!!!"),
    ],
)
def test_different_payees_do_not_match(typed: str, holder: str) -> None:
    assert match_names(typed, holder).outcome is MatchOutcome.NOT_MATCHED


def test_normalising_removes_case_accents_legal_forms_and_word_order() -> None:
    assert normalise("  Société Générale S.A. ") == "generale societe"
    # A name that is only a legal form keeps it rather than becoming empty.
    assert normalise("S.A.") == "sa"
