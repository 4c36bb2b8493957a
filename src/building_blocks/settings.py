"""Settings read from environment variables into frozen msgspec Structs, with masked secrets."""

from __future__ import annotations

import hmac
import math
import os
import types
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import msgspec

__all__ = ["Secret", "SettingsError", "load_settings"]

_MASK = "********"
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})

S = TypeVar("S", bound=msgspec.Struct)


class Secret:
    """A configuration value that must not leak: masked in ``str``, ``repr`` and logs.

    Call :meth:`reveal` at the one place that needs the clear value (opening a connection,
    signing a request). msgspec cannot encode it, which keeps secrets out of JSON by accident.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the clear value."""
        return self._value

    def __repr__(self) -> str:
        return repr(_MASK)

    def __str__(self) -> str:
        return _MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        # Constant-time, so comparing a presented token with a configured one leaks no timing.
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))


class SettingsError(Exception):
    """The environment does not describe valid settings; ``problems`` lists every variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"invalid settings ({len(self.problems)} problems):\n{lines}")


class _Invalid(ValueError):
    """A variable's text does not convert; the message never repeats the value."""


def _to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _Invalid("expected a boolean (true/false, 1/0, yes/no, on/off)")


def _to_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise _Invalid("expected an integer") from None


def _to_float(text: str) -> float:
    try:
        number = float(text.strip())
    except ValueError:
        raise _Invalid("expected a number") from None
    if not math.isfinite(number):
        raise _Invalid("expected a finite number")
    return number


def _to_secret(text: str) -> Secret:
    if not text:
        raise _Invalid("a secret must not be empty")
    return Secret(text)


_SCALARS: dict[Any, Callable[[str], Any]] = {
    str: str,
    int: _to_int,
    float: _to_float,
    bool: _to_bool,
    Secret: _to_secret,
}


def _converter(annotation: Any) -> Callable[[str], Any]:
    """Return a function turning a variable's text into a value of ``annotation``."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        convert = _converter(args[0])
        return lambda text: _constrained(convert(text), annotation)
    if origin in (Union, types.UnionType) and type(None) in args:
        inner = [arg for arg in args if arg is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"settings cannot read a field of type {annotation!r}")
        convert = _converter(inner[0])
        # An empty variable is how a deployment says "unset" for an optional setting.
        return lambda text: None if text.strip() == "" else convert(text)
    if origin is Literal:
        return lambda text: _choice(text, args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _converter(args[0])
        return lambda text: tuple(item(part.strip()) for part in text.split(",") if part.strip())
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    raise TypeError(f"settings cannot read a field of type {annotation!r} from the environment")


def _choice(text: str, choices: tuple[Any, ...]) -> Any:
    for choice in choices:
        if str(choice) == text.strip():
            return choice
    raise _Invalid(f"expected one of {', '.join(map(str, choices))}")


def _constrained(value: Any, annotation: Any) -> Any:
    try:
        return msgspec.convert(value, annotation)
    except msgspec.ValidationError as error:
        raise _Invalid(str(error)) from None


def load_settings(cls: type[S], environ: Mapping[str, str] | None = None, prefix: str = "") -> S:
    """Build ``cls`` from environment variables named ``prefix + FIELD_NAME.upper()``.

    Missing variables take the struct's defaults. Every missing or invalid variable is
    reported at once; values are never echoed, since any of them may hold a credential.

    Args:
        cls: a msgspec Struct whose fields are str, int, float, bool, Secret, a Literal,
            ``tuple[X, ...]`` (comma-separated), ``X | None`` or ``Annotated`` constraints.
        environ: the variables to read; ``os.environ`` when None.
        prefix: prepended to every variable name, such as ``"CARDS_"``.

    Raises:
        SettingsError: listing every missing or invalid variable.
        TypeError: when ``cls`` has a field of a type settings cannot read.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    problems: list[str] = []
    for info in msgspec.structs.fields(cls):
        variable = prefix + info.name.upper()
        convert = _converter(info.type)
        if variable not in env:
            if info.required:
                problems.append(f"{variable} is required but not set")
            continue
        try:
            values[info.name] = convert(env[variable])
        except _Invalid as error:
            problems.append(f"{variable}: {error}")
    if problems:
        raise SettingsError(problems)
    return cls(**values)
