"""HttpMonitoringVendor against a local fake vendor: mapping, failures, breaker, validate."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from structlog.testing import capture_logs

from building_blocks.settings import Secret
from compliance.adapters.monitoring.circuit_breaker import BreakerState, CircuitBreaker
from compliance.adapters.monitoring.http_vendor import (
    HttpMonitoringVendor,
    VendorUnavailable,
    parse_outcomes,
)
from compliance.application.monitoring.validate import FALLBACK, ValidateTransaction
from compliance.domain.monitoring.decision import MonitoringStatus, Reason, Verdict
from compliance.domain.monitoring.transaction import Beneficiary, PartyType
from tests.compliance.monitoring_fakes import NOW, FakeDecisionStore, transaction
from tests.support.fake_monitoring_vendor import (
    HANG_UP,
    FakeMonitoringVendor,
    VendorReply,
    verdict,
)

pytestmark = pytest.mark.integration

S = MonitoringStatus
KEY = "vendor-key-not-to-be-logged"
MakeAdapter = Callable[..., HttpMonitoringVendor]


@pytest.fixture
async def vendor() -> AsyncIterator[FakeMonitoringVendor]:
    async with FakeMonitoringVendor() as fake:
        yield fake


@pytest.fixture
async def make_adapter(vendor: FakeMonitoringVendor) -> AsyncIterator[MakeAdapter]:
    made: list[HttpMonitoringVendor] = []

    def make(**options: Any) -> HttpMonitoringVendor:
        options.setdefault("url", vendor.url)
        options.setdefault("name", "acme")
        # Generous, so a loaded test machine never turns an answer into a timeout; the tests
        # about slowness set their own.
        options.setdefault("timeout", 5.0)
        made.append(HttpMonitoringVendor(api_key=Secret(KEY), **options))
        return made[-1]

    yield make
    for adapter in made:
        await adapter.aclose()


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        *[(word, S.APPROVED) for word in ("accept", "approve", "approved", "pass", " ACCEPT ")],
        *[(word, S.REJECTED) for word in ("decline", "reject", "rejected", "block")],
        *[
            (word, S.PENDING_EXTERNAL_APPROVAL)
            for word in ("review", "hold", "manual_review", "Challenge")
        ],
    ],
)
async def test_the_default_mapping_turns_vendor_outcomes_into_statuses(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter, outcome: str, status: S
) -> None:
    vendor.answer(verdict(outcome, 40))

    assessment = await make_adapter().assess(transaction())

    assert assessment.status is status
    assert assessment.risk_score == 40
    assert assessment.decided_by == "vendor:acme"


async def test_a_decline_keeps_the_vendors_reasons_and_its_outcome(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter
) -> None:
    vendor.answer(verdict("decline", 0.97, [{"code": "MULE", "message": "Mule account"}]))

    assessment = await make_adapter().assess(transaction())

    assert assessment.status is S.REJECTED
    assert assessment.risk_score == 97
    assert assessment.reasons == (Reason("MULE", "Mule account"),)
    [outcome] = assessment.outcomes
    assert (outcome.rule_id, outcome.kind, outcome.verdict) == ("acme", "VENDOR", Verdict.REJECT)
    assert outcome.inputs["outcome"] == "decline"


async def test_a_hold_without_reasons_gets_one_naming_the_vendors_outcome(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter
) -> None:
    vendor.answer(verdict("hold", 55))

    assessment = await make_adapter().assess(transaction())

    [reason] = assessment.reasons
    assert reason.code == "VENDOR_OUTCOME"
    assert "'hold'" in reason.message


async def test_a_custom_mapping_replaces_the_default_one(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter
) -> None:
    adapter = make_adapter(outcomes=parse_outcomes('{"GREEN": "APPROVED", "red": "REJECTED"}'))
    vendor.answer(verdict("green"), verdict("RED"), verdict("accept"))

    assert (await adapter.assess(transaction())).status is S.APPROVED
    assert (await adapter.assess(transaction())).status is S.REJECTED
    with pytest.raises(VendorUnavailable, match="unknown outcome 'accept'"):
        await adapter.assess(transaction())


def test_an_empty_or_overlong_vendor_name_is_refused() -> None:
    for name in ("", "x" * 65):
        with pytest.raises(ValueError, match="name"):
            HttpMonitoringVendor("http://127.0.0.1:1/", Secret(KEY), name=name)


@pytest.mark.parametrize(
    "text", ["[]", "{}", "not json", '{"ok": "MAYBE"}', '{"ok": 1}', '{" ": "APPROVED"}']
)
def test_a_mapping_that_is_not_outcomes_to_statuses_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="outcome"):
        parse_outcomes(text)


@pytest.mark.parametrize(
    ("score", "expected"),
    [(0, 0), (0.42, 42), (0.005, 0), (1, 100), (1.0, 100), (73, 73), (12.6, 13), (150, 100)],
)
async def test_scores_are_read_on_a_0_to_100_scale_and_clamped(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter, score: float, expected: int
) -> None:
    vendor.answer(verdict("accept", score))

    assert (await make_adapter().assess(transaction())).risk_score == expected


async def test_a_negative_score_is_clamped_to_zero(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter
) -> None:
    vendor.answer(verdict("accept", -3))

    assert (await make_adapter().assess(transaction())).risk_score == 0


async def test_the_key_goes_in_a_bearer_authorization_header_by_default(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter
) -> None:
    await make_adapter().assess(transaction())

    [request] = vendor.requests
    assert (request.method, request.path) == ("POST", FakeMonitoringVendor.PATH)
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"


async def test_the_key_header_and_its_scheme_are_configurable(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter
) -> None:
    await make_adapter(api_key_header="X-Api-Key", api_key_scheme="").assess(transaction())

    [request] = vendor.requests
    assert request.headers["x-api-key"] == KEY
    assert "authorization" not in request.headers


async def test_the_transaction_is_sent_as_camel_case_json(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter
) -> None:
    tx = dataclasses.replace(
        transaction("1234.5"),
        beneficiary=Beneficiary(
            type=PartyType.PERSON,
            name="Jane Roe",
            iban="GB29NWBK60161331926819",
            bic="NWBKGB2L",
            bank_country="GB",
            country="FR",
        ),
        beneficiary_account_id="acc-2",
        scheme="SEPA",
        concept="Invoice 7",
        purpose_code="SUPP",
        is_fx=True,
    )

    await make_adapter().assess(tx)

    assert vendor.requests[0].json == {
        "transactionId": "tx-1",
        "customerId": "cust-1",
        "clientId": "client-1",
        "sourceAccountId": "acc-1",
        "beneficiaryAccountId": "acc-2",
        "amount": "1234.50",
        "currency": "EUR",
        "beneficiary": {
            "type": "PERSON",
            "name": "Jane Roe",
            "iban": "GB29NWBK60161331926819",
            "bicSwift": "NWBKGB2L",
            "accountNumber": None,
            "bankCountry": "GB",
            "country": "FR",
        },
        "bankPaymentScheme": "SEPA",
        "concept": "Invoice 7",
        "reference": None,
        "purposeCode": "SUPP",
        "isFxTransaction": True,
        "areOwnAccounts": False,
        "createdAt": NOW.isoformat().replace("+00:00", "Z"),
    }


async def test_a_vendor_slower_than_the_timeout_is_unavailable(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter
) -> None:
    vendor.answer(verdict("accept", delay=2.0))

    with pytest.raises(VendorUnavailable, match="in time") as caught:
        await make_adapter(timeout=0.05).assess(transaction())

    assert caught.value.code == "MONITORING_VENDOR_UNAVAILABLE"


@pytest.mark.parametrize("status", [500, 503, 404, 401, 302])
async def test_a_non_2xx_answer_is_unavailable_even_with_a_verdict(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter, status: int
) -> None:
    vendor.answer(VendorReply.of_json({"outcome": "accept", "score": 1}, status=status))

    with pytest.raises(VendorUnavailable, match=f"HTTP {status}"):
        await make_adapter().assess(transaction())


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b"<html>Bad gateway</html>",
        b'{"outcome": "accept"',
        b"[]",
        b'"accept"',
        b'{"outcome": "accept"}',
        b'{"score": 5}',
        b'{"outcome": 1, "score": 5}',
        b'{"outcome": "accept", "score": "low"}',
        b'{"outcome": "accept", "score": true}',
        b'{"outcome": "accept", "score": 5, "reasons": "none"}',
        b'{"outcome": "accept", "score": 5, "pad": "' + b"x" * 100_000 + b'"}',
    ],
)
async def test_an_answer_that_is_not_a_verdict_is_unavailable(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter, body: bytes
) -> None:
    vendor.answer(VendorReply(body=body))

    with pytest.raises(VendorUnavailable, match="not a verdict"):
        await make_adapter().assess(transaction())


async def test_an_unknown_outcome_is_unavailable_never_approved(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter
) -> None:
    vendor.answer(verdict("probably_fine", 0))

    with pytest.raises(VendorUnavailable, match="unknown outcome"):
        await make_adapter().assess(transaction())


async def test_a_vendor_hanging_up_without_answering_is_unavailable(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter
) -> None:
    vendor.answer(HANG_UP)

    with pytest.raises(VendorUnavailable, match="could not be reached"):
        await make_adapter().assess(transaction())


async def test_warming_up_does_not_call_the_vendor(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter
) -> None:
    adapter = make_adapter()

    await adapter.warm_up()

    assert vendor.request_count == 0
    assert (await adapter.assess(transaction())).status is S.APPROVED


async def test_a_refused_connection_is_unavailable(make_adapter: MakeAdapter) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more.

    with pytest.raises(VendorUnavailable, match="could not be reached"):
        await make_adapter(url=f"http://127.0.0.1:{port}/screen").assess(transaction())


async def test_the_breaker_opens_after_consecutive_failures_then_recovers_half_open(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter
) -> None:
    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=3, reset_after=30.0, clock=lambda: now[0])
    adapter = make_adapter(breaker=breaker)
    vendor.answer(VendorReply(status=500), HANG_UP, VendorReply(body=b"junk"))
    for _ in range(3):
        with pytest.raises(VendorUnavailable):
            await adapter.assess(transaction())

    with pytest.raises(VendorUnavailable, match="circuit open"):
        await adapter.assess(transaction())
    assert vendor.request_count == 3
    assert adapter.breaker_state is BreakerState.OPEN

    now[0] += 30.0
    assert adapter.breaker_state is BreakerState.HALF_OPEN
    assessment = await adapter.assess(transaction())

    assert assessment.status is S.APPROVED
    assert vendor.request_count == 4
    assert adapter.breaker_state is BreakerState.CLOSED


async def test_validate_holds_the_payment_when_the_vendor_is_too_slow(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter
) -> None:
    vendor.answer(verdict("accept", delay=2.0))
    store = FakeDecisionStore()
    adapter = make_adapter(timeout=0.15)
    validate = ValidateTransaction(store, adapter, lambda: NOW, deadline=0.2)

    with capture_logs() as logs:
        decision = await validate(transaction())

    assert decision.status is S.PENDING_EXTERNAL_APPROVAL
    assert decision.decided_by == FALLBACK
    assert store.held == ["tx-1"]
    assert KEY not in repr(logs)


async def test_validate_records_the_vendors_decision(
    vendor: FakeMonitoringVendor, make_adapter: MakeAdapter
) -> None:
    vendor.answer(verdict("reject", 88, [{"code": "FRAUD_RING", "message": "Known ring"}]))
    store = FakeDecisionStore()
    validate = ValidateTransaction(store, make_adapter(timeout=4.0), lambda: NOW, deadline=5.0)

    decision = await validate(transaction())

    assert (decision.status, decision.risk_score) == (S.REJECTED, 88)
    assert decision.decided_by == "vendor:acme"
    assert decision.reasons == (Reason("FRAUD_RING", "Known ring"),)
    assert store.decisions[("cust-1", "tx-1")] == decision
