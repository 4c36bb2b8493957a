"""Screening a name against the loaded lists: candidates, name scores and negative evidence.

A hit needs a score of at least the threshold, 0.88 by default. At 0.88 two-token names
match through one transliterated token ("Muhammad Rashid" for "Mohamed Rashid", 0.94) or a
dropped middle name (0.97), while a surname alone (0.85) and a conflicting first name
("Sergei Petrov" for "Ivan Petrov", capped far below) do not. How a name scores is in
``matching``; thresholds below ``TOKEN_FLOOR`` (0.80) find nothing more.

Known facts about the screened party that contradict the entry lower its score, so a common
name held by someone else falls below the threshold; agreeing facts add nothing, since the
name alone must justify a hit:

- ``COUNTRY_MISMATCH`` (0.08): the entry lists countries and the party's is not among them.
  Weak, because people move and lists are incomplete: it only tips a borderline name.
- ``BIRTH_YEAR_MISMATCH`` (0.10): the entry lists birth years and none is within a year of
  the party's (a year either way absorbs approximate and misrecorded dates).
- ``ENTITY_TYPE_MISMATCH`` (0.15): a person against a company, vessel or aircraft, or a
  company against a person. Strong: a company cannot be a listed individual, but the type
  of a payment beneficiary is typed by a person and sometimes wrong, so it is not a veto.

An entry scores by its best name; hits are sorted by score, best first.
"""

from __future__ import annotations

from dataclasses import dataclass

from compliance.application.sanctions.index import IndexedName, SanctionsIndex
from compliance.application.sanctions.matching import NameMatch, QueryMatcher
from compliance.domain.sanctions.entries import EntityType, ListVersion, SanctionsEntry
from compliance.domain.sanctions.names import significant_tokens

DEFAULT_THRESHOLD = 0.88
COUNTRY_MISMATCH = 0.08
BIRTH_YEAR_MISMATCH = 0.10
ENTITY_TYPE_MISMATCH = 0.15

_PERSON = frozenset({"PERSON", "INDIVIDUAL", "NATURAL_PERSON"})
_ORGANISATION = frozenset({"COMPANY", "ENTITY", "BUSINESS", "ORGANISATION", "ORGANIZATION"})
_NOT_A_PERSON = frozenset({EntityType.ENTITY, EntityType.VESSEL, EntityType.AIRCRAFT})


@dataclass(frozen=True, slots=True)
class SanctionsHit:
    """A listed entry the screened name matches, with the why.

    Attributes:
        entry: The listed entry.
        matched_name: The entry's name (primary or alias) that scored best.
        score: 0 to 1, after negative evidence.
        reasons: How the score was reached, one statement each, for the reviewer.
    """

    entry: SanctionsEntry
    matched_name: str
    score: float
    reasons: tuple[str, ...]

    @property
    def explanation(self) -> str:
        """The reasons as one line."""
        return f"{self.entry.list_name} {self.entry.entry_id} '{self.matched_name}': " + (
            ", ".join(self.reasons)
        )


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """The outcome of screening one name, and the list versions it was screened against."""

    query: str
    hits: tuple[SanctionsHit, ...]
    list_versions: tuple[ListVersion, ...]

    @property
    def matched(self) -> bool:
        """Whether any entry matched."""
        return bool(self.hits)


class Screener:
    """Screens names against one built index; cheap to create, safe to share."""

    def __init__(self, index: SanctionsIndex, *, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("the screening threshold is a score in (0, 1]")
        self.index = index
        self.threshold = threshold

    def screen(
        self,
        name: str,
        *,
        entity_type: str | None = None,
        country: str | None = None,
        birth_year: int | None = None,
    ) -> ScreeningResult:
        """Find the listed entries ``name`` matches.

        Args:
            name: The screened party's name, in any script or order.
            entity_type: PERSON/INDIVIDUAL or COMPANY/ENTITY when known.
            country: The party's ISO alpha-2 country (nationality or residence) when known.
            birth_year: The party's year of birth when known.

        Returns:
            The hits at or above the threshold, best first, and the list versions used.
        """
        tokens = significant_tokens(name)
        best: dict[tuple[str, str], tuple[IndexedName, NameMatch]] = {}
        if tokens:
            matcher = QueryMatcher(self.index, tokens)
            for candidate in matcher.candidates():
                match = matcher.match(candidate)
                if match.score < self.threshold:
                    continue  # evidence only ever lowers a score
                key = (candidate.entry.list_name, candidate.entry.entry_id)
                if key not in best or match.score > best[key][1].score:
                    best[key] = (candidate, match)
        hits = [
            hit
            for candidate, match in best.values()
            if (hit := self._hit(candidate, match, entity_type, country, birth_year))
        ]
        hits.sort(key=lambda hit: (-hit.score, hit.entry.list_name, hit.entry.entry_id))
        return ScreeningResult(name, tuple(hits), self.index.versions)

    def _hit(
        self,
        candidate: IndexedName,
        match: NameMatch,
        entity_type: str | None,
        country: str | None,
        birth_year: int | None,
    ) -> SanctionsHit | None:
        entry = candidate.entry
        score = match.score
        reasons = _name_reasons(match)
        for penalty, reason in _negative_evidence(entry, entity_type, country, birth_year):
            score -= penalty
            reasons.append(reason)
        if score < self.threshold:
            return None
        return SanctionsHit(entry, candidate.name, round(score, 4), tuple(reasons))


def _name_reasons(match: NameMatch) -> list[str]:
    reasons = [
        f"name {match.similarity:.2f} (token-set Jaro-Winkler over {len(match.pairs)} "
        f"aligned token{'s' if len(match.pairs) > 1 else ''})"
    ]
    sounds = [f"{p.query_token}~{p.name_token}" for p in match.pairs if p.phonetic]
    if sounds:
        reasons.append(f"phonetic match {', '.join(sounds)}")
    if match.penalty:
        reasons.append(f"{match.unmatched} unmatched token(s) -{match.penalty:.2f}")
    conflicts = [f"{p.query_token}~{p.name_token} {p.similarity:.2f}" for p in match.conflicts]
    if conflicts:
        reasons.append(f"conflicting token(s) {', '.join(conflicts)}")
    return reasons


def _negative_evidence(
    entry: SanctionsEntry, entity_type: str | None, country: str | None, birth_year: int | None
) -> list[tuple[float, str]]:
    evidence: list[tuple[float, str]] = []
    if country and entry.countries and country.strip().upper() not in entry.countries:
        listed = ", ".join(sorted(entry.countries))
        evidence.append((COUNTRY_MISMATCH, f"country mismatch -{COUNTRY_MISMATCH:.2f} ({listed})"))
    if birth_year is not None and _no_year_near(entry.birth_years, birth_year):
        listed = ", ".join(str(year) for year in sorted(entry.birth_years))
        evidence.append(
            (BIRTH_YEAR_MISMATCH, f"birth year mismatch -{BIRTH_YEAR_MISMATCH:.2f} ({listed})")
        )
    if entity_type and _types_clash(entity_type.strip().upper(), entry.entity_type):
        evidence.append(
            (
                ENTITY_TYPE_MISMATCH,
                f"entity type mismatch -{ENTITY_TYPE_MISMATCH:.2f} ({entry.entity_type})",
            )
        )
    return evidence


def _no_year_near(years: frozenset[int], birth_year: int) -> bool:
    return bool(years) and all(abs(year - birth_year) > 1 for year in years)


def _types_clash(queried: str, listed: EntityType) -> bool:
    if queried in _PERSON:
        return listed in _NOT_A_PERSON
    return queried in _ORGANISATION and listed is EntityType.INDIVIDUAL
