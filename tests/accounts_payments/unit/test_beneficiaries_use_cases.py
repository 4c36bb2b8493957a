"""Beneficiary use cases through fakes: filters by region and FX, payee checks, lifecycle."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

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
from accounts_payments.application.ports.banking_provider import ProviderUnavailable
from accounts_payments.domain.accounts import Account, AccountStatus, PostalAddress
from accounts_payments.domain.beneficiaries import (
    BankAccountDetails,
    BeneficiaryProfile,
    BeneficiaryType,
    ProfileChanges,
)
from accounts_payments.domain.clients import Merchant
from shared_kernel.domain.errors import Conflict, NotFound
from tests.accounts_payments.fakes import (
    BeneficiaryStore,
    FakeBeneficiariesUnitOfWork,
    customer,
    fixed_clock,
)

pytestmark = pytest.mark.unit
IBAN = "ES9121000418450200051332"


def account(account_id: str, currency: str = "EUR", country: str = "ES", **kw: Any) -> Account:
    return Account(
        account_id=account_id, customer_id="cust-1", client_id="cl-1", currency=currency,
        country_code=country, partner_product="p", holder_name="Acme", alias="",
        address=PostalAddress(), status=kw.pop("status", AccountStatus.ACTIVE), **kw,
    )  # fmt: skip


def store() -> BeneficiaryStore:
    s = BeneficiaryStore(customers={"cust-1": customer(currencies=("EUR", "USD"))})
    s.merchants[("cust-1", "cl-1")] = Merchant("cust-1", "cl-1", "m-1")
    for a in (
        account("eur-es"),
        account("gbp-gb", "GBP", "GB"),
        account("eur-de", country="DE"),
        account("deposit", read_only=True),
        account("closed", "USD", "FR", status=AccountStatus.CLOSED),
    ):
        s.accounts[a.account_id] = a
    return s


def uow(s: BeneficiaryStore) -> Any:
    return lambda: FakeBeneficiariesUnitOfWork(s)


def query(**kw: Any) -> FilterQuery:
    values: dict[str, Any] = {"customer_id": "cust-1", "client_id": "cl-1",
                              "can_see_fx_payments": False, "own_account": False}  # fmt: skip
    return FilterQuery(**{**values, **kw})


async def test_without_fx_only_the_source_currency_is_offered() -> None:
    filters = await GetBeneficiaryFilters(uow(store()), fx_supported=True)(
        query(source_account_id="gbp-gb")
    )
    assert filters.asset_types == ("gbp",)
    assert [c.code for c in filters.countries] == ["GB", "IM", "GG", "JE", "GI"]


async def test_fx_offers_the_region_and_customer_currencies_source_first() -> None:
    filters = await GetBeneficiaryFilters(uow(store()), fx_supported=True)(
        query(source_account_id="gbp-gb", can_see_fx_payments=True, account_country=Region.EU_UK)
    )
    assert filters.asset_types == ("gbp", "eur", "usd")
    assert len(filters.countries) == 40


async def test_fx_needs_the_provider_and_a_non_deposit_account() -> None:
    no_provider_fx = await GetBeneficiaryFilters(uow(store()), fx_supported=False)(
        query(source_account_id="eur-es", can_see_fx_payments=True)
    )
    deposit = await GetBeneficiaryFilters(uow(store()), fx_supported=True)(
        query(source_account_id="deposit", can_see_fx_payments=True)
    )
    assert no_provider_fx.asset_types == deposit.asset_types == ("eur",)


async def test_without_a_source_the_region_decides() -> None:
    filters = await GetBeneficiaryFilters(uow(store()), fx_supported=False)(query())
    assert filters.asset_types == ("eur", "gbp")


async def test_own_accounts_are_limited_to_where_the_client_holds_open_accounts() -> None:
    same_currency = await GetBeneficiaryFilters(uow(store()), fx_supported=True)(
        query(source_account_id="eur-es", own_account=True, account_country=Region.EU_UK)
    )
    with_fx = await GetBeneficiaryFilters(uow(store()), fx_supported=True)(
        query(source_account_id="eur-es", own_account=True, can_see_fx_payments=True,
              account_country=Region.EU_UK)
    )  # fmt: skip
    assert same_currency.asset_types == ("eur",)
    assert [c.code for c in same_currency.countries] == ["DE", "ES"]
    assert with_fx.asset_types == ("eur", "gbp")
    assert [c.code for c in with_fx.countries] == ["DE", "ES", "GB"]


async def test_filters_for_an_unknown_client_are_404() -> None:
    with pytest.raises(NotFound) as raised:
        await GetBeneficiaryFilters(uow(store()), fx_supported=True)(query(client_id="nobody"))
    assert raised.value.code == "ERROR_CLIENT_NOT_FOUND"


def command(**kw: Any) -> CreateBeneficiaryCommand:
    values: dict[str, Any] = {
        "customer_id": "cust-1", "client_id": "cl-1", "asset_type": "EUR", "bank_country": None,
        "bank": BankAccountDetails(iban=IBAN),
        "profile": BeneficiaryProfile(type=BeneficiaryType.COMPANY, name="Globex SA"),
    }  # fmt: skip
    return CreateBeneficiaryCommand(**{**values, **kw})


class Holders:
    def __init__(self, answer: str | Exception | None = "GLOBEX S.A.", delay: float = 0) -> None:
        self.answer, self.delay = answer, delay

    async def account_holder(self, iban: str) -> str | None:
        await asyncio.sleep(self.delay)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


async def verify(holders: Any, payment: str = "SEPA", **kw: Any) -> Any:
    s = store()
    created = await CreateBeneficiary(uow(s), fixed_clock())(command(**kw))
    check = VerifyBeneficiary(uow(s), holders, timeout_seconds=0.05)
    return await check(
        "cust-1", "cl-1", source_account_id="eur-es", payment_type=payment,
        beneficiary_id=created.beneficiary_id,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("holders", "kw", "status", "reason", "proceed"),
    [
        (Holders(), {}, "MATCHED", "FULL_MATCH", True),
        (Holders("GLOBEXX SA"), {}, "PARTIALLY_MATCHED", "NAME_MISMATCH", True),
        (Holders("Initech"), {}, "NOT_MATCHED", "NO_MATCH", False),
        (Holders(None), {}, "NOT_APPLIED", "ACCOUNT_NOT_REACHABLE", True),
        (Holders(ProviderUnavailable("down")), {}, "UNAVAILABLE", "PROVIDER_UNAVAILABLE", True),
        (Holders(delay=1), {}, "UNAVAILABLE", "PROVIDER_UNAVAILABLE", True),
        (None, {}, "NOT_APPLIED", "NOT_SUPPORTED_BY_PROVIDER", True),
        (Holders(), {"bank": BankAccountDetails(uk_sort_code="123456",
                                                uk_account_number="12345678")},
         "NOT_APPLIED", "NO_IBAN", True),
    ],
)  # fmt: skip
async def test_payee_check_outcomes(
    holders: Any, kw: dict[str, Any], status: str, reason: str, proceed: bool
) -> None:
    result = await verify(holders, **kw)
    assert (result.status.value, result.reason_code, result.allow_proceed_payment) == (
        status, reason, proceed,
    )  # fmt: skip


async def test_payment_types_without_a_payee_scheme_are_not_checked() -> None:
    result = await verify(Holders("Initech"), payment="PAYMENT_TYPE_GLOBAL_SWIFT")
    assert (result.status.value, result.reason_code) == ("NOT_APPLIED", "PAYMENT_TYPE_NOT_COVERED")


async def test_lifecycle_and_id_reuse() -> None:
    s = store()
    create = CreateBeneficiary(uow(s), fixed_clock())
    first = await create(command(requested_id="t-1", source_account="eur-es"))
    assert (await create(command(requested_id="t-1"))).beneficiary_id == "t-1"
    with pytest.raises(Conflict):
        await create(command(requested_id="t-1", asset_type="gbp"))
    updated = await UpdateBeneficiary(uow(s), fixed_clock())(
        UpdateBeneficiaryCommand(customer_id="cust-1", client_id="cl-1", beneficiary_id="t-1",
                                 changes=ProfileChanges(name="Globex Iberia"))
    )  # fmt: skip
    assert updated.profile.name == "Globex Iberia"
    assert updated.bank == first.bank
    got = await GetBeneficiary(uow(s))("cust-1", "cl-1", "eur-es", "t-1")
    assert got.profile.name == "Globex Iberia"
    await DeleteBeneficiary(uow(s), fixed_clock())("cust-1", "cl-1", "t-1")
    with pytest.raises(NotFound):
        await DeleteBeneficiary(uow(s), fixed_clock())("cust-1", "cl-1", "t-1")
    with pytest.raises(Conflict):
        await create(command(requested_id="t-1"))
    assert s.beneficiaries[("cust-1", "t-1")].deleted


async def test_a_client_known_only_by_its_accounts_is_found() -> None:
    s = store()
    s.merchants.clear()
    created = await CreateBeneficiary(uow(s), fixed_clock())(command())
    assert replace(created.bank) == BankAccountDetails(iban=IBAN)
