"""The camelCase msgspec base every HTTP request and response schema derives from."""

from __future__ import annotations

import msgspec


class CamelStruct(msgspec.Struct, rename="camel", kw_only=True, frozen=True):
    """A frozen, keyword-only Struct that speaks camelCase JSON.

    Unknown fields are ignored on decode (Toqio's tolerant-reader rule); derive with
    ``forbid_unknown_fields=True`` only where we own both ends. Subclasses repeat
    ``frozen=True, kw_only=True``: msgspec inherits them at runtime, but mypy's
    ``dataclass_transform`` support does not.
    """
