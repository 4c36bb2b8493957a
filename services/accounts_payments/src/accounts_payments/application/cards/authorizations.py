"""One card authorization's funds: what cards asked, what we answered, what became of it.

The authorization id is the record's key and the ledger hold's id. A record is written in the
same transaction as the hold it describes, before the answer leaves, so asking again answers
the same, and a release that finds no record leaves a tombstone that refuses any later hold.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from shared_kernel.contracts import (
    FundsReleaseRequestedV1,
    FundsReservationAnsweredV1,
    FundsReservationRequestedV1,
)
from shared_kernel.domain.errors import Conflict, InvalidInput
from shared_kernel.domain.money import Money


class CardFundsStatus(StrEnum):
    """Where a card authorization's funds stand; every status but RESERVED is final."""

    RESERVED = "RESERVED"  # the hold is placed
    REFUSED = "REFUSED"  # answered with a refusal: nothing was held
    POSTED = "POSTED"  # cleared: the hold was posted, in full or in part
    VOIDED = "VOIDED"  # reversed: the hold was released
    VOIDED_BEFORE_HOLD = "VOIDED_BEFORE_HOLD"  # the release came first: no hold, ever


class Refusal(StrEnum):
    """Why a reservation is refused (``FundsReservationAnsweredV1.reason``)."""

    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    ACCOUNT_NOT_FOUND = "ACCOUNT_NOT_FOUND"
    ACCOUNT_NOT_ACTIVE = "ACCOUNT_NOT_ACTIVE"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    ALREADY_RELEASED = "ALREADY_RELEASED"
    # The same authorization id asked again for another account or amount: the first answer
    # does not hold for it, and nothing is reserved for the second.
    AUTHORIZATION_MISMATCH = "AUTHORIZATION_MISMATCH"


@dataclass(frozen=True, slots=True)
class CardAuthorization:
    """One authorization's funds, as asked by cards and settled since.

    Carries the card id and its last four digits only, never a PAN. ``amount_minor`` is what
    was asked (for a tombstone, what the release said); ``posted_minor`` what was cleared.
    """

    authorization_id: str
    customer_id: str
    account_id: str
    card_id: str
    card_last4: str
    merchant_name: str
    merchant_mcc: str
    merchant_country: str
    transaction_type: str
    amount_minor: int
    currency: str
    status: CardFundsStatus
    created_at: datetime
    updated_at: datetime
    reason: Refusal | None = None
    posted_minor: int = 0
    requested_at: datetime | None = None

    @property
    def hold_id(self) -> str:
        """The ledger hold reserving the funds: the authorization id itself."""
        return self.authorization_id

    @property
    def amount(self) -> Money:
        return Money.of(self.amount_minor, self.currency)

    @property
    def posted(self) -> Money:
        return Money.of(self.posted_minor, self.currency)

    @classmethod
    def asked(
        cls, request: FundsReservationRequestedV1, refusal: Refusal | None, now: datetime
    ) -> CardAuthorization:
        """The record of ``request``: RESERVED, or REFUSED for ``refusal``."""
        return cls(
            authorization_id=request.authorization_id,
            customer_id=request.customer_id,
            account_id=request.account_id,
            card_id=request.card_id,
            card_last4=request.card_last4,
            merchant_name=request.merchant_name,
            merchant_mcc=request.merchant_mcc,
            merchant_country=request.merchant_country,
            transaction_type=request.transaction_type,
            amount_minor=request.amount_minor,
            currency=request.currency.upper(),
            status=CardFundsStatus.RESERVED if refusal is None else CardFundsStatus.REFUSED,
            reason=refusal,
            created_at=now,
            updated_at=now,
            requested_at=request.requested_at,
        )

    @classmethod
    def tombstone(cls, release: FundsReleaseRequestedV1, now: datetime) -> CardAuthorization:
        """The mark a VOID leaves when no reservation was recorded: none may follow it."""
        return cls(
            authorization_id=release.authorization_id,
            customer_id=release.customer_id,
            account_id=release.account_id,
            card_id=release.card_id,
            card_last4="",
            merchant_name="",
            merchant_mcc="",
            merchant_country="",
            transaction_type="",
            amount_minor=max(release.amount_minor, 0),
            currency=release.currency.upper(),
            status=CardFundsStatus.VOIDED_BEFORE_HOLD,
            created_at=now,
            updated_at=now,
        )

    def is_asked_by(self, request: FundsReservationRequestedV1) -> bool:
        """Whether ``request`` asks for what this record was asked for (a true repeat)."""
        return (
            self.customer_id,
            self.account_id,
            self.card_id,
            self.amount_minor,
            self.currency,
        ) == (
            request.customer_id,
            request.account_id,
            request.card_id,
            request.amount_minor,
            request.currency.upper(),
        )

    def answer_to(self, request: FundsReservationRequestedV1) -> FundsReservationAnsweredV1:
        """What a request for this authorization id is answered, now that the record exists."""
        # A tombstone refuses whatever is asked: it knows nothing of the original request.
        tombstone = self.status is CardFundsStatus.VOIDED_BEFORE_HOLD
        if not tombstone and not self.is_asked_by(request):
            return _refused(self.authorization_id, Refusal.AUTHORIZATION_MISMATCH)
        return self.answer()

    def answer(self) -> FundsReservationAnsweredV1:
        """The answer this record stands for: the hold, or the refusal and its reason."""
        if self.status is CardFundsStatus.REFUSED:
            assert self.reason is not None
            return _refused(self.authorization_id, self.reason)
        if self.status is CardFundsStatus.VOIDED_BEFORE_HOLD:
            return _refused(self.authorization_id, Refusal.ALREADY_RELEASED)
        return FundsReservationAnsweredV1(
            authorization_id=self.authorization_id, approved=True, hold_id=self.hold_id
        )

    def posted_as(self, amount_minor: int, now: datetime) -> CardAuthorization:
        """This record cleared for ``amount_minor`` (at most what is held).

        Raises:
            Conflict: ``CARD_FUNDS_NOT_HELD`` when nothing is held any more (or ever was).
            InvalidInput: ``INVALID_AMOUNT`` for an amount not in ``1..amount_minor``.
        """
        self._ensure_held("post")
        if not 0 < amount_minor <= self.amount_minor:
            raise InvalidInput(
                f"A clearing of authorization {self.authorization_id} must be between 1 and "
                f"{self.amount_minor} minor units, not {amount_minor}",
                code="INVALID_AMOUNT",
            )
        return replace(
            self, status=CardFundsStatus.POSTED, posted_minor=amount_minor, updated_at=now
        )

    def voided(self, now: datetime) -> CardAuthorization:
        """This record with its hold released.

        Raises:
            Conflict: ``CARD_FUNDS_NOT_HELD`` when nothing is held any more (or ever was).
        """
        self._ensure_held("void")
        return replace(self, status=CardFundsStatus.VOIDED, updated_at=now)

    def _ensure_held(self, action: str) -> None:
        if self.status is not CardFundsStatus.RESERVED:
            raise Conflict(
                f"Cannot {action} authorization {self.authorization_id}: it is "
                f"{self.status.value}, so nothing is held",
                code="CARD_FUNDS_NOT_HELD",
            )


def _refused(authorization_id: str, reason: Refusal) -> FundsReservationAnsweredV1:
    return FundsReservationAnsweredV1(
        authorization_id=authorization_id, approved=False, reason=reason.value
    )
