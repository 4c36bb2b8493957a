"""How a lifecycle change is carried out and announced: the audit entry and Toqio's webhook.

Toqio's card spec names no webhook for card status changes; the contract README only says
"the card lifecycle types". We send ``CARD_STATUS_UPDATED`` with ``{cardId, status,
previousStatus, reason, date}`` (Toqio's statuses; ``date`` as Toqio writes instants), only
when the status Toqio sees changes: SUSPENDED to BLOCKED, say, is audited but not sent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cards.application.cards.ports import CardIssuance, CardsWork, CardsWorkFactory
from cards.application.cards.views import CardView
from cards.domain import errors
from cards.domain.audit import AuditAction, AuditEvent
from cards.domain.card import Card
from cards.domain.lifecycle import Actor, CardTransition, ChangeContext, Channel, to_toqio

CARD_STATUS_UPDATED = "CARD_STATUS_UPDATED"
CARD_FAILED = "CARD_FAILED"
TOQIO_ACTOR_ID = "toqio-integration-hub"
"""The actor of a Toqio request that names no user (Toqio's JWT identifies only itself)."""

Change = Callable[[Card, ChangeContext], CardTransition | None]


def toqio_time(at: datetime) -> str:
    """``at`` as Toqio writes instants: ``2024-08-01T10:30:00.000Z``."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def toqio_context(operation: str, at: datetime, user_id: str | None = None) -> ChangeContext:
    """The context of a change Toqio asked for through its ``operation`` (``suspendCard``)."""
    return ChangeContext(
        actor=Actor.user(user_id or TOQIO_ACTOR_ID),
        channel=Channel.TOQIO_API,
        reason=f"{operation} requested through Toqio",
        at=at,
    )


async def load_card(
    work: CardsWork, tenant_id: str, card_id: str, *, for_update: bool = False
) -> tuple[Card, CardIssuance]:
    """The tenant's card and its issuing record.

    Raises:
        NotFound: ``CARD_NOT_FOUND``, also for another tenant's card.
    """
    card = await work.cards.get(tenant_id, card_id, for_update=for_update)
    if card is None:
        raise errors.card_not_found(card_id)
    issuance = await work.cards.issuance(card.card_id)
    return card, issuance if issuance is not None else CardIssuance()


def status_webhook(transition: CardTransition) -> dict[str, Any]:
    """The ``CARD_STATUS_UPDATED`` body of ``transition`` (no card data beyond its id)."""
    previous = transition.from_status
    return {
        "cardId": transition.card_id,
        "status": to_toqio(transition.to_status).value,
        "previousStatus": None if previous is None else to_toqio(previous).value,
        "reason": transition.reason,
        "date": toqio_time(transition.at),
    }


def transition_event(transition: CardTransition) -> AuditEvent:
    """The audit entry of ``transition``: who, through what, why, from and to."""
    details = {
        "action": transition.action.value,
        "to": transition.to_status.value,
        "reason": transition.reason,
        "version": str(transition.version),
    }
    if transition.from_status is not None:
        details["from"] = transition.from_status.value
    return AuditEvent(
        action=AuditAction.CARD_STATUS_CHANGED,
        actor=str(transition.actor),
        channel=transition.channel.value,
        tenant_id=transition.tenant_id,
        subject=transition.card_id,
        occurred_at=transition.at,
        details=details,
    )


async def announce_transition(work: CardsWork, transition: CardTransition) -> None:
    """Audit ``transition`` and, if Toqio's status moved, queue its webhook, in ``work``."""
    await work.audit.append(transition_event(transition))
    previous = transition.from_status
    if previous is not None and to_toqio(previous) is to_toqio(transition.to_status):
        return
    await work.notify_toqio(
        CARD_STATUS_UPDATED,
        status_webhook(transition),
        customer_id=transition.tenant_id,
        ordering_key=f"card:{transition.card_id}",
        dedupe_key=f"card-status:{transition.card_id}:{transition.version}",
    )


async def change_status(
    units: CardsWorkFactory, tenant_id: str, card_id: str, change: Change, context: ChangeContext
) -> CardView:
    """Apply one lifecycle ``change`` to the tenant's card, under a lock, and announce it.

    Asking for the status the card already has changes nothing (Toqio retries its PUTs).

    Raises:
        NotFound: ``CARD_NOT_FOUND``.
        Conflict: ``CARD_TERMINAL_STATE``, ``CARD_TRANSITION_NOT_ALLOWED``, ``CARD_MODIFIED``.
        RuleViolated: ``CARD_ISSUER_ONLY``.
    """
    async with units() as work:
        card, issuance = await load_card(work, tenant_id, card_id, for_update=True)
        transition = change(card, context)
        if transition is not None:
            await work.cards.save(card)
            await announce_transition(work, transition)
            await work.commit()
    return CardView(card=card, issuance=issuance)
