"""NameScreening over the loaded sanctions lists: the best hit for a payee, as a rule fact."""

from __future__ import annotations

from compliance.application.sanctions.loading import SanctionsScreening
from compliance.domain.monitoring.evaluation import SanctionsFinding


class ListScreening:
    """Screens a payee against the active lists; the rule set decides what a score means."""

    def __init__(self, screening: SanctionsScreening) -> None:
        self._screening = screening

    def best_match(
        self, name: str, *, entity_type: str | None, country: str | None
    ) -> SanctionsFinding | None:
        """The highest-scoring hit, or ``None`` when nothing comes near."""
        result = self._screening.screen(name, entity_type=entity_type, country=country)
        if not result.hits:
            return None
        best = result.hits[0]
        return SanctionsFinding(
            score=best.score,
            matched_name=best.matched_name,
            entry=f"{best.entry.list_name}:{best.entry.entry_id}",
            explanation=best.explanation,
        )

    def list_versions(self) -> tuple[str, ...]:
        """The versions screened against, e.g. ``("EU 2030-05-01", "OFAC_SDN 3f2a…")``."""
        return tuple(str(version) for version in self._screening.versions)
