"""Beneficiary endpoints on PostgreSQL: bad input gets Toqio's envelope and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts_payments.integration.beneficiaries_app import (  # noqa: F401
    BASE,
    Api,
    beneficiaries_api,
    body,
)
from tests.accounts_payments.integration.http_app import ISSUER
from tests.support.jwt_issuer import ToqioJwtIssuer

pytestmark = pytest.mark.integration


BAD_CREATES = [
    pytest.param({"assetType": None}, 400, "INVALID_REQUEST", id="missing-asset-type"),
    pytest.param({"assetType": "xyz"}, 400, "INVALID_REQUEST", id="unknown-asset-type"),
    pytest.param({"assetType": 12}, 400, "INVALID_REQUEST", id="malformed-asset-type"),
    pytest.param({"name": None}, 400, "INVALID_REQUEST", id="missing-name"),
    pytest.param({"type": "ROBOT"}, 400, "INVALID_REQUEST", id="unknown-type"),
    pytest.param({"visible": "yes"}, 400, "INVALID_REQUEST", id="malformed-visible"),
    pytest.param({"iban": None}, 400, "INVALID_REQUEST", id="no-account-identifier"),
    pytest.param({"iban": "ES9121000418450200051333"}, 400, "INVALID_IBAN", id="bad-checksum"),
    pytest.param({"iban": "XX00123"}, 400, "INVALID_IBAN", id="malformed-iban"),
    pytest.param({"bicSwift": "NOTABIC"}, 400, "INVALID_BIC", id="short-bic"),
    pytest.param({"bicSwift": "SNDB1SMMXXX"}, 400, "INVALID_BIC", id="malformed-bic"),
    pytest.param({"bankCountry": "FR"}, 400, "INVALID_REQUEST", id="country-not-the-ibans"),
    pytest.param({"sourceAccount": "acc-404"}, 404, "ACCOUNT_NOT_FOUND", id="unknown-account"),
]


@pytest.mark.parametrize(("overrides", "status", "code"), BAD_CREATES)
async def test_bad_creations_change_nothing(
    api: Api, overrides: dict[str, Any], status: int, code: str
) -> None:
    payload = body(api, **overrides)
    if overrides.get("assetType", "") is None:
        payload.pop("assetType", None)
    response = await api.client.post(BASE, json=payload, headers=api.auth())

    assert response.status_code == status, response.text
    envelope = response.json()
    assert envelope["code"] == code
    assert envelope["errorSeverity"] == "ERROR"
    assert envelope["httpStatus"] == status
    assert envelope["errorOrigin"] == "accounts_payments"
    assert await api.rows() == []


async def test_unknown_customer_client_account_and_beneficiary_are_404(api: Api) -> None:
    created = (await api.create())["id"]
    before = await api.rows()
    other_client = "/customers/cust-1/clients/cl-404/beneficiaries"
    unknown_customer = await api.client.post(
        "/customers/cust-404/clients/cl-1/beneficiaries", json=body(api),
        headers=api.auth("cust-404"),
    )  # fmt: skip
    unknown_client = await api.client.post(other_client, json=body(api), headers=api.auth())
    unknown_account = await api.client.get(api.view(created, "acc-404"), headers=api.auth())
    unknown_beneficiary = await api.client.get(api.view("ben-404"), headers=api.auth())
    update_unknown = await api.client.put(f"{BASE}/ben-404", json={}, headers=api.auth())
    delete_unknown = await api.client.delete(f"{BASE}/ben-404", headers=api.auth())
    delete_from_other_client = await api.client.delete(
        f"{other_client}/{created}", headers=api.auth()
    )
    verify_unknown = await api.client.post(
        f"{BASE}/verify",
        json={"sourceAccountId": "acc-404", "paymentType": "SEPA", "beneficiaryId": created},
        headers=api.auth(),
    )
    filters_unknown = await api.client.post(
        f"{BASE}/filters",
        json={"canSeeFxPayments": True, "ownAccount": False, "sourceAccountId": "acc-404"},
        headers=api.auth(),
    )

    assert unknown_customer.json()["code"] == "CUSTOMER_NOT_FOUND"
    assert unknown_client.json()["code"] == "ERROR_CLIENT_NOT_FOUND"
    assert unknown_account.json()["code"] == "ACCOUNT_NOT_FOUND"
    assert unknown_beneficiary.json()["code"] == "BENEFICIARY_NOT_FOUND"
    assert update_unknown.json()["code"] == "BENEFICIARY_NOT_FOUND"
    assert delete_unknown.json()["code"] == "BENEFICIARY_NOT_FOUND"
    assert delete_from_other_client.json()["code"] == "ERROR_CLIENT_NOT_FOUND"
    assert verify_unknown.json()["code"] == "ACCOUNT_NOT_FOUND"
    assert filters_unknown.json()["code"] == "ACCOUNT_NOT_FOUND"
    responses = (
        unknown_customer, unknown_client, unknown_account, unknown_beneficiary, update_unknown,
        delete_unknown, delete_from_other_client, verify_unknown, filters_unknown,
    )  # fmt: skip
    assert {r.status_code for r in responses} == {404}
    assert await api.rows() == before


@pytest.mark.parametrize(
    "change",
    [
        {"iban": "DE89370400440532013000"},
        {"bicSwift": "DEUTDEFFXXX"},
        {"ukSortCode": "123456", "ukAccountNumber": "12345678"},
        {"accountNumber": "000123"},
        {"assetType": "gbp"},
        {"bankCountry": "DE"},
    ],
)
async def test_changing_bank_details_asset_type_or_country_is_refused(
    api: Api, change: dict[str, str]
) -> None:
    created = (await api.create())["id"]
    before = await api.rows()

    response = await api.client.put(
        f"{BASE}/{created}", json={"name": "Someone Else", **change}, headers=api.auth()
    )

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "BENEFICIARY_FIELD_IMMUTABLE"
    assert {p["field"] for p in response.json()["data"]} == set(change)
    assert await api.rows() == before


async def test_malformed_update_filter_and_verify_bodies_are_400(api: Api) -> None:
    created = (await api.create())["id"]
    before = await api.rows()

    update = await api.client.put(f"{BASE}/{created}", json={"visible": "no"}, headers=api.auth())
    not_json = await api.client.put(f"{BASE}/{created}", content=b"{", headers=api.auth())
    filters = await api.client.post(f"{BASE}/filters", json={"ownAccount": True},
                                    headers=api.auth())  # fmt: skip
    region = await api.client.post(
        f"{BASE}/filters",
        json={"canSeeFxPayments": True, "ownAccount": False, "accountCountry": "MARS"},
        headers=api.auth(),
    )
    verify = await api.client.post(f"{BASE}/verify", json={"paymentType": "SEPA"},
                                   headers=api.auth())  # fmt: skip

    for response in (update, not_json, filters, region, verify):
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "INVALID_REQUEST"
    assert {p["field"] for p in verify.json()["data"]} >= {"sourceAccountId"}
    assert await api.rows() == before


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"Authorization": "Bearer not.a.jwt"}, id="garbage"),
        pytest.param({"Authorization": f"Bearer {ISSUER.issue('cust-1', iss='Evil')}"}, id="iss"),
        pytest.param({"Authorization": f"Bearer {ISSUER.issue('cust-2')}"}, id="other-customer"),
        pytest.param(
            {"Authorization": f"Bearer {ToqioJwtIssuer().issue('cust-1')}"}, id="other-key"
        ),
    ],
)
async def test_bad_or_foreign_tokens_are_401_and_change_nothing(
    api: Api, headers: dict[str, str]
) -> None:
    created = (await api.create())["id"]
    before = await api.rows()

    responses = [
        await api.client.post(BASE, json=body(api), headers=headers),
        await api.client.put(f"{BASE}/{created}", json={"name": "X"}, headers=headers),
        await api.client.delete(f"{BASE}/{created}", headers=headers),
        await api.client.get(api.view(created), headers=headers),
    ]

    for response in responses:
        assert response.status_code == 401, response.text
        assert response.json()["errorSeverity"] == "ERROR"
    assert await api.rows() == before
