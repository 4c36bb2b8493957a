"""Reader of OFAC's SDN list in its CSV form: sdn.csv, with alt.csv and add.csv beside it.

The files have no header. sdn.csv: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks; alt.csv: ent_num, alt_num, alt_type,
alt_name, alt_remarks; add.csv: ent_num, add_num, address, city/state/zip, country,
add_remarks. "-0-" stands for an empty value. Dates of birth and nationalities are only in
the remarks ("DOB 12 Jan 1960; alt. DOB 1961; POB Tehran, Iran; nationality Iran.").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from compliance.adapters.sanctions.files import (
    EntryDraft,
    csv_rows,
    finished,
    read_bytes,
    years_in,
)
from compliance.domain.sanctions.entries import (
    EntityType,
    ListVersion,
    LoadedList,
    SanctionsList,
    content_version,
    invalid_sanctions_file,
)

_EMPTY = "-0-"
_TYPES = {
    "individual": EntityType.INDIVIDUAL,
    "vessel": EntityType.VESSEL,
    "aircraft": EntityType.AIRCRAFT,
    "": EntityType.ENTITY,
}
_DOB = re.compile(r"\bDOB\b([^;]*)", re.IGNORECASE)
_NATIONALITY = re.compile(
    r"\b(?:nationality|citizen)\b(?:\s+of\s+registration)?:?\s*([^;]+)", re.IGNORECASE
)
# "SDGT] [IRGC] [IFSR": several programmes in one cell, bracketed as in the printed list.
_PROGRAMME_SEPARATOR = re.compile(r"\]\s*\[|;")


def read_ofac_sdn_csv(path: Path) -> LoadedList:
    """Read sdn.csv and, when they are beside it, alt.csv (aliases) and add.csv (addresses).

    The file carries no publication date, so the version is a digest of the three files.

    Raises:
        InvalidInput: ``INVALID_SANCTIONS_FILE`` for an unreadable or malformed file.
    """
    sdn = read_bytes(path)
    alt_path, add_path = _beside(path, "alt.csv"), _beside(path, "add.csv")
    alt = read_bytes(alt_path) if alt_path else b""
    add = read_bytes(add_path) if add_path else b""
    drafts = {draft.entry_id: draft for draft in (_sdn_entry(row) for row in _rows(sdn, path.name))}
    for row in _rows(alt, "alt.csv"):
        if row[0] in drafts and len(row) > 3:
            drafts[row[0]].add_name(row[3])
    for row in _rows(add, "add.csv"):
        if row[0] in drafts and len(row) > 4:
            drafts[row[0]].add_country(row[4])
    entries = finished(list(drafts.values()), path)
    version = ListVersion(SanctionsList.OFAC_SDN, content_version(sdn, alt, add), len(entries))
    return LoadedList(version, entries)


def _beside(path: Path, name: str) -> Path | None:
    for candidate in (path.with_name(name), path.with_name(name.upper())):
        if candidate.is_file():
            return candidate
    return None


def _rows(content: bytes, file_name: str) -> Iterator[list[str]]:
    for line, raw in enumerate(csv_rows(content, file_name), start=1):
        # The files end with a DOS end-of-file character on a line of its own.
        row = [_value(cell) for cell in raw]
        if not any(row) or (line == 1 and row[0].casefold() == "ent_num"):
            continue
        if not row[0].isdigit():
            raise invalid_sanctions_file(
                f"{file_name} line {line} is not an OFAC SDN CSV row: "
                "its first column (ent_num) is not a number"
            )
        yield row


def _value(cell: str) -> str:
    value = cell.strip().strip("\x1a").strip()
    return "" if value == _EMPTY else value


def _sdn_entry(row: list[str]) -> EntryDraft:
    cells = row + [""] * (12 - len(row))
    name, sdn_type, programmes, flag, remarks = cells[1], cells[2], cells[3], cells[9], cells[11]
    draft = EntryDraft(
        SanctionsList.OFAC_SDN,
        row[0],
        entity_type=_TYPES.get(sdn_type.casefold(), EntityType.UNKNOWN),
        remarks=remarks,
    )
    draft.add_name(name)
    for programme in _PROGRAMME_SEPARATOR.split(programmes):
        draft.add_programme(programme.strip(" []"))
    if flag:
        draft.add_country(flag)
    for dates in _DOB.findall(remarks):
        draft.birth_years.update(years_in(dates))
    for country in _NATIONALITY.findall(remarks):
        draft.add_country(country.strip().rstrip("."))
    return draft
