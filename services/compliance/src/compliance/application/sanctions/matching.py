"""How close a screened name is to one listed name: the best alignment of their tokens.

The query's tokens are aligned one to one with the name's, best pairs first, in any order
("PETROV, Ivan" is "Ivan Petrov"); generic tokens never take part (see ``names``), and how
alike two tokens are is ``token_similarity``'s business.

A pair below ``TOKEN_FLOOR`` (0.80) conflicts, and one conflict caps the name's score at that
pair's similarity: "Sergei Petrov" is not "Ivan Petrov", however common Petrov is. Otherwise
the score is the mean similarity of the aligned pairs, less a penalty for each token only one
side has:

- ``EXTRA_TOKEN_PENALTY`` (0.03 per token) is mild: lists drop and add middle names and
  patronymics freely, so "Ivan Petrov" still scores 0.97 against "Ivan Ivanovich Petrov".
- ``LONE_TOKEN_PENALTY`` (0.15 per token) applies instead when a single pair is all that
  aligns: a surname alone ("Petrov") or a one-word alias ("Samir") cannot identify a person,
  nor "Meli" the vessel "Meli Vusmur", nor "Shipping" every shipping company. One word does
  identify an entity when it is exact and rare on the lists (held by at most
  ``RARE_TOKEN_SHARE`` of the names, 0.2%, or ``RARE_TOKEN_NAMES``, 5): "Melli" is
  "Bank Melli Iran".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from compliance.application.sanctions.index import IndexedName, SanctionsIndex, phonetic_code
from compliance.application.sanctions.token_similarity import (
    TOKEN_FLOOR,
    Similarity,
    token_similarity,
)
from compliance.domain.sanctions.entries import EntityType

EXTRA_TOKEN_PENALTY = 0.03
LONE_TOKEN_PENALTY = 0.15
RARE_TOKEN_SHARE = 0.002
RARE_TOKEN_NAMES = 5


@dataclass(frozen=True, slots=True)
class AlignedPair:
    """A query token, the name token it aligned with, and their similarity."""

    query_token: str
    name_token: str
    similarity: float
    phonetic: bool


@dataclass(frozen=True, slots=True)
class NameMatch:
    """The score of one listed name against the query, and what it is made of."""

    score: float
    similarity: float
    pairs: tuple[AlignedPair, ...]
    unmatched: int
    penalty: float

    @property
    def conflicts(self) -> tuple[AlignedPair, ...]:
        """The aligned pairs that are different words."""
        return tuple(pair for pair in self.pairs if pair.similarity < TOKEN_FLOOR)


class QueryMatcher:
    """Finds and scores the listed names that may match one query.

    The index's candidates share tokens ("Petrov" appears in many names), so each distinct
    candidate token is compared with each query token once, by rapidfuzz in one call, and
    only the pairs that may agree are kept. A candidate is scored only if every token of its
    shorter side agrees with something: most share one common token and nothing else.
    """

    def __init__(self, index: SanctionsIndex, tokens: Sequence[str]) -> None:
        self.tokens = tuple(tokens)
        self._index = index
        self._codes = tuple(phonetic_code(token) for token in self.tokens)
        choices = list(index.vocabulary(self.tokens))
        self._memos: list[dict[str, Similarity]] = []
        for token, code in zip(self.tokens, self._codes, strict=True):
            close = process.extract(
                token, choices, scorer=JaroWinkler.similarity, score_cutoff=TOKEN_FLOOR, limit=None
            )
            self._memos.append(
                {
                    other: token_similarity(token, code, other, phonetic_code(other))
                    for other, *_ in close
                }
            )
        self._agreeing = [
            frozenset(other for other, (value, _) in memo.items() if value >= TOKEN_FLOOR)
            for memo in self._memos
        ]
        self._any_agreeing = frozenset().union(*self._agreeing)
        self._rare_limit = max(RARE_TOKEN_NAMES, RARE_TOKEN_SHARE * index.name_count)

    def candidates(self) -> list[IndexedName]:
        """The index's candidates that may reach the floor, by set operations on the index.

        The others have a token on their shorter side that agrees with nothing, or would
        rest on one common token alone.
        """
        index, names, sizes = self._index, self._index.names, self._index.sizes
        holding = [set().union(*map(index.holders, agreeing)) for agreeing in self._agreeing]
        candidate_ids = index.candidate_ids(self.tokens)
        size = len(self.tokens)
        # A one-word query matches a longer name only on a rare word (see the docstring).
        if size > 1 or self._rare(self.tokens[0]):
            viable = [p for p in set.intersection(*holding) & candidate_ids if sizes[p] >= size]
        else:
            viable = [p for p in holding[0] & candidate_ids if sizes[p] == 1]
        if size > 1:
            agreeing = self._any_agreeing
            viable += [
                p
                for p in set().union(*holding) & candidate_ids
                if sizes[p] < size and agreeing.issuperset(names[p].tokens)
            ]
        return [names[position] for position in sorted(viable)]

    def match(self, name: IndexedName) -> NameMatch:
        """Align the query with ``name`` and score it (see the module docstring)."""
        named = tuple(zip(name.tokens, name.codes, strict=True))
        rows = [
            [self._similarity(i, token, code) for token, code in named]
            for i in range(len(self.tokens))
        ]
        pairs = tuple(
            AlignedPair(self.tokens[i], name.tokens[j], *rows[i][j]) for i, j in _align(rows)
        )
        similarity = sum(pair.similarity for pair in pairs) / len(pairs)
        unmatched = max(len(self.tokens), len(name.tokens)) - len(pairs)
        penalty = unmatched * (
            LONE_TOKEN_PENALTY if self._lone(pairs, name) else EXTRA_TOKEN_PENALTY
        )
        score = similarity - penalty
        worst = min(pair.similarity for pair in pairs)
        if worst < TOKEN_FLOOR:
            score = min(score, worst)
        return NameMatch(max(0.0, score), similarity, pairs, unmatched, penalty)

    def _lone(self, pairs: tuple[AlignedPair, ...], name: IndexedName) -> bool:
        if len(pairs) != 1:
            return False
        (pair,) = pairs
        entity = name.entry.entity_type is not EntityType.INDIVIDUAL
        exact = pair.query_token == pair.name_token
        return not (entity and exact and self._rare(pair.name_token))

    def _rare(self, token: str) -> bool:
        return len(self._index.holders(token)) <= self._rare_limit

    def _similarity(self, i: int, token: str, code: str) -> Similarity:
        known = self._memos[i].get(token)
        if known is None:
            # Below the floor: only needed to say how far apart the tokens are.
            known = token_similarity(self.tokens[i], self._codes[i], token, code)
        return known


def _align(rows: list[list[Similarity]]) -> list[tuple[int, int]]:
    # Greedy best-first assignment: names have a handful of tokens, and the best pair first
    # is what a reader would align too. Ties keep the original order, so it is stable.
    if len(rows) == 1:
        row = rows[0]
        return [(0, max(range(len(row)), key=lambda j: row[j][0]))]
    cells = sorted(
        ((cell[0], i, j) for i, row in enumerate(rows) for j, cell in enumerate(row)),
        key=lambda cell: -cell[0],
    )
    size = min(len(rows), len(rows[0]))
    used_rows: set[int] = set()
    used_columns: set[int] = set()
    chosen: list[tuple[int, int]] = []
    for _, i, j in cells:
        if i in used_rows or j in used_columns:
            continue
        chosen.append((i, j))
        used_rows.add(i)
        used_columns.add(j)
        if len(chosen) == size:
            break
    return chosen
