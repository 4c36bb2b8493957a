"""SettleCardFunds: cards clears (POST) or reverses (VOID) the funds of an authorization.

A POST posts the hold for the amount cleared (a partial clearing releases the rest) and books
the card transaction; a VOID releases it. Either applies once: the record moves out of RESERVED
in the same transaction as the ledger, and a repeat finds it moved. A VOID that finds no record
- the reservation timed out on cards' side and may still be on its way - leaves a tombstone
(VOIDED_BEFORE_HOLD) that the late reservation is refused on (``ALREADY_RELEASED``).
"""

from __future__ import annotations

import structlog

from accounts_payments.application.accounts.ports import Clock
from accounts_payments.application.cards.announcements import announce_posted, announce_voided
from accounts_payments.application.cards.authorizations import CardAuthorization, CardFundsStatus
from accounts_payments.application.cards.ports import CardFundsUnitOfWorkFactory, CardFundsWork
from accounts_payments.domain.accounts import Account
from shared_kernel.contracts import FundsReleaseRequestedV1
from shared_kernel.domain.errors import InvalidInput, NotFound

log = structlog.get_logger(__name__)

INVALID_CARD_FUNDS_RELEASE = "INVALID_CARD_FUNDS_RELEASE"
_NOTHING_TO_VOID = frozenset(
    {CardFundsStatus.VOIDED, CardFundsStatus.VOIDED_BEFORE_HOLD, CardFundsStatus.REFUSED}
)
_MAX_LENGTHS = {"customer_id": 128, "account_id": 64, "card_id": 64, "currency": 3}


def check_release(release: FundsReleaseRequestedV1) -> None:
    """Refuse a release that names no authorization clearly (the values are never echoed).

    Raises:
        InvalidInput: ``INVALID_CARD_FUNDS_RELEASE`` naming the field at fault.
    """
    if not 0 < len(release.authorization_id) <= 100:
        raise _invalid("authorization_id must have 1 to 100 characters")
    if release.hold_id != release.authorization_id:
        raise _invalid("hold_id must be the authorization id")
    for name, limit in _MAX_LENGTHS.items():
        if len(getattr(release, name)) > limit:
            raise _invalid(f"{name} must have at most {limit} characters")
    if release.amount_minor < 0:
        raise _invalid("amount_minor must not be negative")


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(f"Invalid funds release: {message}", code=INVALID_CARD_FUNDS_RELEASE)


class SettleCardFunds:
    """Apply a ``FundsReleaseRequestedV1``: post or void the authorization's hold."""

    def __init__(self, uow: CardFundsUnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, release: FundsReleaseRequestedV1) -> None:
        """Apply ``release`` in a transaction of its own."""
        async with self._uow() as uow:
            await self.apply(uow, release)
            await uow.commit()

    async def apply(self, uow: CardFundsWork, release: FundsReleaseRequestedV1) -> None:
        """Apply ``release`` in ``uow``'s transaction; the caller commits (with its inbox row).

        Raises:
            InvalidInput: a malformed release, or a POST of an amount not in ``1..held``.
            NotFound: ``CARD_AUTHORIZATION_NOT_FOUND`` for a POST of an unknown authorization.
            Conflict: ``CARD_FUNDS_NOT_HELD`` for a POST after a VOID or refusal, or a VOID
                after a POST. Nothing changes on any error.
        """
        check_release(release)
        record = await uow.card_authorizations.get(release.authorization_id, lock=True)
        if release.action == "POST":
            await self._post(uow, release, record)
        else:
            await self._void(uow, release, record)

    async def _post(
        self, uow: CardFundsWork, release: FundsReleaseRequestedV1, record: CardAuthorization | None
    ) -> None:
        if record is None:
            raise NotFound(
                f"No funds were reserved for authorization {release.authorization_id}",
                code="CARD_AUTHORIZATION_NOT_FOUND",
            )
        if record.status is CardFundsStatus.POSTED:
            log.info("card clearing already booked", authorization_id=record.authorization_id)
            return
        if release.currency and release.currency.upper() != record.currency:
            raise InvalidInput(
                f"Authorization {record.authorization_id} holds {record.currency}, "
                f"not {release.currency.upper()}",
                code="CURRENCY_MISMATCH",
            )
        posted = record.posted_as(release.amount_minor, self._clock())
        await uow.ledger.post_hold(record.hold_id, posted.posted)
        await uow.card_authorizations.save(posted)
        await announce_posted(uow, await _account(uow, record), posted)

    async def _void(
        self, uow: CardFundsWork, release: FundsReleaseRequestedV1, record: CardAuthorization | None
    ) -> None:
        if record is None:
            tombstone = CardAuthorization.tombstone(release, self._clock())
            if await uow.card_authorizations.add(tombstone):
                log.info(
                    "card funds released before any hold",
                    authorization_id=release.authorization_id,
                )
                return
            # The reservation was recorded meanwhile: release what it holds.
            record = await uow.card_authorizations.get(release.authorization_id, lock=True)
            assert record is not None
        if record.status in _NOTHING_TO_VOID:
            log.info("card funds already released", authorization_id=record.authorization_id)
            return
        voided = record.voided(self._clock())
        await uow.ledger.void_hold(record.hold_id)
        await uow.card_authorizations.save(voided)
        await announce_voided(uow, await _account(uow, record), voided)


async def _account(uow: CardFundsWork, record: CardAuthorization) -> Account:
    account = await uow.accounts.get(record.customer_id, record.account_id)
    if account is None:  # pragma: no cover - a record with a hold names an existing account
        raise NotFound(f"Account {record.account_id} was not found", code="ACCOUNT_NOT_FOUND")
    return account
