"""What the beneficiary use cases need: their repository, unit of work and the payee look-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from accounts_payments.application.accounts.ports import AccountsWork
from accounts_payments.domain.beneficiaries import Beneficiary


class BeneficiaryRepository(Protocol):
    """Beneficiaries of every customer, in the unit of work's transaction; always tenant-scoped."""

    async def add(self, beneficiary: Beneficiary) -> None: ...

    async def save(self, beneficiary: Beneficiary) -> None:
        """Write back profile changes and deletion."""
        ...

    async def get(
        self, customer_id: str, client_id: str, beneficiary_id: str, *, lock: bool = False
    ) -> Beneficiary | None:
        """The client's beneficiary, deleted ones included (callers decide what that means)."""
        ...


class BeneficiariesWork(AccountsWork, Protocol):
    """The accounts unit of work plus the beneficiary repository."""

    beneficiaries: BeneficiaryRepository


BeneficiariesUnitOfWorkFactory = Callable[[], BeneficiariesWork]


# runtime_checkable: Litestar validates injected dependencies with isinstance.
@runtime_checkable
class AccountHolderLookup(Protocol):
    """Confirmation of payee at the provider: who holds an account.

    The banking provider implements this beside ``BankingProvider`` (the sandbox bank does).
    """

    async def account_holder(self, iban: str) -> str | None:
        """The holder name the provider knows for ``iban``, ``None`` if it cannot tell.

        Raises:
            ProviderError: the provider failed or did not answer.
        """
        ...
