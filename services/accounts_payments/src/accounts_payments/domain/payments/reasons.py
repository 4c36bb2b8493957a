"""Why a bank refused or sent back a payment: ISO 20022 reason codes with readable messages."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The codes banks commonly use in pacs.002 rejections and pacs.004 returns (EPC guidance).
_DESCRIPTIONS = {
    "AC01": "The beneficiary's account number is incorrect",
    "AC04": "The beneficiary's account is closed",
    "AC06": "The account is blocked",
    "AG01": "The transaction is forbidden on this type of account",
    "AG02": "The bank operation code is invalid",
    "AM04": "Insufficient funds at the bank",
    "AM05": "The payment is a duplicate",
    "BE04": "The beneficiary's address is missing or incorrect",
    "CNOR": "The beneficiary's bank is not registered in the scheme",
    "DNOR": "The payer's bank is not registered in the scheme",
    "FF01": "The payment file format is invalid",
    "FOCR": "Returned after a cancellation request",
    "MD07": "The beneficiary is deceased",
    "MS02": "Refused by the beneficiary",
    "MS03": "Refused by the bank for an unspecified reason",
    "RC01": "The bank identifier (BIC) is incorrect",
    "RR01": "The payer's account or identification is missing",
    "RR04": "Refused for regulatory reasons",
    "TM01": "Received after the scheme's cut-off time",
}
UNSPECIFIED = "MS03"
_ISO_CODE = re.compile(r"[A-Z0-9]{4}")


@dataclass(frozen=True, slots=True)
class ReasonCode:
    """A bank's reason for refusing or returning a payment."""

    code: str
    description: str

    @classmethod
    def of(cls, code: str | None, description: str | None = None) -> ReasonCode:
        """The reason for ``code``; unknown or missing codes keep the bank's own text."""
        normalised = (code or UNSPECIFIED).strip().upper() or UNSPECIFIED
        if not _ISO_CODE.fullmatch(normalised):
            # A provider's own code (say ACCOUNT_NOT_FOUND) is kept in the text, not the code.
            text = description or "Refused by the bank"
            return cls(UNSPECIFIED, f"{text} ({normalised})"[:200])
        text = description or _DESCRIPTIONS.get(normalised) or f"Refused by the bank ({normalised})"
        return cls(normalised, text[:200])


def is_known(code: str) -> bool:
    """Whether ``code`` is one of the ISO 20022 reasons the connector describes itself."""
    return code.upper() in _DESCRIPTIONS
