"""AMQP topic-pattern matching, for the in-memory broker."""

from __future__ import annotations


def topic_matches(pattern: str, routing_key: str) -> bool:
    """Return whether ``routing_key`` matches the AMQP topic ``pattern``.

    ``*`` stands for exactly one dot-separated word and ``#`` for zero or more words.
    """
    return _match(pattern.split("."), routing_key.split("."))


def _match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        # '#' may swallow any number of words, including none.
        return any(_match(rest, words[skip:]) for skip in range(len(words) + 1))
    if not words:
        return False
    return (head in ("*", words[0])) and _match(rest, words[1:])
