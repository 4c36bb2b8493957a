"""Screening names against 10,000+ synthetic entries in all three list formats."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.adapters.sanctions.eu_consolidated_csv import read_eu_consolidated_csv
from compliance.adapters.sanctions.ofac_sdn_csv import read_ofac_sdn_csv
from compliance.adapters.sanctions.un_consolidated_xml import read_un_consolidated_xml
from compliance.application.sanctions.index import SanctionsIndex, phonetic_code
from compliance.application.sanctions.loading import LoadSanctionsList, SanctionsScreening
from compliance.application.sanctions.screening import DEFAULT_THRESHOLD, Screener
from compliance.application.sanctions.token_similarity import TOKEN_FLOOR, token_similarity
from compliance.domain.sanctions.entries import SanctionsEntry, SanctionsList
from compliance.domain.sanctions.names import significant_tokens
from shared_kernel.domain.errors import InvalidInput
from tests.compliance.sanctions_support import (
    FakeSanctionsListStore,
    Party,
    loaded,
    synthetic_parties,
    write_eu,
    write_ofac,
    write_un,
)

pytestmark = pytest.mark.unit

OFAC, EU, UN = SanctionsList.OFAC_SDN, SanctionsList.EU, SanctionsList.UN
CYRILLIC_A = "\N{CYRILLIC CAPITAL LETTER A}"
CYRILLIC_ER = "\N{CYRILLIC CAPITAL LETTER ER}"
CYRILLIC_O = "\N{CYRILLIC SMALL LETTER O}"

PLANTED_UN = [
    Party(
        1,
        "individual",
        "Mohammed Abdullah",
        "Al-Rashid",
        aliases=("Abu Khalid",),
        countries=("IQ",),
        birth_year=1965,
    ),
    Party(4, "individual", "Samir Youssef", "Haddad", aliases=("Abu Layla",), countries=("SY",)),
]
PLANTED_EU = [
    Party(2, "individual", "Aleksandr Ivanovich", "Petrov", countries=("RU",), birth_year=1960),
    # Petrov is common on the list; Ivana Petrova is the feminine form of "Ivan Petrov".
    Party(5, "individual", "Ivana", "Petrova", countries=("RU",)),
    Party(6, "individual", "Sergei", "Petrov", countries=("RU",)),
    Party(7, "individual", "Pavel", "Petrov", countries=("RU",)),
    Party(8, "individual", "Dmitri", "Petrov", countries=("RU",)),
    Party(9, "entity", "Arvand Bank PJSC", countries=("IR",)),
    Party(10, "entity", "Global Bank Ltd", countries=("AE",)),
    Party(11, "entity", "Bank Melli Iran", countries=("IR",)),
]
PLANTED_OFAC = [
    Party(3, "individual", "José Antonio", "Müller", countries=("ES",), birth_year=1972),
]


@pytest.fixture(scope="module")
def screener(tmp_path_factory: pytest.TempPathFactory) -> Screener:
    directory = tmp_path_factory.mktemp("lists")
    parties = synthetic_parties(10_000, seed=2030) + PLANTED_OFAC
    lists = [
        read_ofac_sdn_csv(write_ofac(directory / "ofac", parties)),
        read_eu_consolidated_csv(write_eu(directory / "eu.csv", PLANTED_EU)),
        read_un_consolidated_xml(write_un(directory / "un.xml", PLANTED_UN)),
    ]
    entries = [entry for each in lists for entry in each.entries]
    assert len(entries) > 10_000
    return Screener(SanctionsIndex.build(entries, [each.version for each in lists]))


def hit_ids(screener: Screener, name: str, **facts: object) -> dict[tuple[str, str], float]:
    result = screener.screen(name, **facts)  # type: ignore[arg-type]
    return {(hit.entry.list_name, hit.entry.entry_id): hit.score for hit in result.hits}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # transliteration
        ("Muhammad Abdallah Al Rashid", (UN, "1")),
        ("Mohamed Rashid", (UN, "1")),
        ("Alexander Petrov", (EU, "2")),
        ("Josef Mueller", (OFAC, "3")),
        ("Александр Петров", (EU, "2")),
        # token order
        ("Petrov Aleksandr", (EU, "2")),
        ("AL-RASHID, Mohammed Abdullah", (UN, "1")),
        # a dropped middle name or patronymic
        ("Mohammed Al-Rashid", (UN, "1")),
        ("Aleksandr Petrov", (EU, "2")),
        # diacritics, either way round
        ("Jose Muller", (OFAC, "3")),
        ("JOSÉ ANTONIO MÜLLER", (OFAC, "3")),
        # homoglyphs: Cyrillic letters in a Latin name
        (f"{CYRILLIC_A}leksandr {CYRILLIC_ER}etr{CYRILLIC_O}v", (EU, "2")),
        # aliases
        ("Abu Layla", (UN, "4")),
        ("Khalid Abu", (UN, "1")),
        # entities: generic words do not matter, the distinctive one does
        ("Bank of Arvand", (EU, "9")),
        ("Melli Bank", (EU, "11")),
        ("Melli", (EU, "11")),
    ],
)
def test_a_perturbed_name_still_matches_its_listed_entry(
    screener: Screener, query: str, expected: tuple[str, str]
) -> None:
    hits = hit_ids(screener, query)

    assert expected in hits, hits
    assert hits[expected] >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    "query",
    [
        # another first name, with a surname five listed people share
        "Ivan Petrov",
        "Nikolai Petrov",
        # the masculine form of a listed woman's name is another person
        "Ivan Petrova",
        # a surname or a first name alone cannot identify a person
        "Petrov",
        "Samir",
        # only generic tokens in common ("Global Bank Ltd" is listed)
        "Global Trading Ltd",
        # one word hundreds of listed companies share
        "Global Shipping Ltd",
        "Bank of Tejarat",
        # names made only of generic tokens never match, even one verbatim on the list
        "Global Bank Ltd",
        "The International Holding Group",
    ],
)
def test_a_near_miss_does_not_match(screener: Screener, query: str) -> None:
    assert hit_ids(screener, query) == {}


@pytest.mark.parametrize(
    ("facts", "still_matches"),
    [
        ({"country": "RU"}, True),
        ({"country": "FR"}, False),
        ({"birth_year": 1961}, True),
        ({"birth_year": 1975}, False),
        ({"entity_type": "PERSON"}, True),
        ({"entity_type": "COMPANY"}, False),
    ],
)
def test_contradicting_facts_lower_a_borderline_hit_below_the_threshold(
    screener: Screener, facts: dict[str, object], still_matches: bool
) -> None:
    # 0.95 on the name: a transliterated first name and no patronymic.
    hits = hit_ids(screener, "Alexander Petrov", **facts)

    assert ((EU, "2") in hits) is still_matches


def test_a_hit_explains_its_score_and_the_evidence_against_it(screener: Screener) -> None:
    result = screener.screen("Aleksandr Ivanovich Petrov", country="FR")

    (hit,) = result.hits
    assert hit.matched_name == "Aleksandr Ivanovich Petrov"
    assert hit.score == pytest.approx(0.92)
    assert hit.reasons == (
        "name 1.00 (token-set Jaro-Winkler over 3 aligned tokens)",
        "country mismatch -0.08 (RU)",
    )
    assert not screener.screen("Aleksandr Ivanovich Petrov", country="FR", birth_year=1990).matched


def test_a_transliterated_hit_names_its_phonetic_match_and_missing_tokens(
    screener: Screener,
) -> None:
    result = screener.screen("Muhammad Rashid")

    hit = next(hit for hit in result.hits if hit.entry.entry_id == "1")
    assert hit.reasons[0].startswith("name 0.96 (token-set Jaro-Winkler over 2 aligned tokens)")
    assert "phonetic match muhammad~mohammed" in hit.reasons
    assert "1 unmatched token(s) -0.03" in hit.reasons
    assert hit.explanation.startswith("UN 1 'Mohammed Abdullah Al-Rashid': name 0.96")
    assert {str(version) for version in result.list_versions} >= {
        "EU 2030-05-01",
        "UN 2030-05-01T00:00:00.000Z",
    }


def test_hits_are_sorted_best_first(screener: Screener) -> None:
    hits = screener.screen("Mohammed Rashid").hits

    assert len(hits) >= 1
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        ("mohammed", "muhammad", True),  # sound alike
        ("osama", "usama", True),  # another first vowel
        ("gaddafi", "qadhafi", True),  # an "h" after a consonant
        ("vladimir", "wladimir", True),  # spelt alike
        ("omar", "shomar", False),  # letters in common, not the sound
        ("ivan", "ivana", False),  # gendered forms
        ("petrov", "petrova", False),
        ("alexander", "alexandra", False),
        ("ivan", "ivanovich", False),  # derived: a patronymic
        ("alex", "alexander", False),  # nicknames are not spellings
    ],
)
def test_two_tokens_agree_when_spelt_or_sounding_alike_but_not_gendered_or_derived(
    a: str, b: str, agree: bool
) -> None:
    similarity, _ = token_similarity(a, phonetic_code(a), b, phonetic_code(b))

    assert (similarity >= TOKEN_FLOOR) is agree


def test_candidates_share_a_distinctive_token_or_its_sound(screener: Screener) -> None:
    tokens = significant_tokens("Aleksandr Petrov")
    keys = set(tokens) | {phonetic_code(token) for token in tokens}

    candidates = screener.index.candidates(tokens)

    assert 0 < len(candidates) < screener.index.name_count / 20
    for candidate in candidates:
        assert keys & (set(candidate.tokens) | set(candidate.codes))


@pytest.fixture(scope="module")
def listed_names(screener: Screener) -> list[tuple[SanctionsEntry, str]]:
    names = [(candidate.entry, candidate.name) for candidate in screener.index.names]
    return sorted(names, key=lambda pair: (pair[0].list_name, pair[0].entry_id, pair[1]))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_name_taken_verbatim_from_the_list_always_finds_its_entry(
    screener: Screener, listed_names: list[tuple[SanctionsEntry, str]], data: st.DataObject
) -> None:
    entry, name = data.draw(st.sampled_from(listed_names))

    hits = hit_ids(screener, name)

    assert hits.get((entry.list_name, entry.entry_id), 0.0) >= DEFAULT_THRESHOLD


# --- loading and the service's screening ------------------------------------------------------


async def test_the_service_screens_on_the_lists_in_the_store_once_refreshed() -> None:
    store = FakeSanctionsListStore()
    screening = SanctionsScreening(store)
    await LoadSanctionsList(store)(loaded(EU, "2030-05-01", PLANTED_EU))

    before = screening.screen("Aleksandr Petrov")
    versions = await screening.refresh()
    after = screening.screen("Aleksandr Petrov")

    assert before.hits == ()
    assert before.list_versions == ()
    assert [str(version) for version in versions] == ["EU 2030-05-01"]
    assert after.hits[0].entry.entry_id == "2"
    assert after.list_versions == versions


async def test_a_refresh_rebuilds_only_when_the_active_versions_changed() -> None:
    store = FakeSanctionsListStore()
    screening = SanctionsScreening(store)
    load = LoadSanctionsList(store)
    await load(loaded(EU, "v1", PLANTED_EU))
    await screening.refresh()
    index = screening.index

    await screening.refresh()
    unchanged = screening.index
    await load(loaded(EU, "v2", PLANTED_EU[:1]))
    await screening.refresh()

    assert unchanged is index
    assert [str(version) for version in screening.versions] == ["EU v2"]
    assert not screening.screen("Bank Melli").matched


async def test_loading_a_list_without_entries_or_with_a_repeated_id_is_refused() -> None:
    load = LoadSanctionsList(FakeSanctionsListStore())
    twice = [PLANTED_EU[0], PLANTED_EU[0]]

    with pytest.raises(InvalidInput) as empty:
        await load(loaded(EU, "v1", []))
    with pytest.raises(InvalidInput) as repeated:
        await load(loaded(EU, "v1", twice))

    assert empty.value.code == repeated.value.code == "INVALID_SANCTIONS_FILE"
