"""What sanctions screening needs from outside: a store of loaded lists and list file readers."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from compliance.domain.sanctions.entries import ListVersion, LoadedList, SanctionsEntry


class SanctionsListStore(Protocol):
    """Every list version ever loaded, one of them active per list."""

    async def store(self, loaded: LoadedList) -> ListVersion:
        """Store a loaded list and make it the active version of its list, in one transaction.

        Loading a version that is already stored changes nothing.

        Returns:
            The version as stored (the earlier one, with its load time, for a reload).
        """
        ...

    async def active(self) -> tuple[list[SanctionsEntry], list[ListVersion]]:
        """The entries of every list's active version, and those versions."""
        ...

    async def active_versions(self) -> list[ListVersion]:
        """The active version of each list: a cheap check of whether an index is stale."""
        ...


class SanctionsListReader(Protocol):
    """A reader of one official list format.

    Raises ``InvalidInput`` with code ``INVALID_SANCTIONS_FILE`` for a file it cannot read.
    """

    def __call__(self, path: Path) -> LoadedList: ...
