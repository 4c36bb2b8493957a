"""GetTotpSecret: a card's RFC 6238 secret for authenticator apps, when this connector offers it.

Decisions (issue 6, point 1): Toqio's ``getTOTPSecret`` needs a provider that supports it; by
default (``CARDS_TOTP_ENABLED`` unset) there is no source and the answer is
``FUNCTION_NOT_IMPLEMENTED_YET`` (501), never a made-up secret. With a source, the secret of
a card in a state that shows its details (see ``reveal``) is answered, and every disclosure
is audited as ``SECRET_DECRYPTED`` (field ``TOTP_SECRET``); a refused one as
``REVEAL_REFUSED``. The spec's GET carries no security code, so none is asked for.
"""

from __future__ import annotations

from cards.application.cards.changes import load_card
from cards.application.security.errors import reveal_not_allowed
from cards.application.security.gate import (
    Clock,
    CodeOperation,
    RefusalReason,
    audit_event,
    record_refusal,
    toqio_requester,
    utc_now,
)
from cards.application.security.ports import SecurityWorkFactory, TotpSecretSource
from cards.application.security.reveal import why_not_revealable
from cards.domain import errors
from cards.domain.audit import AuditAction

TOTP_FIELD = "TOTP_SECRET"


class GetTotpSecret:
    """Answer a card's TOTP secret, or ``FUNCTION_NOT_IMPLEMENTED_YET`` without a source."""

    def __init__(
        self,
        units: SecurityWorkFactory,
        source: TotpSecretSource | None,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._units = units
        self._source = source
        self._clock = clock

    @property
    def enabled(self) -> bool:
        """Whether this connector offers TOTP secrets at all."""
        return self._source is not None

    async def __call__(self, tenant_id: str, card_id: str, *, user_id: str | None = None) -> str:
        """The card's base32 TOTP secret.

        Raises:
            NotImplementedByProvider: ``FUNCTION_NOT_IMPLEMENTED_YET`` when not offered.
            NotFound: ``CARD_NOT_FOUND``.
            Conflict: ``CARD_REVEAL_NOT_ALLOWED`` for a card that shows nothing (audited).
        """
        if self._source is None:
            raise errors.function_not_implemented("A card's TOTP secret")
        requester = toqio_requester(user_id)
        async with self._units() as work:
            card, _ = await load_card(work, tenant_id, card_id)
            now = self._clock()
            why = why_not_revealable(card)
            if why is not None:
                await record_refusal(
                    work,
                    card,
                    requester,
                    now,
                    operation=CodeOperation.TOTP_SECRET,
                    reason=RefusalReason.CARD_NOT_REVEALABLE,
                )
                raise reveal_not_allowed(card_id, why)
            secret = self._source.secret(card.tenant_id, card.card_id)
            details = {"field": TOTP_FIELD, "purpose": CodeOperation.TOTP_SECRET.value}
            await work.audit.append(
                audit_event(AuditAction.SECRET_DECRYPTED, card, requester, now, details)
            )
            await work.commit()
        return secret
