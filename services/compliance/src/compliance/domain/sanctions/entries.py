"""Sanctions list entries, list versions and a loaded list, as every list format reads into."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared_kernel.domain.errors import InvalidInput

INVALID_SANCTIONS_FILE = "INVALID_SANCTIONS_FILE"


class SanctionsList(StrEnum):
    """The official lists the connector screens against."""

    OFAC_SDN = "OFAC_SDN"
    EU = "EU"
    UN = "UN"


class EntityType(StrEnum):
    """What a listed party is; UNKNOWN where the list does not say."""

    INDIVIDUAL = "INDIVIDUAL"
    ENTITY = "ENTITY"
    VESSEL = "VESSEL"
    AIRCRAFT = "AIRCRAFT"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class SanctionsEntry:
    """One listed party.

    Attributes:
        list_name: The list it is on.
        entry_id: The list's own id (OFAC ent_num, EU logical id, UN DATAID).
        entity_type: Individual, entity, vessel, aircraft or unknown.
        names: The primary name first, then every alias, as the list spells them.
        countries: ISO 3166 alpha-2 codes of nationality, citizenship, address or flag; empty
            when the list gives none or one we cannot code (then no country is evidence).
        birth_years: Years of birth the list gives (every year of a range).
        programmes: Sanctions programmes or regimes the entry is listed under.
        remarks: Free text of the list, kept for the reviewer.
    """

    list_name: SanctionsList
    entry_id: str
    entity_type: EntityType
    names: tuple[str, ...]
    countries: frozenset[str] = frozenset()
    birth_years: frozenset[int] = frozenset()
    programmes: tuple[str, ...] = ()
    remarks: str = ""

    def __post_init__(self) -> None:
        if not self.entry_id:
            raise ValueError("a sanctions entry needs the list's id")
        if not self.names:
            raise ValueError(f"sanctions entry {self.entry_id} has no name")

    @property
    def primary_name(self) -> str:
        """The name the list files the entry under."""
        return self.names[0]


@dataclass(frozen=True, slots=True)
class ListVersion:
    """One publication of a list: what a screening decision records it was made against.

    Attributes:
        list_name: The list.
        version: The publication date or identifier in the file, else ``sha256:`` and a digest
            of the file content.
        entry_count: How many entries the publication holds.
        loaded_at: When it was stored; ``None`` for a list read but not stored yet.
    """

    list_name: SanctionsList
    version: str
    entry_count: int
    loaded_at: datetime | None = None

    def __str__(self) -> str:
        return f"{self.list_name} {self.version}"


@dataclass(frozen=True, slots=True)
class LoadedList:
    """A list file read into entries, ready to be stored."""

    version: ListVersion
    entries: tuple[SanctionsEntry, ...]


def content_version(*contents: bytes) -> str:
    """The version of a list whose file carries no publication date: a digest of its content.

    The whole content is hashed: two publications differing only near the end must not be
    taken for the same version, or loading the newer one would be skipped as a reload.
    """
    digest = hashlib.sha256()
    for content in contents:
        digest.update(hashlib.sha256(content).digest())
    return f"sha256:{digest.hexdigest()[:16]}"


def invalid_sanctions_file(message: str) -> InvalidInput:
    """The error every list reader raises for a file it cannot read as its format."""
    return InvalidInput(message, code=INVALID_SANCTIONS_FILE)
