"""Authorizations for the repository tests: made in any state, stored, compared field by field."""

from __future__ import annotations

from datetime import UTC, datetime

from building_blocks.persistence import Database
from cards.adapters.persistence.authorization_repository import SqlAlchemyAuthorizationRepository
from cards.domain.authorization import Authorization
from cards.domain.authorization_decision import (
    AuthorizationKind,
    DeclineReason,
    LocalDecision,
)
from cards.domain.limits import LimitKind
from shared_kernel.domain.ids import new_id
from shared_kernel.domain.money import Currency, Money
from tests.cards.card_builders import auth_request, eur, merchant

NOW = datetime(2030, 6, 15, 12, 0, 0, 123456, tzinfo=UTC)
EUR = Currency.of("EUR")


def opened(
    processor_id: str,
    amount: Money | None = None,
    *,
    card_id: str = "card-1",
    at: datetime = NOW,
    mcc: str = "5411",
    declined: DeclineReason | None = None,
    limit: LimitKind | None = None,
    kind: AuthorizationKind = AuthorizationKind.AUTHORIZATION,
) -> Authorization:
    request = auth_request(
        amount or eur(1000), processor_id=processor_id, card_id=card_id, at=merchant(mcc), kind=kind
    )
    decision = LocalDecision(request.spend_kind, declined, limit)
    return Authorization.open(
        authorization_id=new_id(),
        request=request,
        decision=decision,
        at=at,
        tenant_id=None if declined else "cust-1",
        account_id=None if declined else "acc-1",
    )


async def store(database: Database, *items: Authorization) -> None:
    """Add each authorization and save what happened to it after ``open``, in one transaction."""
    async with database.sessions.begin() as session:
        repository = SqlAlchemyAuthorizationRepository(session)
        for item in items:
            assert await repository.add(item)


def fields(item: Authorization) -> tuple[object, ...]:
    return (
        item.authorization_id,
        item.request,
        item.tenant_id,
        item.account_id,
        item.status,
        item.created_at,
        item.decline_reason,
        item.declined_limit,
        item.decided_at,
        item.operations,
        item.version,
    )
