"""Where the sandbox bank has branches: national bank codes, BICs and currencies per country."""

from __future__ import annotations

from dataclasses import dataclass

from shared_kernel.domain.iban import Iban, generate_iban


@dataclass(frozen=True, slots=True)
class SandboxBranch:
    """The sandbox bank in one country: the parts its IBANs are built from.

    ``branch_code`` is the sort code in GB (and IE), the guichet in FR, the CAB in IT, the
    oficina in ES, empty where the IBAN has no branch part. The codes are fictitious (no
    real bank uses them) and ``bic`` is a SWIFT test BIC (location code ending in ``0``).
    """

    bank_code: str
    bic: str
    currency: str
    branch_code: str = ""

    def iban_for(self, country_code: str, account_number: int) -> Iban:
        """The IBAN of account ``account_number`` (national check digits computed too)."""
        return generate_iban(
            country_code,
            self.bank_code,
            self.national_account_number(account_number),
            branch_code=self.branch_code,
        )

    @staticmethod
    def national_account_number(account_number: int) -> str:
        """At least 8 digits: the UK scheme's account number; other schemes pad further."""
        return f"{account_number:08d}"


DEFAULT_BRANCHES: dict[str, SandboxBranch] = {
    "DE": SandboxBranch(bank_code="50099900", bic="TQSBDEF0", currency="EUR"),
    "ES": SandboxBranch(bank_code="9000", branch_code="0001", bic="TQSBESM0", currency="EUR"),
    "FR": SandboxBranch(bank_code="99990", branch_code="00001", bic="TQSBFRP0", currency="EUR"),
    "NL": SandboxBranch(bank_code="TQSB", bic="TQSBNL20", currency="EUR"),
    "IT": SandboxBranch(bank_code="99990", branch_code="00001", bic="TQSBITM0", currency="EUR"),
    "IE": SandboxBranch(bank_code="TQSB", branch_code="990099", bic="TQSBIE20", currency="EUR"),
    "LT": SandboxBranch(bank_code="79990", bic="TQSBLT20", currency="EUR"),
    "GB": SandboxBranch(bank_code="TQSB", branch_code="990099", bic="TQSBGB20", currency="GBP"),
}
"""The default network: the SEPA countries in EUR, and the UK in GBP with sort codes."""

UK_COUNTRIES = frozenset({"GB"})
"""Countries whose accounts also carry a UK sort code and an 8-digit account number."""
