"""The EPC's rules for the texts of a SEPA payment: its character set and the scheme's lengths.

A text that breaks them is refused with a message naming the field and the offending
characters; it is never truncated or transliterated, because a bank that rewrites a reference
can break the payee's reconciliation without anyone noticing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared_kernel.domain.errors import FieldProblem, InvalidInput

INVALID_SEPA_TEXT = "INVALID_SEPA_TEXT"
# EPC217-08, "SEPA Requirements for an Extended Character Set": the basic Latin set every
# SEPA bank must accept.
_EPC_CHARACTER = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]")
NAME_MAX = 70  # Nm of the creditor and the debtor
REMITTANCE_MAX = 140  # unstructured remittance information (Toqio's ``concept``)
REFERENCE_MAX = 35  # end-to-end identification (Toqio's ``reference``)


@dataclass(frozen=True, slots=True)
class SepaTexts:
    """The texts a SEPA payment carries, by the request field they came from."""

    beneficiary_name: str
    concept: str = ""
    reference: str = ""
    beneficiary_field: str = "beneficiary.name"


def _outside_charset(text: str) -> list[str]:
    seen: list[str] = []
    for char in text:
        if not _EPC_CHARACTER.fullmatch(char) and char not in seen:
            seen.append(char)
    return seen


def _problems_of(field_name: str, text: str, limit: int, *, identifier: bool) -> list[str]:
    problems = []
    if bad := _outside_charset(text):
        shown = ", ".join(repr(c) for c in bad)
        problems.append(
            f"{field_name} contains characters outside the SEPA (EPC) character set: {shown}"
        )
    if len(text) > limit:
        problems.append(f"{field_name} has {len(text)} characters; SEPA allows at most {limit}")
    if identifier and (text.startswith("/") or text.endswith("/") or "//" in text):
        problems.append(f"{field_name} may not start or end with '/' or contain '//' in SEPA")
    return problems


def check_sepa_texts(texts: SepaTexts) -> None:
    """Refuse texts a SEPA bank would reject or rewrite.

    Raises:
        InvalidInput: ``INVALID_SEPA_TEXT``, one problem per broken rule and field.
    """
    checks = (
        (texts.beneficiary_field, texts.beneficiary_name, NAME_MAX, False),
        ("concept", texts.concept, REMITTANCE_MAX, False),
        ("reference", texts.reference, REFERENCE_MAX, True),
    )
    problems = tuple(
        FieldProblem(field_name, INVALID_SEPA_TEXT, message)
        for field_name, text, limit, identifier in checks
        for message in _problems_of(field_name, text, limit, identifier=identifier)
    )
    if problems:
        raise InvalidInput(
            "; ".join(p.message for p in problems), code=INVALID_SEPA_TEXT, problems=problems
        )
