"""Readers of the OFAC SDN CSV, EU consolidated CSV and UN consolidated XML list files."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.adapters.sanctions.eu_consolidated_csv import read_eu_consolidated_csv
from compliance.adapters.sanctions.ofac_sdn_csv import read_ofac_sdn_csv
from compliance.adapters.sanctions.un_consolidated_xml import read_un_consolidated_xml
from compliance.domain.sanctions.entries import EntityType, SanctionsEntry, SanctionsList
from shared_kernel.domain.errors import InvalidInput
from tests.compliance.sanctions_support import (
    Party,
    synthetic_parties,
    write_eu,
    write_ofac,
    write_un,
)

pytestmark = pytest.mark.unit

PARTIES = [
    Party(
        101,
        "individual",
        "José Antonio",
        "Müller",
        aliases=("Pepe Muller",),
        countries=("ES", "DE"),
        birth_year=1961,
    ),
    Party(102, "individual", "Olga", "Ivanova", countries=("RU",), birth_year=1970),
    Party(103, "entity", "Arvand Shipping Ltd", aliases=("Arvand Co",), countries=("IR", "AE")),
    Party(104, "vessel", "ADRIAN DARYA", countries=("IR",)),
    Party(105, "individual", "Kim", "Chol", countries=("KP",)),
]


def by_id(entries: tuple[SanctionsEntry, ...]) -> dict[str, SanctionsEntry]:
    return {entry.entry_id: entry for entry in entries}


def test_an_ofac_sdn_csv_is_read_with_its_aliases_addresses_and_remarks(tmp_path: Path) -> None:
    loaded = read_ofac_sdn_csv(write_ofac(tmp_path, PARTIES))

    entries = by_id(loaded.entries)
    muller = entries["101"]
    assert muller.list_name is SanctionsList.OFAC_SDN
    assert muller.entity_type is EntityType.INDIVIDUAL
    assert muller.names == ("MÜLLER, José Antonio", "Pepe Muller")
    assert muller.countries == {"ES", "DE"}
    assert muller.birth_years == {1961}
    assert muller.programmes == ("TEST-PROG", "EXTRA-PROG")
    assert "DOB 12 Jan 1961" in muller.remarks
    assert entries["102"].birth_years == {1970}
    assert entries["103"].entity_type is EntityType.ENTITY
    assert entries["103"].names == ("Arvand Shipping Ltd", "Arvand Co")
    assert entries["103"].countries == {"IR", "AE"}
    assert entries["104"].entity_type is EntityType.VESSEL
    assert entries["104"].countries == {"IR"}
    assert entries["105"].countries == {"KP"}
    assert loaded.version.list_name is SanctionsList.OFAC_SDN
    assert loaded.version.version.startswith("sha256:")
    assert loaded.version.entry_count == len(PARTIES)


def test_an_ofac_version_is_a_digest_of_all_three_files(tmp_path: Path) -> None:
    first = read_ofac_sdn_csv(write_ofac(tmp_path / "a", PARTIES)).version
    same = read_ofac_sdn_csv(write_ofac(tmp_path / "b", PARTIES)).version
    alias_added = [*PARTIES[:-1], Party(105, "individual", "Kim", "Chol", aliases=("K. Chol",))]
    changed = read_ofac_sdn_csv(write_ofac(tmp_path / "c", alias_added)).version

    assert first.version == same.version
    assert changed.version != first.version


def test_an_ofac_sdn_csv_alone_is_read_without_aliases(tmp_path: Path) -> None:
    loaded = read_ofac_sdn_csv(write_ofac(tmp_path, PARTIES, with_extras=False))

    muller = by_id(loaded.entries)["101"]
    assert muller.names == ("MÜLLER, José Antonio",)
    assert muller.countries == {"ES"}  # the nationality in the remarks


def test_an_eu_consolidated_csv_is_grouped_by_logical_id(tmp_path: Path) -> None:
    loaded = read_eu_consolidated_csv(write_eu(tmp_path / "eu.csv", PARTIES))

    entries = by_id(loaded.entries)
    assert loaded.version.list_name is SanctionsList.EU
    assert loaded.version.version == "2030-05-01"
    assert loaded.version.entry_count == len(PARTIES)
    muller = entries["101"]
    assert muller.entity_type is EntityType.INDIVIDUAL
    assert muller.names == ("José Antonio Müller", "Pepe Muller")
    assert muller.countries == {"ES", "DE"}
    assert muller.birth_years == {1961}
    assert muller.programmes == ("TEST-PROG",)
    assert entries["103"].entity_type is EntityType.ENTITY
    assert entries["103"].countries == {"IR", "AE"}
    assert entries["102"].birth_years == {1970}


def test_eu_columns_are_found_by_name_whatever_their_order_and_case(tmp_path: Path) -> None:
    path = tmp_path / "eu.csv"
    path.write_text(
        "extra;NAMEALIAS_WHOLENAME;subject_type;ENTITY_LOGICALID;BirthDate_Year\n"
        "x;Olga Ivanova;P;7;1970\n"
        "x;Olga Ivanovna;P;7;\n",
        encoding="utf-8",
    )

    loaded = read_eu_consolidated_csv(path)

    (olga,) = loaded.entries
    assert olga.names == ("Olga Ivanova", "Olga Ivanovna")
    assert olga.entity_type is EntityType.INDIVIDUAL
    assert olga.birth_years == {1970}
    assert loaded.version.version.startswith("sha256:")  # no fileGenerationDate column


def test_a_un_consolidated_xml_is_read_with_individuals_and_entities(tmp_path: Path) -> None:
    loaded = read_un_consolidated_xml(write_un(tmp_path / "un.xml", PARTIES))

    entries = by_id(loaded.entries)
    assert loaded.version.list_name is SanctionsList.UN
    assert loaded.version.version == "2030-05-01T00:00:00.000Z"
    muller = entries["101"]
    assert muller.entity_type is EntityType.INDIVIDUAL
    assert muller.names == ("José Antonio Müller", "Pepe Muller")
    assert muller.countries == {"ES", "DE"}
    assert muller.birth_years == {1961}
    assert muller.programmes == ("TEST-PROG",)
    assert muller.remarks == "QDi.101; Synthetic entry."
    assert entries["102"].countries == {"RU"}  # "Russian Federation"
    assert entries["102"].birth_years == {1970}  # an approximate YEAR
    assert entries["103"].entity_type is EntityType.ENTITY
    assert entries["103"].names == ("Arvand Shipping Ltd", "Arvand Co")
    assert entries["103"].countries == {"IR", "AE"}  # "Iran (Islamic Republic of)"
    assert entries["105"].countries == {"KP"}


def test_a_un_birth_year_range_gives_every_year_of_it(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_text(
        '<CONSOLIDATED_LIST dateGenerated="2030-01-01"><INDIVIDUALS><INDIVIDUAL>'
        "<DATAID>1</DATAID><FIRST_NAME>Omar</FIRST_NAME><SECOND_NAME>Farid</SECOND_NAME>"
        "<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE>"
        "<FROM_YEAR>1958</FROM_YEAR><TO_YEAR>1960</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>"
        "<NATIONALITY><VALUE>Atlantis</VALUE></NATIONALITY>"
        "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
        encoding="utf-8",
    )

    (omar,) = read_un_consolidated_xml(path).entries

    assert omar.birth_years == {1958, 1959, 1960}
    # A country we cannot code might be his: no country at all rather than a wrong one.
    assert omar.countries == frozenset()


def test_a_large_synthetic_list_reads_the_same_in_all_three_formats(tmp_path: Path) -> None:
    parties = synthetic_parties(300, seed=7)

    ofac = by_id(read_ofac_sdn_csv(write_ofac(tmp_path / "ofac", parties)).entries)
    eu = by_id(read_eu_consolidated_csv(write_eu(tmp_path / "eu.csv", parties)).entries)
    un = by_id(read_un_consolidated_xml(write_un(tmp_path / "un.xml", parties)).entries)

    assert len(ofac) == len(eu) == len(un) == len(parties)
    for party in parties:
        key = str(party.uid)
        for entries in (ofac, eu, un):
            assert entries[key].countries == set(party.countries), (key, entries[key])
            assert entries[key].birth_years == ({party.birth_year} - {None})
        assert eu[key].names == un[key].names == (party.name, *party.aliases)
        assert ofac[key].entity_type is eu[key].entity_type or party.kind == "vessel"


@pytest.mark.parametrize(
    ("reader", "content"),
    [
        (read_ofac_sdn_csv, "ent_num;SDN_Name\nnot;a list\n"),
        (read_ofac_sdn_csv, "abc,JOHN DOE,individual\n"),
        (read_ofac_sdn_csv, ""),
        pytest.param(read_ofac_sdn_csv, '1,"' + "x" * 200_000 + '"\n', id="oversized-field"),
        (read_eu_consolidated_csv, "a;b;c\n1;2;3\n"),
        (read_eu_consolidated_csv, ""),
        (read_eu_consolidated_csv, "Entity_LogicalId;NameAlias_WholeName\n"),
        (read_un_consolidated_xml, "<CONSOLIDATED_LIST><INDIVIDUALS>"),
        (read_un_consolidated_xml, "<OTHER_LIST/>"),
        (read_un_consolidated_xml, "<CONSOLIDATED_LIST/>"),
        (read_un_consolidated_xml, "not xml at all"),
    ],
)
def test_a_malformed_file_is_refused_as_an_invalid_sanctions_file(
    reader: object, content: str, tmp_path: Path
) -> None:
    path = tmp_path / "list"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(InvalidInput) as refused:
        reader(path)  # type: ignore[operator]

    assert refused.value.code == "INVALID_SANCTIONS_FILE"


@pytest.mark.parametrize(
    "reader", [read_ofac_sdn_csv, read_eu_consolidated_csv, read_un_consolidated_xml]
)
def test_a_missing_file_is_refused_as_an_invalid_sanctions_file(
    reader: object, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput) as refused:
        reader(tmp_path / "absent.csv")  # type: ignore[operator]

    assert refused.value.code == "INVALID_SANCTIONS_FILE"
    assert "absent.csv" in refused.value.message


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>
<FIRST_NAME>&lol3;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>
<FIRST_NAME>&xxe;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""
BARE_DTD = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST SYSTEM "http://example.invalid/list.dtd">
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>
<FIRST_NAME>Omar</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY, BARE_DTD])
def test_a_un_file_with_a_dtd_or_entities_is_refused_unexpanded(
    content: str, tmp_path: Path
) -> None:
    path = tmp_path / "un.xml"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(InvalidInput) as refused:
        read_un_consolidated_xml(path)

    assert refused.value.code == "INVALID_SANCTIONS_FILE"
    assert "DTD or entities" in refused.value.message
