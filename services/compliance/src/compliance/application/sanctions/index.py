"""The candidate index: every listed name under its distinctive tokens and their sounds."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import jellyfish

from compliance.domain.sanctions.entries import ListVersion, SanctionsEntry
from compliance.domain.sanctions.names import significant_tokens

# A one-letter token (an initial) or a one-letter code ("L" for "Li", "Lee", "Al"...) would
# make half the list a candidate of every name that has one.
_MIN_KEY_LENGTH = 2


# Transliterations disagree on a name's first vowel ("Osama"/"Usama", "Ibrahim"/"Ebrahim")
# and on an "h" after a consonant ("Gaddafi"/"Qadhafi", "Khaled"/"Kaled"), which Metaphone
# keeps: codes are compared without either difference.
_FIRST_VOWEL = re.compile(r"^[AEIOU]")
_H_AFTER_CONSONANT = re.compile(r"(?<=[^AEIOU])H")


@functools.lru_cache(maxsize=65536)
def phonetic_code(token: str) -> str:
    """The Metaphone code of a normalised token ("" for a token in a non-Latin script)."""
    if not token.isascii():
        return ""
    return _H_AFTER_CONSONANT.sub("", _FIRST_VOWEL.sub("A", jellyfish.metaphone(token)))


@dataclass(frozen=True, slots=True)
class IndexedName:
    """One name of one entry, ready to score: its distinctive tokens and their codes."""

    entry: SanctionsEntry
    name: str
    tokens: tuple[str, ...]
    codes: tuple[str, ...]


class SanctionsIndex:
    """An in-memory index of list names, immutable once built.

    A name is filed under each of its distinctive (non-generic) tokens and under each token's
    Metaphone code, so a spelling variant ("Muhammad" for "Mohammed") reaches it by sound.
    Each key also knows the tokens of the names filed under it, so a query's candidate
    tokens are compared without walking the candidates one by one.
    """

    def __init__(
        self,
        names: Sequence[IndexedName],
        postings: Mapping[str, frozenset[int]],
        versions: Sequence[ListVersion],
    ) -> None:
        self._names = tuple(names)
        self.sizes = tuple(len(name.tokens) for name in self._names)
        self._postings = postings
        self.versions = tuple(versions)
        holders: dict[str, set[int]] = {}
        for position, name in enumerate(self._names):
            for token in name.tokens:
                holders.setdefault(token, set()).add(position)
        self._holders = {token: frozenset(ids) for token, ids in holders.items()}
        self._vocabulary = {
            key: frozenset(token for i in ids for token in self._names[i].tokens)
            for key, ids in postings.items()
        }

    @classmethod
    def build(
        cls, entries: Iterable[SanctionsEntry], versions: Iterable[ListVersion]
    ) -> SanctionsIndex:
        """Index every name and alias of ``entries``.

        Names made only of generic tokens are left out: they never match by design. Aliases
        that normalise to the same tokens as another name of the entry are indexed once.
        """
        names: list[IndexedName] = []
        postings: dict[str, set[int]] = {}
        for entry in entries:
            seen: set[tuple[str, ...]] = set()
            for name in entry.names:
                tokens = significant_tokens(name)
                if not tokens or tokens in seen:
                    continue
                seen.add(tokens)
                codes = tuple(phonetic_code(token) for token in tokens)
                for key in _keys(tokens, codes):
                    postings.setdefault(key, set()).add(len(names))
                names.append(IndexedName(entry, name, tokens, codes))
        frozen = {key: frozenset(ids) for key, ids in postings.items()}
        return cls(names, frozen, tuple(versions))

    @property
    def names(self) -> tuple[IndexedName, ...]:
        """Every indexed name; a name's position here is its id."""
        return self._names

    @property
    def name_count(self) -> int:
        """How many names (primary and aliases) the index holds."""
        return len(self._names)

    def candidates(self, query_tokens: Sequence[str]) -> list[IndexedName]:
        """The names sharing at least one distinctive token or token sound with the query.

        Args:
            query_tokens: The significant tokens of the screened name.
        """
        return [self._names[position] for position in sorted(self.candidate_ids(query_tokens))]

    def candidate_ids(self, query_tokens: Sequence[str]) -> set[int]:
        """The ids of ``candidates``."""
        return set().union(*(self._postings.get(key, ()) for key in _query_keys(query_tokens)))

    def vocabulary(self, query_tokens: Sequence[str]) -> set[str]:
        """Every token of every candidate name of the query."""
        return set().union(*(self._vocabulary.get(key, ()) for key in _query_keys(query_tokens)))

    def holders(self, token: str) -> frozenset[int]:
        """The ids of the names that have ``token``."""
        return self._holders.get(token, frozenset())


def _query_keys(tokens: Sequence[str]) -> set[str]:
    return _keys(tokens, [phonetic_code(token) for token in tokens])


def _keys(tokens: Sequence[str], codes: Sequence[str]) -> set[str]:
    # Tokens and codes share one dictionary: codes are upper case, tokens never are.
    keys = {token for token in tokens if len(token) >= _MIN_KEY_LENGTH}
    keys.update(code for code in codes if len(code) >= _MIN_KEY_LENGTH)
    return keys
