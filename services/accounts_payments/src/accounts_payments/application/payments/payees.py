"""Who a payment goes to: one of the connector's own accounts, or a registered beneficiary."""

from __future__ import annotations

from accounts_payments.application.beneficiaries.common import BENEFICIARY_NOT_FOUND
from accounts_payments.application.payments.ports import PaymentsWork
from accounts_payments.application.payments.schemes import Destination, classify
from accounts_payments.domain.accounts import Account, AccountStatus
from accounts_payments.domain.beneficiaries import Beneficiary
from accounts_payments.domain.payments.payment import Counterparty, CounterpartyKind
from accounts_payments.domain.payments.schemes import PaymentScheme
from shared_kernel.domain.errors import FieldProblem, InvalidInput, NotFound, RuleViolated
from shared_kernel.domain.iban import Iban

BENEFICIARY_ACCOUNT_NOT_ACTIVE = "BENEFICIARY_ACCOUNT_NOT_ACTIVE"


def _of_account(account: Account) -> Counterparty:
    bank = account.bank
    return Counterparty(
        kind=CounterpartyKind.OWN_ACCOUNT,
        reference_id=account.account_id,
        name=account.holder_name,
        currency=account.currency.upper(),
        country=account.country_code.upper(),
        iban=account.iban,
        bic=bank.bic if bank else None,
        uk_sort_code=bank.uk_sort_code if bank else None,
        uk_account_number=bank.uk_account_number if bank else None,
        account_id=account.account_id,
    )


def _of_beneficiary(beneficiary: Beneficiary, ours: Account | None) -> Counterparty:
    bank = beneficiary.bank
    return Counterparty(
        kind=CounterpartyKind.BENEFICIARY,
        reference_id=beneficiary.beneficiary_id,
        name=beneficiary.profile.full_name,
        currency=beneficiary.asset_type.upper(),
        country=beneficiary.bank_country.upper(),
        iban=bank.iban,
        bic=bank.bic_swift,
        uk_sort_code=bank.uk_sort_code,
        uk_account_number=bank.uk_account_number,
        account_number=bank.account_number,
        account_id=ours.account_id if ours else None,
    )


def _require_active(account: Account) -> None:
    if account.status is not AccountStatus.ACTIVE or account.bank is None:
        raise RuleViolated(
            f"The beneficiary's account is {account.status.value.lower()} and cannot receive "
            "payments",
            code=BENEFICIARY_ACCOUNT_NOT_ACTIVE,
        )


async def resolve_payee(uow: PaymentsWork, source: Account, payee_id: str) -> Counterparty:
    """The counterparty of ``beneficiaryAccountId``, checked for a payment from ``source``.

    Toqio sends the id of one of the customer's accounts for transfers between accounts,
    else the id of a beneficiary of the paying client. A beneficiary whose IBAN is one of the
    connector's accounts is paid internally.

    Raises:
        NotFound: ``BENEFICIARY_NOT_FOUND``.
        InvalidInput: paying an account into itself.
        RuleViolated: ``BENEFICIARY_ACCOUNT_NOT_ACTIVE`` for a payee account of ours that
            cannot receive money.
    """
    own = await uow.accounts.get(source.customer_id, payee_id)
    if own is not None and own.client_id == source.client_id:
        if own.account_id == source.account_id:
            message = "A payment cannot go to the account it is paid from"
            raise InvalidInput(
                message,
                code="SAME_ACCOUNT",
                problems=(FieldProblem("beneficiaryAccountId", "SAME_ACCOUNT", message),),
            )
        _require_active(own)
        return _of_account(own)
    beneficiary = await uow.beneficiaries.get(source.customer_id, source.client_id, payee_id)
    if beneficiary is None or beneficiary.deleted:
        raise NotFound(f"Beneficiary {payee_id} was not found", code=BENEFICIARY_NOT_FOUND)
    ours = None
    if beneficiary.bank.iban:
        ours = await uow.accounts.find_by_iban(source.customer_id, beneficiary.bank.iban)
        if ours is not None:
            if ours.account_id == source.account_id:
                message = "A payment cannot go to the account it is paid from"
                raise InvalidInput(
                    message,
                    code="SAME_ACCOUNT",
                    problems=(FieldProblem("beneficiaryAccountId", "SAME_ACCOUNT", message),),
                )
            _require_active(ours)
    return _of_beneficiary(beneficiary, ours)


def schemes_for(payee: Counterparty) -> tuple[PaymentScheme, ...]:
    """The schemes that can reach ``payee``, cheapest first."""
    if payee.account_id is not None:
        return (PaymentScheme.INTERNAL_TRANSFER,)
    # Stored bank details were validated when the beneficiary was created.
    iban = Iban(payee.iban) if payee.iban else None
    return classify(
        Destination(payee.currency, iban, payee.uk_sort_code, payee.uk_account_number),
        ours=False,
    )
