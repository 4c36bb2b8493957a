"""What the list readers share: reading a file, cleaning values, years, one entry in the making."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from compliance.adapters.sanctions.countries import country_code
from compliance.domain.sanctions.entries import (
    EntityType,
    SanctionsEntry,
    SanctionsList,
    invalid_sanctions_file,
)

_YEAR = r"\b(1[89]\d\d|20\d\d)\b"
_YEAR_RANGE = re.compile(_YEAR + r"\s*(?:to|-|\N{EN DASH})\s*" + _YEAR)
_SINGLE_YEAR = re.compile(_YEAR)
# A range wider than this is not a birth year, it is a typing slip.
_WIDEST_RANGE = 20


def read_bytes(path: Path) -> bytes:
    """The content of a list file, or ``INVALID_SANCTIONS_FILE`` if it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise invalid_sanctions_file(f"cannot read {path}: {error.strerror}") from error


def decode(content: bytes) -> str:
    """UTF-8 (with or without a BOM) as the lists are published, else Windows-1252 text."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older OFAC files are Windows-1252; Latin-1 would garble its quotes and dashes.
        return content.decode("cp1252", errors="replace")


def csv_rows(content: bytes, file_name: str, *, delimiter: str = ",") -> Iterator[list[str]]:
    """The rows of a CSV list file; a file the csv module cannot parse is refused."""
    try:
        yield from csv.reader(io.StringIO(decode(content)), delimiter=delimiter)
    except csv.Error as error:
        raise invalid_sanctions_file(f"{file_name} is not a readable CSV file: {error}") from error


def years_in(text: str) -> set[int]:
    """Every year a date text names: "12 Jan 1960", "1958 to 1960", "circa 1955"."""
    years: set[int] = set()
    for start, end in _YEAR_RANGE.findall(text):
        first, last = int(start), int(end)
        if 0 <= last - first <= _WIDEST_RANGE:
            years.update(range(first, last + 1))
    years.update(int(year) for year in _SINGLE_YEAR.findall(text))
    return years


def range_years(start: str, end: str) -> set[int]:
    """The years from ``start`` to ``end`` (either may be blank)."""
    first, last = years_in(start), years_in(end)
    if first and last and 0 <= max(last) - min(first) <= _WIDEST_RANGE:
        return set(range(min(first), max(last) + 1))
    return first | last


@dataclass
class EntryDraft:
    """An entry being read, row by row or element by element."""

    list_name: SanctionsList
    entry_id: str
    entity_type: EntityType = EntityType.UNKNOWN
    names: list[str] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)
    uncoded_country: bool = False
    birth_years: set[int] = field(default_factory=set)
    programmes: list[str] = field(default_factory=list)
    remarks: str = ""

    def add_name(self, name: str) -> None:
        """Add a name or alias unless blank or already there."""
        cleaned = " ".join(name.split())
        if cleaned and cleaned not in self.names:
            self.names.append(cleaned)

    def add_country(self, value: str) -> None:
        """Add a country given as a code or a name; blank and "00" (unknown) say nothing."""
        text = value.strip()
        if not text or text == "00":
            return
        code = country_code(text)
        if code is None:
            self.uncoded_country = True
        else:
            self.countries.add(code)

    def add_programme(self, programme: str) -> None:
        """Add a programme unless blank or already there."""
        cleaned = programme.strip()
        if cleaned and cleaned not in self.programmes:
            self.programmes.append(cleaned)

    def entry(self) -> SanctionsEntry | None:
        """The finished entry, or ``None`` for one without a name (nothing to screen)."""
        if not self.names:
            return None
        return SanctionsEntry(
            list_name=self.list_name,
            entry_id=self.entry_id,
            entity_type=self.entity_type,
            names=tuple(self.names),
            # A country the list names that we cannot code might be the party's own: with
            # it missing, the others would count against a party from there.
            countries=frozenset() if self.uncoded_country else frozenset(self.countries),
            birth_years=frozenset(self.birth_years),
            programmes=tuple(self.programmes),
            remarks=self.remarks,
        )


def finished(drafts: list[EntryDraft], path: Path) -> tuple[SanctionsEntry, ...]:
    """The entries of ``drafts``; a list without any is refused, not loaded as empty."""
    entries = tuple(entry for draft in drafts if (entry := draft.entry()) is not None)
    if not entries:
        # Loading it would replace the active list with nothing and stop all screening.
        raise invalid_sanctions_file(f"{path.name} holds no sanctions entries")
    return entries
