"""SecurityCodeGate: checks a card's security code under the lock-out policy, auditing refusals.

Every operation that needs the card's code (activation, PAN reveal, PIN reveal) passes
through :meth:`SecurityCodeGate.admit` inside its unit of work. A refusal is final for the
request: the gate appends ``REVEAL_REFUSED`` to the audit log, stores the new failure count,
commits both, and raises; the operation itself changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from cards.application.cards.changes import TOQIO_ACTOR_ID
from cards.application.cards.ports import SecurityCodeHasher
from cards.application.security.errors import InvalidSecurityCode, SecurityCodeLocked
from cards.application.security.lockout import NO_ATTEMPTS, CodeAttempts, LockoutPolicy
from cards.application.security.ports import (
    EncryptedSecurityCode,
    SecurityCodeDecryptor,
    SecurityCodeUnreadable,
    SecurityWork,
)
from cards.domain.audit import AuditAction, AuditEvent
from cards.domain.card import Card
from cards.domain.lifecycle import Actor, Channel

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(UTC)


class CodeOperation(StrEnum):
    """What the security code was presented for, as the audit log records it."""

    ACTIVATE = "ACTIVATE"
    PAN_REVEAL = "PAN_REVEAL"
    PIN_REVEAL = "PIN_REVEAL"
    TOTP_SECRET = "TOTP_SECRET"  # noqa: S105 (an operation's name, not a secret)


class RefusalReason(StrEnum):
    """Why a security-code operation was refused, as the audit log records it."""

    INVALID_SECURITY_CODE = "INVALID_SECURITY_CODE"
    SECURITY_CODE_LOCKED = "SECURITY_CODE_LOCKED"
    CARD_NOT_REVEALABLE = "CARD_NOT_REVEALABLE"


@dataclass(frozen=True, slots=True)
class Requester:
    """Who presents the code and through what channel (Toqio's API unless said otherwise)."""

    actor: Actor
    channel: Channel = Channel.TOQIO_API


def toqio_requester(user_id: str | None = None) -> Requester:
    """A request through Toqio's API, by ``user_id`` when it names one."""
    return Requester(Actor.user(user_id or TOQIO_ACTOR_ID), Channel.TOQIO_API)


def audit_event(
    action: AuditAction,
    card: Card,
    requester: Requester,
    at: datetime,
    details: Mapping[str, str],
) -> AuditEvent:
    """An audit event about ``card``; ``details`` must never hold a code, PAN, CVV or PIN."""
    return AuditEvent(
        action=action,
        actor=str(requester.actor),
        channel=requester.channel.value,
        tenant_id=card.tenant_id,
        subject=card.card_id,
        occurred_at=at,
        details=details,
    )


async def record_refusal(
    uow: SecurityWork,
    card: Card,
    requester: Requester,
    at: datetime,
    *,
    operation: CodeOperation,
    reason: RefusalReason,
    attempts: CodeAttempts | None = None,
) -> None:
    """Audit a refused operation as ``REVEAL_REFUSED`` and commit (with any counted failure)."""
    details = {"operation": operation.value, "reason": reason.value}
    if attempts is not None:
        details["consecutiveFailures"] = str(attempts.consecutive_failures)
        if attempts.locked_until is not None and attempts.locked_until > at:
            details["lockedUntil"] = attempts.locked_until.isoformat()
    await uow.audit.append(audit_event(AuditAction.REVEAL_REFUSED, card, requester, at, details))
    await uow.commit()


class SecurityCodeGate:
    """Admits a card's operation only with the card's right code, while its code is unlocked.

    A locked card's code is refused without being decrypted or compared. A wrong code, or
    anything that does not decrypt (another key, altered bytes, not base64), counts as one
    failure; the answer never says which it was.
    """

    def __init__(
        self,
        decryptor: SecurityCodeDecryptor,
        hasher: SecurityCodeHasher,
        *,
        policy: LockoutPolicy | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._decryptor = decryptor
        self._hasher = hasher
        self._policy = policy or LockoutPolicy()
        self._clock = clock

    @property
    def clock(self) -> Clock:
        """The clock the gate (and the use cases sharing it) read."""
        return self._clock

    async def admit(
        self,
        uow: SecurityWork,
        card: Card,
        presented: EncryptedSecurityCode,
        *,
        operation: CodeOperation,
        requester: Requester,
    ) -> None:
        """Return when ``presented`` is the card's code; otherwise audit, commit and raise.

        Raises:
            SecurityCodeLocked: The card's code is locked (``SECURITY_CODE_LOCKED``).
            InvalidSecurityCode: The code is wrong or unreadable (``INVALID_SECURITY_CODE``);
                it names the lock's end when this failure locked the card's code.
        """
        now = self._clock()
        attempts = await uow.code_attempts.lock(card.tenant_id, card.card_id)
        if self._policy.is_locked(attempts, now):
            await record_refusal(
                uow,
                card,
                requester,
                now,
                operation=operation,
                reason=RefusalReason.SECURITY_CODE_LOCKED,
                attempts=attempts,
            )
            assert attempts.locked_until is not None
            raise SecurityCodeLocked(
                attempts.locked_until, self._policy.retry_after_seconds(attempts, now)
            )
        if await self._matches(uow, card, presented):
            if attempts != NO_ATTEMPTS:
                await uow.code_attempts.save(
                    card.tenant_id, card.card_id, self._policy.after_success(attempts)
                )
            return
        failed = self._policy.after_failure(attempts, now)
        await uow.code_attempts.save(card.tenant_id, card.card_id, failed)
        await record_refusal(
            uow,
            card,
            requester,
            now,
            operation=operation,
            reason=RefusalReason.INVALID_SECURITY_CODE,
            attempts=failed,
        )
        locked = self._policy.is_locked(failed, now)
        raise InvalidSecurityCode(locked_until=failed.locked_until if locked else None)

    async def _matches(
        self, uow: SecurityWork, card: Card, presented: EncryptedSecurityCode
    ) -> bool:
        issuance = await uow.cards.issuance(card.card_id)
        stored = issuance.security_code_hash if issuance is not None else None
        try:
            code = self._decryptor.decrypt(presented)
        except SecurityCodeUnreadable:
            return False
        # A card without a stored code has no right code: every code is wrong for it.
        return stored is not None and self._hasher.matches(card.card_id, code, stored)
