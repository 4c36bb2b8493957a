"""A security-code world for tests: an in-memory unit of work, real crypto, cards with codes."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, Self

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from cards.adapters.crypto.security_code_hasher import HmacSecurityCodeHasher
from cards.adapters.crypto.security_code_rsa import (
    RsaSecurityCodeDecryptor,
    encrypt_security_code,
)
from cards.application.audit.ports import AuditTrail
from cards.application.cards.ports import CardIssuance
from cards.application.security.gate import SecurityCodeGate
from cards.application.security.lockout import CodeAttempts, LockoutPolicy
from cards.application.security.ports import EncryptedSecurityCode
from cards.application.vault.vault import CardVault
from cards.domain.audit import AuditAction, AuditEntry, AuditEvent
from cards.domain.authorization import Authorization
from cards.domain.card import Card
from cards.domain.pan import Pan
from cards.domain.secrets import Pin, SealedSecret, SecretField
from cards.domain.spend import SpendUsage
from shared_kernel.contracts import IntegrationMessage
from shared_kernel.domain.money import Currency
from tests.cards.audit_fakes import FakeAuditLog
from tests.cards.card_builders import NOW
from tests.cards.vault_fakes import build_vault

CODE = "482913"
PAN = Pan("4000056655665556")
PIN = Pin("7391")
HASHER_KEY = b"h" * 32


@functools.cache
def rsa_key_pem() -> str:
    """One 2048-bit RSA private key (PEM) for the whole test run: generating one is slow."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


@functools.cache
def decryptor() -> RsaSecurityCodeDecryptor:
    """The decryptor on :func:`rsa_key_pem`."""
    return RsaSecurityCodeDecryptor.from_pem(rsa_key_pem())


def encrypted(code: str = CODE) -> EncryptedSecurityCode:
    """``code`` encrypted as Toqio does, to the test key."""
    return encrypt_security_code(decryptor().public_key_pem, code)


class FakeClock:
    """A clock that stands still until moved."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True, slots=True)
class Webhook:
    """A webhook queued for Toqio."""

    webhook_type: str
    payload: Mapping[str, Any]
    customer_id: str
    dedupe_key: str | None


@dataclass
class FakeSecurityStore:
    """What the database holds once committed."""

    cards: dict[str, Card] = field(default_factory=dict)
    issuances: dict[str, CardIssuance] = field(default_factory=dict)
    secrets: dict[tuple[str, SecretField], SealedSecret] = field(default_factory=dict)
    attempts: dict[str, CodeAttempts] = field(default_factory=dict)
    audit: FakeAuditLog = field(default_factory=FakeAuditLog)
    webhooks: list[Webhook] = field(default_factory=list)
    commits: int = 0

    def card(self, card_id: str = "card-1") -> Card:
        return self.cards[card_id]

    def actions(self) -> list[AuditAction]:
        return [entry.event.action for entry in self.audit.stored]

    def events(self, action: AuditAction) -> list[AuditEvent]:
        return [entry.event for entry in self.audit.stored if entry.event.action is action]


class FakeIssuingCardRepository:
    """``IssuingCardRepository`` over a unit of work's working copies."""

    def __init__(self, cards: dict[str, Card], issuances: dict[str, CardIssuance]) -> None:
        self._cards = cards
        self._issuances = issuances
        self.locked: list[str] = []

    async def add(self, card: Card) -> None:
        self._cards[card.card_id] = card

    async def get(self, tenant_id: str, card_id: str, *, for_update: bool = False) -> Card | None:
        if for_update:
            self.locked.append(card_id)
        card = self._cards.get(card_id)
        return card if card is not None and card.tenant_id == tenant_id else None

    async def find(self, card_id: str, *, for_update: bool = False) -> Card | None:
        return self._cards.get(card_id)

    async def save(self, card: Card) -> None:
        card.pull_transitions()
        self._cards[card.card_id] = card

    async def of_account(self, tenant_id: str, account_id: str) -> list[Card]:
        return [c for c in self._cards.values() if c.profile.account_id == account_id]

    async def issuance(self, card_id: str) -> CardIssuance | None:
        return self._issuances.get(card_id)

    async def record_issuance(self, card_id: str, issuance: CardIssuance) -> None:
        self._issuances[card_id] = issuance


class FakeSecrets:
    """``CardSecretRepository`` over a working copy."""

    def __init__(self, stored: dict[tuple[str, SecretField], SealedSecret]) -> None:
        self._stored = stored

    async def add(self, sealed: SealedSecret, fingerprint: str | None = None) -> None:
        self._stored[(sealed.card_id, sealed.field)] = sealed

    async def get(self, card_id: str, field: SecretField) -> SealedSecret | None:
        return self._stored.get((card_id, field))

    async def update(self, sealed: SealedSecret) -> bool:
        return self._stored.setdefault((sealed.card_id, sealed.field), sealed) is sealed

    async def remove(self, card_id: str, field: SecretField) -> bool:
        return self._stored.pop((card_id, field), None) is not None

    async def card_with_fingerprint(self, fingerprint: str) -> str | None:
        return None


class FakeCodeAttempts:
    """``CodeAttemptRepository`` over a working copy."""

    def __init__(self, attempts: dict[str, CodeAttempts]) -> None:
        self._attempts = attempts

    async def lock(self, tenant_id: str, card_id: str) -> CodeAttempts:
        return self._attempts.get(card_id, CodeAttempts())

    async def save(self, tenant_id: str, card_id: str, attempts: CodeAttempts) -> None:
        self._attempts[card_id] = attempts


class NoAuthorizations:
    """``AuthorizationRepository`` that security-code operations must never touch."""

    async def add(self, authorization: Authorization) -> bool:
        raise AssertionError("security-code operations touch no authorization")

    async def by_processor_id(
        self, processor_id: str, *, for_update: bool = False
    ) -> Authorization | None:
        raise AssertionError("security-code operations touch no authorization")

    async def get(self, authorization_id: str, *, for_update: bool = False) -> Authorization | None:
        raise AssertionError("security-code operations touch no authorization")

    async def save(self, authorization: Authorization) -> None:
        raise AssertionError("security-code operations touch no authorization")

    async def usage(self, card_id: str, currency: Currency, today: date) -> SpendUsage:
        raise AssertionError("security-code operations touch no authorization")


class PendingAudit:
    """``AuditTrail`` whose appends reach the store's log only on commit."""

    def __init__(self) -> None:
        self.pending: list[AuditEvent] = []

    async def append(self, event: AuditEvent) -> AuditEntry:
        self.pending.append(event)
        return AuditEntry(event=event, sequence=0, previous_mac="", mac="")


class FakeSecurityWork:
    """``SecurityWork`` on copies of the store, written back only by ``commit``."""

    audit: AuditTrail

    def __init__(self, store: FakeSecurityStore) -> None:
        self._store = store
        self._pending_audit = PendingAudit()
        self._webhooks: list[Webhook] = []

    async def __aenter__(self) -> Self:
        store = self._store
        self._cards = copy.deepcopy(store.cards)
        self._issuances = dict(store.issuances)
        self._secrets = dict(store.secrets)
        self._attempts = dict(store.attempts)
        self.cards = FakeIssuingCardRepository(self._cards, self._issuances)
        self.secrets = FakeSecrets(self._secrets)
        self.authorizations = NoAuthorizations()
        self.code_attempts = FakeCodeAttempts(self._attempts)
        self.audit = self._pending_audit
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def commit(self) -> None:
        store = self._store
        store.cards = copy.deepcopy(self._cards)
        store.issuances = dict(self._issuances)
        store.secrets = dict(self._secrets)
        store.attempts = dict(self._attempts)
        for event in self._pending_audit.pending:
            await store.audit.append(event)
        store.webhooks.extend(self._webhooks)
        store.commits += 1
        self._pending_audit.pending, self._webhooks = [], []

    def publish(self, message: IntegrationMessage, *, correlation_id: str | None = None) -> None:
        raise AssertionError("security-code operations publish no message")

    async def notify_toqio(
        self,
        webhook_type: str,
        payload: Mapping[str, Any],
        *,
        customer_id: str,
        ordering_key: str | None = None,
        dedupe_key: str | None = None,
    ) -> None:
        self._webhooks.append(Webhook(webhook_type, dict(payload), customer_id, dedupe_key))


class SecurityWorld:
    """A store, a vault, the real hasher and decryptor, and a gate on a still clock."""

    def __init__(self, policy: LockoutPolicy | None = None) -> None:
        self.store = FakeSecurityStore()
        self.clock = FakeClock()
        self.vault: CardVault = build_vault()
        self.hasher = HmacSecurityCodeHasher(HASHER_KEY)
        self.gate = SecurityCodeGate(
            decryptor(), self.hasher, policy=policy or LockoutPolicy(), clock=self.clock
        )

    def work(self) -> FakeSecurityWork:
        return FakeSecurityWork(self.store)

    async def add(
        self,
        card: Card,
        *,
        code: str | None = CODE,
        pan: Pan | None = PAN,
        pin: Pin | None = PIN,
    ) -> Card:
        """Store ``card`` with its code's hash and, unless left out, its sealed PAN and PIN."""
        tenant, card_id = card.tenant_id, card.card_id
        self.store.cards[card_id] = copy.deepcopy(card)
        hashed = None if code is None else self.hasher.hash(card_id, code)
        self.store.issuances[card_id] = CardIssuance(security_code_hash=hashed)
        if pan is not None:
            sealed = await self.vault.seal_pan(tenant, card_id, pan)
            self.store.secrets[(card_id, SecretField.PAN)] = sealed.sealed
        if pin is not None:
            self.store.secrets[(card_id, SecretField.PIN)] = await self.vault.seal_pin(
                tenant, card_id, pin
            )
        return card
