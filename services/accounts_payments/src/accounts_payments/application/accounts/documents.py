"""The account ownership certificate (a PDF) and the bank statement footer per locale."""

from __future__ import annotations

import base64
import re

from accounts_payments.application.accounts.common import require_account, require_customer
from accounts_payments.application.accounts.ports import (
    CertificateRenderer,
    Clock,
    UnitOfWorkFactory,
)
from accounts_payments.application.ports.banking_provider import BankingProvider
from shared_kernel.domain.errors import InvalidInput, NotImplementedByProvider, RuleViolated

LEDGER_TYPES = frozenset(
    {"regular", "acquiring", "lending", "pos", "insurance", "deposit", "credit"}
)
_LOCALE = re.compile(r"(?P<language>[a-z]{2})(?:[-_](?P<country>[A-Za-z]{2}))?")
_FOOTERS = {
    "en": "{name} accounts are held with {provider}. Balances are shown in the account currency.",
    "es": "Las cuentas de {name} se mantienen en {provider}. Los saldos se muestran en la "
    "divisa de la cuenta.",
    "de": "Die Konten von {name} werden bei {provider} geführt. Salden in Kontowährung.",
    "it": "I conti di {name} sono detenuti presso {provider}. Saldi nella valuta del conto.",
    "pt": "As contas de {name} são mantidas no {provider}. Saldos na moeda da conta.",
    "fr": "Les comptes de {name} sont tenus par {provider}. Soldes dans la devise du compte.",
}


class GetOwnershipCertificate:
    """A PDF certifying who holds an account, base64-encoded as Toqio expects."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        provider: BankingProvider,
        renderer: CertificateRenderer,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._provider = provider
        self._renderer = renderer
        self._clock = clock

    async def __call__(self, customer_id: str, merchant_id: str, account_id: str) -> str:
        """The certificate of the merchant's account, as base64 text."""
        if not self._provider.capabilities.ownership_certificate:
            raise NotImplementedByProvider("The provider does not issue ownership certificates")
        async with self._uow() as uow:
            account = await require_account(uow, customer_id, account_id, client_id=merchant_id)
        if account.iban is None and account.bank is None:
            raise RuleViolated("The account is not open yet", code="ACCOUNT_NOT_ACTIVE")
        pdf = self._renderer.render(account, issued_at=self._clock())
        return base64.b64encode(pdf).decode("ascii")


class GetStatementFooter:
    """The legal footer Toqio prints under a statement, in the user's language."""

    def __init__(self, uow: UnitOfWorkFactory, provider: BankingProvider) -> None:
        self._uow = uow
        self._provider = provider

    async def __call__(self, customer_id: str, ledger_type: str, locale: str) -> str:
        """The footer; unknown languages fall back to English."""
        if ledger_type.lower() not in LEDGER_TYPES:
            raise InvalidInput(
                f"ledgerType '{ledger_type}' is not one of {', '.join(sorted(LEDGER_TYPES))}",
                code="INVALID_LEDGER_TYPE",
            )
        matched = _LOCALE.fullmatch(locale)
        if matched is None:
            raise InvalidInput(
                f"locale '{locale}' is not like es-ES or en_US", code="INVALID_LOCALE"
            )
        async with self._uow() as uow:
            customer = await require_customer(uow, customer_id)
        template = _FOOTERS.get(matched["language"], _FOOTERS["en"])
        return template.format(name=customer.commercial_name, provider=self._provider.name)
