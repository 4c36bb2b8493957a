"""A new card's credentials: its PAN and PIN sealed in the vault, its security code hashed.

Vault calls come before anything else a unit of work writes: the vault may create the
tenant's first data key in a transaction of its own, which on SQLite (a single writer) must
not wait behind the card's own transaction.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from cards.application.cards.ports import SECURITY_CODE_LENGTH, CardsWork, SecurityCodeHasher
from cards.application.vault.ports import SecretAlreadyStored
from cards.application.vault.vault import CardVault
from cards.domain.card import Card
from cards.domain.pan import BinRange, Pan, RandomDigits, generate_pan, secure_random_digits
from cards.domain.secrets import Pin
from shared_kernel.domain.errors import Conflict

PAN_RANGE_EXHAUSTED = "PAN_RANGE_EXHAUSTED"
MAX_PAN_ATTEMPTS = 8

BuildCard = Callable[[Pan], Card]
"""Builds (and so validates) the card that will carry a PAN: its last four digits vary."""


@dataclass(frozen=True, slots=True)
class SecurityCode:
    """A card's security code, delivered with the card, and the hash cards keeps of it."""

    code: str = dataclasses.field(repr=False)
    hashed: str = dataclasses.field(repr=False)


def _weak(digits: str) -> bool:
    # 1111, 1234, 9876: the first PINs a thief tries.
    steps = {int(b) - int(a) for a, b in itertools.pairwise(digits)}
    return len(steps) == 1 and steps <= {-1, 0, 1}


class CardCredentials:
    """Makes a card's PAN (in the BIN range, unique), PIN and security code."""

    def __init__(
        self,
        vault: CardVault,
        hasher: SecurityCodeHasher,
        bin_range: BinRange,
        *,
        pin_length: int = 4,
        random_digits: RandomDigits = secure_random_digits,
    ) -> None:
        self._vault = vault
        self._hasher = hasher
        self._bin_range = bin_range
        self._pin_length = pin_length
        self._random_digits = random_digits

    def __repr__(self) -> str:
        return f"CardCredentials(bin={self._bin_range.prefix}, pin_length={self._pin_length})"

    async def issue_pan(
        self, work: CardsWork, tenant_id: str, card_id: str, build: BuildCard
    ) -> tuple[Pan, Card]:
        """Generate a PAN, build its card with ``build`` and store the PAN sealed in ``work``.

        A PAN some card already has (its fingerprint is taken) is replaced by another.

        Raises:
            Conflict: ``PAN_RANGE_EXHAUSTED`` when every attempt met a taken PAN.
            DomainError: Whatever ``build`` refuses, before anything is written.
        """
        for _ in range(MAX_PAN_ATTEMPTS):
            pan = generate_pan(self._bin_range, self._random_digits)
            card = build(pan)
            if await self.store_pan(work, tenant_id, card_id, pan):
                return pan, card
        raise Conflict(
            f"no free card number found in BIN range {self._bin_range.prefix}",
            code=PAN_RANGE_EXHAUSTED,
        )

    async def store_pan(self, work: CardsWork, tenant_id: str, card_id: str, pan: Pan) -> bool:
        """Seal and store ``pan`` for the card; ``False`` if another card has it already."""
        sealed = await self._vault.seal_pan(tenant_id, card_id, pan)
        try:
            await work.secrets.add(sealed.sealed, sealed.fingerprint)
        except SecretAlreadyStored:
            return False
        return True

    async def issue_pin(self, work: CardsWork, tenant_id: str, card_id: str) -> None:
        """Generate a PIN that is not trivially guessed and store it sealed for the card."""
        digits = self._random_digits(self._pin_length)
        while _weak(digits):
            digits = self._random_digits(self._pin_length)
        await work.secrets.add(await self._vault.seal_pin(tenant_id, card_id, Pin(digits)))

    def security_code(self, card_id: str) -> SecurityCode:
        """A fresh six-digit security code for the card, and its keyed hash."""
        code = self._random_digits(SECURITY_CODE_LENGTH)
        return SecurityCode(code, self._hasher.hash(card_id, code))
