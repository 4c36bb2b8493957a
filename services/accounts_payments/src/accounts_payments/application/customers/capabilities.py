"""The provider's capability flags and connection status, for a registered customer."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum

from accounts_payments.application.customers.lookup import require_customer
from accounts_payments.application.ports.banking_provider import (
    BankingProvider,
    ProviderCapabilities,
)
from accounts_payments.application.ports.customers import CustomersUnitOfWorkFactory

# A connection check that hangs is a failed connection: Toqio shows it to an operator.
PING_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Capability:
    """Toqio's ``Capability`` flags, in the spec's order."""

    has_own_otp: bool
    can_resend_otp: bool
    can_retrieve_pan: bool
    allow_six_months_statements: bool
    allow_virtual_cards: bool
    allow_edit_beneficiaries: bool
    has_security_questions: bool
    has_physical_card_verification_number: bool
    has_mea_wallet_config: bool
    has_business_code: bool
    has_to_create_end_user_kyc: bool
    can_cancel_accounts: bool
    can_remove_accounts: bool
    has_account_purposes: bool
    has_expected_volume: bool
    need_account_signature: bool
    can_run_compliance: bool


def capability_of(capabilities: ProviderCapabilities) -> Capability:
    """Toqio's flags for a provider.

    Only what the provider reports can be true. Card flags stay false because cards are not
    this provider's business (the cards service answers for them), and onboarding extras
    (KYC, purposes, volumes, signatures, compliance) are not asked of merchants by the
    ``BankingProvider`` port. Every provider can close an account (``set_account_status``),
    none can erase one, so accounts are cancellable but not removable.
    """
    otp = capabilities.requires_otp_for_statements
    return Capability(
        has_own_otp=otp,
        can_resend_otp=otp,
        can_retrieve_pan=False,
        allow_six_months_statements=capabilities.statements,
        allow_virtual_cards=False,
        allow_edit_beneficiaries=False,
        has_security_questions=False,
        has_physical_card_verification_number=False,
        has_mea_wallet_config=False,
        has_business_code=False,
        has_to_create_end_user_kyc=False,
        can_cancel_accounts=True,
        can_remove_accounts=False,
        has_account_purposes=False,
        has_expected_volume=False,
        need_account_signature=False,
        can_run_compliance=False,
    )


class ConnectionStatus(StrEnum):
    """Toqio's answer values for ``…/connectionStatus``."""

    CONNECTED = "CONNECTED"
    FAILED = "FAILED"


class GetCapabilities:
    """The capability flags of the provider serving a registered customer."""

    def __init__(self, uow_factory: CustomersUnitOfWorkFactory, provider: BankingProvider) -> None:
        self._uow_factory = uow_factory
        self._provider = provider

    async def __call__(self, customer_id: str) -> Capability:
        """The flags, or ``CUSTOMER_NOT_FOUND``."""
        async with self._uow_factory() as uow:
            await require_customer(uow.customer_repository, customer_id)
        return capability_of(self._provider.capabilities)


class CheckConnection:
    """Whether the provider serving a registered customer answers right now."""

    def __init__(
        self,
        uow_factory: CustomersUnitOfWorkFactory,
        provider: BankingProvider,
        *,
        timeout_seconds: float = PING_TIMEOUT_SECONDS,
    ) -> None:
        self._uow_factory = uow_factory
        self._provider = provider
        self._timeout = timeout_seconds

    async def __call__(self, customer_id: str) -> ConnectionStatus:
        """``CONNECTED`` or ``FAILED``; ``CUSTOMER_NOT_FOUND`` for an unknown customer."""
        async with self._uow_factory() as uow:
            await require_customer(uow.customer_repository, customer_id)
        try:
            answered = await asyncio.wait_for(self._provider.ping(), self._timeout)
        except Exception:
            answered = False
        return ConnectionStatus.CONNECTED if answered else ConnectionStatus.FAILED
