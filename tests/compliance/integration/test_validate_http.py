"""``POST /transaction/validate`` on PostgreSQL: keys, decisions, rules, sanctions, activity."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from building_blocks.messaging import InMemoryMessageBus
from compliance.adapters.persistence import tables
from compliance.adapters.persistence.sanctions_repository import SqlAlchemySanctionsRepository
from compliance.domain.sanctions.entries import SanctionsList
from shared_kernel.contracts import (
    Envelope,
    TransactionBookedV1,
    TransactionDecidedV1,
    decode_envelope,
)
from tests.compliance.integration.compliance_service import (
    ADMIN,
    ComplianceApi,
    compliance_service,
    transaction,
)
from tests.compliance.sanctions_support import Party, loaded

pytestmark = pytest.mark.integration


@pytest.fixture
async def api(postgres_url: str) -> AsyncIterator[ComplianceApi]:
    async with compliance_service(postgres_url) as service:
        yield service


async def test_a_plain_payment_is_approved_and_the_same_id_gets_the_same_answer(
    api: ComplianceApi,
) -> None:
    first = await api.validate(transaction())
    again = await api.validate(transaction(amount=99999))

    assert first.status_code == 200, first.text
    body = first.json()
    assert set(body) == {"transactionId", "status", "riskScore", "reasons", "decisionId"}
    assert (body["transactionId"], body["status"]) == ("tx-1", "APPROVED")
    assert 0 <= body["riskScore"] <= 100
    assert again.json() == body
    assert await api.count("decisions") == 1


async def test_a_large_first_payment_is_held_for_review_with_its_reasons(
    api: ComplianceApi,
) -> None:
    held = await api.validate(transaction(amount=15000))

    body = held.json()
    assert body["status"] == "PENDING_EXTERNAL_APPROVAL"
    assert {r["code"] for r in body["reasons"]} == {
        "AMOUNT_THRESHOLD:large-amount",
        "NEW_BENEFICIARY:new-beneficiary",
    }
    assert await api.count("review_cases") == 1


async def test_a_payee_tied_to_a_sanctioned_country_is_rejected(api: ComplianceApi) -> None:
    beneficiary = {"type": "PERSON", "name": "Kim Chol", "country": "KP"}

    rejected = await api.validate(transaction(beneficiary=beneficiary))

    assert rejected.json()["status"] == "REJECTED"
    assert rejected.json()["riskScore"] >= 90


async def test_a_listed_payee_is_caught_once_the_list_is_loaded(api: ComplianceApi) -> None:
    listed = Party(7, "individual", "Ivan Sergeyevich", "Petrov", countries=("RU",))
    await SqlAlchemySanctionsRepository(api.database).store(
        loaded(SanctionsList.EU, "2030-05-01", [listed])
    )
    # The service refreshes its index at start and then periodically; the test runs that
    # same start-up step instead of waiting for the worker's interval.
    [refresh] = [h for h in api.host.startup if getattr(h, "__name__", "") == "load_screening"]
    await refresh()
    beneficiary = {"type": "PERSON", "name": "Petrov, Ivan", "country": "RU"}

    caught = await api.validate(transaction("tx-s", beneficiary=beneficiary))

    body = caught.json()
    assert body["status"] in {"REJECTED", "PENDING_EXTERNAL_APPROVAL"}
    assert any(r["code"] == "SANCTIONS:sanctions" for r in body["reasons"])
    async with api.database.engine.connect() as connection:
        versions = (
            await connection.execute(
                sa.select(tables.metadata.tables["compliance.decisions"].c.sanctions_versions)
            )
        ).scalar_one()
    assert "2030-05-01" in versions


async def test_a_customers_rule_set_is_versioned_switched_and_decides(api: ComplianceApi) -> None:
    rules = [{"kind": "AMOUNT_THRESHOLD", "ruleId": "tiny", "reviewAboveMinor": 5000}]
    added = await api.client.post(
        "/admin/rule-sets/",
        json={"customerId": "cust-1", "ruleSetId": "strict", "rules": rules},
        headers=ADMIN,
    )
    assert added.status_code == 201, added.text
    assert (added.json()["data"]["version"], added.json()["data"]["mode"]) == (1, "SHADOW")
    shadowed = await api.validate(transaction("tx-a", amount=60))
    assert shadowed.json()["status"] == "APPROVED"

    switched = await api.client.put(
        "/admin/rule-sets/cust-1/strict/versions/1", json={"mode": "ACTIVE"}, headers=ADMIN
    )
    acted = await api.validate(transaction("tx-b", amount=60))

    assert switched.status_code == 200, switched.text
    assert acted.json()["status"] == "PENDING_EXTERNAL_APPROVAL"
    assert [r["code"] for r in acted.json()["reasons"]] == ["AMOUNT_THRESHOLD:tiny"]


async def test_bad_rule_sets_are_refused(api: ComplianceApi) -> None:
    bad = await api.client.post(
        "/admin/rule-sets/",
        json={"customerId": "cust-1", "ruleSetId": "x", "rules": [{"kind": "MAGIC"}]},
        headers=ADMIN,
    )
    unknown = await api.client.put(
        "/admin/rule-sets/cust-1/nope/versions/9", json={"mode": "ACTIVE"}, headers=ADMIN
    )
    anonymous = await api.client.get("/admin/rule-sets/cust-1")

    assert bad.status_code == 400
    assert unknown.status_code == 404
    assert anonymous.status_code == 401


async def test_velocity_reads_activity_learned_from_the_ledger(api: ComplianceApi) -> None:
    now = datetime.now(UTC)
    ledger = InMemoryMessageBus(api.broker, "accounts_payments")
    await ledger.start()
    for n in range(20):
        booked = TransactionBookedV1(
            customer_id="cust-1",
            client_id="client-1",
            account_id="acc-1",
            transaction_id=f"booked-{n}",
            direction="DEBIT",
            amount_minor=1000,
            currency="EUR",
            kind="OUTBOUND_BANK_TRANSFER",
            booked_at=now,
        )
        await ledger.publish(Envelope.wrap(booked))
    for _ in range(100):
        if await api.count("activity") == 20:
            break
        await asyncio.sleep(0.05)

    busy = await api.validate(transaction("tx-v"))

    assert await api.count("activity") == 20
    assert busy.json()["status"] == "PENDING_EXTERNAL_APPROVAL"
    assert [r["code"] for r in busy.json()["reasons"]] == ["VELOCITY:merchant-burst"]


async def test_each_decision_is_announced_through_the_outbox(api: ComplianceApi) -> None:
    await api.validate(transaction())

    assert await api.count("outbox") == 1
    async with api.database.engine.connect() as connection:
        body = (await connection.execute(sa.select(tables.messaging.outbox.c.body))).scalar_one()
    payload = decode_envelope(body).payload
    assert isinstance(payload, TransactionDecidedV1)
    assert (payload.transaction_id, payload.status) == ("tx-1", "APPROVED")


@pytest.mark.parametrize(
    ("key", "status"),
    [pytest.param("", 401, id="missing"), pytest.param("tq_nope_nope", 401, id="wrong")],
)
async def test_calls_without_a_valid_key_are_refused_and_decide_nothing(
    api: ComplianceApi, key: str, status: int
) -> None:
    refused = await api.validate(transaction(), key=key)

    assert refused.status_code == status
    assert refused.json()["errorSeverity"] == "ERROR"
    assert await api.count("decisions") == 0


async def test_a_key_of_another_customer_is_forbidden(api: ComplianceApi) -> None:
    refused = await api.validate(transaction(customerId="cust-2"))

    assert refused.status_code == 403
    assert refused.json()["code"] == "CUSTOMER_MISMATCH"
    assert await api.count("decisions") == 0


@pytest.mark.parametrize(
    ("change", "code"),
    [
        pytest.param({"amount": -5}, "INVALID_AMOUNT", id="negative"),
        pytest.param({"amount": 0}, "INVALID_AMOUNT", id="zero"),
        pytest.param({"amount": 1.005}, "INVALID_AMOUNT", id="decimals"),
        pytest.param({"currency": "XXQ"}, "INVALID_CURRENCY", id="unknown-currency"),
        pytest.param({"currency": "BRL"}, "UNSUPPORTED_CURRENCY", id="no-stated-rate"),
        pytest.param({"amount": "lots"}, "INVALID_REQUEST", id="malformed"),
        pytest.param({"transactionId": None}, "INVALID_REQUEST", id="missing-id"),
    ],
)
async def test_bad_requests_get_a_clear_error_and_create_nothing(
    api: ComplianceApi, change: dict[str, Any], code: str
) -> None:
    body = transaction()
    body.update(change)

    refused = await api.validate({k: v for k, v in body.items() if v is not None})

    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == code
    assert refused.json()["message"]
    assert await api.count("decisions") == 0
    assert await api.count("outbox") == 0


async def test_a_body_that_is_not_json_is_refused(api: ComplianceApi) -> None:
    refused = await api.client.post(
        "/transaction/validate",
        content=b"{not json",
        headers={"X-Api-Key": api.api_key, "Content-Type": "application/json"},
    )

    assert refused.status_code == 400
    assert await api.count("decisions") == 0
