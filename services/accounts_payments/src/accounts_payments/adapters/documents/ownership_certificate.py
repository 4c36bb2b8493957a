"""The account ownership certificate as a one-page PDF (fpdf2, core fonts, text not images)."""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF

from accounts_payments.domain.accounts import Account


def _latin1(text: str) -> str:
    # The PDF core fonts only cover Latin-1; anything else prints as '?' rather than failing.
    return text.encode("latin-1", "replace").decode("latin-1")


class FpdfOwnershipCertificateRenderer:
    """Renders who holds an account, with its IBAN/BIC or UK details, as PDF bytes."""

    def __init__(self, *, issuer: str = "Toqio connector") -> None:
        self._issuer = issuer

    def render(self, account: Account, *, issued_at: datetime) -> bytes:
        """The certificate of ``account`` as issued at ``issued_at``."""
        pdf = FPDF(format="A4")
        pdf.set_title("Account ownership certificate")
        pdf.set_author(_latin1(self._issuer))
        pdf.set_creation_date(issued_at)
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 12, "Account ownership certificate", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(
            0,
            7,
            _latin1(
                f"{self._issuer} certifies that the account below is held in the name of "
                f"{account.holder_name}."
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(4)
        for label, value in _details(account):
            pdf.set_font("Helvetica", "B", 11)
            pdf.cell(55, 8, _latin1(label))
            pdf.set_font("Helvetica", size=11)
            pdf.cell(0, 8, _latin1(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font("Helvetica", "I", 9)
        pdf.cell(0, 6, f"Issued {issued_at:%Y-%m-%d %H:%M} UTC", new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())


def _details(account: Account) -> list[tuple[str, str]]:
    bank = account.bank
    rows = [("Account holder", account.holder_name), ("Currency", account.currency)]
    if bank is not None and bank.iban:
        rows.append(("IBAN", bank.iban))
    if bank is not None and bank.bic:
        rows.append(("BIC", bank.bic))
    if bank is not None and bank.uk_account_number:
        rows.append(("Account number", bank.uk_account_number))
    if bank is not None and bank.uk_sort_code:
        rows.append(("Sort code", bank.uk_sort_code))
    address = ", ".join(
        part
        for part in (account.address.address, account.address.city, account.address.postal_code)
        if part
    )
    if address:
        rows.append(("Address", address))
    rows.append(("Account id", account.account_id))
    return rows
