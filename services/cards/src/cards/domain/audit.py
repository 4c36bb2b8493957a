"""The audit log's vocabulary: what was done to card data or keys, by whom, and its chain links."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType

from shared_kernel.domain.errors import FieldProblem, InvalidInput

GENESIS_MAC = "0" * 64
"""The ``previous_mac`` of the first entry: the chain hangs from a fixed, public anchor."""

MAX_FIELD_LENGTH = 200
MAX_DETAIL_KEY_LENGTH = 64
MAX_DETAIL_VALUE_LENGTH = 2000
INVALID_AUDIT_EVENT = "INVALID_AUDIT_EVENT"

# Runs of 13+ digits, maybe split by single spaces or dashes as card numbers are written.
_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){12,}+")
_DIGIT_GROUP = re.compile(r"\d+")


class AuditAction(StrEnum):
    """What an audited operation did. New actions may be added; stored values never change."""

    PAN_REVEALED = "PAN_REVEALED"
    PIN_REVEALED = "PIN_REVEALED"
    REVEAL_REFUSED = "REVEAL_REFUSED"
    SECRET_DECRYPTED = "SECRET_DECRYPTED"  # noqa: S105 (an action's name, not a secret)
    CARD_ISSUED = "CARD_ISSUED"
    CARD_REPLACED = "CARD_REPLACED"
    CARD_STATUS_CHANGED = "CARD_STATUS_CHANGED"
    CARD_LIMITS_CHANGED = "CARD_LIMITS_CHANGED"
    DATA_KEY_CREATED = "DATA_KEY_CREATED"
    KEY_ROTATED = "KEY_ROTATED"
    AUDIT_VERIFIED = "AUDIT_VERIFIED"


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """One audited operation, as the audit log keeps it forever.

    ``tenant_id`` and ``subject`` (a card id, a key version) may be empty for a service-wide
    operation such as rotating the key-encryption key. ``details`` says what else an auditor
    needs (a reason, a key version, the last four digits) and must never carry a PAN, CVV,
    PIN, key or any other secret: a value holding a card-number-shaped run of digits is
    refused, but the rule is the caller's to keep.

    Raises:
        InvalidInput: ``INVALID_AUDIT_EVENT`` for a naive time, an empty actor or channel, a
            field too long, or a value that looks like a card number.
    """

    action: AuditAction
    actor: str
    channel: str
    tenant_id: str
    subject: str
    occurred_at: datetime
    details: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.occurred_at.utcoffset() is None:
            raise _invalid("occurred_at", "The time of an audit event must be timezone-aware")
        if not isinstance(self.action, AuditAction):
            raise _invalid("action", "The action of an audit event must be an AuditAction")
        for name in ("actor", "channel"):
            if not getattr(self, name):
                raise _invalid(name, f"The {name} of an audit event is required")
        for name in ("actor", "channel", "tenant_id", "subject"):
            _check_text(name, getattr(self, name), MAX_FIELD_LENGTH)
        for key, value in self.details.items():
            if not key or not isinstance(key, str) or not isinstance(value, str):
                raise _invalid("details", "Audit details map non-empty names to text")
            _check_text("details", key, MAX_DETAIL_KEY_LENGTH)
            _check_text("details", value, MAX_DETAIL_VALUE_LENGTH)
        # Normalised once, so that equal events encode (and MAC) identically.
        object.__setattr__(self, "occurred_at", self.occurred_at.astimezone(UTC))
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """An event as written in the chain: its place, the MAC before it, and its own MAC."""

    event: AuditEvent
    sequence: int
    previous_mac: str
    mac: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditHead:
    """Where the chain ends: the last sequence written and its MAC (0 and genesis if empty)."""

    last_sequence: int = 0
    last_mac: str = GENESIS_MAC


def _check_text(name: str, value: str, max_length: int) -> None:
    if len(value) > max_length:
        raise _invalid(name, f"The audit {name} is longer than {max_length} characters")
    if "\x00" in value:
        raise _invalid(name, f"The audit {name} contains a NUL character")
    if _holds_card_number(value):
        # Say which field, never the value: it may be the very card number being kept out.
        raise _invalid(name, f"The audit {name} looks like it holds a card number")


def _holds_card_number(value: str) -> bool:
    # Windows of whole digit groups, so "PAN 2030" (a PAN then its expiry) is still caught.
    for run in _DIGIT_RUN.finditer(value):
        groups = _DIGIT_GROUP.findall(run.group())
        for first in range(len(groups)):
            digits = ""
            for group in groups[first:]:
                digits += group
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and _luhn_valid(digits):
                    return True
    return False


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(int(c) for c in reversed(digits)):
        if position % 2:
            total += digit * 2 - 9 if digit > 4 else digit * 2
        else:
            total += digit
    return total % 10 == 0


def _invalid(name: str, message: str) -> InvalidInput:
    problem = FieldProblem(name, INVALID_AUDIT_EVENT, message)
    return InvalidInput(message, code=INVALID_AUDIT_EVENT, problems=(problem,))
