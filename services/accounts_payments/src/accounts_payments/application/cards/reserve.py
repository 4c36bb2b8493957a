"""ReserveCardFunds: hold funds for a card authorization while cards waits for the answer.

It runs inside cards' authorization deadline, so it is one short transaction with no provider
call: lock the account, place the hold (id = authorization id), record the answer, queue
``SAVE_TRANSACTION``, commit - and only then answer. A refusal is recorded too, so asking again
answers the same. The debit goes to the tenant's settlement account in the account's currency,
as all money leaving through the outside world does (the card scheme, here).
"""

from __future__ import annotations

import contextlib

from accounts_payments.application.accounts.common import settlement_account_id
from accounts_payments.application.accounts.open_account import open_ledger_accounts
from accounts_payments.application.accounts.ports import Clock
from accounts_payments.application.cards.announcements import announce_reserved
from accounts_payments.application.cards.authorizations import CardAuthorization, Refusal
from accounts_payments.application.cards.ports import CardFundsUnitOfWorkFactory, CardFundsWork
from accounts_payments.domain.accounts import Account, AccountStatus
from shared_kernel.contracts import FundsReservationAnsweredV1, FundsReservationRequestedV1
from shared_kernel.domain.errors import Conflict, InvalidInput, NotFound, RuleViolated
from shared_kernel.domain.money import Money

INVALID_CARD_FUNDS_REQUEST = "INVALID_CARD_FUNDS_REQUEST"
# Column widths of the authorization record; longer values are refused, never cut.
_MAX_LENGTHS = {
    "authorization_id": 100,
    "customer_id": 128,
    "account_id": 64,
    "card_id": 64,
    "merchant_name": 255,
    "merchant_mcc": 4,
    "merchant_country": 3,
}


class _LostRace(Exception):
    """Another transaction recorded this authorization id first; its answer stands."""


def check_request(request: FundsReservationRequestedV1) -> None:
    """Refuse a request no answer can be recorded for (the values are never echoed).

    Raises:
        InvalidInput: ``INVALID_CARD_FUNDS_REQUEST`` naming the field at fault.
    """
    for name, limit in _MAX_LENGTHS.items():
        value: str = getattr(request, name)
        if len(value) > limit or (not value and name in ("authorization_id", "account_id")):
            raise _invalid(f"{name} must have 1 to {limit} characters")
    # Exactly four digits: nothing longer than the last four may leave the cards service.
    if len(request.card_last4) != 4 or not request.card_last4.isdigit():
        raise _invalid("card_last4 must be exactly four digits")
    if len(request.currency) != 3 or not request.currency.isalpha():
        raise _invalid("currency must be a three-letter ISO 4217 code")
    if request.amount_minor <= 0:
        raise _invalid("amount_minor must be positive")
    if request.requested_at is not None and request.requested_at.utcoffset() is None:
        raise _invalid("requested_at must carry its UTC offset")


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(f"Invalid funds reservation: {message}", code=INVALID_CARD_FUNDS_REQUEST)


def refusal_for(account: Account | None, request: FundsReservationRequestedV1) -> Refusal | None:
    """Why the account cannot be debited for ``request`` at all, before looking at funds."""
    if account is None:
        return Refusal.ACCOUNT_NOT_FOUND
    # A read-only account may not issue cards ("accountCanIssueCards"), so it pays none.
    if account.status is not AccountStatus.ACTIVE or account.bank is None or account.read_only:
        return Refusal.ACCOUNT_NOT_ACTIVE
    if request.currency.upper() != account.currency:
        return Refusal.CURRENCY_MISMATCH
    return None


class ReserveCardFunds:
    """Answer a ``FundsReservationRequestedV1``: the hold, or why there is none."""

    def __init__(self, uow: CardFundsUnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, request: FundsReservationRequestedV1) -> FundsReservationAnsweredV1:
        """Reserve the funds once per authorization id and answer (the same on a repeat).

        Raises:
            InvalidInput: ``INVALID_CARD_FUNDS_REQUEST`` (see :func:`check_request`); nothing
                is recorded and no answer is due.
        """
        check_request(request)
        try:
            return await self._reserve(request)
        except _LostRace:
            return await self._recorded_answer(request)

    async def _reserve(self, request: FundsReservationRequestedV1) -> FundsReservationAnsweredV1:
        async with self._uow() as uow:
            # The account's lock queues concurrent reservations on it, repeats included.
            account = await uow.accounts.get(request.customer_id, request.account_id, lock=True)
            earlier = await uow.card_authorizations.get(request.authorization_id)
            if earlier is not None:
                return earlier.answer_to(request)
            refusal = refusal_for(account, request)
            if account is not None and refusal is None:
                refusal = await self._hold(uow, account, request)
            record = CardAuthorization.asked(request, refusal, self._clock())
            if not await uow.card_authorizations.add(record):
                raise _LostRace  # leaving the block rolls the hold back
            if account is not None and refusal is None:
                await announce_reserved(uow, account, record)
            await uow.commit()
            return record.answer()

    async def _hold(
        self, uow: CardFundsWork, account: Account, request: FundsReservationRequestedV1
    ) -> Refusal | None:
        try:
            try:
                await self._place(uow, account, request)
            except NotFound as error:
                if error.code != "LEDGER_ACCOUNT_NOT_FOUND":
                    raise
                # Accounts are opened with their settlement account, so this is a repair.
                with contextlib.suppress(Conflict):  # a concurrent transaction opened it
                    await open_ledger_accounts(uow, account)
                await self._place(uow, account, request)
        except RuleViolated as error:
            if error.code == Refusal.INSUFFICIENT_FUNDS.value:
                return Refusal.INSUFFICIENT_FUNDS
            raise
        return None

    async def _place(
        self, uow: CardFundsWork, account: Account, request: FundsReservationRequestedV1
    ) -> None:
        try:
            await uow.ledger.reserve(
                request.authorization_id,
                debit_account=account.ledger_account_id,
                credit_account=settlement_account_id(account.customer_id, account.currency),
                amount=Money.of(request.amount_minor, account.currency),
                description=f"Card payment at {request.merchant_name}".strip(),
            )
        except Conflict as error:
            if error.code == "DUPLICATE_HOLD":
                raise _LostRace from error
            raise

    async def _recorded_answer(
        self, request: FundsReservationRequestedV1
    ) -> FundsReservationAnsweredV1:
        async with self._uow() as uow:
            earlier = await uow.card_authorizations.get(request.authorization_id)
        if earlier is None:
            # A hold with this id exists without a record: not a card authorization's.
            raise Conflict(
                f"Hold {request.authorization_id} exists but belongs to no card authorization",
                code="DUPLICATE_HOLD",
            )
        return earlier.answer_to(request)
