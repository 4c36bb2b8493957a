"""The card use cases wired on fakes (and the real vault crypto), for the unit tests."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cards.adapters.crypto.security_code_hasher import HmacSecurityCodeHasher
from cards.adapters.processor.sandbox_processor import SandboxCardProcessor
from cards.application.cards.alias import UpdateCardAlias
from cards.application.cards.cancel import CancelCard
from cards.application.cards.delete import DeleteCard
from cards.application.cards.get import GetCard
from cards.application.cards.issue import IssueCard, IssueCardCommand
from cards.application.cards.options import IssuingPolicy
from cards.application.cards.ports import CardProcessor
from cards.application.cards.read_only import UpdateCardReadOnly
from cards.application.cards.replace import ReplaceCard
from cards.application.cards.suspend import SuspendCard
from cards.application.cards.update_limits import UpdateCard
from cards.application.vault.vault import CardVault
from cards.domain.pan import BinRange, Pan, luhn_valid, secure_random_digits
from cards.domain.secrets import SecretField
from tests.cards.card_fakes import FakeCardsStore
from tests.cards.vault_fakes import FINGERPRINT_KEY, build_vault

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
BIN = BinRange("999990")
TENANT = "cust-1"
_CARD_NUMBER = re.compile(r"(?<!\d)\d{13,19}(?!\d)")


class ScriptedDigits:
    """``RandomDigits`` answering scripted values per length, then real random ones."""

    def __init__(self, scripts: Mapping[int, Iterable[str]] | None = None) -> None:
        self._scripts: dict[int, Iterator[str]] = {
            length: iter(values) for length, values in (scripts or {}).items()
        }

    def __call__(self, count: int) -> str:
        script = self._scripts.get(count)
        if script is not None:
            value = next(script, None)
            if value is not None:
                return value
        return secure_random_digits(count)


class Clock:
    """A clock that moves one second each time it is read."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass
class CardKit:
    """A store, a vault, a sandbox processor and every card use case on them."""

    store: FakeCardsStore = field(default_factory=FakeCardsStore)
    vault: CardVault = field(default_factory=build_vault)
    processor: CardProcessor = field(default_factory=SandboxCardProcessor)
    digits: ScriptedDigits = field(default_factory=ScriptedDigits)
    policy: IssuingPolicy = field(default_factory=lambda: IssuingPolicy(bin_range=BIN))
    clock: Clock = field(default_factory=Clock)
    hasher: HmacSecurityCodeHasher = field(
        default_factory=lambda: HmacSecurityCodeHasher(FINGERPRINT_KEY)
    )

    @property
    def sandbox(self) -> SandboxCardProcessor:
        assert isinstance(self.processor, SandboxCardProcessor)
        return self.processor

    def issue_card(self) -> IssueCard:
        units = self.store.unit_of_work
        return IssueCard(
            units,
            self.vault,
            self.hasher,
            self.processor,
            self.policy,
            self.clock,
            random_digits=self.digits,
        )

    def replace_card(self) -> ReplaceCard:
        units = self.store.unit_of_work
        return ReplaceCard(
            units,
            self.vault,
            self.hasher,
            self.processor,
            self.policy,
            self.clock,
            random_digits=self.digits,
        )

    def get_card(self) -> GetCard:
        return GetCard(self.store.unit_of_work, self.clock)

    def suspend_card(self) -> SuspendCard:
        return SuspendCard(self.store.unit_of_work, self.clock)

    def cancel_card(self) -> CancelCard:
        return CancelCard(self.store.unit_of_work, self.clock)

    def delete_card(self) -> DeleteCard:
        return DeleteCard(self.store.unit_of_work, self.clock)

    def update_card(self) -> UpdateCard:
        return UpdateCard(self.store.unit_of_work, self.policy, self.clock)

    def update_alias(self) -> UpdateCardAlias:
        return UpdateCardAlias(self.store.unit_of_work)

    def update_read_only(self) -> UpdateCardReadOnly:
        return UpdateCardReadOnly(self.store.unit_of_work)

    async def issue(self, **overrides: Any) -> str:
        """Issue a card (virtual EUR debit unless told otherwise); its id."""
        view = await self.issue_card()(command(**overrides))
        return view.card.card_id

    async def pan_of(self, card_id: str) -> Pan | None:
        """The PAN the vault holds for the card, if any."""
        stored = self.store.state.secrets.get((card_id, SecretField.PAN))
        return None if stored is None else await self.vault.open_pan(stored[0])

    def leaked_card_numbers(self) -> list[str]:
        """Every Luhn-valid 13-19 digit run in webhooks, audit entries and published events."""
        texts = [repr(webhook.payload) for webhook in self.store.webhooks]
        texts += [repr(event) for event in self.store.audit_events]
        texts += [repr(message) for message in self.store.state.published]
        return [run for text in texts for run in _CARD_NUMBER.findall(text) if luhn_valid(run)]


def command(**overrides: Any) -> IssueCardCommand:
    """A virtual EUR debit card for cust-1's account acc-1 under client client-1."""
    values: dict[str, Any] = {
        "tenant_id": TENANT,
        "account_id": "acc-1",
        "company_id": "client-1",
        "currency": "EUR",
        "user_id": "user-1",
        "name_on_card": "ADA LOVELACE",
    }
    values.update(overrides)
    return IssueCardCommand(**values)
