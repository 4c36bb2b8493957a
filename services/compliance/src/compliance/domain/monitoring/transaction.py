"""What Toqio asks compliance to screen: one outbound transaction, as read from its request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared_kernel.domain.money import Money


class PartyType(StrEnum):
    """Whether the beneficiary is a person or a company (``beneficiary.type``)."""

    PERSON = "PERSON"
    COMPANY = "COMPANY"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """The payee as Toqio describes it; every field may be missing."""

    type: PartyType = PartyType.UNKNOWN
    name: str = ""
    iban: str = ""
    bic: str = ""
    account_number: str = ""
    bank_country: str = ""
    country: str = ""

    @property
    def key(self) -> str:
        """What identifies the payee across payments: its IBAN, else account number, else name."""
        return (self.iban or self.account_number or self.name).replace(" ", "").upper()

    @property
    def countries(self) -> frozenset[str]:
        """Every country the payee is tied to: residence, bank, and the IBAN's country."""
        found = {self.country.upper(), self.bank_country.upper()}
        if len(self.iban) >= 2 and self.iban[:2].isalpha():
            found.add(self.iban[:2].upper())
        return frozenset(code for code in found if len(code) == 2)


@dataclass(frozen=True, slots=True)
class MonitoredTransaction:
    """A transaction to validate; ``amount`` is positive and exact."""

    transaction_id: str
    customer_id: str
    client_id: str
    source_account_id: str
    amount: Money
    beneficiary: Beneficiary
    created_at: datetime
    beneficiary_account_id: str = ""
    user_id: str = ""
    scheme: str = ""
    concept: str = ""
    reference: str = ""
    purpose_code: str = ""
    is_fx: bool = False
    own_accounts: bool = False
