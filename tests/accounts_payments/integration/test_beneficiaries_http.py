"""Beneficiary endpoints over HTTP on PostgreSQL: every operation, end to end."""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts_payments.integration.beneficiaries_app import (  # noqa: F401
    BASE,
    Api,
    beneficiaries_api,
    body,
)

pytestmark = pytest.mark.integration


async def test_create_get_update_and_delete(api: Api) -> None:
    created = await api.create()
    path = f"{BASE}/{created['id']}"
    view = api.view(created["id"])

    got = await api.client.get(view, headers=api.auth())
    updated = await api.client.put(
        path,
        json={"name": "Globex Iberia", "addressCity": "Sevilla", "visible": False,
              "iban": api.payee_iban, "assetType": "eur", "bankCountry": "ES"},
        headers=api.auth(),
    )  # fmt: skip
    deleted = await api.client.delete(path, headers=api.auth())
    after = await api.client.get(view, headers=api.auth())

    assert created["assetType"] == "eur"
    assert created["bankCountry"] == "ES"
    assert created["iban"] == api.payee_iban
    assert created["bicSwift"] == "SNDBESMMXXX"
    assert got.status_code == 200
    assert got.json()["code"] == "OK"
    assert got.json()["data"]["nameOrFullName"] == "Globex Iberia S.A."
    assert updated.status_code == 200, updated.text
    assert updated.json()["data"]["name"] == "Globex Iberia"
    assert updated.json()["data"]["addressCity"] == "Sevilla"
    assert updated.json()["data"]["addressStreet"] == "Gran Via 1"
    assert updated.json()["data"]["visible"] is False
    assert updated.json()["data"]["iban"] == api.payee_iban
    assert deleted.status_code == 200
    assert deleted.json()["data"] == {}
    assert after.status_code == 404
    assert after.json()["code"] == "BENEFICIARY_NOT_FOUND"


async def test_a_retry_with_toqios_id_answers_the_stored_beneficiary(api: Api) -> None:
    first = await api.create(id="toqio-ben-1")
    second = await api.create(id="toqio-ben-1")
    clash = await api.client.post(
        BASE, json=body(api, id="toqio-ben-1", iban="DE89370400440532013000"), headers=api.auth()
    )

    assert first["id"] == second["id"] == "toqio-ben-1"
    assert len(await api.rows()) == 1
    assert clash.status_code == 409
    assert clash.json()["code"] == "BENEFICIARY_ALREADY_EXISTS"


async def test_filters_by_region_and_source_account(api: Api) -> None:
    path = f"{BASE}/filters"
    uk = await api.client.post(
        path, json={"canSeeFxPayments": False, "ownAccount": False, "accountCountry": "UK",
                    "sourceAssetType": "gbp"}, headers=api.auth(),
    )  # fmt: skip
    from_account = await api.client.post(
        path, json={"canSeeFxPayments": True, "ownAccount": False,
                    "sourceAccountId": api.account_id}, headers=api.auth(),
    )  # fmt: skip
    both = await api.client.post(
        path, json={"canSeeFxPayments": False, "ownAccount": False, "accountCountry": "EU_UK"},
        headers=api.auth(),
    )  # fmt: skip

    assert uk.status_code == 200, uk.text
    assert uk.json()["data"]["assetTypes"] == ["gbp"]
    assert [c["code"] for c in uk.json()["data"]["countries"]] == ["GB", "IM", "GG", "JE", "GI"]
    eu = from_account.json()["data"]
    assert eu["assetTypes"][0] == "eur"
    assert {"ES", "DE", "FR", "NO", "CH"} <= {c["code"] for c in eu["countries"]}
    assert "GB" not in {c["code"] for c in eu["countries"]}
    assert eu["countries"][0] == {
        "code": "AT", "isoCode": "AUT", "name": {"en": "Austria"}, "prefix": "+43",
        "iban": True, "sendMoney": True, "sepa": True,
    }  # fmt: skip
    assert {"GB", "ES"} <= {c["code"] for c in both.json()["data"]["countries"]}
    assert both.json()["data"]["assetTypes"] == ["eur", "gbp"]


async def test_verify_matches_the_sandbox_holder_and_degrades_when_it_cannot(api: Api) -> None:
    matched_id = (await api.create())["id"]
    wrong_id = (await api.create(name="Initech Ltd"))["id"]
    elsewhere_id = (await api.create(iban="DE89370400440532013000", bicSwift=None))["id"]
    path = f"{BASE}/verify"

    async def verify(
        beneficiary_id: str, payment_type: str = "PAYMENT_TYPE_EU_SEPA_INSTANT"
    ) -> Any:
        response = await api.client.post(
            path,
            json={"sourceAccountId": api.account_id, "paymentType": payment_type,
                  "beneficiaryId": beneficiary_id, "complianceCheckLevel": "ENHANCED"},
            headers=api.auth(),
        )  # fmt: skip
        assert response.status_code == 200, response.text
        return response.json()["data"]

    matched = await verify(matched_id)
    wrong = await verify(wrong_id)
    elsewhere = await verify(elsewhere_id)
    swift = await verify(matched_id, "PAYMENT_TYPE_GLOBAL_SWIFT")
    api.bank.arm_fault("get_account", "TIMEOUT", times=1)
    down = await verify(matched_id)

    assert matched == {"status": "MATCHED", "reasonCode": "FULL_MATCH",
                       "reasonDescription": matched["reasonDescription"],
                       "allowProceedPayment": True, "matchScore": 100.0}  # fmt: skip
    assert (wrong["status"], wrong["allowProceedPayment"]) == ("NOT_MATCHED", False)
    assert (elsewhere["status"], elsewhere["reasonCode"]) == (
        "NOT_APPLIED",
        "ACCOUNT_NOT_REACHABLE",
    )
    assert swift["status"] == "NOT_APPLIED"
    assert (down["status"], down["allowProceedPayment"]) == ("UNAVAILABLE", True)
