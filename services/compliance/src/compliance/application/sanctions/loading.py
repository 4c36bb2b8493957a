"""Loading a list version into the store, and the screening the service runs on the active ones."""

from __future__ import annotations

import asyncio

from compliance.application.sanctions.index import SanctionsIndex
from compliance.application.sanctions.ports import SanctionsListStore
from compliance.application.sanctions.screening import (
    DEFAULT_THRESHOLD,
    Screener,
    ScreeningResult,
)
from compliance.domain.sanctions.entries import ListVersion, LoadedList, invalid_sanctions_file


class LoadSanctionsList:
    """Store a list read from its official file and make it the active version of its list."""

    def __init__(self, store: SanctionsListStore) -> None:
        self._store = store

    async def __call__(self, loaded: LoadedList) -> ListVersion:
        """Store ``loaded``; a version already stored is left as it is.

        Returns:
            The version as stored, with its load time.

        Raises:
            InvalidInput: ``INVALID_SANCTIONS_FILE`` for a list without entries or with one id
                twice: either would leave screening silently weaker than the file.
        """
        entries = loaded.entries
        if not entries:
            raise invalid_sanctions_file(f"{loaded.version} holds no entries")
        ids = {entry.entry_id for entry in entries}
        if len(ids) != len(entries) or any(
            e.list_name != loaded.version.list_name for e in entries
        ):
            raise invalid_sanctions_file(
                f"{loaded.version} repeats an entry id or holds another list's entries"
            )
        return await self._store.store(loaded)


class SanctionsScreening:
    """The screening of the running service, on the active version of every list.

    ``refresh`` rebuilds the index when the active versions changed (a new list was loaded,
    by the CLI in another process) and swaps it in whole; ``screen`` never waits on I/O.
    """

    def __init__(self, store: SanctionsListStore, *, threshold: float = DEFAULT_THRESHOLD) -> None:
        self._store = store
        self._threshold = threshold
        self._screener = Screener(SanctionsIndex.build((), ()), threshold=threshold)

    @property
    def index(self) -> SanctionsIndex:
        """The index screening currently runs on."""
        return self._screener.index

    @property
    def versions(self) -> tuple[ListVersion, ...]:
        """The list versions the current index holds (empty before the first refresh)."""
        return self._screener.index.versions

    async def refresh(self) -> tuple[ListVersion, ...]:
        """Rebuild the index from the store if its active versions changed.

        Returns:
            The versions screening now runs on.
        """
        current = _identity(self.versions)
        if _identity(await self._store.active_versions()) == current and current:
            return self.versions
        entries, versions = await self._store.active()
        # Building normalises and encodes every name, about a second of CPU for the full
        # official lists: the event loop keeps serving validations meanwhile.
        index = await asyncio.to_thread(SanctionsIndex.build, entries, versions)
        self._screener = Screener(index, threshold=self._threshold)
        return self.versions

    def screen(
        self,
        name: str,
        *,
        entity_type: str | None = None,
        country: str | None = None,
        birth_year: int | None = None,
    ) -> ScreeningResult:
        """Screen a name against the active lists (see ``Screener.screen``)."""
        return self._screener.screen(
            name, entity_type=entity_type, country=country, birth_year=birth_year
        )


def _identity(versions: tuple[ListVersion, ...] | list[ListVersion]) -> set[tuple[str, str]]:
    return {(version.list_name, version.version) for version in versions}
