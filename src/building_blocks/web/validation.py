"""Turn Litestar and msgspec validation failures into per-field problems, camelCase named."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from building_blocks.web.envelopes import ProblemOut

BODY = "body"
_MISSING_FIELD = re.compile(r"Object missing required field `(?P<field>[^`]+)`")
_WRONG_TYPE = re.compile(r"Expected `[^`]+`, got `[^`]+`")
_MISSING_PARAM = re.compile(r"Missing required (?P<kind>\w+) parameter '(?P<name>[^']+)'")
_SNAKE_PART = re.compile(r"_([a-z0-9])")


def camelize(name: str) -> str:
    """``page_size`` → ``pageSize``; names already in camelCase pass through unchanged."""
    return _SNAKE_PART.sub(lambda m: m.group(1).upper(), name)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _problem(entry: Mapping[str, Any]) -> ProblemOut:
    message = str(entry.get("message", "Invalid value"))
    key = str(entry.get("key", ""))
    # Litestar names the whole body "data"; nested body paths come without that prefix.
    prefix = "" if key == "data" else ".".join(camelize(part) for part in key.split("."))
    if missing := _MISSING_FIELD.search(message):
        return ProblemOut(
            field=_join(prefix, missing["field"]),
            code="REQUIRED",
            message=f"Field `{missing['field']}` is required",
        )
    if key == "data" and message == "'data'":
        return ProblemOut(field=BODY, code="REQUIRED", message="A request body is required")
    code = "INVALID_TYPE" if _WRONG_TYPE.search(message) else "INVALID_VALUE"
    return ProblemOut(field=prefix or BODY, code=code, message=message)


def problems_from_extra(extra: Iterable[Any] | Mapping[str, Any] | None) -> list[ProblemOut]:
    """Per-field problems from a ``ValidationException.extra`` list."""
    if extra is None:
        return []
    entries = [extra] if isinstance(extra, Mapping) else list(extra)
    return [_problem(entry) for entry in entries if isinstance(entry, Mapping)]


def problems_from_detail(detail: str) -> list[ProblemOut]:
    """Per-field problems from a bare exception detail (a missing parameter)."""
    if missing := _MISSING_PARAM.search(detail):
        name = camelize(missing["name"])
        return [
            ProblemOut(
                field=name,
                code="REQUIRED",
                message=f"Missing required {missing['kind']} parameter '{name}'",
            )
        ]
    return []


def malformed_body() -> list[ProblemOut]:
    """The problem of a body that is not valid JSON at all."""
    return [ProblemOut(field=BODY, code="MALFORMED_JSON", message="The body is not valid JSON")]
