"""Builders for the cards domain's tests: cards in any status, contexts, money and requests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from cards.domain.authorization_decision import AuthorizationKind, AuthorizationRequest
from cards.domain.card import Card
from cards.domain.card_profile import CardProfile
from cards.domain.card_types import CardForm
from cards.domain.controls import Merchant, SpendControls
from cards.domain.expiry import Expiry
from cards.domain.lifecycle import Actor, CardStatus, ChangeContext, Channel
from cards.domain.limits import CardLimits
from shared_kernel.domain.money import Money

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
TODAY: date = NOW.date()
EXPIRY = Expiry(month=5, year=2033)
PAN_REF = "vault:card-1:PAN"


def eur(minor: int) -> Money:
    """``minor`` euro cents."""
    return Money.of(minor, "EUR")


def context(
    channel: Channel = Channel.TOQIO_API,
    *,
    actor: Actor | None = None,
    reason: str = "requested in a test",
    at: datetime = NOW,
) -> ChangeContext:
    """A change made through ``channel``; the actor fits the channel unless given."""
    if actor is None:
        actor = {
            Channel.TOQIO_API: Actor.user("user-1"),
            Channel.PROCESSOR: Actor.processor(),
            Channel.ISSUER_OPS: Actor.operator("ops-1"),
            Channel.SYSTEM: Actor.system(),
        }[channel]
    return ChangeContext(actor=actor, channel=channel, reason=reason, at=at)


ISSUER = context(Channel.ISSUER_OPS)
TOQIO = context(Channel.TOQIO_API)


def profile(**overrides: Any) -> CardProfile:
    """A EUR debit card profile; any field can be overridden."""
    values: dict[str, Any] = {
        "card_id": "card-1",
        "tenant_id": "cust-1",
        "account_id": "acc-1",
        "company_id": "client-1",
        "user_id": "user-1",
        "form": CardForm.VIRTUAL,
        "currency": "EUR",
        "last4": "4242",
        "expiry": EXPIRY,
        "pan_ref": PAN_REF,
        "name_on_card": "ADA LOVELACE",
    }
    values.update(overrides)
    return CardProfile(**values)


def issued_card(
    *,
    limits: CardLimits | None = None,
    controls: SpendControls | None = None,
    read_only: bool = False,
    **overrides: Any,
) -> Card:
    """A card just issued (virtual unless ``form`` says otherwise), transitions drained."""
    card = Card.issue(
        profile(**overrides), TOQIO, limits=limits, controls=controls, read_only=read_only
    )
    card.pull_transitions()
    return card


def card_in(status: CardStatus, **overrides: Any) -> Card:
    """A card rebuilt from storage in ``status`` (version 3), with no pending transitions."""
    form = CardForm.PHYSICAL if status is CardStatus.PENDING_ACTIVATION else CardForm.VIRTUAL
    overrides.setdefault("form", form)
    limits = overrides.pop("limits", None)
    controls = overrides.pop("controls", None)
    return Card(
        profile=profile(**overrides),
        status=status,
        issued_at=NOW,
        version=3,
        limits=limits,
        controls=controls,
    )


def merchant(mcc: str = "5411", country: str = "ES", name: str = "Corner Shop") -> Merchant:
    """A grocery in Spain unless told otherwise."""
    return Merchant(name=name, mcc=mcc, country=country)


def auth_request(
    amount: Money | None = None,
    *,
    processor_id: str = "proc-auth-1",
    card_id: str = "card-1",
    at: Merchant | None = None,
    kind: AuthorizationKind = AuthorizationKind.AUTHORIZATION,
) -> AuthorizationRequest:
    """The processor asking to spend ``amount`` (10.00 EUR) with card-1 at a grocery."""
    return AuthorizationRequest(
        processor_id=processor_id,
        card_id=card_id,
        amount=amount if amount is not None else eur(1000),
        merchant=at if at is not None else merchant(),
        kind=kind,
    )


def later_expiry(expiry: Expiry = EXPIRY, years: int = 3) -> Expiry:
    """``expiry`` moved ``years`` later."""
    return replace(expiry, year=expiry.year + years)
