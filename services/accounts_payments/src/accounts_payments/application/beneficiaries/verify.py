"""Verify a beneficiary before a payment: confirmation of payee against the provider's records."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum

from accounts_payments.application.beneficiaries.common import (
    require_beneficiary,
    require_client,
    require_client_account,
)
from accounts_payments.application.beneficiaries.payee_matching import MatchOutcome, match_names
from accounts_payments.application.beneficiaries.ports import (
    AccountHolderLookup,
    BeneficiariesUnitOfWorkFactory,
)
from accounts_payments.application.ports.banking_provider import ProviderError


class VerificationStatus(StrEnum):
    """``VerifyBeneficiaryResponse.status``."""

    MATCHED = "MATCHED"
    PARTIALLY_MATCHED = "PARTIALLY_MATCHED"
    NOT_MATCHED = "NOT_MATCHED"
    NOT_APPLIED = "NOT_APPLIED"
    UNAVAILABLE = "UNAVAILABLE"


@dataclass(frozen=True, slots=True)
class Verification:
    """The answer Toqio shows the payer before it lets the payment go on."""

    status: VerificationStatus
    reason_code: str
    reason_description: str
    allow_proceed_payment: bool
    match_score: float | None = None


# Schemes with a payee check: SEPA (the EU's Verification of Payee), UK domestic payments
# (Confirmation of Payee) and transfers inside our provider. SWIFT and other local schemes
# have none, so the check is not applied to them.
VERIFIED_PAYMENT_TYPES = frozenset(
    {
        "PAYMENT_TYPE_EU_SEPA_INSTANT",
        "PAYMENT_TYPE_EU_SEPA_STEP2",
        "PAYMENT_TYPE_EU_SEPA_TARGET2",
        "PAYMENT_TYPE_EU_TARGET2",
        "SEPA",
        "TARGET2",
        "PAYMENT_TYPE_UK_FASTERPAYMENTS",
        "PAYMENT_TYPE_UK_FASTERPAYMENTS_POO",
        "PAYMENT_TYPE_UK_BACS",
        "PAYMENT_TYPE_UK_CHAPS",
        "PAYMENT_TYPE_INTER_LEDGER",
        "INTERNAL_TRANSFER",
    }
)

_MATCH_ANSWERS = {
    MatchOutcome.MATCHED: Verification(
        VerificationStatus.MATCHED,
        "FULL_MATCH",
        "The beneficiary name matches the account holder",
        True,
    ),
    # A close match lets the payer decide: Toqio shows the warning and the payer confirms.
    MatchOutcome.PARTIALLY_MATCHED: Verification(
        VerificationStatus.PARTIALLY_MATCHED,
        "NAME_MISMATCH",
        "The account exists but the holder's name differs slightly from the beneficiary name",
        True,
    ),
    # A clear mismatch is the pattern of misdirected and push-payment fraud: the payment is
    # stopped until the merchant corrects the beneficiary.
    MatchOutcome.NOT_MATCHED: Verification(
        VerificationStatus.NOT_MATCHED,
        "NO_MATCH",
        "The beneficiary name does not match the account holder",
        False,
    ),
}

NOT_COVERED = Verification(
    VerificationStatus.NOT_APPLIED,
    "PAYMENT_TYPE_NOT_COVERED",
    "This payment type has no payee verification",
    True,
)
NO_IBAN = Verification(
    VerificationStatus.NOT_APPLIED,
    "NO_IBAN",
    "Payee verification needs the beneficiary's IBAN",
    True,
)
# None from the provider is a lasting answer for that IBAN (e.g. a bank outside its reach):
# asking again will not help, so it is NOT_APPLIED rather than UNAVAILABLE.
NOT_REACHABLE = Verification(
    VerificationStatus.NOT_APPLIED,
    "ACCOUNT_NOT_REACHABLE",
    "The bank cannot verify accounts held at this beneficiary's bank",
    True,
)
NOT_SUPPORTED = Verification(
    VerificationStatus.NOT_APPLIED,
    "NOT_SUPPORTED_BY_PROVIDER",
    "The bank does not offer payee verification",
    True,
)
# The payer may still proceed when the check could not run, as the UK and EU payee-check
# rules let them after a warning: blocking every payment during a provider outage would stop
# the business, and the payment itself goes through the same provider and its own controls.
UNAVAILABLE = Verification(
    VerificationStatus.UNAVAILABLE,
    "PROVIDER_UNAVAILABLE",
    "Payee verification is unavailable at the moment; check the beneficiary before paying",
    True,
)


class VerifyBeneficiary:
    """Compare a beneficiary's name with the holder the provider knows for its IBAN."""

    def __init__(
        self,
        uow: BeneficiariesUnitOfWorkFactory,
        holders: AccountHolderLookup | None,
        *,
        timeout_seconds: float = 5.0,
    ) -> None:
        self._uow = uow
        self._holders = holders
        self._timeout = timeout_seconds

    async def __call__(
        self,
        customer_id: str,
        client_id: str,
        *,
        source_account_id: str,
        payment_type: str,
        beneficiary_id: str,
    ) -> Verification:
        """The verification; 404 for an unknown customer, client, account or beneficiary."""
        async with self._uow() as uow:
            await require_client(uow, customer_id, client_id)
            await require_client_account(uow, customer_id, client_id, source_account_id)
            beneficiary = await require_beneficiary(uow, customer_id, client_id, beneficiary_id)
        # The transaction is over before the provider is asked: no lock waits on a bank.
        if payment_type not in VERIFIED_PAYMENT_TYPES:
            return NOT_COVERED
        if beneficiary.bank.iban is None:
            return NO_IBAN
        if self._holders is None:
            return NOT_SUPPORTED
        try:
            async with asyncio.timeout(self._timeout):
                holder = await self._holders.account_holder(beneficiary.bank.iban)
        except (TimeoutError, ProviderError):
            return UNAVAILABLE
        if holder is None:
            return NOT_REACHABLE
        match = match_names(beneficiary.profile.full_name, holder)
        answer = _MATCH_ANSWERS[match.outcome]
        return Verification(
            answer.status,
            answer.reason_code,
            answer.reason_description,
            answer.allow_proceed_payment,
            match.score,
        )
