"""The card lifecycle: statuses, allowed transitions, Toqio's statuses and who changed what."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from cards.domain import errors

MAX_REASON_LENGTH = 500


class CardStatus(StrEnum):
    """Where a card stands inside cards; CANCELLED and CLOSED are terminal."""

    # A physical card on its way to the cardholder: cannot spend until activated.
    PENDING_ACTIVATION = "PENDING_ACTIVATION"
    ACTIVE = "ACTIVE"
    # Frozen by the cardholder or an admin (Toqio's suspend); reversible by them.
    SUSPENDED = "SUSPENDED"
    # Frozen by the issuer (fraud, compliance); only the issuer lifts it.
    BLOCKED = "BLOCKED"
    # Cancelled on request (Toqio's cancel): kept for audit, never usable again.
    CANCELLED = "CANCELLED"
    # Closed by the issuer or the system: replaced, lost, stolen, expired or deleted.
    CLOSED = "CLOSED"

    @property
    def is_terminal(self) -> bool:
        """Whether no transition ever leaves this status."""
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset({CardStatus.CANCELLED, CardStatus.CLOSED})

# The whole state machine. The persistence layer may enforce the same table in the database
# (a trigger or check), so it is kept as plain data rather than spread through methods.
ALLOWED_TRANSITIONS: Mapping[CardStatus, frozenset[CardStatus]] = MappingProxyType(
    {
        # Not BLOCKED: a card that never spent has nothing to freeze; the issuer closes it.
        CardStatus.PENDING_ACTIVATION: frozenset(
            {CardStatus.ACTIVE, CardStatus.CANCELLED, CardStatus.CLOSED}
        ),
        CardStatus.ACTIVE: frozenset(
            {CardStatus.SUSPENDED, CardStatus.BLOCKED, CardStatus.CANCELLED, CardStatus.CLOSED}
        ),
        CardStatus.SUSPENDED: frozenset(
            {CardStatus.ACTIVE, CardStatus.BLOCKED, CardStatus.CANCELLED, CardStatus.CLOSED}
        ),
        # Not SUSPENDED: the cardholder could then resume the card and undo the issuer's block.
        CardStatus.BLOCKED: frozenset({CardStatus.ACTIVE, CardStatus.CANCELLED, CardStatus.CLOSED}),
        CardStatus.CANCELLED: frozenset(),
        CardStatus.CLOSED: frozenset(),
    }
)


class Channel(StrEnum):
    """Through what a change reached the card."""

    TOQIO_API = "TOQIO_API"
    PROCESSOR = "PROCESSOR"
    ISSUER_OPS = "ISSUER_OPS"
    # The cards service itself (replacement, expiry sweeps), acting for the issuer.
    SYSTEM = "SYSTEM"


ISSUER_CHANNELS = frozenset({Channel.ISSUER_OPS, Channel.SYSTEM})


def is_issuer_only(source: CardStatus, target: CardStatus) -> bool:
    """Whether only the issuer may move a card from ``source`` to ``target``.

    Blocking is the issuer's, and so is every way out of BLOCKED except ending the card.
    """
    if target is CardStatus.BLOCKED:
        return True
    return source is CardStatus.BLOCKED and not target.is_terminal


def transition_is_allowed(source: CardStatus, target: CardStatus, channel: Channel) -> bool:
    """Whether ``channel`` may move a card from ``source`` to ``target``."""
    if target not in ALLOWED_TRANSITIONS[source]:
        return False
    return channel in ISSUER_CHANNELS or not is_issuer_only(source, target)


class ToqioCardStatus(StrEnum):
    """The statuses Toqio's card spec knows (``CardResponse.status``)."""

    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    CANCELLED = "CANCELLED"
    CLOSED = "CLOSED"


# BLOCKED shows as SUSPENDED: Toqio has no blocked status, and SUSPENDED is the only one that
# says "cannot spend now, not final". CANCELLED or CLOSED would tell Toqio the card is gone
# for good (it hides it and offers a new one), so a later unblock would revive a card Toqio
# believes dead. Toqio's activate on a blocked card is refused with CARD_ISSUER_ONLY.
TOQIO_STATUS: Mapping[CardStatus, ToqioCardStatus] = MappingProxyType(
    {
        CardStatus.PENDING_ACTIVATION: ToqioCardStatus.PENDING,
        CardStatus.ACTIVE: ToqioCardStatus.ACTIVE,
        CardStatus.SUSPENDED: ToqioCardStatus.SUSPENDED,
        CardStatus.BLOCKED: ToqioCardStatus.SUSPENDED,
        CardStatus.CANCELLED: ToqioCardStatus.CANCELLED,
        CardStatus.CLOSED: ToqioCardStatus.CLOSED,
    }
)


def to_toqio(status: CardStatus) -> ToqioCardStatus:
    """The status Toqio is shown for a card in ``status``."""
    return TOQIO_STATUS[status]


class ActorKind(StrEnum):
    """Who asked for a change."""

    # A Toqio user (cardholder, director, admin), as named by Toqio's request.
    USER = "USER"
    PROCESSOR = "PROCESSOR"
    ISSUER_OPERATOR = "ISSUER_OPERATOR"
    SYSTEM = "SYSTEM"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asked for a change: a kind and an identifier within it (a user id, an operator)."""

    kind: ActorKind
    actor_id: str

    def __post_init__(self) -> None:
        if not self.actor_id.strip():
            raise errors.invalid_card_field("actor", "the actor needs an identifier")

    @classmethod
    def user(cls, user_id: str) -> Actor:
        """A Toqio user."""
        return cls(ActorKind.USER, user_id)

    @classmethod
    def processor(cls, name: str = "processor") -> Actor:
        """The card processor."""
        return cls(ActorKind.PROCESSOR, name)

    @classmethod
    def operator(cls, operator_id: str) -> Actor:
        """One of the issuer's operators."""
        return cls(ActorKind.ISSUER_OPERATOR, operator_id)

    @classmethod
    def system(cls, component: str = "cards") -> Actor:
        """The cards service itself."""
        return cls(ActorKind.SYSTEM, component)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.actor_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeContext:
    """Who changes a card, through what, why and when; every change carries one."""

    actor: Actor
    channel: Channel
    reason: str
    at: datetime

    def __post_init__(self) -> None:
        reason = self.reason.strip()
        if not reason or len(reason) > MAX_REASON_LENGTH:
            raise errors.invalid_card_field(
                "reason", f"a reason of 1 to {MAX_REASON_LENGTH} characters is required"
            )
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise errors.invalid_card_field("at", "the time of a change must be timezone-aware")
        object.__setattr__(self, "reason", reason)


class CardAction(StrEnum):
    """The lifecycle operations, named as recorded."""

    ISSUE = "ISSUE"
    ACTIVATE = "ACTIVATE"
    SUSPEND = "SUSPEND"
    RESUME = "RESUME"
    BLOCK = "BLOCK"
    UNBLOCK = "UNBLOCK"
    CANCEL = "CANCEL"
    CLOSE = "CLOSE"
    # Toqio's DELETE: closes the card (unless already final) and marks it deleted.
    DELETE = "DELETE"

    @property
    def past_tense(self) -> str:
        """The action as error messages word it (``"suspended"``)."""
        return _PAST_TENSE[self]


_PAST_TENSE = MappingProxyType(
    {
        CardAction.ISSUE: "issued",
        CardAction.ACTIVATE: "activated",
        CardAction.SUSPEND: "suspended",
        CardAction.RESUME: "resumed",
        CardAction.BLOCK: "blocked",
        CardAction.UNBLOCK: "unblocked",
        CardAction.CANCEL: "cancelled",
        CardAction.CLOSE: "closed",
        CardAction.DELETE: "deleted",
    }
)


_NON_TERMINAL = frozenset(s for s in CardStatus if not s.is_terminal)


@dataclass(frozen=True, slots=True)
class ActionRule:
    """Where one lifecycle action may start and where it leads."""

    sources: frozenset[CardStatus]
    target: CardStatus
    issuer_only: bool = False


# What each lifecycle action may start from and where it leads; every (source, target) pair
# here is in ALLOWED_TRANSITIONS (a unit test holds the two tables together).
ACTION_RULES: Mapping[CardAction, ActionRule] = MappingProxyType(
    {
        # Toqio's activate both activates a new physical card and unfreezes a suspended one.
        CardAction.ACTIVATE: ActionRule(
            frozenset({CardStatus.PENDING_ACTIVATION, CardStatus.SUSPENDED}), CardStatus.ACTIVE
        ),
        CardAction.RESUME: ActionRule(frozenset({CardStatus.SUSPENDED}), CardStatus.ACTIVE),
        CardAction.SUSPEND: ActionRule(frozenset({CardStatus.ACTIVE}), CardStatus.SUSPENDED),
        CardAction.BLOCK: ActionRule(
            frozenset({CardStatus.ACTIVE, CardStatus.SUSPENDED}), CardStatus.BLOCKED, True
        ),
        CardAction.UNBLOCK: ActionRule(frozenset({CardStatus.BLOCKED}), CardStatus.ACTIVE, True),
        CardAction.CANCEL: ActionRule(_NON_TERMINAL, CardStatus.CANCELLED),
        CardAction.CLOSE: ActionRule(_NON_TERMINAL, CardStatus.CLOSED),
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CardTransition:
    """One recorded lifecycle change of one card.

    ``from_status`` is ``None`` for the issue itself. A DELETE of a card already CANCELLED or
    CLOSED keeps its status, so ``from_status == to_status`` there. ``version`` is the card's
    version after the change.
    """

    card_id: str
    tenant_id: str
    action: CardAction
    from_status: CardStatus | None
    to_status: CardStatus
    actor: Actor
    channel: Channel
    reason: str
    at: datetime
    version: int
