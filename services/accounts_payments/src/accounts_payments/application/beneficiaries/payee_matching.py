"""Confirmation of payee: how close the name a payer typed is to the provider's account holder."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler


class MatchOutcome(StrEnum):
    """``VerifyBeneficiaryResponse.status`` for a check that was carried out."""

    MATCHED = "MATCHED"
    PARTIALLY_MATCHED = "PARTIALLY_MATCHED"
    NOT_MATCHED = "NOT_MATCHED"


# Thresholds on rapidfuzz's 0-100 token_sort_ratio of the normalised names. 96 lets a single
# slip through only in long names ("Internationale Handelsgesellschaft" with one letter off)
# while "Jon Smith" for "John Smith" (94.7) is a close match the payer must look at, as in
# UK Confirmation of Payee and the EU's Verification of Payee; below 85 names differ.
MATCHED_SCORE = 96.0
PARTIAL_SCORE = 85.0
# Jaro-Winkler weighs the start of a string: it catches a truncated or misspelt ending
# ("Katherine Smyth" / "Katharine Smith") that the edit ratio scores too low.
PARTIAL_JARO_WINKLER = 0.93


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Legal forms say nothing about who the payee is: "ACME LIMITED" is "Acme Ltd".
LEGAL_FORMS = _words(
    """
    ltd limited plc llp llc lp inc incorporated corp corporation co company
    gmbh ag kg kgaa ohg ug ev mbh
    sl slu sa sau sas sasu sarl eurl sci snc sca
    srl spa sapa snc ss
    bv nv vof cv
    oy oyj ab aps as asa hf ehf
    sp zoo spzoo sro as kft zrt nyrt doo dd ad ood eood
    lda unipessoal
    """
)
# Courtesy titles of people, equally irrelevant to who holds the account.
TITLES = _words("mr mrs ms miss mx dr sr sra d dna herr frau mme mlle m")
# Legal forms of more than one word, matched on the space-separated words.
_LEGAL_PHRASES = re.compile(r"\b(?:sp z oo|s de rl|sa de cv|s en c)\b")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise(name: str) -> str:
    """Lower case, no diacritics or punctuation, no legal forms or titles, words sorted."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.casefold().replace("ß", "ss").replace("&", " and ")
    # "S.L." and "S. A." are one token each before punctuation turns into spaces.
    plain = re.sub(r"\b(\w)\.\s?(?=\w\.)", r"\1", plain)
    words = _NOT_WORD.split(plain.replace(".", ""))
    words = _LEGAL_PHRASES.sub(" ", " ".join(w for w in words if w)).split()
    kept = [w for w in words if w not in LEGAL_FORMS and w not in TITLES]
    # A name that is nothing but a legal form ("SA") keeps its words rather than vanishing.
    return " ".join(sorted(kept or words))


@dataclass(frozen=True, slots=True)
class NameMatch:
    """The outcome and the score (0-100) it was decided on."""

    outcome: MatchOutcome
    score: float


def match_names(typed: str, holder: str) -> NameMatch:
    """Compare the payee name the payer gave with the account holder's name."""
    a, b = normalise(typed), normalise(holder)
    if not a or not b:
        return NameMatch(MatchOutcome.NOT_MATCHED, 0.0)
    score = round(fuzz.token_sort_ratio(a, b), 1)
    if a == b or score >= MATCHED_SCORE:
        return NameMatch(MatchOutcome.MATCHED, 100.0 if a == b else score)
    if score >= PARTIAL_SCORE or JaroWinkler.similarity(a, b) >= PARTIAL_JARO_WINKLER:
        return NameMatch(MatchOutcome.PARTIALLY_MATCHED, score)
    if _one_contains_the_other(a, b):
        return NameMatch(MatchOutcome.PARTIALLY_MATCHED, score)
    return NameMatch(MatchOutcome.NOT_MATCHED, score)


def _one_contains_the_other(a: str, b: str) -> bool:
    # "John Smith" for "John Michael Smith": all of a name of two or more words is in the
    # other, which is a middle name or a trading suffix away from the same payee.
    small, large = sorted((set(a.split()), set(b.split())), key=len)
    return len(small) >= 2 and small <= large
