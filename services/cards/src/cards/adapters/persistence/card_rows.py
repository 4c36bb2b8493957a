"""How cards are written to and read from their rows: limits and controls as JSON, transitions."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cards.application.cards.ports import ProcessorStatus
from cards.domain.card import Card
from cards.domain.card_profile import CardProfile
from cards.domain.card_types import CardForm, FundingType
from cards.domain.controls import SpendControls
from cards.domain.expiry import Expiry
from cards.domain.lifecycle import (
    Actor,
    ActorKind,
    CardAction,
    CardStatus,
    CardTransition,
    Channel,
)
from cards.domain.limits import CardLimits, LimitKind, LimitValue
from shared_kernel.domain.money import Currency, Money


def limits_json(limits: CardLimits) -> str:
    """The limits as stored: minor units (or counts) by Toqio field name; unset ones left out."""
    values = {
        kind.value: value.minor if isinstance(value, Money) else value
        for kind, value in limits.configured().items()
    }
    return json.dumps(values, sort_keys=True)


def limits_from_json(text: str, currency: Currency) -> CardLimits:
    """The limits a ``limits`` column holds, in the card's ``currency``."""
    values: dict[LimitKind, LimitValue] = {}
    for name, units in json.loads(text).items():
        kind = LimitKind(name)
        values[kind] = units if kind.is_count else Money.of(units, currency)
    return CardLimits.of(currency, values)


def _codes(values: frozenset[str] | None) -> list[str] | None:
    return None if values is None else sorted(values)


def controls_json(controls: SpendControls) -> str:
    """The controls as stored: sorted code lists (``null`` for "no allowed-only list")."""
    return json.dumps(
        {
            "blockedMccs": _codes(controls.blocked_mccs),
            "allowedMccs": _codes(controls.allowed_mccs),
            "blockedCountries": _codes(controls.blocked_countries),
            "allowedCountries": _codes(controls.allowed_countries),
            "cashAllowed": controls.cash_allowed,
        },
        sort_keys=True,
    )


def _codeset(values: list[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


def controls_from_json(text: str) -> SpendControls:
    """The controls a ``controls`` column holds."""
    document = json.loads(text)
    return SpendControls(
        blocked_mccs=frozenset(document["blockedMccs"]),
        allowed_mccs=_codeset(document["allowedMccs"]),
        blocked_countries=frozenset(document["blockedCountries"]),
        allowed_countries=_codeset(document["allowedCountries"]),
        cash_allowed=bool(document["cashAllowed"]),
    )


def card_state(card: Card) -> dict[str, Any]:
    """The columns that change over a card's life (its profile never does)."""
    return {
        "status": card.status.value,
        "alias": card.alias,
        "read_only": card.read_only,
        "limits": limits_json(card.limits),
        "controls": controls_json(card.controls),
        "version": card.version,
        "deleted_at": card.deleted_at,
    }


def card_row(card: Card, now: datetime) -> dict[str, Any]:
    """The whole row of a newly issued card, its processor request not yet answered."""
    profile = card.profile
    return {
        "card_id": profile.card_id,
        "tenant_id": profile.tenant_id,
        "account_id": profile.account_id,
        "company_id": profile.company_id,
        "user_id": profile.user_id,
        "form": profile.form.value,
        "funding": profile.funding.value,
        "currency": profile.currency.code,
        "last4": profile.last4,
        "pan_ref": profile.pan_ref,
        "expiry_month": profile.expiry.month,
        "expiry_year": profile.expiry.year,
        "name_on_card": profile.name_on_card,
        "replaces_card_id": profile.replaces_card_id,
        "issued_at": card.issued_at,
        "updated_at": now,
        "processor_status": ProcessorStatus.REQUESTED.value,
        **card_state(card),
    }


def card_from_row(row: sa.RowMapping) -> Card:
    """The card a ``cards`` row holds."""
    currency = Currency.of(row["currency"])
    profile = CardProfile(
        card_id=row["card_id"],
        tenant_id=row["tenant_id"],
        account_id=row["account_id"],
        company_id=row["company_id"],
        user_id=row["user_id"],
        form=CardForm(row["form"]),
        funding=FundingType(row["funding"]),
        currency=currency,
        last4=row["last4"],
        expiry=Expiry(month=row["expiry_month"], year=row["expiry_year"]),
        pan_ref=row["pan_ref"],
        name_on_card=row["name_on_card"],
        replaces_card_id=row["replaces_card_id"],
    )
    return Card(
        profile=profile,
        status=CardStatus(row["status"]),
        issued_at=row["issued_at"],
        version=row["version"],
        alias=row["alias"],
        read_only=bool(row["read_only"]),
        limits=limits_from_json(row["limits"], currency),
        controls=controls_from_json(row["controls"]),
        deleted_at=row["deleted_at"],
    )


def transition_row(transition: CardTransition) -> dict[str, Any]:
    """The ``card_transitions`` row of one transition."""
    return {
        "card_id": transition.card_id,
        "version": transition.version,
        "tenant_id": transition.tenant_id,
        "action": transition.action.value,
        "from_status": None if transition.from_status is None else transition.from_status.value,
        "to_status": transition.to_status.value,
        "actor_kind": transition.actor.kind.value,
        "actor_id": transition.actor.actor_id,
        "channel": transition.channel.value,
        "reason": transition.reason,
        "at": transition.at,
    }


def transition_from_row(row: sa.RowMapping) -> CardTransition:
    """The transition a ``card_transitions`` row holds."""
    previous = row["from_status"]
    return CardTransition(
        card_id=row["card_id"],
        tenant_id=row["tenant_id"],
        action=CardAction(row["action"]),
        from_status=None if previous is None else CardStatus(previous),
        to_status=CardStatus(row["to_status"]),
        actor=Actor(ActorKind(row["actor_kind"]), row["actor_id"]),
        channel=Channel(row["channel"]),
        reason=row["reason"],
        at=row["at"],
        version=row["version"],
    )
