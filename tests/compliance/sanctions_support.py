"""Synthetic sanctions lists for tests: parties, written in each official file format."""

from __future__ import annotations

import csv
import random
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from compliance.domain.sanctions.entries import (
    EntityType,
    ListVersion,
    LoadedList,
    SanctionsEntry,
    SanctionsList,
)

# How OFAC (and the EU's descriptions) name countries, and how the UN does.
OFAC_COUNTRY = {
    "IR": "Iran",
    "IQ": "Iraq",
    "RU": "Russia",
    "SY": "Syria",
    "KP": "Korea, North",
    "DE": "Germany",
    "FR": "France",
    "ES": "Spain",
    "AE": "United Arab Emirates",
    "TR": "Turkey",
    "VE": "Venezuela",
    "CN": "China",
}
UN_COUNTRY = OFAC_COUNTRY | {
    "IR": "Iran (Islamic Republic of)",
    "RU": "Russian Federation",
    "SY": "Syrian Arab Republic",
    "KP": "Democratic People's Republic of Korea",
    "TR": "Türkiye",
    "VE": "Venezuela (Bolivarian Republic of)",
}


@dataclass(frozen=True)
class Party:
    """A listed party, independent of the format it is written in.

    Individuals have ``given`` names and a ``last`` name (their primary name is "given last");
    entities and vessels have ``given`` only.
    """

    uid: int
    kind: str  # individual, entity or vessel
    given: str
    last: str = ""
    aliases: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    birth_year: int | None = None
    programme: str = "TEST-PROG"
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        return f"{self.given} {self.last}".strip()

    def entry(self, list_name: SanctionsList) -> SanctionsEntry:
        """The entry a reader should make of this party (names as the writers spell them)."""
        kinds = {"individual": EntityType.INDIVIDUAL, "vessel": EntityType.VESSEL}
        return SanctionsEntry(
            list_name=list_name,
            entry_id=str(self.uid),
            entity_type=kinds.get(self.kind, EntityType.ENTITY),
            names=(self.name, *self.aliases),
            countries=frozenset(self.countries),
            birth_years=frozenset({self.birth_year} if self.birth_year else ()),
            programmes=(self.programme,),
        )


def loaded(list_name: SanctionsList, version: str, parties: list[Party]) -> LoadedList:
    """A loaded list of ``parties`` without going through a file."""
    entries = tuple(party.entry(list_name) for party in parties)
    return LoadedList(ListVersion(list_name, version, len(entries)), entries)


# --- synthetic parties ------------------------------------------------------------------------


def _split(words: str) -> list[str]:
    return words.split()


FIRST_NAMES = _split(
    """Omar Ali Hassan Yusuf Ibrahim Tariq Farid Karim Nadia Leila Mohammed Muhammad
    Ahmed Sergei Dmitri Nikolai Olga Elena Marco Luca Giulia Pierre Jean Hans Klaus Ana Carlos
    Diego Wei Jun Min Kofi Amara Fatima Zainab Reza Parisa Kenji Yuki Lars Ingrid Pavel Tomas
    Milan Goran Oksana Irina Viktor Boris Rashid Samir Walid Nasser Hamid Jamal Aziz Layla Sara
    Ravi Priya Arjun Sunil Chen Li Bao Mateo Sofia Lucia Andres Felipe Emre Selin Murat Deniz"""
)
_ONSETS = _split("b d g k l m n r s t v z br dr gr kr st tr sh kh")
_VOWELS = _split("a e i o u")
_CODAS = ["", "", "n", "r", "l", "s", "m"]
_ENDINGS = _split("ek an ar is o ani elli escu aki oglu ez sson berg ic ura ine")
_ENTITY_WORDS = _split("Shipping Petroleum Logistics Metals Electronics Aviation Chemicals Mining")
_ENTITY_FORMS = ["LLC", "Ltd", "Trading Co", "Group", "Holding", "International", "FZE", "JSC"]


def _word(rng: random.Random, syllables: int) -> str:
    parts = [
        rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
    ]
    return "".join(parts).capitalize()


def synthetic_parties(count: int, *, seed: int, first_uid: int = 10_000) -> list[Party]:
    """``count`` plausible parties: 80% people, 18% companies, 2% vessels, seeded."""
    rng = random.Random(seed)
    countries = sorted(OFAC_COUNTRY)
    parties: list[Party] = []
    for uid in range(first_uid, first_uid + count):
        roll = rng.random()
        listed_in = tuple(rng.sample(countries, rng.choice((0, 1, 1, 2))))
        if roll < 0.80:
            middle = f" {rng.choice(FIRST_NAMES)}" if rng.random() < 0.3 else ""
            last = _word(rng, rng.choice((1, 2))) + rng.choice(_ENDINGS)
            given = rng.choice(FIRST_NAMES) + middle
            aliases = (f"{rng.choice(FIRST_NAMES)} {last}",) if rng.random() < 0.3 else ()
            year = rng.randint(1940, 2000)
            parties.append(Party(uid, "individual", given, last, aliases, listed_in, year))
        elif roll < 0.98:
            words = [_word(rng, rng.choice((2, 3)))]
            if rng.random() < 0.5:
                words.append(rng.choice(_ENTITY_WORDS))
            name = " ".join([*words, rng.choice(_ENTITY_FORMS)])
            aliases = (f"{words[0]} {rng.choice(_ENTITY_FORMS)}",) if rng.random() < 0.3 else ()
            parties.append(Party(uid, "entity", name, aliases=aliases, countries=listed_in))
        else:
            name = f"{_word(rng, 2)} {_word(rng, 2)}".upper()
            parties.append(Party(uid, "vessel", name, countries=listed_in[:1]))
    return parties


# --- writers ----------------------------------------------------------------------------------


def _ofac_remarks(party: Party) -> str:
    parts = []
    if party.birth_year:
        # Both forms OFAC uses: a full date, and an approximate year.
        parts.append(
            f"DOB 12 Jan {party.birth_year}" if party.uid % 2 else f"DOB circa {party.birth_year}"
        )
        parts.append("POB Somewhere")
    if party.kind == "individual" and party.countries:
        parts.append(f"nationality {OFAC_COUNTRY[party.countries[0]]}")
    return "; ".join(parts) + ("." if parts else "")


def write_ofac(directory: Path, parties: list[Party], *, with_extras: bool = True) -> Path:
    """sdn.csv (and alt.csv, add.csv) in OFAC's header-less CSV form; returns sdn.csv."""
    directory.mkdir(parents=True, exist_ok=True)
    types = {"individual": "individual", "vessel": "vessel", "entity": "-0- "}
    sdn, alt, add = [], [], []
    for party in parties:
        name = f"{party.last.upper()}, {party.given}" if party.kind == "individual" else party.name
        flag = (
            OFAC_COUNTRY[party.countries[0]] if party.kind == "vessel" and party.countries else ""
        )
        sdn.append(
            [party.uid, name, types[party.kind], f"{party.programme}] [EXTRA-PROG", "-0- "]
            + ["-0- "] * 4
            + [flag or "-0- ", "-0- ", _ofac_remarks(party) or "-0- "]
        )
        alt += [[party.uid, n, "aka", alias, "-0- "] for n, alias in enumerate(party.aliases, 1)]
        addresses = party.countries[1:] if party.kind == "individual" else party.countries
        add += [
            [party.uid, n, "-0- ", "City", OFAC_COUNTRY[c], "-0- "]
            for n, c in enumerate(addresses, 1)
        ]
    path = directory / "sdn.csv"
    _write_csv(path, sdn, end_of_file=True)
    if with_extras:
        _write_csv(directory / "alt.csv", alt, end_of_file=True)
        _write_csv(directory / "add.csv", add, end_of_file=True)
    return path


EU_COLUMNS = _split(
    """fileGenerationDate Entity_LogicalId Entity_EU_ReferenceNumber Entity_Remark
    Entity_SubjectType Entity_SubjectType_ClassificationCode Entity_Regulation_Programme
    NameAlias_LastName NameAlias_FirstName NameAlias_MiddleName NameAlias_WholeName
    NameAlias_Gender BirthDate_BirthDate BirthDate_Year Citizenship_CountryIso2Code
    Address_City Address_CountryIso2Code Some_Future_Column"""
)


def write_eu(path: Path, parties: list[Party], *, generated: str = "01/05/2030") -> Path:
    """The EU consolidated CSV: one row per (name alias x citizenship or address country)."""
    rows: list[list[object]] = [EU_COLUMNS]
    for party in parties:
        person = party.kind == "individual"
        birth = party.birth_year or ""
        for alias_number, name in enumerate((party.name, *party.aliases)):
            first, _, last = (party.given, "", party.last) if alias_number == 0 else ("", "", "")
            for position, country in enumerate(party.countries or ("",)):
                citizenship, address = (country, "") if person and position == 0 else ("", country)
                rows.append(
                    [
                        *(generated, party.uid, f"EU.{party.uid}.1", "", "P" if person else "E"),
                        *("person" if person else "enterprise", party.programme),
                        *(last, first, "", name, "M" if person else ""),
                        f"{birth}-03-04" if birth and party.uid % 2 else "",
                        birth if person else "",
                        *(citizenship, "City" if address else "", address or "00", "whatever"),
                    ]
                )
    _write_csv(path, rows, delimiter=";")
    return path


def write_un(
    path: Path, parties: list[Party], *, generated: str = "2030-05-01T00:00:00.000Z"
) -> Path:
    """The UN consolidated list XML."""
    root = ElementTree.Element("CONSOLIDATED_LIST", dateGenerated=generated)
    people = ElementTree.SubElement(root, "INDIVIDUALS")
    entities = ElementTree.SubElement(root, "ENTITIES")
    for party in parties:
        person = party.kind == "individual"
        element = ElementTree.SubElement(
            people if person else entities, "INDIVIDUAL" if person else "ENTITY"
        )
        _sub(element, "DATAID", str(party.uid))
        given = party.given.split()
        parts = [*given, party.last] if person else [party.given]
        for tag, text in zip(
            ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"), parts, strict=False
        ):
            _sub(element, tag, text)
        _sub(element, "UN_LIST_TYPE", party.programme)
        _sub(element, "REFERENCE_NUMBER", f"QDi.{party.uid}")
        _sub(element, "COMMENTS1", "Synthetic entry.")
        prefix = "INDIVIDUAL" if person else "ENTITY"
        for alias in party.aliases:
            alias_element = ElementTree.SubElement(element, f"{prefix}_ALIAS")
            _sub(alias_element, "QUALITY", "Good")
            _sub(alias_element, "ALIAS_NAME", alias)
        countries = list(party.countries)
        if person and countries:
            nationality = ElementTree.SubElement(element, "NATIONALITY")
            _sub(nationality, "VALUE", UN_COUNTRY[countries.pop(0)])
        for country in countries:
            _sub(
                ElementTree.SubElement(element, f"{prefix}_ADDRESS"), "COUNTRY", UN_COUNTRY[country]
            )
        if person and party.birth_year:
            birth = ElementTree.SubElement(element, "INDIVIDUAL_DATE_OF_BIRTH")
            if party.uid % 2:
                _sub(birth, "TYPE_OF_DATE", "EXACT")
                _sub(birth, "DATE", f"{party.birth_year}-01-12")
            else:
                _sub(birth, "TYPE_OF_DATE", "APPROXIMATELY")
                _sub(birth, "YEAR", str(party.birth_year))
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def _sub(parent: ElementTree.Element, tag: str, text: str) -> ElementTree.Element:
    child = ElementTree.SubElement(parent, tag)
    child.text = text
    return child


def _write_csv(
    path: Path, rows: list[list[object]], *, delimiter: str = ",", end_of_file: bool = False
) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, delimiter=delimiter).writerows(rows)
        if end_of_file:
            file.write("\x1a\r\n")


# --- a fake store -----------------------------------------------------------------------------


class FakeSanctionsListStore:
    """The ``SanctionsListStore`` port in memory."""

    def __init__(self) -> None:
        self.lists: dict[tuple[str, str], LoadedList] = {}
        self.active_version: dict[str, str] = {}

    async def store(self, loaded: LoadedList) -> ListVersion:
        key = (loaded.version.list_name, loaded.version.version)
        if key not in self.lists:
            stamped = replace(loaded.version, loaded_at=datetime.now(UTC))
            self.lists[key] = LoadedList(stamped, loaded.entries)
            self.active_version[loaded.version.list_name] = loaded.version.version
        return self.lists[key].version

    async def active(self) -> tuple[list[SanctionsEntry], list[ListVersion]]:
        versions = await self.active_versions()
        entries = [e for v in versions for e in self.lists[(v.list_name, v.version)].entries]
        return entries, versions

    async def active_versions(self) -> list[ListVersion]:
        return [self.lists[key].version for key in sorted(self.active_version.items())]
