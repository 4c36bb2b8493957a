"""Reader of the EU Financial Sanctions Files consolidated list, CSV 1.1 (semicolon-separated).

One row per combination of an entity's name aliases, birth dates, citizenships and addresses;
rows are grouped by ``Entity_LogicalId``. Columns are found by name, case-insensitively, and
unknown ones are ignored, so a column added by the EU does not break loading.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from compliance.adapters.sanctions.files import (
    EntryDraft,
    csv_rows,
    finished,
    range_years,
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

_ID = "entity_logicalid"
_SUBJECT_TYPES = ("entity_subjecttype", "subject_type", "entity_subjecttype_classificationcode")
_TYPES = {
    "p": EntityType.INDIVIDUAL,
    "person": EntityType.INDIVIDUAL,
    "e": EntityType.ENTITY,
    "enterprise": EntityType.ENTITY,
}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%Y%m%d")

Cell = Callable[[str], str]


def read_eu_consolidated_csv(path: Path) -> LoadedList:
    """Read the EU consolidated list; its version is the file's ``fileGenerationDate``.

    Raises:
        InvalidInput: ``INVALID_SANCTIONS_FILE`` for an unreadable file or one without the
            entity id and name columns.
    """
    content = read_bytes(path)
    rows = csv_rows(content, path.name, delimiter=";")
    header = [name.strip().casefold() for name in next(rows, [])]
    columns = {name: index for index, name in reversed(list(enumerate(header)))}
    if _ID not in columns or not {"namealias_wholename", "namealias_lastname"} & set(columns):
        raise invalid_sanctions_file(
            f"{path.name} is not an EU consolidated list CSV: it lacks the Entity_LogicalId "
            "and NameAlias columns"
        )
    drafts: dict[str, EntryDraft] = {}
    generated = ""
    for values in rows:
        cell = _Row(columns, values)
        entity_id = cell(_ID)
        if not entity_id:
            continue
        generated = generated or cell("filegenerationdate")
        draft = drafts.get(entity_id)
        if draft is None:
            draft = drafts[entity_id] = _new_draft(entity_id, cell)
        _add_row(draft, cell)
    entries = finished(list(drafts.values()), path)
    version = _version(generated) or content_version(content)
    return LoadedList(ListVersion(SanctionsList.EU, version, len(entries)), entries)


class _Row:
    """The cells of one row, by column name; blank for a column the file does not have."""

    def __init__(self, columns: dict[str, int], values: list[str]) -> None:
        self._columns = columns
        self._values = values

    def __call__(self, name: str) -> str:
        index = self._columns.get(name)
        return (
            self._values[index].strip() if index is not None and index < len(self._values) else ""
        )


def _new_draft(entity_id: str, cell: Cell) -> EntryDraft:
    subject_type = next((cell(name) for name in _SUBJECT_TYPES if cell(name)), "")
    return EntryDraft(
        SanctionsList.EU,
        entity_id,
        entity_type=_TYPES.get(subject_type.casefold(), EntityType.UNKNOWN),
        remarks=cell("entity_remark"),
    )


def _add_row(draft: EntryDraft, cell: Cell) -> None:
    parts = ("namealias_firstname", "namealias_middlename", "namealias_lastname")
    draft.add_name(cell("namealias_wholename") or " ".join(cell(part) for part in parts))
    draft.birth_years.update(years_in(cell("birthdate_year") or cell("birthdate_birthdate")))
    draft.birth_years.update(
        range_years(cell("birthdate_yearrangefrom"), cell("birthdate_yearrangeto"))
    )
    draft.add_country(cell("citizenship_countryiso2code"))
    draft.add_country(cell("address_countryiso2code"))
    draft.add_programme(cell("entity_regulation_programme"))


def _version(generated: str) -> str:
    for date_format in _DATE_FORMATS:
        try:
            return datetime.strptime(generated, date_format).date().isoformat()
        except ValueError:
            continue
    return generated
