"""bankPaymentSchemes: the classification table and the look-up of our own accounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts_payments.application.payments.schemes import (
    GetBankPaymentSchemes,
    PaymentScheme,
    SchemeQuery,
    classify,
    destination_of,
)
from accounts_payments.domain.accounts import Account, AccountStatus, BankDetails, PostalAddress
from shared_kernel.domain.errors import InvalidInput, NotFound
from tests.accounts_payments.fakes import FakeAccountsUnitOfWork, FakeStore, customer

pytestmark = pytest.mark.unit

S = PaymentScheme
ES_IBAN = "ES9121000418450200051332"
DE_IBAN = "DE89 3704 0044 0532 0130 00"
GB_IBAN = "GB29NWBK60161331926819"
CH_IBAN = "CH9300762011623852957"
BR_IBAN = "BR1800360305000010009795493C1"
OUR_IBAN = "ES7921000813610123456789"

TABLE = [
    pytest.param("eur", ES_IBAN, None, None, (S.SEPA, S.SEPA_INSTANT), id="eur-to-es-iban"),
    pytest.param("EUR", DE_IBAN, None, None, (S.SEPA, S.SEPA_INSTANT), id="eur-printed-iban"),
    pytest.param("eur", CH_IBAN, None, None, (S.SEPA, S.SEPA_INSTANT), id="eur-to-switzerland"),
    pytest.param("eur", GB_IBAN, None, None, (S.SEPA, S.SEPA_INSTANT), id="eur-to-gb-iban"),
    pytest.param("eur", BR_IBAN, None, None, (S.SWIFT,), id="eur-outside-sepa"),
    pytest.param("eur", None, "601613", "31926819", (S.SWIFT,), id="eur-to-sort-code"),
    pytest.param("gbp", None, "601613", "31926819", (S.UK_FASTER_PAYMENTS,), id="gbp-sort-code"),
    pytest.param("gbp", GB_IBAN, None, None, (S.UK_FASTER_PAYMENTS,), id="gbp-gb-iban"),
    pytest.param("gbp", ES_IBAN, None, None, (S.SWIFT,), id="gbp-to-es-iban"),
    pytest.param("usd", ES_IBAN, None, None, (S.SWIFT,), id="usd-to-es-iban"),
    pytest.param("usd", None, None, None, (S.SWIFT,), id="usd-no-iban"),
    pytest.param("chf", CH_IBAN, None, None, (S.SWIFT,), id="chf-in-switzerland"),
]


@pytest.mark.parametrize(("currency", "iban", "sort_code", "account", "expected"), TABLE)
def test_classification_table(
    currency: str,
    iban: str | None,
    sort_code: str | None,
    account: str | None,
    expected: tuple[PaymentScheme, ...],
) -> None:
    destination = destination_of(currency, iban, sort_code, account)
    assert classify(destination, ours=False) == expected


@pytest.mark.parametrize("currency", ["eur", "gbp", "usd"])
def test_our_own_accounts_move_internally_whatever_the_currency(currency: str) -> None:
    destination = destination_of(currency, ES_IBAN, None, None)
    assert classify(destination, ours=True) == (S.INTERNAL_TRANSFER,)


BAD_DESTINATIONS = [
    pytest.param("", ES_IBAN, None, None, "beneficiary.assetType", id="no-currency"),
    pytest.param("eur", "ES9121000418450200051333", None, None, "beneficiary.iban", id="checksum"),
    pytest.param("eur", "XX00123", None, None, "beneficiary.iban", id="malformed-iban"),
    pytest.param("gbp", None, "601613", None, "beneficiary.ukSortCode", id="sort-code-alone"),
    pytest.param("gbp", None, "6016", "31926819", "beneficiary.ukSortCode", id="short-sort-code"),
    pytest.param("gbp", None, "601613", "319", "beneficiary.ukAccountNumber", id="short-account"),
]


@pytest.mark.parametrize(("currency", "iban", "sort_code", "account", "field"), BAD_DESTINATIONS)
def test_bad_destinations_name_the_field(
    currency: str, iban: str | None, sort_code: str | None, account: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        destination_of(currency, iban, sort_code, account)
    assert raised.value.problems[0].field == field


@pytest.fixture
def store() -> FakeStore:
    ours = Account(
        account_id="acc-1", customer_id="cust-1", client_id="cl-2", currency="EUR",
        country_code="ES", partner_product="Banking-EU-1", holder_name="Acme SL",
        alias="Main", address=PostalAddress(), status=AccountStatus.ACTIVE,
        provider_merchant_id="m-1", bank=BankDetails("p-1", iban=OUR_IBAN, bic="SNDBESMMXXX"),
    )  # fmt: skip
    return FakeStore(
        customers={"cust-1": customer(), "cust-2": customer()}, accounts={"acc-1": ours}
    )


def use_case(store: FakeStore) -> GetBankPaymentSchemes:
    return GetBankPaymentSchemes(lambda: FakeAccountsUnitOfWork(store))


def query(customer_id: str = "cust-1", iban: str | None = OUR_IBAN, **kw: object) -> SchemeQuery:
    return SchemeQuery(
        customer_id=customer_id,
        destination=destination_of("eur", iban, None, None),
        **kw,  # type: ignore[arg-type]
    )


async def test_an_iban_of_any_client_of_the_customer_is_internal(store: FakeStore) -> None:
    assert await use_case(store)(query()) == (S.INTERNAL_TRANSFER,)


async def test_an_account_id_of_ours_is_internal(store: FakeStore) -> None:
    found = await use_case(store)(query(iban=None, beneficiary_account_id="acc-1"))
    assert found == (S.INTERNAL_TRANSFER,)


async def test_another_customers_account_is_not_internal(store: FakeStore) -> None:
    found = await use_case(store)(query("cust-2", beneficiary_account_id="acc-1"))
    assert found == (S.SEPA, S.SEPA_INSTANT)


async def test_unknown_customer_is_not_found(store: FakeStore) -> None:
    with pytest.raises(NotFound) as raised:
        await use_case(store)(query("cust-404"))
    assert raised.value.code == "CUSTOMER_NOT_FOUND"


@pytest.mark.parametrize("amount", ["0", "-1", "10.001"])
async def test_bad_amounts_are_refused(store: FakeStore, amount: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        await use_case(store)(query(amount=Decimal(amount)))
    assert raised.value.code == "INVALID_AMOUNT"
