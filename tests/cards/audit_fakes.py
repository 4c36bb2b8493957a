"""In-memory stand-ins for the audit ports: a log that is trail, recorder and reader at once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from cards.adapters.crypto.audit_mac import HmacAuditMac
from cards.application.audit.chain import next_entry
from cards.application.audit.ports import AuditLogExtent, AuditMac, UnreadableAuditEntry
from cards.domain.audit import AuditAction, AuditEntry, AuditEvent, AuditHead

START = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
AUDIT_KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def audit_mac(key: bytes = AUDIT_KEY) -> HmacAuditMac:
    return HmacAuditMac(key)


class FakeClock:
    """A clock that moves one second each time it is read."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def event(
    number: int = 1,
    *,
    action: AuditAction = AuditAction.CARD_STATUS_CHANGED,
    details: Mapping[str, str] | None = None,
) -> AuditEvent:
    """A plausible audited operation on card ``card-<number>``."""
    return AuditEvent(
        action=action,
        actor=f"user-{number}",
        channel="API",
        tenant_id="tenant-1",
        subject=f"card-{number}",
        occurred_at=START + timedelta(minutes=number),
        details={"from": "ACTIVE", "to": "SUSPENDED"} if details is None else details,
    )


class FakeAuditLog:
    """``AuditTrail``, ``AuditRecorder`` and ``AuditReader`` over a list tests may tamper with.

    ``stored`` is the table: reads return it sorted by sequence, like the database does.
    ``unreadable`` holds sequences whose rows no longer decode.
    """

    def __init__(self, mac: AuditMac | None = None) -> None:
        self.mac = mac or audit_mac()
        self.stored: list[AuditEntry] = []
        self.head = AuditHead()
        self.unreadable: set[int] = set()

    async def append(self, event: AuditEvent) -> AuditEntry:
        entry = next_entry(self.head, event, self.mac)
        self.stored.append(entry)
        self.head = AuditHead(last_sequence=entry.sequence, last_mac=entry.mac)
        return entry

    async def record(self, event: AuditEvent) -> AuditEntry:
        return await self.append(event)

    async def extent(self) -> AuditLogExtent:
        highest = max((entry.sequence for entry in self.stored), default=0)
        return AuditLogExtent(head=self.head, highest_sequence=highest)

    async def entries(self, *, up_to: int | None = None) -> AsyncIterator[AuditEntry]:
        for entry in sorted(self.stored, key=lambda stored: stored.sequence):
            if up_to is not None and entry.sequence > up_to:
                return
            if entry.sequence in self.unreadable:
                raise UnreadableAuditEntry(entry.sequence)
            yield entry

    # Tampering, as someone with write access to the table but not the key would do it.

    def at(self, sequence: int) -> AuditEntry:
        return next(entry for entry in self.stored if entry.sequence == sequence)

    def overwrite(self, sequence: int, entry: AuditEntry) -> None:
        index = next(i for i, stored in enumerate(self.stored) if stored.sequence == sequence)
        self.stored[index] = entry

    def edit_event(self, sequence: int, **changes: Any) -> None:
        entry = self.at(sequence)
        self.overwrite(sequence, replace(entry, event=replace(entry.event, **changes)))

    def delete(self, sequence: int) -> None:
        self.stored.remove(self.at(sequence))
