"""The Card Management endpoints over HTTP, on PostgreSQL and SQLite, behind Toqio's JWT."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from cards.domain.lifecycle import CardStatus
from tests.cards.integration.cards_app import (
    PROVIDER,
    CardsApi,
    auth,
    card_numbers_in,
    cards_api,
)

pytestmark = pytest.mark.integration


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/cards.db"


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[CardsApi]:
    async with cards_api(database_url) as api:
        yield api


def assert_card_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["httpStatus"] == status
    assert body["errorSeverity"] == "ERROR"
    assert body["errorOrigin"] == "cards"
    assert isinstance(body["date"], int)
    return body


async def test_a_virtual_card_is_issued_active_and_read_back_without_its_pan(
    api: CardsApi,
) -> None:
    response = await api.client.post(
        api.path(),
        json={"accountId": "acc-1", "companyId": "client-1", "currency": "EUR",
              "cardLimitDaily": 1000, "atmOperationsLimit": 5, "cardDesign": "blue",
              "cardProgramme": "STANDARD", "unknownField": {"nested": True}},
        headers=auth(),
    )  # fmt: skip
    issued = response.json()
    card_id = issued["data"]["id"]
    got = await api.client.get(api.path(card_id), headers=auth())
    pan = await api.pan(card_id)

    assert response.status_code == 200, response.text
    assert issued["code"] == "200"
    assert isinstance(issued["date"], int)
    data = got.json()["data"]
    assert data == {
        "id": card_id,
        "token": data["token"],
        "status": "ACTIVE",
        "fundingType": "DEBIT",
        "provider": PROVIDER,
        "truncatedPan": data["truncatedPan"],
        "expiryDate": data["expiryDate"],
        "spend": 0.0,
        "cardProgramme": "STANDARD",
        "externalId": data["externalId"],
        "showCustomCardDesign": True,
        "activationCodeLength": 6,
        "readOnly": False,
        "physical": False,
        "currency": "EUR",
        "accountId": "acc-1",
        "companyId": "client-1",
        "cardLimitDaily": 1000.0,
        "atmOperationsLimit": 5,
    }
    assert pan is not None
    assert data["truncatedPan"] == pan.last4
    assert data["token"].startswith("tok_")
    assert pan.digits not in response.text + got.text
    assert card_numbers_in(response.text + got.text) == []


async def test_a_physical_card_is_pending_until_activated(api: CardsApi) -> None:
    issued = await api.issue(
        physical=True,
        cardDeliveryName="Ada Lovelace",
        cardDeliveryAddress={"addressStreet": "1 Main St", "addressIsoCountry": "GB"},
    )

    assert issued["status"] == "PENDING"
    assert issued["physical"] is True


async def test_suspend_cancel_and_the_terminal_state_through_http(api: CardsApi) -> None:
    card_id = (await api.issue())["id"]

    suspended = await api.client.put(api.path(card_id) + "/suspend", headers=auth())
    cancelled = await api.client.put(api.path(card_id) + "/cancel", headers=auth())
    webhooks_before = await api.webhooks()
    again = await api.client.put(api.path(card_id) + "/suspend", headers=auth())
    got = await api.client.get(api.path(card_id), headers=auth())

    assert suspended.json()["data"]["status"] == "SUSPENDED"
    assert cancelled.json()["data"]["status"] == "CANCELLED"
    body = assert_card_error(again, 409, "CARD_TERMINAL_STATE")
    assert card_id in body["message"]
    assert got.json()["data"]["status"] == "CANCELLED"
    assert await api.webhooks() == webhooks_before
    sent = [(kind, json.loads(body)) for kind, body in webhooks_before]
    assert [(kind, b["previousStatus"], b["status"]) for kind, b in sent] == [
        ("CARD_STATUS_UPDATED", "ACTIVE", "SUSPENDED"),
        ("CARD_STATUS_UPDATED", "SUSPENDED", "CANCELLED"),
    ]
    assert sent[0][1]["cardId"] == card_id


async def test_a_deleted_card_is_closed_and_not_found_afterwards(api: CardsApi) -> None:
    card_id = (await api.issue())["id"]

    deleted = await api.client.delete(api.path(card_id), headers=auth())
    again = await api.client.delete(api.path(card_id), headers=auth())
    got = await api.client.get(api.path(card_id), headers=auth())

    assert deleted.status_code == 200
    assert deleted.json()["data"]["status"] == "CLOSED"
    assert again.status_code == 200
    assert_card_error(got, 404, "CARD_NOT_FOUND")
    stored = await api.card(card_id)
    assert stored is not None
    assert stored.status is CardStatus.CLOSED
    assert stored.is_deleted


async def test_an_unknown_or_another_tenants_card_is_not_found(api: CardsApi) -> None:
    card_id = (await api.issue())["id"]

    unknown = await api.client.get(api.path("card_unknown"), headers=auth())
    other_tenant = await api.client.put(
        api.path(card_id, "cust-2") + "/cancel", headers=auth("cust-2")
    )
    wrong_token = await api.client.get(api.path(card_id), headers=auth("cust-2"))
    no_token = await api.client.get(api.path(card_id))

    body = assert_card_error(unknown, 404, "CARD_NOT_FOUND")
    assert "card_unknown" in body["message"]
    assert_card_error(other_tenant, 404, "CARD_NOT_FOUND")
    assert wrong_token.status_code == 401
    assert no_token.status_code == 401
    stored = await api.card(card_id)
    assert stored is not None
    assert stored.status is CardStatus.ACTIVE


async def test_limits_are_updated_and_wrong_ones_refused_naming_the_field(
    api: CardsApi,
) -> None:
    card_id = (await api.issue(cardLimitMonthly=5000))["id"]
    path = api.path(card_id) + "/update"

    updated = await api.client.put(
        path,
        json={"cardLimitDaily": 1500, "cardLimitMonthly": 7000, "cardLimitTransaction": 750.25,
              "currency": "EUR", "clientType": "BUSINESS", "purchasesOperationsLimit": 20,
              "cardOTP": {"baasOTP": "123456"}},
        headers=auth(),
    )  # fmt: skip
    too_high = await api.client.put(path, json={"cardLimitDaily": 50000}, headers=auth())
    too_precise = await api.client.put(path, json={"cardLimitDaily": 10.001}, headers=auth())
    not_a_number = await api.client.put(path, json={"cardLimitDaily": "lots"}, headers=auth())
    removed = await api.client.put(path, json={"cardLimitTransaction": None}, headers=auth())

    assert updated.status_code == 200, updated.text
    data = updated.json()["data"]
    assert (data["cardLimitDaily"], data["cardLimitMonthly"]) == (1500.0, 7000.0)
    assert (data["cardLimitTransaction"], data["limit"]) == (750.25, 7000.0)
    assert data["purchasesOperationsLimit"] == 20
    problems = assert_card_error(too_high, 400, "INVALID_LIMITS")["data"]
    assert [(p["field"], p["code"]) for p in problems] == [("cardLimitDaily", "ABOVE_MONTHLY")]
    precise = assert_card_error(too_precise, 400, "INVALID_LIMITS")["data"]
    assert precise[0]["field"] == "cardLimitDaily"
    assert not_a_number.status_code == 400
    assert "cardLimitDaily" in not_a_number.json()["message"]
    assert "cardLimitTransaction" not in removed.json()["data"]
    assert removed.json()["data"]["cardLimitDaily"] == 1500.0


async def test_alias_and_read_only_are_updated(api: CardsApi) -> None:
    card_id = (await api.issue())["id"]

    renamed = await api.client.put(
        api.path(card_id) + "/alias", json={"alias": "Travel"}, headers=auth()
    )
    too_long = await api.client.put(
        api.path(card_id) + "/alias", json={"alias": "x" * 26}, headers=auth()
    )
    read_only = await api.client.put(
        api.path(card_id) + "/updateReadOnly", json={"readOnly": True}, headers=auth()
    )
    missing = await api.client.put(api.path(card_id) + "/updateReadOnly", json={}, headers=auth())
    got = await api.client.get(api.path(card_id), headers=auth())

    assert renamed.status_code == 200
    assert renamed.json()["code"] == "OK"
    assert assert_card_error(too_long, 400, "INVALID_CARD")["data"][0]["field"] == "alias"
    assert read_only.json()["data"]["readOnly"] is True
    assert missing.status_code == 400
    assert "readOnly" in missing.json()["message"]
    assert got.json()["data"]["alias"] == "Travel"
    assert got.json()["data"]["readOnly"] is True


async def test_bad_issue_requests_are_refused_and_store_nothing(api: CardsApi) -> None:
    credit = await api.client.post(
        api.path(), json={"accountId": "a", "companyId": "c", "currency": "EUR",
                          "fundingType": "CREDIT"}, headers=auth(),
    )  # fmt: skip
    no_currency = await api.client.post(
        api.path(), json={"accountId": "a", "companyId": "c"}, headers=auth()
    )
    no_account = await api.client.post(
        api.path(), json={"companyId": "c", "currency": "EUR"}, headers=auth()
    )
    malformed = await api.client.post(
        api.path(), content=b"{not json", headers={**auth(), "Content-Type": "application/json"}
    )
    bad_limit = await api.client.post(
        api.path(), json={"accountId": "a", "companyId": "c", "currency": "EUR",
                          "cardLimitDaily": -5}, headers=auth(),
    )  # fmt: skip

    assert_card_error(credit, 501, "FUNCTION_NOT_IMPLEMENTED_YET")
    assert assert_card_error(no_currency, 400, "INVALID_CARD")["data"][0]["field"] == "currency"
    assert no_account.status_code == 400
    assert "accountId" in no_account.json()["message"]
    assert malformed.status_code == 400
    assert assert_card_error(bad_limit, 400, "INVALID_LIMITS")["data"][0] == {
        "field": "cardLimitDaily",
        "code": "NEGATIVE",
        "message": "must not be negative",
    }
    assert await api.rows_outside_the_vault() == ""


async def test_limit_types_and_bounds_are_offered(api: CardsApi) -> None:
    available = await api.client.get("/customers/cust-1/availableCardLimits", headers=auth())
    base = "/customers/cust-1/cards/type"
    bounds = await api.client.get(f"{base}/DEBIT/clientType/BUSINESS/limits/EUR", headers=auth())
    credit = await api.client.get(f"{base}/CREDIT/clientType/BUSINESS/limits/EUR", headers=auth())
    bad_currency = await api.client.get(
        f"{base}/DEBIT/clientType/BUSINESS/limits/EURO", headers=auth()
    )
    bad_client = await api.client.get(f"{base}/DEBIT/clientType/ALIEN/limits/EUR", headers=auth())

    offered = available.json()["data"]
    assert set(offered) == {
        "transactionLimit", "dailyLimit", "monthlyLimit", "lifetimeLimit",
        "purchasesDailyLimit", "purchasesMonthlyLimit", "atmDailyLimit", "atmMonthlyLimit",
        "atmOperationsLimit", "purchasesOperationsLimit",
    }  # fmt: skip
    assert offered["dailyLimit"] == {"canEdit": True, "optional": True}
    data = bounds.json()["data"]
    assert (data["provider"], data["currency"]) == (PROVIDER, "EUR")
    assert (data["minDailyLimit"], data["maxDailyLimit"]) == (0.0, 20000.0)
    assert (data["minAtmOperationsLimit"], data["maxAtmOperationsLimit"]) == (0, 20)
    assert_card_error(credit, 501, "FUNCTION_NOT_IMPLEMENTED_YET")
    refused = assert_card_error(bad_currency, 400, "INVALID_CARD")
    assert refused["data"][0]["field"] == "currency"
    assert bad_client.status_code == 400


async def test_settings_and_image_urls(api: CardsApi) -> None:
    card_id = (await api.issue(cardDesign="corporate-blue"))["id"]

    settings = await api.client.get(api.path(card_id) + "/settings", headers=auth())
    image = await api.client.get(api.path(card_id) + "/image/url", headers=auth())
    template = await api.client.get(api.path() + "/image/url", headers=auth())
    unknown = await api.client.get(api.path("card_unknown") + "/settings", headers=auth())

    assert settings.json()["data"]["cardId"] == card_id
    assert settings.json()["data"]["cashWithdrawalsAllowed"] is True
    assert "7995" in settings.json()["data"]["blockedMerchantCategories"]
    assert image.json()["data"] == "https://cdn.example.com/cards/corporate-blue.png"
    assert template.json()["data"] == "https://cdn.example.com/cards/standard.png"
    assert_card_error(unknown, 404, "CARD_NOT_FOUND")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/cards/accounts/a1/scheduledPayment/p1/cancel"),
        ("GET", "/cards/account/a1/companies/c1/creditStatements"),
        ("GET", "/cards/account/a1/company/c1/creditDetails"),
        ("GET", "/cards/client/c1/partnerToken"),
        ("GET", "/cards/accounts/a1/external-accounts"),
        ("POST", "/cards/account/a1/linkExternalAccount"),
        ("DELETE", "/cards/account/a1/company/c1/creditDetails/x1"),
        ("POST", "/cards/accounts/a1/payments/schedule/autopay"),
        ("GET", "/cards/accounts/a1/scheduledCreditPayments"),
        ("POST", "/cards/accounts/a1/schedule"),
    ],
)
async def test_credit_card_operations_are_not_implemented(
    api: CardsApi, method: str, path: str
) -> None:
    response = await api.client.request(
        method, "/customers/cust-1" + path, json={"any": "body"}, headers=auth()
    )

    body = assert_card_error(response, 501, "FUNCTION_NOT_IMPLEMENTED_YET")
    assert "Credit cards" in body["message"]


async def test_the_sandbox_refuses_a_card_on_demand_and_toqio_hears_card_failed(
    api: CardsApi,
) -> None:
    armed = await api.client.post(
        "/sandbox/cards/processor/refusals", json={"reason": "out of plastic"}
    )

    refused = await api.issue()
    accepted = await api.issue()
    code = await api.client.get(f"/sandbox/cards/{accepted['id']}/security-code")
    no_code = await api.client.get(f"/sandbox/cards/{refused['id']}/security-code")

    assert armed.json()["data"] == {"armed": 1}
    assert refused["status"] == "CLOSED"
    assert accepted["status"] == "ACTIVE"
    kinds = [(kind, json.loads(body)) for kind, body in await api.webhooks()]
    assert kinds[-1] == ("CARD_FAILED", {"cardId": refused["id"]})
    assert kinds[0][1]["status"] == "CLOSED"
    security_code = code.json()["data"]["securityCode"]
    async with api.database.sessions() as session:
        from cards.adapters.persistence.card_repository import SqlAlchemyCardRepository

        issuance = await SqlAlchemyCardRepository(session).issuance(accepted["id"])
    assert issuance is not None
    assert issuance.security_code_hash is not None
    assert api.hasher.matches(accepted["id"], security_code, issuance.security_code_hash)
    assert security_code not in await api.rows_outside_the_vault()
    assert_card_error(no_code, 404, "CARD_NOT_FOUND")


async def test_the_sandbox_replaces_a_stolen_card(api: CardsApi) -> None:
    old = await api.issue()

    replaced = await api.client.post(
        f"/sandbox/customers/cust-1/cards/{old['id']}/replace", json={"reason": "STOLEN"}
    )
    old_now = await api.client.get(api.path(old["id"]), headers=auth())

    new = replaced.json()["data"]
    assert replaced.status_code == 200, replaced.text
    assert new["id"] != old["id"]
    assert new["status"] == "ACTIVE"
    assert new["token"] != old["token"]
    assert old_now.json()["data"]["status"] == "CLOSED"


async def test_no_card_number_is_stored_outside_the_vault(api: CardsApi) -> None:
    first = await api.issue(physical=True)
    second = await api.issue()
    pans = [await api.pan(card["id"]) for card in (first, second)]
    await api.client.put(api.path(first["id"]) + "/cancel", headers=auth())
    await api.client.put(api.path(second["id"]) + "/suspend", headers=auth())
    await api.client.post(
        f"/sandbox/customers/cust-1/cards/{second['id']}/replace", json={"reason": "EXPIRED"}
    )

    stored = await api.rows_outside_the_vault()

    assert card_numbers_in(stored) == []
    assert all(pan is not None and pan.digits not in stored for pan in pans)
