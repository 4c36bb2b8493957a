"""Name normalisation for screening: accents, look-alike letters, scripts, punctuation, generics."""

from __future__ import annotations

import pytest

from compliance.domain.sanctions.names import is_generic, normalise, significant_tokens

pytestmark = pytest.mark.unit

CYRILLIC_A = "\N{CYRILLIC SMALL LETTER A}"
CYRILLIC_O = "\N{CYRILLIC SMALL LETTER O}"
CYRILLIC_ER = "\N{CYRILLIC CAPITAL LETTER ER}"
GREEK_ALPHA = "\N{GREEK CAPITAL LETTER ALPHA}"
DOTLESS_I = "\N{LATIN SMALL LETTER DOTLESS I}"
FULLWIDTH = "".join(chr(ord(letter) + 0xFEE0) for letter in "Fullwidth")


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("José Müller", ("jose", "muller")),
        ("JOSÉ MÜLLER", ("jose", "muller")),
        ("Łukasz Øster Đorđević", ("lukasz", "oster", "dordevic")),
        ("Straße", ("strasse",)),
        ("Ægir Œuvre Þór", ("aegir", "oeuvre", "thor")),
        (f"Y{DOTLESS_I}ld{DOTLESS_I}z", ("yildiz",)),
    ],
)
def test_accents_and_unsplittable_latin_letters_are_spelt_in_plain_letters(
    name: str, tokens: tuple[str, ...]
) -> None:
    assert normalise(name) == tokens


def test_cyrillic_and_greek_look_alikes_in_a_latin_name_become_latin() -> None:
    spoofed = f"Ivan {CYRILLIC_ER}etr{CYRILLIC_O}v M{CYRILLIC_A}ri{GREEK_ALPHA}"

    assert normalise(spoofed) == ("ivan", "petrov", "maria")


def test_a_name_wholly_in_cyrillic_is_transliterated() -> None:
    assert normalise("Сергей Лавров") == ("sergei", "lavrov")
    assert normalise("Щукин Юрий") == ("shchukin", "yurii")


def test_a_cyrillic_name_of_look_alike_letters_is_transliterated_not_folded() -> None:
    # "Анна" is all look-alikes; folded by shape it would read "ahha".
    assert normalise("Анна") == ("anna",)


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("PETROV, Ivan", ("petrov", "ivan")),
        ("O'Brien-Smith", ("obrien", "smith")),
        ("Sa\N{RIGHT SINGLE QUOTATION MARK}id", ("said",)),
        ("Vessel 2 (ex-NORA)", ("vessel", "ex", "nora")),
        ("ACME S.A.", ("acme", "sa")),
        ("Smith & Sons L.L.C.", ("smith", "and", "sons", "llc")),
        (FULLWIDTH, ("fullwidth",)),
    ],
)
def test_punctuation_and_digits_split_tokens_and_apostrophes_vanish(
    name: str, tokens: tuple[str, ...]
) -> None:
    assert normalise(name) == tokens


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("Mullah Mohammed Omar", ("mohammed", "omar")),
        ("Dr. Ahmed Hassan", ("ahmed", "hassan")),
        ("Osama bin Laden", ("osama", "laden")),
        ("Al-Qa'ida", ("qaida",)),
        ("AL QAIDA", ("qaida",)),
        ("Abd ar-Rahman", ("abd", "rahman")),
        ("Abu Bakr", ("abu", "bakr")),
        ("Mr", ("mr",)),
    ],
)
def test_titles_and_arabic_particles_are_dropped_but_abu_is_kept(
    name: str, tokens: tuple[str, ...]
) -> None:
    assert normalise(name) == tokens


def test_generic_tokens_are_kept_by_normalise_but_are_not_significant() -> None:
    assert normalise("Bank of Arvand Ltd") == ("bank", "of", "arvand", "ltd")
    assert significant_tokens("Bank of Arvand Ltd") == ("arvand",)
    assert significant_tokens("Arvand Bank") == ("arvand",)


@pytest.mark.parametrize(
    "name", ["Global Trading Ltd", "Bank Ltd", "The International Holding Group", "OOO", ""]
)
def test_a_name_of_only_generic_tokens_has_nothing_significant(name: str) -> None:
    assert significant_tokens(name) == ()


@pytest.mark.parametrize("token", ["ltd", "llc", "gmbh", "bank", "holdings", "jsc", "the", "of"])
def test_legal_forms_and_organisation_words_are_generic(token: str) -> None:
    assert is_generic(token)


@pytest.mark.parametrize("token", ["arvand", "melli", "petrov", "abu"])
def test_distinctive_words_are_not_generic(token: str) -> None:
    assert not is_generic(token)
