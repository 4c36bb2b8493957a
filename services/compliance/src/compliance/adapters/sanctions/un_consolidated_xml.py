"""Reader of the UN Security Council consolidated sanctions list (XML).

Parsed with defusedxml and no DTD allowed: the file comes from outside, and the standard
library parser would expand an entity bomb or fetch an external entity.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

# No stubs: types-defusedxml is not a dependency, and one parse call is all we use.
from defusedxml import ElementTree  # type: ignore[import-untyped]

from compliance.adapters.sanctions.files import (
    EntryDraft,
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

if TYPE_CHECKING:
    # Only the type: parsing goes through defusedxml above.
    from xml.etree.ElementTree import Element

_REFUSED = (
    ElementTree.DTDForbidden,
    ElementTree.EntitiesForbidden,
    ElementTree.ExternalReferenceForbidden,
)
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def read_un_consolidated_xml(path: Path) -> LoadedList:
    """Read the UN consolidated list; its version is the root's ``dateGenerated``.

    Raises:
        InvalidInput: ``INVALID_SANCTIONS_FILE`` for an unreadable, malformed or unsafe file
            (a DTD, entity declarations) or one that is not the consolidated list.
    """
    content = read_bytes(path)
    try:
        root: Element = ElementTree.fromstring(content, forbid_dtd=True)
    except _REFUSED as error:
        raise invalid_sanctions_file(
            f"{path.name} is refused: it declares a DTD or entities ({type(error).__name__})"
        ) from error
    except ElementTree.ParseError as error:
        raise invalid_sanctions_file(f"{path.name} is not well-formed XML: {error}") from error
    if root.tag != "CONSOLIDATED_LIST":
        raise invalid_sanctions_file(
            f"{path.name} is not the UN consolidated list: its root is <{root.tag}>"
        )
    drafts = [_individual(element) for element in root.iterfind("INDIVIDUALS/INDIVIDUAL")]
    drafts += [_entity(element) for element in root.iterfind("ENTITIES/ENTITY")]
    entries = finished(drafts, path)
    version = (root.get("dateGenerated") or "").strip() or content_version(content)
    return LoadedList(ListVersion(SanctionsList.UN, version, len(entries)), entries)


def _individual(element: Element) -> EntryDraft:
    draft = _draft(element, EntityType.INDIVIDUAL)
    draft.add_name(" ".join(_text(element, part) for part in _NAME_PARTS))
    draft.add_name(_text(element, "NAME_ORIGINAL_SCRIPT"))
    for alias in element.iterfind("INDIVIDUAL_ALIAS"):
        draft.add_name(_text(alias, "ALIAS_NAME"))
    for nationality in element.iterfind("NATIONALITY/VALUE"):
        draft.add_country(nationality.text or "")
    for address in element.iterfind("INDIVIDUAL_ADDRESS"):
        draft.add_country(_text(address, "COUNTRY"))
    for birth in element.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        draft.birth_years.update(years_in(_text(birth, "DATE") or _text(birth, "YEAR")))
        draft.birth_years.update(range_years(_text(birth, "FROM_YEAR"), _text(birth, "TO_YEAR")))
    return draft


def _entity(element: Element) -> EntryDraft:
    draft = _draft(element, EntityType.ENTITY)
    draft.add_name(_text(element, "FIRST_NAME"))
    draft.add_name(_text(element, "NAME_ORIGINAL_SCRIPT"))
    for alias in element.iterfind("ENTITY_ALIAS"):
        draft.add_name(_text(alias, "ALIAS_NAME"))
    for address in element.iterfind("ENTITY_ADDRESS"):
        draft.add_country(_text(address, "COUNTRY"))
    return draft


def _draft(element: Element, entity_type: EntityType) -> EntryDraft:
    reference = _text(element, "REFERENCE_NUMBER")
    entry_id = _text(element, "DATAID") or reference
    if not entry_id:
        raise invalid_sanctions_file(f"a UN list <{element.tag}> has neither DATAID nor reference")
    draft = EntryDraft(
        SanctionsList.UN,
        entry_id,
        entity_type=entity_type,
        remarks="; ".join(text for text in (reference, _text(element, "COMMENTS1")) if text),
    )
    draft.add_programme(_text(element, "UN_LIST_TYPE"))
    return draft


def _text(element: Element, path: str) -> str:
    return (element.findtext(path) or "").strip()
