"""Beneficiary endpoints: get, create, update, delete, filters and verification of payee.

``beneficiary_route_handlers()`` needs these app dependencies (Litestar names):
``create_beneficiary`` (CreateBeneficiary), ``get_beneficiary`` (GetBeneficiary),
``update_beneficiary`` (UpdateBeneficiary), ``delete_beneficiary`` (DeleteBeneficiary),
``get_beneficiary_filters`` (GetBeneficiaryFilters), ``verify_beneficiary`` (VerifyBeneficiary).
"""

from __future__ import annotations

from typing import get_args

from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.types import ControllerRouterHandler

from accounts_payments.application.beneficiaries.filters import FilterQuery, GetBeneficiaryFilters
from accounts_payments.application.beneficiaries.manage import (
    CreateBeneficiary,
    CreateBeneficiaryCommand,
    DeleteBeneficiary,
    GetBeneficiary,
    UpdateBeneficiary,
    UpdateBeneficiaryCommand,
)
from accounts_payments.application.beneficiaries.regions import Region
from accounts_payments.application.beneficiaries.verify import VerifyBeneficiary
from accounts_payments.domain.beneficiaries import (
    AttemptedImmutables,
    BeneficiaryProfile,
    BeneficiaryType,
    ProfileChanges,
    invalid,
)
from accounts_payments.entrypoints.http.account_schemas import AssetType
from accounts_payments.entrypoints.http.beneficiary_schemas import (
    BeneficiaryFilterRequest,
    BeneficiaryFilterResponse,
    SavePersonalAccountRequest,
    UpdatePersonalAccountRequest,
    VerifyBeneficiaryRequest,
    VerifyBeneficiaryResponse,
    ViewPersonalAccountResponse,
)
from building_blocks.web import Ok, ok

TAGS = ["Beneficiary"]
_ASSET_TYPES = frozenset(get_args(AssetType))


def _asset_type(value: str) -> str:
    lowered = value.lower()
    if lowered not in _ASSET_TYPES:
        raise invalid("assetType", f"assetType {value} is not one Toqio knows")
    return lowered


def _profile(data: SavePersonalAccountRequest) -> BeneficiaryProfile:
    person = not data.name and bool(data.first_name or data.last_name)
    kind = data.type or ("PERSON" if person else "COMPANY")
    return BeneficiaryProfile(
        type=BeneficiaryType(kind),
        name=data.name or "",
        first_name=data.first_name or "",
        last_name=data.last_name or "",
        address_street=data.address_street or "",
        address_postal_code=data.address_postal_code or "",
        address_city=data.address_city or "",
        address_iso_country=(data.address_iso_country or "").upper(),
        visible=data.visible,
    )


class BeneficiaryController(Controller):
    """``/customers/{customerId}/clients/{clientId}/…beneficiaries…``."""

    path = "/customers/{customerId:str}/clients/{clientId:str}"
    tags = TAGS

    @get(
        "/account/{accountId:str}/beneficiaries/{beneficiaryId:str}", operation_id="getBeneficiary"
    )
    async def get_one(
        self,
        customerId: FromPath[str],  # noqa: N803
        clientId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        beneficiaryId: FromPath[str],  # noqa: N803
        get_beneficiary: NamedDependency[GetBeneficiary],
    ) -> Response[Ok[ViewPersonalAccountResponse]]:
        """One beneficiary; 404 ``BENEFICIARY_NOT_FOUND`` when unknown."""
        found = await get_beneficiary(customerId, clientId, accountId, beneficiaryId)
        return ok(ViewPersonalAccountResponse.of(found))

    @post("/beneficiaries", operation_id="createBeneficiary", status_code=200)
    async def create(
        self,
        customerId: FromPath[str],  # noqa: N803
        clientId: FromPath[str],  # noqa: N803
        data: JSONBody[SavePersonalAccountRequest],
        create_beneficiary: NamedDependency[CreateBeneficiary],
    ) -> Response[Ok[ViewPersonalAccountResponse]]:
        """Register a beneficiary; IBAN and BIC are checked, bank details fixed from now on."""
        created = await create_beneficiary(
            CreateBeneficiaryCommand(
                customer_id=customerId,
                client_id=clientId,
                asset_type=_asset_type(data.asset_type),
                bank_country=data.bank_country,
                bank=data.details(),
                profile=_profile(data),
                requested_id=data.id or None,
                user_id=data.user_id,
                company_id=data.company_id,
                beneficiary_account_id=data.beneficiary_account_id,
                banking_provider_beneficiary_id=data.banking_provider_beneficiary_id,
                source_account=data.source_account or None,
            )
        )
        return ok(ViewPersonalAccountResponse.of(created))

    @put("/beneficiaries/{accountId:str}", operation_id="updateBeneficiary")
    async def update(
        self,
        customerId: FromPath[str],  # noqa: N803
        clientId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        data: JSONBody[UpdatePersonalAccountRequest],
        update_beneficiary: NamedDependency[UpdateBeneficiary],
    ) -> Response[Ok[ViewPersonalAccountResponse]]:
        """Change name, address or visibility; ``accountId`` is the beneficiary's id."""
        updated = await update_beneficiary(
            UpdateBeneficiaryCommand(
                customer_id=customerId,
                client_id=clientId,
                beneficiary_id=accountId,
                changes=ProfileChanges(
                    type=BeneficiaryType(data.type) if data.type else None,
                    name=data.name,
                    first_name=data.first_name,
                    last_name=data.last_name,
                    address_street=data.address_street,
                    address_postal_code=data.address_postal_code,
                    address_city=data.address_city,
                    address_iso_country=(
                        data.address_iso_country.upper() if data.address_iso_country else None
                    ),
                    visible=data.visible,
                ),
                attempted=AttemptedImmutables(
                    bank=data.details(),
                    asset_type=data.asset_type,
                    bank_country=data.bank_country,
                ),
            )
        )
        return ok(ViewPersonalAccountResponse.of(updated))

    @delete("/beneficiaries/{accountId:str}", operation_id="deleteBeneficiary", status_code=200)
    async def remove(
        self,
        customerId: FromPath[str],  # noqa: N803
        clientId: FromPath[str],  # noqa: N803
        accountId: FromPath[str],  # noqa: N803
        delete_beneficiary: NamedDependency[DeleteBeneficiary],
    ) -> Response[Ok[dict[str, str]]]:
        """Delete the beneficiary whose id is ``accountId``."""
        await delete_beneficiary(customerId, clientId, accountId)
        return ok({})

    @post("/beneficiaries/filters", operation_id="getBeneficiaryFilters", status_code=200)
    async def filters(
        self,
        customerId: FromPath[str],  # noqa: N803
        clientId: FromPath[str],  # noqa: N803
        data: JSONBody[BeneficiaryFilterRequest],
        get_beneficiary_filters: NamedDependency[GetBeneficiaryFilters],
    ) -> Response[Ok[BeneficiaryFilterResponse]]:
        """Asset types and countries beneficiaries may use from the source account."""
        found = await get_beneficiary_filters(
            FilterQuery(
                customer_id=customerId,
                client_id=clientId,
                can_see_fx_payments=data.can_see_fx_payments,
                own_account=data.own_account,
                source_account_id=data.source_account_id or None,
                source_asset_type=data.source_asset_type,
                account_country=Region(data.account_country) if data.account_country else None,
            )
        )
        return ok(BeneficiaryFilterResponse.of(found))

    @post("/beneficiaries/verify", operation_id="verifyBeneficiaryCompany", status_code=200)
    async def verify(
        self,
        customerId: FromPath[str],  # noqa: N803
        clientId: FromPath[str],  # noqa: N803
        data: JSONBody[VerifyBeneficiaryRequest],
        verify_beneficiary: NamedDependency[VerifyBeneficiary],
    ) -> Response[Ok[VerifyBeneficiaryResponse]]:
        """Confirmation of payee: the beneficiary's name against the account holder's."""
        verification = await verify_beneficiary(
            customerId,
            clientId,
            source_account_id=data.source_account_id,
            payment_type=data.payment_type,
            beneficiary_id=data.beneficiary_id,
        )
        return ok(VerifyBeneficiaryResponse.of(verification))


def beneficiary_route_handlers() -> list[ControllerRouterHandler]:
    """The beneficiary controllers (behind the Toqio JWT guard)."""
    return [BeneficiaryController]
