"""A beneficiaries app on PostgreSQL with Toqio JWTs and a seeded client, for the HTTP tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from accounts_payments.adapters.crypto.aes_gcm_cipher import AesGcmSecretCipher
from accounts_payments.adapters.persistence import tables
from accounts_payments.adapters.persistence.beneficiary_repository import (
    SqlAlchemyBeneficiariesUnitOfWork,
)
from accounts_payments.adapters.persistence.beneficiary_tables import beneficiaries
from accounts_payments.adapters.providers.sandbox_bank import SandboxBank
from accounts_payments.application.beneficiaries.filters import GetBeneficiaryFilters
from accounts_payments.application.beneficiaries.manage import (
    CreateBeneficiary,
    DeleteBeneficiary,
    GetBeneficiary,
    UpdateBeneficiary,
)
from accounts_payments.application.beneficiaries.verify import VerifyBeneficiary
from accounts_payments.application.ports.banking_provider import MerchantProfile
from accounts_payments.domain.accounts import Account, AccountStatus, BankDetails, PostalAddress
from accounts_payments.domain.clients import Merchant
from accounts_payments.domain.customers import Customer, SecretText
from accounts_payments.entrypoints.http.beneficiaries import beneficiary_route_handlers
from building_blocks.outbox import Outbox
from building_blocks.persistence import Database
from building_blocks.webhooks import WebhookQueue
from tests.accounts_payments.integration.http_app import (
    HttpApi,
    fresh_database,
    http_client,
    jwt_app,
)

BASE = "/customers/cust-1/clients/cl-1/beneficiaries"


@dataclass
class Api(HttpApi):
    bank: SandboxBank
    account_id: str
    payee_iban: str

    def view(self, beneficiary_id: str, account_id: str | None = None) -> str:
        account = account_id or self.account_id
        return f"/customers/cust-1/clients/cl-1/account/{account}/beneficiaries/{beneficiary_id}"

    async def rows(self) -> list[Any]:
        async with self.database.engine.connect() as connection:
            query = sa.select(beneficiaries).order_by(beneficiaries.c.id)
            return [tuple(row) for row in await connection.execute(query)]

    async def create(self, **overrides: Any) -> dict[str, Any]:
        response = await self.client.post(BASE, json=body(self, **overrides), headers=self.auth())
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data


def body(api: Api, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "COMPANY",
        "name": "Globex Iberia S.A.",
        "iban": api.payee_iban,
        "bicSwift": "SNDBESMMXXX",
        "assetType": "EUR",
        "addressStreet": "Gran Via 1",
        "addressPostalCode": "28013",
        "addressCity": "Madrid",
        "addressIsoCountry": "ES",
        "visible": True,
        "somethingNew": "tolerated",
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


async def seed(database: Database, uow: Any, bank: SandboxBank) -> tuple[str, str]:
    """A customer, its client with one EUR account, and a payee account at the sandbox."""
    payer_merchant = await bank.create_merchant(
        "cust-1", MerchantProfile(client_id="cl-1", legal_name="Acme SL", country_code="ES")
    )
    payer = await bank.open_account(
        "cust-1", payer_merchant, currency="EUR", country_code="ES",
        product_code="Banking-EU-1", holder_name="Acme SL",
    )  # fmt: skip
    payee_merchant = await bank.create_merchant(
        "cust-2",
        MerchantProfile(client_id="cl-9", legal_name="GLOBEX IBERIA SA", country_code="ES"),
    )
    payee = await bank.open_account(
        "cust-2", payee_merchant, currency="EUR", country_code="ES",
        product_code="Banking-EU-1", holder_name="GLOBEX IBERIA SA",
    )  # fmt: skip
    now = datetime.now(UTC)
    async with uow() as work:
        for customer_id in ("cust-1", "cust-2"):
            await work.customers.save(
                Customer(customer_id=customer_id, api_key=SecretText("k" * 20), registered_at=now)
            )
        await work.accounts.add_merchant(Merchant("cust-1", "cl-1", payer_merchant))
        account = Account(
            account_id="acc-1", customer_id="cust-1", client_id="cl-1", currency="EUR",
            country_code="ES", partner_product="Banking-EU-1", holder_name="Acme SL",
            alias="Main", address=PostalAddress(), status=AccountStatus.ACTIVE,
            provider_merchant_id=payer_merchant,
            bank=BankDetails(payer.provider_account_id, iban=payer.iban, bic=payer.bic),
        )  # fmt: skip
        await work.accounts.add(account)
        await work.commit()
    assert payee.iban is not None
    return account.account_id, payee.iban


@pytest.fixture(name="api")
async def beneficiaries_api(postgres_url: str) -> AsyncIterator[Api]:
    database = await fresh_database(postgres_url)
    cipher = AesGcmSecretCipher(os.urandom(32))
    outbox, webhooks = Outbox(tables.messaging), WebhookQueue(tables.webhooks)

    def uow() -> SqlAlchemyBeneficiariesUnitOfWork:
        return SqlAlchemyBeneficiariesUnitOfWork(
            database.sessions, outbox=outbox, webhooks=webhooks, cipher=cipher
        )

    bank = SandboxBank(database)
    account_id, payee_iban = await seed(database, uow, bank)
    clock = lambda: datetime.now(UTC)  # noqa: E731
    use_cases: dict[str, object] = {
        "create_beneficiary": CreateBeneficiary(uow, clock),
        "get_beneficiary": GetBeneficiary(uow),
        "update_beneficiary": UpdateBeneficiary(uow, clock),
        "delete_beneficiary": DeleteBeneficiary(uow, clock),
        "get_beneficiary_filters": GetBeneficiaryFilters(uow, fx_supported=bank.capabilities.fx),
        "verify_beneficiary": VerifyBeneficiary(uow, bank, timeout_seconds=1.0),
    }
    app = jwt_app(beneficiary_route_handlers(), use_cases)
    async with http_client(app) as client:
        yield Api(client, database, bank, account_id, payee_iban)
    await database.dispose()
