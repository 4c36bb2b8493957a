"""Mask card numbers, credentials and tokens in log events before they are rendered."""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

REDACTED = "[REDACTED]"

# Keys whose values are secret whatever they look like; compared lower-case without - and _.
_SECRET_KEYS = frozenset(
    {"apikey", "xapikey", "password", "passwd", "secret", "token", "pan", "cvv", "cvv2", "cvc"}
    | {"pin", "key", "authorization", "cookie", "setcookie", "otp", "baasotp", "privatekey"}
)
_SECRET_SUFFIXES = ("password", "secret", "token", "apikey", "privatekey")
_KEY_NOISE = re.compile(r"[-_\s]")

_DIGIT = re.compile(r"\d")
# Runs of 13+ digits, maybe joined by single spaces or dashes; windows of them are Luhn-checked.
# Not after a '*' so an already masked number is never masked again (idempotence).
_DIGIT_RUN = re.compile(r"(?<![\d*])\d(?:[ -]?\d){12,}+")
_GROUP = re.compile(r"\d+")
_AUTH_HEADER = re.compile(
    r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)"
    r"(?:(?:bearer|basic|token)\s+)?(?:\[REDACTED\]|[^\s\"',;}\[\]]+)"
)
# key=value or "key": "value" inside free text (a logged raw body or query string); the key is
# judged in Python. Possessive quantifier and look-behind keep the scan linear.
_ASSIGNMENT = re.compile(
    r"([\"']?)(?<![\w-])([A-Za-z_][\w-]*+)\1(\s*[:=]\s*)"
    r"(\"[^\"]*\"|'[^']*'|\[REDACTED\]|[^\s\"',;&}\[\]]+)"
)
_TEXT_SECRET_KEYS = frozenset({"cvv", "cvv2", "cvc", "pin", "pan", "otp", "baasotp"})
_TEXT_SECRET_SUFFIXES = ("password", "passwd", "secret", "apikey", "token", "authorization")
_BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def luhn_valid(digits: str) -> bool:
    """Whether ``digits`` passes the Luhn checksum card numbers carry."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _mask_run(match: re.Match[str]) -> str:
    run = match.group(0)
    groups = [(m.start(), m.end()) for m in _GROUP.finditer(run)]
    if sum(end - start for start, end in groups) < 13:
        return run
    # Try group-aligned windows, longest first, so "PAN 1234" keeps the PAN and the tail.
    for first in range(len(groups)):
        for last in range(len(groups) - 1, first - 1, -1):
            digits = "".join(run[s:e] for s, e in groups[first : last + 1])
            if 13 <= len(digits) <= 19 and luhn_valid(digits):
                start, end = groups[first][0], groups[last][1]
                masked = "*" * (len(digits) - 4) + digits[-4:]
                return run[:start] + masked + _mask_run_tail(run[end:])
    return run


def _mask_run_tail(rest: str) -> str:
    match = _DIGIT_RUN.search(rest)
    if match is None:
        return rest
    return rest[: match.start()] + _mask_run(match) + rest[match.end() :]


def _mask_assignment(match: re.Match[str]) -> str:
    key = _KEY_NOISE.sub("", match.group(2).lower())
    if key not in _TEXT_SECRET_KEYS and not key.endswith(_TEXT_SECRET_SUFFIXES):
        return match.group(0)
    value = match.group(4)
    quote = value[0] if value[0] in "\"'" else ""
    return (
        match.group(1) + match.group(2) + match.group(1) + match.group(3) + quote + REDACTED + quote
    )


def redact_text(text: str) -> str:
    """Mask PANs (Luhn-valid, 13 to 19 digits), authorization values, bearer tokens and JWTs."""
    if "eyJ" in text:
        text = _JWT.sub(REDACTED, text)
    lowered = text.lower()
    if "authorization" in lowered:
        text = _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)
    if "=" in text or ":" in text:
        text = _ASSIGNMENT.sub(_mask_assignment, text)
    if "bearer" in lowered:
        text = _BEARER.sub("Bearer " + REDACTED, text)
    if _DIGIT.search(text) is not None:
        text = _DIGIT_RUN.sub(_mask_run, text)
    return text


def is_secret_key(key: str) -> bool:
    """Whether a mapping key names a credential or card secret."""
    normalised = _KEY_NOISE.sub("", key.lower())
    return normalised in _SECRET_KEYS or normalised.endswith(_SECRET_SUFFIXES)


def redact_value(value: Any) -> Any:
    """Redact ``value`` recursively: strings are scanned, mappings and sequences walked."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {
            k: REDACTED if isinstance(k, str) and is_secret_key(k) else redact_value(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return type(value)(redact_value(item) for item in value)
    if isinstance(value, bytes):
        return redact_text(value.decode("utf-8", "replace"))
    return value


def redact_event(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor applying :func:`redact_value` to every key and value of an event."""
    for key, value in list(event_dict.items()):
        if key.startswith("_"):
            continue  # structlog's own bookkeeping (the stdlib record), never rendered
        event_dict[key] = REDACTED if key != "event" and is_secret_key(key) else redact_value(value)
    return event_dict
