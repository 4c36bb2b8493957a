"""How alike two normalised tokens are: Jaro-Winkler, confirmed by sound, wary of look-alikes.

A pair of tokens *agrees* (is one word spelt two ways) when its similarity is at least
``TOKEN_FLOOR`` (0.80), and *conflicts* otherwise:

- Sounding alike: a Jaro-Winkler (rapidfuzz) of at least ``PHONETIC_FLOOR`` (0.80) with
  equal Metaphone codes (see ``index.phonetic_code``) gets ``PHONETIC_BONUS`` (0.07):
  "Muhammad"/"Mohammed" (0.85) and "Aleksandr"/"Alexander" (0.90) reach 0.92 and 0.97.
  Below 0.80 equal codes are a coincidence of short codes ("Omar"/"Amara", 0.78).
- Spelt alike: otherwise a Jaro-Winkler of at least ``SPELLING_FLOOR`` (0.90) is a slip or
  a variant the codes miss ("Vladimir"/"Wladimir", 0.92).
- Neither: the pair loses ``UNCONFIRMED_PENALTY`` (0.15). "Omar"/"Shomar" (0.89) and
  "Hassan"/"Sashamani" (0.83) share letters, not a name.
- Gendered forms are different names, not spellings of one: "Ivana"/"Ivan",
  "Petrova"/"Petrov", "Maria"/"Mario", "Alexandra"/"Alexander", "-skaya"/"-skiy" are capped
  at ``GENDERED_CAP`` (0.70) though Jaro-Winkler rates them above 0.95. A sanctioned
  Ivan Petrov's sister is not him; her own listing matches her.
- Derived words too: a token that is another plus two letters or more ("Ivanovich" or
  "Ivanov" of "Ivan", "Alexander" of "Alex") is capped at ``DERIVED_CAP`` (0.75), or
  "Ivan Petrov" would match his son "Aleksandr Ivanovich Petrov". Nicknames need a table.
"""

from __future__ import annotations

from rapidfuzz.distance import JaroWinkler

TOKEN_FLOOR = 0.80
SPELLING_FLOOR = 0.90
PHONETIC_FLOOR = 0.80
PHONETIC_BONUS = 0.07
UNCONFIRMED_PENALTY = 0.15
GENDERED_CAP = 0.70
DERIVED_CAP = 0.75
_DERIVED_SUFFIX = 2

Similarity = tuple[float, bool]  # the similarity, and whether sound confirmed it


def token_similarity(a: str, a_code: str, b: str, b_code: str) -> Similarity:
    """The similarity of two normalised tokens, and whether their sound confirmed it.

    Args:
        a: A token.
        a_code: Its phonetic code.
        b: The other token.
        b_code: Its phonetic code.
    """
    if a == b:
        return 1.0, False
    similarity = JaroWinkler.similarity(a, b)
    if gendered_forms(a, b):
        return min(similarity, GENDERED_CAP), False
    shorter, longer = sorted((a, b), key=len)
    if longer.startswith(shorter) and len(longer) - len(shorter) >= _DERIVED_SUFFIX:
        return min(similarity, DERIVED_CAP), False
    if a_code and a_code == b_code and similarity >= PHONETIC_FLOOR:
        return min(1.0, similarity + PHONETIC_BONUS), True
    if similarity >= SPELLING_FLOOR:
        return similarity, False
    return max(0.0, similarity - UNCONFIRMED_PENALTY), False


def gendered_forms(a: str, b: str) -> bool:
    """Whether one token is the feminine form of the other ("petrova" of "petrov")."""
    if a.endswith("a") == b.endswith("a"):
        return False
    feminine, masculine = (a, b) if a.endswith("a") else (b, a)
    stem = feminine[:-1]
    if stem == masculine or (masculine.endswith("o") and stem == masculine[:-1]):
        return True  # Ivan/Ivana, Petrov/Petrova, Mario/Maria
    if masculine.endswith("er") and feminine == masculine[:-2] + "ra":
        return True  # Alexander/Alexandra
    if feminine.endswith("skaya"):
        return masculine in {feminine[:-5] + ending for ending in ("skiy", "skii", "sky", "ski")}
    if feminine.endswith("aya"):
        return masculine in {feminine[:-3] + ending for ending in ("iy", "yy", "oy", "y")}
    return feminine.endswith("ska") and masculine in (stem + "i", stem + "y")
