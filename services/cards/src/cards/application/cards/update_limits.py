"""UpdateCard: Toqio's updateCard, new limits (checked against the programme's bounds)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cards.application.cards.changes import load_card, toqio_context
from cards.application.cards.issue import client_type_of
from cards.application.cards.limit_input import WireLimit, limit_values
from cards.application.cards.options import IssuingPolicy
from cards.application.cards.ports import CardsWorkFactory, Clock
from cards.application.cards.views import CardView
from cards.domain import errors
from cards.domain.audit import AuditAction, AuditEvent
from cards.domain.card import Card
from cards.domain.lifecycle import ChangeContext
from cards.domain.limits import CardLimits, LimitKind, LimitValue
from shared_kernel.domain.money import Currency, Money

UNSET_LIMIT = "unset"


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateCardCommand:
    """Toqio's ``UpdateCardRequest``: the limits it names change, the others stay.

    A limit given as ``None`` (JSON ``null``) is removed. ``currency``, when given, must be
    the card's; ``client_type`` picks the bounds (the policy's default when absent).
    ``alias`` is Toqio's deprecated way to rename (``alias_given`` says it was sent).
    """

    tenant_id: str
    card_id: str
    limits: Mapping[LimitKind, WireLimit | None] = field(default_factory=dict)
    currency: str | None = None
    client_type: str | None = None
    alias: str | None = None
    alias_given: bool = False


def _shown(value: LimitValue | None) -> str:
    if value is None:
        return UNSET_LIMIT
    return value.format() if isinstance(value, Money) else str(value)


def limits_event(card: Card, before: CardLimits, context: ChangeContext) -> AuditEvent:
    """The ``CARD_LIMITS_CHANGED`` entry: each changed limit as ``before -> after``."""
    details = {
        kind.value: f"{_shown(before.get(kind))} -> {_shown(card.limits.get(kind))}"
        for kind in LimitKind
        if before.get(kind) != card.limits.get(kind)
    }
    details["reason"] = context.reason
    return AuditEvent(
        action=AuditAction.CARD_LIMITS_CHANGED,
        actor=str(context.actor),
        channel=context.channel.value,
        tenant_id=card.tenant_id,
        subject=card.card_id,
        occurred_at=context.at,
        details=details,
    )


class UpdateCard:
    """Change a card's limits (and, deprecated, its alias)."""

    def __init__(self, units: CardsWorkFactory, policy: IssuingPolicy, clock: Clock) -> None:
        self._units = units
        self._policy = policy
        self._clock = clock

    async def __call__(self, command: UpdateCardCommand) -> CardView:
        """The card with its new limits; nothing changes if any limit is refused.

        Raises:
            NotFound: ``CARD_NOT_FOUND``.
            InvalidInput: ``INVALID_LIMITS`` naming each field out of bounds, negative, above
                a wider limit or not an amount; ``INVALID_CARD`` for another currency.
            Conflict: ``CARD_TERMINAL_STATE`` or ``CARD_DELETED``.
        """
        client_type = client_type_of(command.client_type, self._policy.client_type)
        context = toqio_context("updateCard", self._clock())
        async with self._units() as work:
            card, issuance = await load_card(
                work, command.tenant_id, command.card_id, for_update=True
            )
            if command.currency is not None and Currency.of(command.currency) != card.currency:
                raise errors.invalid_card_field(
                    "currency", f"the card's limits are in {card.currency.code}"
                )
            before = card.limits
            limits = before.changed(limit_values(card.currency, command.limits))
            bounds = self._policy.bounds.for_programme(
                card.profile.funding, client_type, card.currency
            )
            limits_changed = card.change_limits(limits, bounds)
            renamed = command.alias_given and card.rename(command.alias)
            if limits_changed or renamed:
                await work.cards.save(card)
                if limits_changed:
                    await work.audit.append(limits_event(card, before, context))
                await work.commit()
        return CardView(card=card, issuance=issuance)
