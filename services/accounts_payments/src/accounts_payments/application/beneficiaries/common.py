"""Look-ups every beneficiary use case shares: the tenant, the client, the account, the payee."""

from __future__ import annotations

from accounts_payments.application.accounts.common import require_account, require_customer
from accounts_payments.application.beneficiaries.ports import BeneficiariesWork
from accounts_payments.domain.accounts import Account
from accounts_payments.domain.beneficiaries import Beneficiary
from shared_kernel.domain.errors import NotFound

BENEFICIARY_NOT_FOUND = "BENEFICIARY_NOT_FOUND"


async def require_client(uow: BeneficiariesWork, customer_id: str, client_id: str) -> None:
    """``CUSTOMER_NOT_FOUND`` or ``ERROR_CLIENT_NOT_FOUND`` unless both are known."""
    await require_customer(uow, customer_id)
    if await uow.accounts.find_merchant(customer_id, client_id) is not None:
        return
    # A client whose accounts the provider opened on its own may have no merchant row yet.
    if not await uow.accounts.list_for_client(customer_id, client_id):
        raise NotFound(f"Client {client_id} was not found", code="ERROR_CLIENT_NOT_FOUND")


async def require_client_account(
    uow: BeneficiariesWork, customer_id: str, client_id: str, account_id: str
) -> Account:
    """The client's account, or ``ACCOUNT_NOT_FOUND``."""
    return await require_account(uow, customer_id, account_id, client_id=client_id)


async def require_beneficiary(
    uow: BeneficiariesWork,
    customer_id: str,
    client_id: str,
    beneficiary_id: str,
    *,
    lock: bool = False,
) -> Beneficiary:
    """The client's live beneficiary, or ``BENEFICIARY_NOT_FOUND`` (deleted ones included)."""
    beneficiary = await uow.beneficiaries.get(customer_id, client_id, beneficiary_id, lock=lock)
    if beneficiary is None or beneficiary.deleted:
        raise NotFound(f"Beneficiary {beneficiary_id} was not found", code=BENEFICIARY_NOT_FOUND)
    return beneficiary
