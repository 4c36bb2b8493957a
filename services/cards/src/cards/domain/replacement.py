"""Replacing a card: why, what happens to its PAN and to the old card, and the successor."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from cards.domain import errors
from cards.domain.card import Card
from cards.domain.expiry import Expiry
from cards.domain.lifecycle import CardStatus, ChangeContext


class ReplacementReason(StrEnum):
    """Why a cardholder gets a new card."""

    EXPIRED = "EXPIRED"
    DAMAGED = "DAMAGED"
    LOST = "LOST"
    STOLEN = "STOLEN"


@dataclass(frozen=True, slots=True)
class ReplacementPlan:
    """What replacing a card for ``reason`` takes.

    ``keeps_pan``: the new card carries the old PAN (same vault entry) under a new expiry, so
    credentials stored at merchants keep working; otherwise the caller must get a new PAN.
    ``closes_old_first``: the old card is closed before anything else happens, so a
    compromised card stops working even if issuing its successor fails; otherwise it is
    closed only once its successor exists, so the cardholder is never left without a card.
    """

    reason: ReplacementReason
    keeps_pan: bool
    closes_old_first: bool

    @property
    def needs_new_pan(self) -> bool:
        """Whether the caller must generate (or get from the processor) a new PAN."""
        return not self.keeps_pan


def replacement_plan(reason: ReplacementReason) -> ReplacementPlan:
    """The plan for replacing a card for ``reason``.

    EXPIRED and DAMAGED keep the PAN; LOST and STOLEN may be in someone else's hands, so the
    old card is closed first and the new card gets a new PAN.
    """
    compromised = reason in (ReplacementReason.LOST, ReplacementReason.STOLEN)
    return ReplacementPlan(reason=reason, keeps_pan=not compromised, closes_old_first=compromised)


def begin_replacement(
    card: Card, reason: ReplacementReason, context: ChangeContext
) -> ReplacementPlan:
    """Plan replacing ``card`` for ``reason``, closing it at once when the plan says so.

    The caller then obtains a new PAN if ``plan.needs_new_pan`` and calls :func:`replace_card`.

    Raises:
        Conflict: the card is final or deleted, so it cannot be replaced.
    """
    plan = replacement_plan(reason)
    _check_replaceable(card, plan)
    if plan.closes_old_first:
        card.close(context)
    return plan


def replace_card(
    old: Card,
    plan: ReplacementPlan,
    *,
    card_id: str,
    expiry: Expiry,
    context: ChangeContext,
    pan_ref: str | None = None,
    last4: str | None = None,
) -> Card:
    """Issue the successor of ``old`` under ``plan`` and close ``old`` (if not closed yet).

    With ``plan.keeps_pan`` the new card keeps the old PAN reference and last four digits
    (leave them out) under a later expiry; otherwise a new ``pan_ref`` and ``last4`` are
    required. Everything else (account, holder, alias, limits, controls) carries over, and
    the successor's ``replaces_card_id`` names ``old``.

    Raises:
        Conflict: ``old`` cannot be replaced (final, deleted).
        InvalidInput: ``INVALID_REPLACEMENT`` when the PAN or expiry does not fit the plan.
    """
    _check_replaceable(old, plan)
    before = old.profile
    if plan.keeps_pan:
        if pan_ref not in (None, before.pan_ref) or last4 not in (None, before.last4):
            raise errors.invalid_replacement(f"a {plan.reason} replacement keeps the PAN")
        if (expiry.year, expiry.month) <= (before.expiry.year, before.expiry.month):
            raise errors.invalid_replacement("a replacement keeping the PAN needs a later expiry")
        pan_ref, last4 = before.pan_ref, before.last4
    elif pan_ref is None or last4 is None or pan_ref == before.pan_ref:
        raise errors.invalid_replacement(f"a {plan.reason} replacement needs a new PAN")
    profile = replace(
        before,
        card_id=card_id,
        expiry=expiry,
        pan_ref=pan_ref,
        last4=last4,
        replaces_card_id=before.card_id,
    )
    successor = Card.issue(
        profile,
        context,
        alias=old.alias,
        read_only=old.read_only,
        limits=old.limits,
        controls=old.controls,
    )
    old.close(context)
    return successor


def _check_replaceable(card: Card, plan: ReplacementPlan) -> None:
    if card.is_deleted:
        raise errors.card_deleted(card.card_id)
    closed_for_it = plan.closes_old_first and card.status is CardStatus.CLOSED
    if card.status.is_terminal and not closed_for_it:
        raise errors.card_in_terminal_state(card.card_id, card.status.value, "replaced")
