"""VerifyAuditLog: walk the chain from its genesis and say where, if anywhere, it breaks."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import structlog

from cards.application.audit.chain import canonical_bytes
from cards.application.audit.ports import (
    AuditMac,
    AuditReader,
    AuditRecorder,
    Clock,
    UnreadableAuditEntry,
)
from cards.domain.audit import GENESIS_MAC, AuditAction, AuditEvent

_log = structlog.get_logger(__name__)


class AuditProblem(StrEnum):
    """What is wrong where the chain breaks."""

    # The entry found does not carry the next sequence number: one was deleted or moved.
    SEQUENCE_GAP = "SEQUENCE_GAP"
    # The entry does not point at the MAC of the entry before it: entries were reordered.
    WRONG_PREVIOUS_LINK = "WRONG_PREVIOUS_LINK"
    # The entry's content or MAC was changed, or it was written without the key.
    MAC_MISMATCH = "MAC_MISMATCH"
    # A stored field was changed into something that is not an event any more.
    UNREADABLE_ENTRY = "UNREADABLE_ENTRY"
    # The log ends before or after the head records: entries at its end were removed or added.
    HEAD_MISMATCH = "HEAD_MISMATCH"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditVerification:
    """The outcome of one verification.

    ``entries_checked`` counts the entries read, the broken one included; ``broken_at`` is the
    first sequence number at which the log is not as it was written.
    """

    entries_checked: int
    last_sequence: int
    broken_at: int | None = None
    problem: AuditProblem | None = None

    @property
    def ok(self) -> bool:
        """Whether the whole chain verified."""
        return self.problem is None

    def summary(self) -> str:
        """One line for an operator; it names sequences and problems, never content."""
        if self.ok:
            return f"audit log intact: {self.entries_checked} entries verified"
        return (
            f"audit log BROKEN at sequence {self.broken_at}: {self.problem}"
            f" ({self.entries_checked} entries checked, head at {self.last_sequence})"
        )


def _same(stored: str, expected: str) -> bool:
    # As bytes: compare_digest refuses non-ASCII text, and a tampered field may hold some.
    return hmac.compare_digest(stored.encode(), expected.encode())


def _utc_now() -> datetime:
    return datetime.now(UTC)


class VerifyAuditLog:
    """Recompute every link of the audit chain and compare it with what is stored.

    The head is read first and only entries up to it are checked, so appends running
    beside the verification are neither missed as a break nor reported as one. When a
    ``recorder`` is given, the verification itself is audited as ``AUDIT_VERIFIED``.
    """

    def __init__(
        self,
        reader: AuditReader,
        mac: AuditMac,
        *,
        recorder: AuditRecorder | None = None,
        clock: Clock = _utc_now,
    ) -> None:
        self._reader = reader
        self._mac = mac
        self._recorder = recorder
        self._clock = clock

    async def __call__(self, *, actor: str = "system", channel: str = "CLI") -> AuditVerification:
        """Verify the whole log.

        Args:
            actor: Who asked for the verification, as the ``AUDIT_VERIFIED`` entry records.
            channel: Where they asked from.
        """
        report = await self._verify()
        if report.ok:
            _log.info("audit.verified", entries=report.entries_checked)
        else:
            _log.error(
                "audit.broken",
                broken_at=report.broken_at,
                problem=str(report.problem),
                entries=report.entries_checked,
            )
        if self._recorder is not None:
            await self._recorder.record(self._event(report, actor=actor, channel=channel))
        return report

    async def _verify(self) -> AuditVerification:
        extent = await self._reader.extent()
        head = extent.head
        expected, previous, checked = 1, GENESIS_MAC, 0

        def broken(at: int, problem: AuditProblem) -> AuditVerification:
            return AuditVerification(
                entries_checked=checked,
                last_sequence=head.last_sequence,
                broken_at=at,
                problem=problem,
            )

        try:
            async for entry in self._reader.entries(up_to=head.last_sequence):
                checked += 1
                if entry.sequence != expected:
                    return broken(expected, AuditProblem.SEQUENCE_GAP)
                if not _same(entry.previous_mac, previous):
                    return broken(expected, AuditProblem.WRONG_PREVIOUS_LINK)
                recomputed = self._mac.mac(previous, canonical_bytes(entry.sequence, entry.event))
                if not _same(entry.mac, recomputed):
                    return broken(expected, AuditProblem.MAC_MISMATCH)
                previous, expected = entry.mac, expected + 1
        except UnreadableAuditEntry as unreadable:
            checked += 1
            if unreadable.sequence != expected:
                return broken(expected, AuditProblem.SEQUENCE_GAP)
            return broken(expected, AuditProblem.UNREADABLE_ENTRY)
        if expected - 1 != head.last_sequence:
            return broken(expected, AuditProblem.HEAD_MISMATCH)
        if not _same(previous, head.last_mac):
            return broken(head.last_sequence, AuditProblem.HEAD_MISMATCH)
        if extent.highest_sequence > head.last_sequence:
            return broken(head.last_sequence + 1, AuditProblem.HEAD_MISMATCH)
        return AuditVerification(entries_checked=checked, last_sequence=head.last_sequence)

    def _event(self, report: AuditVerification, *, actor: str, channel: str) -> AuditEvent:
        details = {"entriesChecked": str(report.entries_checked), "result": "INTACT"}
        if not report.ok:
            details |= {"result": str(report.problem), "brokenAt": str(report.broken_at)}
        return AuditEvent(
            action=AuditAction.AUDIT_VERIFIED,
            actor=actor,
            channel=channel,
            tenant_id="",
            subject="",
            occurred_at=self._clock(),
            details=details,
        )
