"""The ports the audit log needs: a trail to append to, a reader, and the chain's MAC."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cards.domain.audit import AuditEntry, AuditEvent, AuditHead
from shared_kernel.domain.errors import DomainError

Clock = Callable[[], datetime]
"""Now, timezone-aware in UTC."""

AUDIT_ENTRY_UNREADABLE = "AUDIT_ENTRY_UNREADABLE"


class UnreadableAuditEntry(DomainError):
    """A stored entry no longer decodes as an event (a field was edited to nonsense)."""

    default_code = AUDIT_ENTRY_UNREADABLE

    def __init__(self, sequence: int) -> None:
        super().__init__(f"The audit entry {sequence} cannot be read")
        self.sequence = sequence


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditLogExtent:
    """The head and the highest sequence stored, read at one instant."""

    head: AuditHead
    highest_sequence: int


class AuditTrail(Protocol):
    """Appends events to the audit log inside the caller's unit of work.

    The entry commits or rolls back with the operation it records, so the log never claims an
    operation that did not happen, and a rolled-back append leaves no gap in the sequence.
    """

    async def append(self, event: AuditEvent) -> AuditEntry:
        """Chain ``event`` after the last entry; concurrent appenders wait their turn."""
        ...


class AuditRecorder(Protocol):
    """Appends an event in a transaction of its own, for an operation that has none."""

    async def record(self, event: AuditEvent) -> AuditEntry:
        """Chain ``event`` after the last entry and commit it."""
        ...


class AuditReader(Protocol):
    """Reads the audit log back for verification or export."""

    async def extent(self) -> AuditLogExtent:
        """Where the head says the chain ends, and the highest sequence actually stored."""
        ...

    def entries(self, *, up_to: int | None = None) -> AsyncIterator[AuditEntry]:
        """Every entry in ascending sequence order (up to ``up_to`` included), in batches.

        Raises:
            UnreadableAuditEntry: At the first entry that no longer decodes.
        """
        ...


class AuditMac(Protocol):
    """The keyed MAC that links each entry to the one before it."""

    def mac(self, previous_mac: str, canonical: bytes) -> str:
        """The MAC of an entry whose canonical encoding is ``canonical``, as lower-case hex."""
        ...
