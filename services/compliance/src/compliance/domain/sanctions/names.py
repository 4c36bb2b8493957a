"""Name normalisation for screening: tokens free of case, accents, look-alike letters and titles.

Both sides of a comparison go through ``normalise``: list names when the index is built and
the screened name at query time, so every choice below is symmetric by construction.
"""

from __future__ import annotations

import re
import unicodedata


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _by_name(prefix: str, pairs: str) -> dict[str, str]:
    # Letters are named as Unicode names them: written out, a Cyrillic "a" is
    # indistinguishable from a Latin one, which is the whole point of the table.
    table: dict[str, str] = {}
    for pair in pairs.split(","):
        name, _, latin = pair.strip().rpartition(" ")
        table[unicodedata.lookup(f"{prefix} {name}")] = latin.strip("-")
    return table


_CYRILLIC_LOOKALIKES = """A a, VE b, IE e, DZE s, BYELORUSSIAN-UKRAINIAN I i, JE j, KA k, EM m,
    EN h, O o, ER p, ES c, TE t, U y, HA x, KOMI DE d, QA q, WE w"""
# Cyrillic and Greek letters drawn like Latin ones, mapped by shape, not sound (Cyrillic "ve"
# looks like "b"): a Latin name with a Cyrillic "a" or "o" in it looks identical to a reviewer
# and must compare identical.
_HOMOGLYPHS = str.maketrans(
    _by_name("CYRILLIC SMALL LETTER", _CYRILLIC_LOOKALIKES)
    | _by_name("CYRILLIC CAPITAL LETTER", _CYRILLIC_LOOKALIKES)
    | _by_name(
        "GREEK CAPITAL LETTER",
        "ALPHA a, BETA b, EPSILON e, ZETA z, ETA h, IOTA i, KAPPA k, MU m, NU n, OMICRON o, "
        "RHO p, TAU t, UPSILON y, CHI x",
    )
    | _by_name(
        "GREEK SMALL LETTER",
        "ALPHA a, IOTA i, KAPPA k, NU v, OMICRON o, RHO p, UPSILON u, CHI x",
    )
)
# A name written wholly in Cyrillic is transliterated as the lists romanise Russian, Ukrainian
# and Serbian names (BGN/PCGN without diacritics); NFKD has already made "short i" an "i".
_CYRILLIC = str.maketrans(
    _by_name(
        "CYRILLIC SMALL LETTER",
        """A a, BE b, VE v, GHE g, DE d, IE e, ZHE zh, ZE z, I i, KA k, EL l, EM m, EN n, O o,
        PE p, ER r, ES s, TE t, U u, EF f, HA kh, TSE ts, CHE ch, SHA sh, SHCHA shch,
        HARD SIGN -, YERU y, SOFT SIGN -, E e, YU yu, YA ya, BYELORUSSIAN-UKRAINIAN I i,
        UKRAINIAN IE ye, GHE WITH UPTURN g, JE j, DJE dj, LJE lj, NJE nj, TSHE c, DZHE dz""",
    )
)
# Latin letters that NFKD does not split into a base letter and a mark.
_LATIN_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "œ": "oe"}
    | {"\N{LATIN SMALL LETTER DOTLESS I}": "i", "ħ": "h", "ŀ": "l", "ŧ": "t", "ŋ": "ng"}
)

# Courtesy and religious titles say nothing about who someone is ("Mullah Omar" is "Omar").
TITLES = _words(
    """
    mr mrs ms miss mx dr prof sir dame sheikh shaikh shaykh sheik haji hajji alhaji
    mullah mulla maulavi mawlawi maulana qari
    """
)
# The Arabic article and patronymic links are spelt, hyphenated and omitted at random across
# lists ("Al-Qa'ida", "AL QAIDA", "Qaida"; "Osama bin Laden", "Usama Ladin"). "Abu" and "Umm"
# stay: they start a kunya, and "Abu Muhammad" is not "Muhammad".
PARTICLES = _words("al el ul bin ibn bint binti")
# Legal forms and words any organisation may bear: they never carry a match alone, so
# "Bank of X" and "X Bank" match on X, and "Global Trading Ltd" does not match "Global Bank".
GENERIC_TOKENS = _words(
    """
    ltd limited llc llp lp plc inc incorporated corp corporation co company companies cie
    gmbh ag kg mbh sa sas sarl sl slu srl spa bv nv oy ab as asa aps
    ooo oao zao pao ao jsc ojsc cjsc pjsc open joint stock closed public
    fze fzco fzc fzllc est establishment
    bank banking group holding holdings trading trade international intl global
    service services enterprise enterprises industries industrial
    the and of for
    """
)

_ANY_LATIN = re.compile(r"[A-Za-z]")
_APOSTROPHES = re.compile(
    r"['`\N{LEFT SINGLE QUOTATION MARK}\N{RIGHT SINGLE QUOTATION MARK}"
    r"\N{MODIFIER LETTER APOSTROPHE}\N{MODIFIER LETTER TURNED COMMA}\N{MODIFIER LETTER PRIME}]"
)
# "S.A." and "L.L.C." are one token each, not a run of initials.
_DOTTED = re.compile(r"\b(?:\w\.){2,}")
# The article joined by a hyphen, assimilated or not: "al-", "as-", "ash-", "ud-".
_HYPHENATED_ARTICLE = re.compile(r"\b(?:al|el|ul|ud|ad|an|ar|as|ash|at|az)-(?=\w)")


def normalise(name: str) -> tuple[str, ...]:
    """Split a name into comparable tokens.

    Accents go (NFKD), look-alike Cyrillic and Greek letters in a Latin name become Latin, an
    all-Cyrillic name is transliterated, letters like "ß" and "ø" are spelt out, case is
    folded, apostrophes vanish ("Sa'id" is "Said"), other punctuation and digits split tokens,
    and titles and Arabic particles are dropped. A name of nothing but titles and particles
    keeps them rather than vanishing.

    Args:
        name: A name as written anywhere.

    Returns:
        The tokens in their original order, generic tokens included.
    """
    text = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    if _ANY_LATIN.search(text):
        text = text.translate(_HOMOGLYPHS).casefold()
    else:
        text = text.casefold().translate(_CYRILLIC)
    text = _APOSTROPHES.sub("", text.translate(_LATIN_LETTERS))
    text = _DOTTED.sub(lambda dotted: dotted.group().replace(".", ""), text)
    text = _HYPHENATED_ARTICLE.sub(" ", text.replace("&", " and "))
    words = "".join(c if c.isalpha() else " " for c in text).split()
    kept = [word for word in words if word not in TITLES and word not in PARTICLES]
    return tuple(kept or words)


def is_generic(token: str) -> bool:
    """Whether a normalised token is a legal form or a word any organisation may bear."""
    return token in GENERIC_TOKENS


def significant_tokens(name: str) -> tuple[str, ...]:
    """The tokens of ``name`` that can identify someone: normalised, generic ones left out.

    Empty for a name made only of generic tokens ("Global Trading Ltd"): such a name never
    matches anything.
    """
    return tuple(token for token in normalise(name) if token not in GENERIC_TOKENS)
