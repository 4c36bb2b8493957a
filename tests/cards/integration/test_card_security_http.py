"""Activation, reveal and the TOTP secret through the Litestar app, on SQLite and PostgreSQL.

Toqio's side is played by the test: it fetches the served public key, encrypts the card's
code to it and calls with a Toqio JWT. Afterwards the audit chain must verify, and no log
line or table outside the vault's ``card_secrets`` may hold the PAN, CVV, PIN or code.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import sqlalchemy as sa
import structlog

from building_blocks.auth import ToqioJwtVerifier, toqio_jwt_guard
from building_blocks.outbox import Outbox
from building_blocks.persistence import Database
from building_blocks.web import EnvelopeStyle, create_app
from building_blocks.webhooks import WebhookQueue
from cards.adapters.crypto.aes_gcm import AesGcmCipher
from cards.adapters.crypto.audit_mac import HmacAuditMac
from cards.adapters.crypto.cvv import HmacCvvCalculator
from cards.adapters.crypto.fingerprint import HmacFingerprinter
from cards.adapters.crypto.security_code_hasher import HmacSecurityCodeHasher
from cards.adapters.crypto.security_code_rsa import encrypt_security_code
from cards.adapters.crypto.totp_secrets import HmacTotpSecrets
from cards.adapters.persistence import tables
from cards.adapters.persistence.audit_log import SqlAlchemyAuditReader
from cards.adapters.persistence.card_tables import cards as cards_table
from cards.adapters.persistence.security_tables import security_code_attempts
from cards.adapters.persistence.security_unit_of_work import SqlAlchemySecurityUnitOfWork
from cards.adapters.persistence.vault_repository import SqlAlchemyDataKeyRepository
from cards.adapters.processor.sandbox_processor import SandboxCardProcessor
from cards.application.audit.verify import VerifyAuditLog
from cards.application.cards.changes import CARD_STATUS_UPDATED
from cards.application.cards.issue import IssueCard, IssueCardCommand
from cards.application.cards.options import IssuingPolicy
from cards.application.cards.ports import CardIssuance
from cards.application.security.activation import ActivateCard, ActivateCardWithOtp
from cards.application.security.gate import SecurityCodeGate
from cards.application.security.lockout import LockoutPolicy
from cards.application.security.otp import NoOtpRequired
from cards.application.security.ports import SecurityWork
from cards.application.security.reveal import RevealPan, RevealPin
from cards.application.security.totp import GetTotpSecret
from cards.application.vault.vault import CardVault
from cards.domain.card import Card
from cards.domain.lifecycle import CardStatus
from cards.domain.pan import BinRange, luhn_valid
from cards.entrypoints.http.card_security import PUBLIC_KEY_PATH, security_route_handlers
from tests.cards.card_builders import card_in
from tests.cards.security_fakes import CODE, PAN, PIN, decryptor
from tests.cards.vault_fakes import key_provider
from tests.support.jwt_issuer import ToqioJwtIssuer

pytestmark = pytest.mark.integration

AUDIT_KEY = bytes(range(32))
WRONG = "000000"
MAX_FAILURES = 3


@dataclass
class Api:
    client: httpx.AsyncClient
    database: Database
    jwt: ToqioJwtIssuer
    vault: CardVault
    hasher: HmacSecurityCodeHasher
    public_key: str = ""

    def headers(self, customer_id: str = "cust-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.jwt.issue(customer_id)}"}

    def code(self, code: str = CODE) -> dict[str, str]:
        encrypted = encrypt_security_code(self.public_key, code)
        return {
            "encryptedSecurityCode": encrypted.encrypted_security_code,
            "iv": encrypted.iv,
            "tag": encrypted.tag,
        }

    async def pan(self, card_id: str = "card-1", code: str = CODE) -> httpx.Response:
        return await self.client.post(
            f"/customers/cust-1/cards/{card_id}/pan", json=self.code(code), headers=self.headers()
        )

    async def pin(self, path: str = "pin", code: str | None = CODE) -> httpx.Response:
        headers = self.headers()
        if code is not None:
            headers["X-Security-Code"] = json.dumps(self.code(code))
        return await self.client.get(f"/customers/cust-1/cards/card-1/{path}", headers=headers)

    async def activate(self, card_id: str = "card-p", code: str = CODE) -> httpx.Response:
        return await self.client.put(
            f"/customers/cust-1/cards/{card_id}/activate",
            json={"token": "tok", "securityCode": self.code(code), "extra": 1},
            headers=self.headers(),
        )

    async def rows(self, table: sa.Table) -> list[dict[str, Any]]:
        async with self.database.engine.connect() as connection:
            return [dict(row) for row in (await connection.execute(sa.select(table))).mappings()]

    async def audit_actions(self) -> list[str]:
        rows = await self.rows(tables.metadata.tables["cards.audit_log"])
        return [row["action"] for row in sorted(rows, key=lambda row: row["sequence"])]

    async def card_status(self, card_id: str) -> str:
        [row] = [r for r in await self.rows(cards_table) if r["card_id"] == card_id]
        return str(row["status"])


def _units(database: Database) -> SecurityWork:
    work: Any = SqlAlchemySecurityUnitOfWork(
        database.sessions,
        outbox=Outbox(tables.messaging),
        webhooks=WebhookQueue(tables.webhooks),
        audit_mac=HmacAuditMac(AUDIT_KEY),
    )
    # Typed as the port: the SQL unit declares its concrete repositories.
    unit: SecurityWork = work
    return unit


async def _seed(database: Database, vault: CardVault, hasher: HmacSecurityCodeHasher) -> None:
    cards: list[Card] = [
        card_in(CardStatus.ACTIVE),
        card_in(CardStatus.PENDING_ACTIVATION, card_id="card-p", last4="1111"),
        card_in(CardStatus.CLOSED, card_id="card-x", last4="2222"),
    ]
    sealed = [await vault.seal_pan("cust-1", "card-1", PAN)]
    pin = await vault.seal_pin("cust-1", "card-1", PIN)
    async with _units(database) as work:
        for card in cards:
            await work.cards.add(card)
            code_hash = hasher.hash(card.card_id, CODE)
            await work.cards.record_issuance(
                card.card_id, CardIssuance(security_code_hash=code_hash)
            )
        await work.secrets.add(sealed[0].sealed, sealed[0].fingerprint)
        await work.secrets.add(pin)
        await work.commit()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/cards.db"


async def _api(database_url: str, *, totp: bool = False) -> AsyncIterator[Api]:
    database = Database(database_url, schema="cards")
    await database.create_schema(tables.metadata)
    vault = CardVault(
        key_provider(1),
        SqlAlchemyDataKeyRepository(database),
        AesGcmCipher(),
        HmacFingerprinter(b"f" * 32),
        HmacCvvCalculator(b"c" * 32),
    )
    hasher = HmacSecurityCodeHasher(b"h" * 32)
    await _seed(database, vault, hasher)

    def units() -> SecurityWork:
        return _units(database)

    gate = SecurityCodeGate(decryptor(), hasher, policy=LockoutPolicy(max_failures=MAX_FAILURES))
    activate = ActivateCard(units, gate)
    jwt = ToqioJwtIssuer()
    app = create_app(
        service="cards",
        route_handlers=security_route_handlers(
            toqio_guards=[toqio_jwt_guard(ToqioJwtVerifier(jwt.public_key_pem))],
            public_key_pem=decryptor().public_key_pem,
            activate_card=activate,
            activate_card_with_otp=ActivateCardWithOtp(activate, NoOtpRequired()),
            reveal_pan=RevealPan(units, gate, vault),
            reveal_pin=RevealPin(units, gate, vault),
            get_totp_secret=GetTotpSecret(units, HmacTotpSecrets(b"t" * 32) if totp else None),
            card_provider="sandbox",
        ),
        readiness={},
        envelope_style=EnvelopeStyle.CARD,
    )
    transport = httpx.ASGITransport(app=cast(Any, app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        api = Api(client, database, jwt, vault, hasher)
        api.public_key = (await client.get(PUBLIC_KEY_PATH)).text
        yield api
    await database.dispose()


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[Api]:
    async for made in _api(database_url):
        yield made


async def verify_audit(api: Api) -> None:
    report = await VerifyAuditLog(SqlAlchemyAuditReader(api.database), HmacAuditMac(AUDIT_KEY))()
    assert report.ok, report.summary()


# The public key --------------------------------------------------------------------------------


async def test_the_public_key_is_served_without_a_token(api: Api) -> None:
    response = await api.client.get(PUBLIC_KEY_PATH)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-pem-file")
    assert response.text == decryptor().public_key_pem


# Reveal ----------------------------------------------------------------------------------------


async def test_the_right_code_reveals_pan_cvv_and_expiry_uncached_and_audited(api: Api) -> None:
    response = await api.pan()

    assert response.status_code == 200, response.text
    body = response.json()
    cvv = body["data"]["cvv"]
    assert body["data"] == {"pan": PAN.digits, "cvv": cvv, "expiryDate": "05/33"}
    assert len(cvv) == 3
    assert cvv.isdigit()
    assert (body["code"], body["httpStatus"]) == ("200", 200)
    assert response.headers["cache-control"] == "no-store"
    assert await api.audit_actions() == ["PAN_REVEALED", "SECRET_DECRYPTED"]
    await verify_audit(api)


async def test_the_pin_travels_with_the_code_in_a_header(api: Api) -> None:
    response = await api.pin()
    deprecated = await api.pin("pin/async")

    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"pin": PIN.digits}
    assert response.headers["cache-control"] == "no-store"
    assert deprecated.status_code == 202
    assert deprecated.json()["data"] == {"pin": PIN.digits}
    assert deprecated.json()["httpStatus"] == 202
    assert (await api.audit_actions()).count("PIN_REVEALED") == 2
    await verify_audit(api)


async def test_a_wrong_code_is_401_audited_and_counted(api: Api) -> None:
    response = await api.pan(code=WRONG)

    assert response.status_code == 401
    body = response.json()
    assert (body["code"], body["httpStatus"], body["errorOrigin"]) == (
        "INVALID_SECURITY_CODE",
        401,
        "cards",
    )
    assert isinstance(body["date"], int)
    assert PAN.digits not in response.text
    assert response.headers["cache-control"] == "no-store"
    assert await api.audit_actions() == ["REVEAL_REFUSED"]
    [attempts] = await api.rows(security_code_attempts)
    assert (attempts["card_id"], attempts["consecutive_failures"]) == ("card-1", 1)
    await verify_audit(api)


async def test_garbage_in_place_of_a_code_is_a_wrong_code_never_a_500(api: Api) -> None:
    bodies = [
        {"encryptedSecurityCode": "%%% not base64 %%%", "iv": "x", "tag": "y"},
        {"encryptedSecurityCode": "QUJD"},
        {**api.code(), "tag": "AAAAAAAAAAAAAAAAAAAAAA=="},
        {**api.code(), "wrappedKey": "QUJD"},
    ]
    for body in bodies:
        response = await api.client.post(
            "/customers/cust-1/cards/card-1/pan", json=body, headers=api.headers()
        )
        assert response.status_code in (401, 429), response.text

    assert (await api.audit_actions()).count("REVEAL_REFUSED") == 4


async def test_wrong_codes_lock_the_card_with_retry_after_even_for_the_right_code(
    api: Api,
) -> None:
    answers = [(await api.pan(code=WRONG)).status_code for _ in range(MAX_FAILURES)]
    locked = await api.pin()

    assert answers == [401] * MAX_FAILURES
    assert locked.status_code == 429
    assert locked.json()["code"] == "SECURITY_CODE_LOCKED"
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    assert PIN.digits not in locked.text
    assert (await api.audit_actions()) == ["REVEAL_REFUSED"] * (MAX_FAILURES + 1)
    await verify_audit(api)


async def test_a_closed_card_shows_nothing(api: Api) -> None:
    response = await api.pan("card-x")

    assert response.status_code == 409
    assert response.json()["code"] == "CARD_REVEAL_NOT_ALLOWED"
    assert await api.audit_actions() == ["REVEAL_REFUSED"]


# Activation ------------------------------------------------------------------------------------


async def test_the_right_code_activates_a_physical_card_and_queues_its_webhook(api: Api) -> None:
    response = await api.activate()

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["id"], data["status"], data["truncatedPan"]) == ("card-p", "ACTIVE", "1111")
    assert await api.card_status("card-p") == "ACTIVE"
    [delivery] = await api.rows(tables.webhooks.deliveries)
    assert delivery["webhook_type"] == CARD_STATUS_UPDATED
    assert await api.audit_actions() == ["CARD_STATUS_CHANGED"]
    await verify_audit(api)


async def test_a_wrong_code_leaves_the_card_pending(api: Api) -> None:
    response = await api.activate(code=WRONG)

    assert response.status_code == 401
    assert await api.card_status("card-p") == "PENDING_ACTIVATION"
    assert await api.rows(tables.webhooks.deliveries) == []
    assert await api.audit_actions() == ["REVEAL_REFUSED"]


async def test_activate_otp_activates_with_the_code_in_its_card_token_request(api: Api) -> None:
    response = await api.client.put(
        "/customers/cust-1/cards/card-p/activateOTP",
        json={
            "baasOTP": "123456",
            "operationId": "op-1",
            "userId": "user-5",
            "cardTokenRequest": {"securityCode": api.code()},
        },
        headers=api.headers(),
    )

    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "ACTIVE"


async def test_a_closed_card_is_never_reactivated(api: Api) -> None:
    response = await api.activate("card-x")

    assert response.status_code == 409
    assert response.json()["code"] == "CARD_TERMINAL_STATE"
    assert await api.card_status("card-x") == "CLOSED"
    assert await api.audit_actions() == []


async def test_a_card_issued_by_issue_card_activates_and_reveals_with_its_delivered_code(
    api: Api,
) -> None:
    processor = SandboxCardProcessor()
    issue = IssueCard(
        lambda: _units(api.database),
        api.vault,
        api.hasher,
        processor,
        IssuingPolicy(bin_range=BinRange("999990")),
        lambda: datetime.now(UTC),
    )
    view = await issue(
        IssueCardCommand(
            tenant_id="cust-1",
            account_id="acc-1",
            company_id="client-1",
            currency="EUR",
            physical=True,
        )
    )
    card_id = view.card.card_id
    code = processor.security_code(card_id)
    assert code is not None

    wrong = await api.activate(card_id, code=WRONG if code != WRONG else "111111")
    activated = await api.activate(card_id, code=code)
    pan = await api.pan(card_id, code=code)

    assert wrong.status_code == 401
    assert activated.status_code == 200, activated.text
    assert activated.json()["data"]["status"] == "ACTIVE"
    assert pan.status_code == 200, pan.text
    digits = pan.json()["data"]["pan"]
    assert luhn_valid(digits)
    assert digits.startswith("999990")
    assert digits[-4:] == view.card.profile.last4
    assert pan.json()["data"]["expiryDate"] == view.card.expiry.mm_yy()
    await verify_audit(api)


# Bad input and authentication -------------------------------------------------------------------


async def test_bad_requests_get_a_clear_error_and_change_nothing(api: Api) -> None:
    no_code = await api.client.post(
        "/customers/cust-1/cards/card-1/pan", json={"iv": "x"}, headers=api.headers()
    )
    no_header = await api.pin(code=None)
    bad_header = await api.client.get(
        "/customers/cust-1/cards/card-1/pin",
        headers={**api.headers(), "X-Security-Code": "{not json"},
    )
    no_body = await api.client.put("/customers/cust-1/cards/card-p/activate", headers=api.headers())
    not_json = await api.client.post(
        "/customers/cust-1/cards/card-1/pan",
        content=b"nope",
        headers={**api.headers(), "Content-Type": "application/json"},
    )
    unknown = await api.pan("card-404")

    assert (no_code.status_code, no_code.json()["code"]) == (400, "SECURITY_CODE_REQUIRED")
    assert (no_header.status_code, no_header.json()["code"]) == (400, "SECURITY_CODE_REQUIRED")
    assert (bad_header.status_code, bad_header.json()["code"]) == (400, "INVALID_REQUEST")
    assert bad_header.json()["data"][0]["field"] == "X-Security-Code"
    assert (no_body.status_code, no_body.json()["code"]) == (400, "SECURITY_CODE_REQUIRED")
    assert not_json.status_code == 400
    assert (unknown.status_code, unknown.json()["code"]) == (404, "CARD_NOT_FOUND")
    assert await api.audit_actions() == []
    assert await api.rows(security_code_attempts) == []


async def test_toqio_endpoints_need_a_token_for_their_customer(api: Api) -> None:
    anonymous = await api.client.post("/customers/cust-1/cards/card-1/pan", json=api.code())
    other_customer = await api.client.post(
        "/customers/cust-1/cards/card-1/pan", json=api.code(), headers=api.headers("cust-2")
    )
    foreign_card = await api.client.post(
        "/customers/cust-2/cards/card-1/pan", json=api.code(), headers=api.headers("cust-2")
    )

    assert anonymous.status_code == 401
    assert other_customer.status_code == 401
    assert (foreign_card.status_code, foreign_card.json()["code"]) == (404, "CARD_NOT_FOUND")
    assert await api.audit_actions() == []


# TOTP ------------------------------------------------------------------------------------------


async def test_the_totp_secret_is_not_implemented_unless_configured(api: Api) -> None:
    response = await api.client.get("/customers/cust-1/card/card-1/secret", headers=api.headers())

    assert response.status_code == 501
    assert response.json()["code"] == "FUNCTION_NOT_IMPLEMENTED_YET"


async def test_a_configured_totp_secret_is_answered_and_audited(tmp_path: Path) -> None:
    async for api in _api(f"sqlite:///{tmp_path}/cards.db", totp=True):
        first = await api.client.get("/customers/cust-1/card/card-1/secret", headers=api.headers())
        again = await api.client.get("/customers/cust-1/card/card-1/secret", headers=api.headers())

        assert first.status_code == 200, first.text
        secret = first.json()["data"]
        assert len(secret) == 32
        assert secret == again.json()["data"]
        assert first.headers["cache-control"] == "no-store"
        assert await api.audit_actions() == ["SECRET_DECRYPTED", "SECRET_DECRYPTED"]


# Scope -----------------------------------------------------------------------------------------


async def test_no_card_data_reaches_a_log_line_or_a_table_outside_the_vault(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with structlog.testing.capture_logs() as logged:
        pan = await api.pan()
        await api.pin()
        await api.pan(code=WRONG)
        await api.activate()

    cvv = pan.json()["data"]["cvv"]
    secrets = (PAN.digits, PIN.digits, CODE)
    logs = repr(logged) + caplog.text
    assert not [s for s in secrets if s in logs]
    for table in tables.metadata.sorted_tables:
        if table.name == "card_secrets":
            continue
        dumped = repr(await api.rows(table))
        assert PAN.digits not in dumped, table.name
        assert f"'{cvv}'" not in dumped, table.name
        assert f"'{PIN.digits}'" not in dumped, table.name


async def test_the_openapi_document_names_the_spec_operations(api: Api) -> None:
    schema = (await api.client.get("/schema/openapi.json")).json()
    operations = {
        (path, method): operation["operationId"]
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }

    assert operations[("/customers/{customerId}/cards/{cardId}/activate", "put")] == (
        "activateCard"
    )
    assert operations[("/customers/{customerId}/cards/{cardId}/activateOTP", "put")] == (
        "activateCardOTP"
    )
    assert operations[("/customers/{customerId}/cards/{cardId}/pan", "post")] == "getPan"
    assert operations[("/customers/{customerId}/cards/{cardId}/pin", "get")] == "getPin"
    assert operations[("/customers/{customerId}/cards/{cardId}/pin/async", "get")] == (
        "getPinAsync"
    )
    assert operations[("/customers/{customerId}/card/{cardId}/secret", "get")] == ("getTOTPSecret")
    otp = schema["components"]["schemas"]
    assert any("baasOTP" in s.get("properties", {}) for s in otp.values())
