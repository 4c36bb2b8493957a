"""The review queue API on PostgreSQL: list, read, decide, four eyes, audit, webhook, event."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from building_blocks.messaging import InMemoryMessageBus
from compliance.adapters.persistence import tables
from compliance.adapters.persistence.decision_tables import decisions, review_cases
from compliance.adapters.persistence.review_tables import review_approvals, review_audit
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

pytestmark = pytest.mark.integration

PASSWORD = "a long and secret passphrase"
# 50,000.00 EUR: large payments (held above 10,000 EUR) stay below it unless a test says so.
FOUR_EYES_ABOVE_MINOR = "5000000"
ISO_MILLIS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
Headers = dict[str, str]


@pytest.fixture
async def api(postgres_url: str) -> AsyncIterator[ComplianceApi]:
    async with compliance_service(postgres_url, FOUR_EYES_ABOVE_MINOR=FOUR_EYES_ABOVE_MINOR) as s:
        yield s


async def reviewer(api: ComplianceApi, username: str, role: str = "REVIEWER") -> Headers:
    """Create a reviewer through the admin API and sign them in."""
    body = {"username": username, "password": PASSWORD, "role": role}
    created = await api.client.post("/admin/reviewers", json=body, headers=ADMIN)
    assert created.status_code == 201, created.text
    signed_in = await api.client.post(
        "/auth/token", json={"username": username, "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['data']['token']}"}


async def held(api: ComplianceApi, transaction_id: str, amount: float = 15000) -> str:
    """Hold a large payment for review; the id of its case."""
    answer = await api.validate(transaction(transaction_id, amount=amount))
    assert answer.json()["status"] == "PENDING_EXTERNAL_APPROVAL", answer.text
    async with api.database.engine.connect() as connection:
        case_id = await connection.scalar(
            sa.select(review_cases.c.case_id).where(review_cases.c.transaction_id == transaction_id)
        )
    return str(case_id)


async def decide(
    api: ComplianceApi, case_id: str, headers: Headers, decision: str, reason: str | None
) -> httpx.Response:
    body = {"decision": decision} if reason is None else {"decision": decision, "reason": reason}
    return await api.client.post(f"/reviews/{case_id}/decision", json=body, headers=headers)


async def rows(api: ComplianceApi, table: sa.Table) -> list[dict[str, Any]]:
    async with api.database.engine.connect() as connection:
        return [dict(row) for row in (await connection.execute(sa.select(table))).mappings()]


async def webhooks(api: ComplianceApi) -> list[dict[str, Any]]:
    return await rows(api, tables.webhooks.deliveries)


async def review_events(api: ComplianceApi) -> list[TransactionDecidedV1]:
    found = []
    for row in await rows(api, tables.messaging.outbox):
        payload = decode_envelope(row["body"]).payload
        # The hold was announced too; only the reviewers' outcomes count here.
        if (
            isinstance(payload, TransactionDecidedV1)
            and payload.status != "PENDING_EXTERNAL_APPROVAL"
        ):
            found.append(payload)
    return found


async def audit_trail(api: ComplianceApi) -> list[tuple[str, str, str]]:
    trail = sorted(await rows(api, review_audit), key=lambda row: (row["at"], row["id"]))
    return [(row["username"], row["action"], row["detail"]) for row in trail]


async def test_the_queue_is_filtered_sorted_and_paged(api: ComplianceApi) -> None:
    alice = await reviewer(api, "alice")
    second_key = await api.client.post(
        "/admin/api-keys", json={"customerId": "cust-2"}, headers=ADMIN
    )
    first = await held(api, "tx-1", 15000)
    second = await held(api, "tx-2", 25000)
    third = await held(api, "tx-3", 12000)
    other = await api.validate(
        transaction("tx-4", amount=30000, customerId="cust-2"),
        key=second_key.json()["data"]["apiKey"],
    )
    assert other.json()["status"] == "PENDING_EXTERNAL_APPROVAL"
    await api.validate(transaction("tx-small"))  # approved: no case

    async def listed(query: str) -> dict[str, Any]:
        response = await api.client.get(f"/reviews{query}", headers=alice)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    everything = await listed("")
    by_amount = await listed("?sort=-amount&pageSize=2")
    page_two = await listed("?sort=-amount&pageSize=2&page=2")
    of_customer = await listed("?customerId=cust-1&sort=amount")
    riskiest = await listed("?sort=-riskScore")
    risks = [c["riskScore"] for c in riskiest["items"]]
    high = max(risks)

    assert (everything["total"], everything["page"], everything["pageSize"]) == (4, 1, 20)
    assert [c["caseId"] for c in everything["items"][:3]] == [first, second, third]
    assert [c["amount"] for c in by_amount["items"]] == ["30000.00", "25000.00"]
    assert [c["amount"] for c in page_two["items"]] == ["15000.00", "12000.00"]
    assert page_two["total"] == 4
    assert [c["caseId"] for c in of_customer["items"]] == [third, first, second]
    assert risks == sorted(risks, reverse=True)
    assert (await listed(f"?minRisk={high}"))["total"] == risks.count(high)
    assert (await listed(f"?minRisk={high + 1}"))["total"] == 0
    assert (await listed("?status=approved"))["items"] == []
    assert (await listed("?status=all"))["total"] == 4
    summary = everything["items"][0]
    assert summary == {
        "caseId": first,
        "decisionId": summary["decisionId"],
        "customerId": "cust-1",
        "clientId": "client-1",
        "transactionId": "tx-1",
        "amount": "15000.00",
        "currency": "EUR",
        "riskScore": summary["riskScore"],
        "status": "PENDING",
        "createdAt": summary["createdAt"],
        "decidedAt": None,
        "decidedBy": None,
        "decisionReason": None,
    }


@pytest.mark.parametrize(
    "query", ["?pageSize=0", "?pageSize=101", "?page=0", "?minRisk=101", "?sort=name"]
)
async def test_a_bad_page_request_is_refused(api: ComplianceApi, query: str) -> None:
    alice = await reviewer(api, "alice")

    response = await api.client.get(f"/reviews{query}", headers=alice)

    assert response.status_code == 400, response.text


async def _book(api: ComplianceApi, *bookings: tuple[str, str, datetime]) -> None:
    ledger = InMemoryMessageBus(api.broker, "accounts_payments")
    await ledger.start()
    for transaction_id, direction, booked_at in bookings:
        booked = TransactionBookedV1(
            customer_id="cust-1",
            client_id="client-1",
            account_id="acc-1",
            transaction_id=transaction_id,
            direction="DEBIT" if direction == "DEBIT" else "CREDIT",
            amount_minor=10000,
            currency="EUR",
            kind="OUTBOUND_BANK_TRANSFER",
            booked_at=booked_at,
            counterparty_name="Initech GmbH",
        )
        await ledger.publish(Envelope.wrap(booked))
    for _ in range(100):
        if await api.count("activity") == len(bookings):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bookings never reached the activity table")


async def test_a_case_reads_with_its_explanation_the_transaction_and_recent_activity(
    api: ComplianceApi,
) -> None:
    now = datetime.now(UTC)
    await _book(
        api,
        ("b-1", "DEBIT", now - timedelta(hours=1)),
        ("b-2", "DEBIT", now - timedelta(hours=2)),
        ("b-3", "CREDIT", now - timedelta(days=10)),
    )
    alice = await reviewer(api, "alice")
    case_id = await held(api, "tx-1")

    response = await api.client.get(f"/reviews/{case_id}", headers=alice)

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["case"]["caseId"] == case_id
    assert data["case"]["reviews"] == []
    decision = data["decision"]
    assert decision["status"] == "PENDING_EXTERNAL_APPROVAL"
    assert "AMOUNT_THRESHOLD:large-amount" in {r["code"] for r in decision["reasons"]}
    large = next(o for o in decision["outcomes"] if o["ruleId"] == "large-amount")
    assert large["verdict"] == "REVIEW"
    assert large["explanation"]
    assert large["inputs"]
    transaction_seen = data["transaction"]
    assert (transaction_seen["amount"], transaction_seen["currency"]) == ("15000.00", "EUR")
    assert transaction_seen["beneficiary"]["name"] == "Initech GmbH"
    assert transaction_seen["concept"] == "Invoice 42"
    activity = data["activity"]
    assert [b["transactionId"] for b in activity["recent"]] == ["b-1", "b-2", "b-3"]
    assert activity["last24Hours"] == {
        "debits": 2,
        "debitAmountEur": "200.00",
        "credits": 0,
        "creditAmountEur": "0.00",
    }
    assert (activity["last30Days"]["debits"], activity["last30Days"]["credits"]) == (2, 1)
    assert await audit_trail(api) == [("alice", "CASE_VIEWED", "")]


async def test_an_unknown_case_is_not_found(api: ComplianceApi) -> None:
    alice = await reviewer(api, "alice")

    read = await api.client.get("/reviews/0190f0f0-0000-7000-8000-000000000000", headers=alice)
    decided = await decide(api, "0190f0f0-0000-7000-8000-000000000000", alice, "APPROVE", "Fine")

    assert read.status_code == decided.status_code == 404
    assert read.json()["code"] == decided.json()["code"] == "CASE_NOT_FOUND"


async def test_an_approval_below_four_eyes_queues_the_webhook_and_publishes_the_event(
    api: ComplianceApi,
) -> None:
    alice = await reviewer(api, "alice")
    case_id = await held(api, "tx-1")

    response = await decide(api, case_id, alice, "APPROVE", "  Invoice and contract checked ")

    assert response.status_code == 200, response.text
    case = response.json()["data"]
    assert (case["status"], case["decidedBy"]) == ("APPROVED", "alice")
    assert case["decisionReason"] == "Invoice and contract checked"
    assert [(r["username"], r["decision"]) for r in case["reviews"]] == [("alice", "APPROVE")]
    [delivery] = await webhooks(api)
    assert delivery["webhook_type"] == "TRANSACTION_MONITORING_STATUS_UPDATED"
    assert (delivery["customer_id"], delivery["status"]) == ("cust-1", "PENDING")
    assert delivery["ordering_key"] == "transaction:tx-1"
    assert delivery["dedupe_key"] == f"monitoring-status:{case_id}"
    body = json.loads(delivery["body"])
    assert set(body) == {
        "id",
        "transactionId",
        "status",
        "previousStatus",
        "reason",
        "decidedAt",
        "decidedBy",
    }
    assert UUID7.match(body["id"])
    assert ISO_MILLIS_Z.match(body["decidedAt"])
    decided_at = datetime.fromisoformat(case["decidedAt"].replace("Z", "+00:00"))
    assert body["decidedAt"] == decided_at.isoformat(timespec="milliseconds")[:23] + "Z"
    assert {k: v for k, v in body.items() if k not in {"id", "decidedAt"}} == {
        "transactionId": "tx-1",
        "status": "APPROVED",
        "previousStatus": "PENDING_EXTERNAL_APPROVAL",
        "reason": "Invoice and contract checked",
        "decidedBy": "alice",
    }
    [event] = await review_events(api)
    assert (event.transaction_id, event.status, event.decided_by) == ("tx-1", "APPROVED", "alice")
    assert event.decision_id == case["decisionId"]
    [stored] = await rows(api, decisions)
    assert stored["status"] == "PENDING_EXTERNAL_APPROVAL"  # the engine's decision is kept
    [row] = await rows(api, review_cases)
    assert (row["status"], row["decided_by"]) == ("APPROVED", "alice")
    assert await audit_trail(api) == [("alice", "CASE_APPROVED", "Invoice and contract checked")]


async def test_a_rejection_goes_to_toqio_as_rejected(api: ComplianceApi) -> None:
    carol = await reviewer(api, "carol")
    case_id = await held(api, "tx-1", 80000)

    response = await decide(api, case_id, carol, "REJECT", "Payee unknown to the merchant")

    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "REJECTED"
    [delivery] = await webhooks(api)
    body = json.loads(delivery["body"])
    assert (body["status"], body["decidedBy"]) == ("REJECTED", "carol")
    assert body["reason"] == "Payee unknown to the merchant"
    assert [e.status for e in await review_events(api)] == ["REJECTED"]
    assert [a[1] for a in await audit_trail(api)] == ["CASE_REJECTED"]


async def test_above_four_eyes_a_second_approval_by_another_supervisor_is_needed(
    api: ComplianceApi,
) -> None:
    alice = await reviewer(api, "alice")
    carol = await reviewer(api, "carol")
    bob = await reviewer(api, "bob", "SUPERVISOR")
    case_id = await held(api, "tx-1", 60000)

    first = await decide(api, case_id, alice, "APPROVE", "Looks fine")
    assert first.status_code == 200, first.text
    assert first.json()["data"]["status"] == "AWAITING_SECOND_REVIEW"
    assert await webhooks(api) == []
    assert await review_events(api) == []
    pending = await api.client.get("/reviews?status=pending", headers=bob)
    assert [c["status"] for c in pending.json()["data"]["items"]] == ["AWAITING_SECOND_REVIEW"]

    again = await decide(api, case_id, alice, "APPROVE", "Still fine")
    not_supervisor = await decide(api, case_id, carol, "APPROVE", "Fine too")
    second = await decide(api, case_id, bob, "APPROVE", "Agreed, contract on file")

    assert (again.status_code, again.json()["code"]) == (422, "SECOND_REVIEWER_REQUIRED")
    assert (not_supervisor.status_code, not_supervisor.json()["code"]) == (
        422,
        "SUPERVISOR_REQUIRED",
    )
    assert second.status_code == 200, second.text
    case = second.json()["data"]
    assert (case["status"], case["decidedBy"]) == ("APPROVED", "alice,bob")
    [delivery] = await webhooks(api)
    assert json.loads(delivery["body"])["decidedBy"] == "alice,bob"
    assert [e.decided_by for e in await review_events(api)] == ["alice,bob"]
    approvals = sorted(await rows(api, review_approvals), key=lambda row: row["position"])
    assert [(a["position"], a["username"]) for a in approvals] == [(0, "alice"), (1, "bob")]
    trail = await audit_trail(api)
    assert [(user, action) for user, action, _ in trail] == [
        ("alice", "FIRST_APPROVAL"),
        ("alice", "DECISION_REFUSED"),
        ("carol", "DECISION_REFUSED"),
        ("bob", "CASE_APPROVED"),
    ]
    assert trail[1][2].startswith("SECOND_REVIEWER_REQUIRED")
    assert trail[2][2].startswith("SUPERVISOR_REQUIRED")


@pytest.mark.parametrize("reason", [None, "", "   ", "ok"])
async def test_a_decision_without_a_real_reason_is_refused_and_changes_nothing(
    api: ComplianceApi, reason: str | None
) -> None:
    alice = await reviewer(api, "alice")
    case_id = await held(api, "tx-1")

    response = await decide(api, case_id, alice, "APPROVE", reason)

    assert response.status_code == 400, response.text
    assert [p["field"] for p in response.json()["data"]] == ["reason"]
    [row] = await rows(api, review_cases)
    assert (row["status"], row["decided_at"]) == ("PENDING", None)
    assert await rows(api, review_approvals) == []
    assert await webhooks(api) == []


async def test_deciding_a_decided_case_is_a_conflict(api: ComplianceApi) -> None:
    alice = await reviewer(api, "alice")
    case_id = await held(api, "tx-1")
    await decide(api, case_id, alice, "REJECT", "Payee unknown to the merchant")

    again = await decide(api, case_id, alice, "APPROVE", "Changed my mind")

    assert (again.status_code, again.json()["code"]) == (409, "CASE_ALREADY_DECIDED")
    assert len(await webhooks(api)) == 1
    assert [a[1] for a in await audit_trail(api)] == ["CASE_REJECTED", "DECISION_REFUSED"]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "Bearer not-a-token"}, id="bad-token"),
        pytest.param(ADMIN, id="admin-token"),
    ],
)
async def test_the_queue_needs_a_reviewers_token(api: ComplianceApi, headers: Headers) -> None:
    case_id = await held(api, "tx-1")

    listed = await api.client.get("/reviews", headers=headers)
    read = await api.client.get(f"/reviews/{case_id}", headers=headers)
    decided = await decide(api, case_id, headers, "APPROVE", "Looks fine")

    assert listed.status_code == read.status_code == decided.status_code == 401
    assert decided.json()["errorSeverity"] == "ERROR"
    assert await webhooks(api) == []
    assert await rows(api, review_audit) == []


async def test_two_supervisors_deciding_at_once_cannot_both_win(api: ComplianceApi) -> None:
    bob = await reviewer(api, "bob", "SUPERVISOR")
    dave = await reviewer(api, "dave", "SUPERVISOR")
    case_id = await held(api, "tx-1")

    answers = await asyncio.gather(
        decide(api, case_id, bob, "APPROVE", "Fine by me"),
        decide(api, case_id, dave, "APPROVE", "Fine by me too"),
    )

    assert sorted(a.status_code for a in answers) == [200, 409]
    assert len(await webhooks(api)) == 1
    assert len(await review_events(api)) == 1
    assert len(await rows(api, review_approvals)) == 1
    actions = sorted(action for _, action, _ in await audit_trail(api))
    assert actions == ["CASE_APPROVED", "DECISION_REFUSED"]
