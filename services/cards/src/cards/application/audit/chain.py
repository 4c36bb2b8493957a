"""How an event becomes the next link of the chain: its canonical encoding and its MAC."""

from __future__ import annotations

import json

from cards.application.audit.ports import AuditMac
from cards.domain.audit import AuditEntry, AuditEvent, AuditHead

CANONICAL_VERSION = 1
"""Bumped if the encoding ever changes, so entries written before still verify."""


def canonical_bytes(sequence: int, event: AuditEvent) -> bytes:
    """The stable, unambiguous bytes the MAC of entry ``sequence`` covers.

    JSON with sorted keys, fixed separators and ASCII escapes: every field is quoted and
    escaped, so no two different entries encode alike, and the bytes never depend on the
    platform, the database or the order ``details`` was built in.
    """
    document = {
        "v": CANONICAL_VERSION,
        "sequence": sequence,
        "action": event.action.value,
        "actor": event.actor,
        "channel": event.channel,
        "tenantId": event.tenant_id,
        "subject": event.subject,
        "occurredAt": event.occurred_at.isoformat(timespec="microseconds"),
        "details": dict(event.details),
    }
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode("ascii")


def next_entry(head: AuditHead, event: AuditEvent, mac: AuditMac) -> AuditEntry:
    """The entry that chains ``event`` right after ``head``."""
    sequence = head.last_sequence + 1
    return AuditEntry(
        event=event,
        sequence=sequence,
        previous_mac=head.last_mac,
        mac=mac.mac(head.last_mac, canonical_bytes(sequence, event)),
    )
