"""Create, read, update and delete a client's beneficiaries."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts_payments.application.accounts.ports import Clock
from accounts_payments.application.beneficiaries.common import (
    require_beneficiary,
    require_client,
    require_client_account,
)
from accounts_payments.application.beneficiaries.ports import BeneficiariesUnitOfWorkFactory
from accounts_payments.domain.beneficiaries import (
    AttemptedImmutables,
    BankAccountDetails,
    Beneficiary,
    BeneficiaryProfile,
    ProfileChanges,
    validated_bank_details,
)
from shared_kernel.domain.errors import Conflict
from shared_kernel.domain.ids import new_id


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateBeneficiaryCommand:
    """``POST …/beneficiaries``; ``requested_id`` is Toqio's ``id`` when it sends one."""

    customer_id: str
    client_id: str
    asset_type: str
    bank_country: str | None
    bank: BankAccountDetails
    profile: BeneficiaryProfile
    requested_id: str | None = None
    user_id: str | None = None
    company_id: str | None = None
    beneficiary_account_id: str | None = None
    banking_provider_beneficiary_id: str | None = None
    source_account: str | None = None


class CreateBeneficiary:
    """Register a payee for a client, its bank details checked and fixed from now on."""

    def __init__(self, uow: BeneficiariesUnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: CreateBeneficiaryCommand) -> Beneficiary:
        """The new beneficiary; the stored one when Toqio retries with the same ``id``."""
        bank, country = validated_bank_details(command.bank, command.bank_country)
        async with self._uow() as uow:
            await require_client(uow, command.customer_id, command.client_id)
            if command.source_account:
                await require_client_account(
                    uow, command.customer_id, command.client_id, command.source_account
                )
            if command.requested_id:
                existing = await uow.beneficiaries.get(
                    command.customer_id, command.client_id, command.requested_id
                )
                if existing is not None:
                    return _same_or_conflict(existing, bank, command.asset_type.lower(), country)
            now = self._clock()
            beneficiary = Beneficiary(
                beneficiary_id=command.requested_id or new_id(),
                customer_id=command.customer_id,
                client_id=command.client_id,
                asset_type=command.asset_type.lower(),
                bank_country=country,
                bank=bank,
                profile=command.profile,
                user_id=command.user_id,
                company_id=command.company_id,
                beneficiary_account_id=command.beneficiary_account_id,
                banking_provider_beneficiary_id=command.banking_provider_beneficiary_id,
                source_account=command.source_account,
                created_at=now,
                updated_at=now,
            )
            await uow.beneficiaries.add(beneficiary)
            await uow.commit()
            return beneficiary


def _same_or_conflict(
    existing: Beneficiary, bank: BankAccountDetails, asset_type: str, country: str
) -> Beneficiary:
    # A retry of the same creation answers what the first one stored; anything else reusing
    # the id would silently redirect payments, so it is refused.
    same = (existing.bank, existing.asset_type, existing.bank_country) == (
        bank,
        asset_type,
        country,
    )
    if existing.deleted or not same:
        raise Conflict(
            f"Beneficiary {existing.beneficiary_id} already exists with other details",
            code="BENEFICIARY_ALREADY_EXISTS",
        )
    return existing


class GetBeneficiary:
    """One beneficiary, seen from one of the client's accounts."""

    def __init__(self, uow: BeneficiariesUnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(
        self, customer_id: str, client_id: str, account_id: str, beneficiary_id: str
    ) -> Beneficiary:
        """The beneficiary, or 404: ``ACCOUNT_NOT_FOUND`` / ``BENEFICIARY_NOT_FOUND``."""
        async with self._uow() as uow:
            await require_client(uow, customer_id, client_id)
            await require_client_account(uow, customer_id, client_id, account_id)
            return await require_beneficiary(uow, customer_id, client_id, beneficiary_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateBeneficiaryCommand:
    """``PUT …/beneficiaries/{accountId}``: a new profile, plus whatever immutables it echoed."""

    customer_id: str
    client_id: str
    beneficiary_id: str
    changes: ProfileChanges
    attempted: AttemptedImmutables = field(default_factory=AttemptedImmutables)


class UpdateBeneficiary:
    """Change a beneficiary's name, address or visibility; nothing else."""

    def __init__(self, uow: BeneficiariesUnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, command: UpdateBeneficiaryCommand) -> Beneficiary:
        """The updated beneficiary; ``BENEFICIARY_FIELD_IMMUTABLE`` for a changed bank detail."""
        async with self._uow() as uow:
            await require_client(uow, command.customer_id, command.client_id)
            beneficiary = await require_beneficiary(
                uow, command.customer_id, command.client_id, command.beneficiary_id, lock=True
            )
            beneficiary.ensure_unchanged(command.attempted)
            beneficiary.change_profile(command.changes, now=self._clock())
            await uow.beneficiaries.save(beneficiary)
            await uow.commit()
            return beneficiary


class DeleteBeneficiary:
    """Take a payee off the client's list."""

    def __init__(self, uow: BeneficiariesUnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, customer_id: str, client_id: str, beneficiary_id: str) -> None:
        """Delete it; an unknown or already deleted one is ``BENEFICIARY_NOT_FOUND``."""
        async with self._uow() as uow:
            await require_client(uow, customer_id, client_id)
            beneficiary = await require_beneficiary(
                uow, customer_id, client_id, beneficiary_id, lock=True
            )
            beneficiary.delete(now=self._clock())
            await uow.beneficiaries.save(beneficiary)
            await uow.commit()
