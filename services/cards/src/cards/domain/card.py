"""The card aggregate: its lifecycle transitions, alias, read-only flag, limits and controls."""

from __future__ import annotations

from datetime import date, datetime

from cards.domain import errors
from cards.domain.card_checks import checked_alias
from cards.domain.card_profile import CardProfile
from cards.domain.card_types import SUPPORTED_FUNDING
from cards.domain.controls import SpendControls
from cards.domain.expiry import Expiry
from cards.domain.lifecycle import (
    ACTION_RULES,
    ISSUER_CHANNELS,
    CardAction,
    CardStatus,
    CardTransition,
    ChangeContext,
    ToqioCardStatus,
    to_toqio,
)
from cards.domain.limit_bounds import LimitBounds
from cards.domain.limits import CardLimits
from shared_kernel.domain.money import Currency


class Card:
    """One payment card of one Toqio customer (tenant), linked to one account.

    What the card is lives in its immutable :class:`CardProfile`; what changes (status,
    alias, read-only flag, limits, controls) is private and changes only through the methods
    below. Each bumps :attr:`version`; lifecycle methods also check the transition table and
    record a :class:`CardTransition` for the repository to drain with :meth:`pull_transitions`.
    Asking for the status a card already has changes nothing and is not an error (Toqio
    retries its PUTs); any other move out of CANCELLED or CLOSED is refused.
    """

    def __init__(
        self,
        *,
        profile: CardProfile,
        status: CardStatus,
        issued_at: datetime,
        version: int = 1,
        alias: str | None = None,
        read_only: bool = False,
        limits: CardLimits | None = None,
        controls: SpendControls | None = None,
        deleted_at: datetime | None = None,
    ) -> None:
        """Rebuild a card from stored state; new cards come from :meth:`issue`."""
        self._profile = profile
        self._status = status
        self._issued_at = issued_at
        self._version = version
        self._alias = alias
        self._read_only = read_only
        self._limits = limits if limits is not None else CardLimits.none(profile.currency)
        self._controls = controls if controls is not None else SpendControls()
        self._deleted_at = deleted_at
        self._transitions: list[CardTransition] = []

    @classmethod
    def issue(
        cls,
        profile: CardProfile,
        context: ChangeContext,
        *,
        alias: str | None = None,
        read_only: bool = False,
        limits: CardLimits | None = None,
        controls: SpendControls | None = None,
        bounds: LimitBounds | None = None,
    ) -> Card:
        """A new card: ACTIVE at once if virtual, PENDING_ACTIVATION if physical.

        Raises:
            NotImplementedByProvider: ``FUNCTION_NOT_IMPLEMENTED_YET`` for CREDIT or PREPAID.
            InvalidInput: ``INVALID_CARD`` or ``INVALID_LIMITS`` naming the bad field.
        """
        if profile.funding not in SUPPORTED_FUNDING:
            raise errors.funding_not_supported(profile.funding.value)
        if profile.expiry.is_past(context.at.date()):
            raise errors.invalid_card_field("expiryDate", "a new card cannot be expired already")
        limits = limits if limits is not None else CardLimits.none(profile.currency)
        _check_limits(limits, profile.currency, bounds)
        card = cls(
            profile=profile,
            status=profile.initial_status,
            issued_at=context.at,
            alias=checked_alias(alias),
            read_only=bool(read_only),
            limits=limits,
            controls=controls,
        )
        card._record(CardAction.ISSUE, None, context)
        return card

    # Lifecycle -------------------------------------------------------------------------------

    def activate(self, context: ChangeContext) -> CardTransition | None:
        """Activate a new physical card, or unfreeze a suspended one (Toqio's activate)."""
        return self._apply(CardAction.ACTIVATE, context)

    def resume(self, context: ChangeContext) -> CardTransition | None:
        """Unfreeze a suspended card."""
        return self._apply(CardAction.RESUME, context)

    def suspend(self, context: ChangeContext) -> CardTransition | None:
        """Freeze an active card until it is resumed."""
        return self._apply(CardAction.SUSPEND, context)

    def block(self, context: ChangeContext) -> CardTransition | None:
        """Block the card for the issuer (fraud, compliance); only the issuer lifts it."""
        return self._apply(CardAction.BLOCK, context)

    def unblock(self, context: ChangeContext) -> CardTransition | None:
        """Lift the issuer's block: the card is active again."""
        return self._apply(CardAction.UNBLOCK, context)

    def cancel(self, context: ChangeContext) -> CardTransition | None:
        """Cancel the card for good (Toqio's cancel)."""
        return self._apply(CardAction.CANCEL, context)

    def close(self, context: ChangeContext) -> CardTransition | None:
        """Close the card for good (replacement, expiry, issuer decision)."""
        return self._apply(CardAction.CLOSE, context)

    def delete(self, context: ChangeContext) -> CardTransition | None:
        """Toqio's DELETE: close the card unless already final, and mark it deleted.

        The card stays stored for audit and clearing; a deleted card never changes again.
        Deleting it twice changes nothing.
        """
        if self._deleted_at is not None:
            return None
        source = self._status
        self._status = CardStatus.CLOSED if not source.is_terminal else source
        self._deleted_at = context.at
        return self._record(CardAction.DELETE, source, context)

    # Other changes ---------------------------------------------------------------------------

    def rename(self, alias: str | None) -> bool:
        """Set the card's alias (at most 25 characters; ``None`` or blank clears it).

        Returns:
            Whether anything changed.
        """
        alias = checked_alias(alias)
        self._check_changeable("renamed")
        return self._set("_alias", alias)

    def set_read_only(self, read_only: bool) -> bool:
        """Make the card read-only (it then declines every spend) or lift that.

        Returns:
            Whether anything changed.
        """
        self._check_changeable("made read-only" if read_only else "made spendable")
        return self._set("_read_only", bool(read_only))

    def change_limits(self, limits: CardLimits, bounds: LimitBounds | None = None) -> bool:
        """Replace the card's limits, refusing any outside ``bounds`` when given.

        Returns:
            Whether anything changed.

        Raises:
            InvalidInput: ``INVALID_LIMITS`` naming each offending field.
            Conflict: the card is final or deleted.
        """
        _check_limits(limits, self._profile.currency, bounds)
        self._check_changeable("given new limits")
        return self._set("_limits", limits)

    def change_controls(self, controls: SpendControls) -> bool:
        """Replace the card's merchant-category and country controls.

        Returns:
            Whether anything changed.
        """
        self._check_changeable("given new controls")
        return self._set("_controls", controls)

    def pull_transitions(self) -> list[CardTransition]:
        """The transitions recorded since the last pull, oldest first, then forgotten."""
        pulled, self._transitions = self._transitions, []
        return pulled

    # State -----------------------------------------------------------------------------------

    @property
    def profile(self) -> CardProfile:
        """What the card is: owner, account, form, funding, currency, PAN reference."""
        return self._profile

    @property
    def card_id(self) -> str:
        return self._profile.card_id

    @property
    def tenant_id(self) -> str:
        """The Toqio customer the card belongs to."""
        return self._profile.tenant_id

    @property
    def currency(self) -> Currency:
        return self._profile.currency

    @property
    def expiry(self) -> Expiry:
        return self._profile.expiry

    @property
    def status(self) -> CardStatus:
        return self._status

    @property
    def toqio_status(self) -> ToqioCardStatus:
        """The status Toqio is shown."""
        return to_toqio(self._status)

    @property
    def alias(self) -> str | None:
        return self._alias

    @property
    def read_only(self) -> bool:
        """A read-only card (Toqio's direct-debit cards) declines every spend."""
        return self._read_only

    @property
    def limits(self) -> CardLimits:
        return self._limits

    @property
    def controls(self) -> SpendControls:
        return self._controls

    @property
    def version(self) -> int:
        """1 at issue, bumped by every change, for optimistic locking."""
        return self._version

    @property
    def issued_at(self) -> datetime:
        return self._issued_at

    @property
    def deleted_at(self) -> datetime | None:
        return self._deleted_at

    @property
    def is_deleted(self) -> bool:
        return self._deleted_at is not None

    def is_expired(self, today: date) -> bool:
        """Whether the card is past its expiry month on ``today``."""
        return self._profile.expiry.is_past(today)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Card) and other.card_id == self.card_id

    def __hash__(self) -> int:
        return hash(self.card_id)

    def __repr__(self) -> str:
        # Deliberately short: no PAN reference, no holder name.
        return f"Card(card_id={self.card_id!r}, status={self._status.value}, v{self._version})"

    # Internals -------------------------------------------------------------------------------

    def _apply(self, action: CardAction, context: ChangeContext) -> CardTransition | None:
        rule = ACTION_RULES[action]
        source = self._status
        if context.channel not in ISSUER_CHANNELS and (
            # Only the issuer blocks and unblocks; a blocked card may otherwise only end.
            rule.issuer_only or (source is CardStatus.BLOCKED and not rule.target.is_terminal)
        ):
            raise errors.issuer_only(self.card_id, action.past_tense, context.channel.value)
        if source is rule.target:
            return None
        if source.is_terminal:
            raise errors.card_in_terminal_state(self.card_id, source.value, action.past_tense)
        if source not in rule.sources:
            raise errors.transition_not_allowed(
                self.card_id, source.value, rule.target.value, action.past_tense
            )
        self._status = rule.target
        return self._record(action, source, context)

    def _record(
        self, action: CardAction, source: CardStatus | None, context: ChangeContext
    ) -> CardTransition:
        if source is not None:
            self._version += 1
        transition = CardTransition(
            card_id=self.card_id,
            tenant_id=self.tenant_id,
            action=action,
            from_status=source,
            to_status=self._status,
            actor=context.actor,
            channel=context.channel,
            reason=context.reason,
            at=context.at,
            version=self._version,
        )
        self._transitions.append(transition)
        return transition

    def _check_changeable(self, what: str) -> None:
        if self._deleted_at is not None:
            raise errors.card_deleted(self.card_id)
        if self._status.is_terminal:
            raise errors.card_in_terminal_state(self.card_id, self._status.value, what)

    def _set(self, attribute: str, value: object) -> bool:
        if getattr(self, attribute) == value:
            return False
        setattr(self, attribute, value)
        self._version += 1
        return True


def _check_limits(limits: CardLimits, currency: Currency, bounds: LimitBounds | None) -> None:
    if limits.currency != currency:
        raise errors.invalid_card_field(
            "currency", f"limits must be in the card currency {currency.code}"
        )
    if bounds is not None:
        bounds.check(limits)
