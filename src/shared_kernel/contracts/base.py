"""The base every integration message payload derives from."""

from __future__ import annotations

from typing import ClassVar

import msgspec


class IntegrationMessage(msgspec.Struct, frozen=True, kw_only=True, tag_field="schema"):
    """A payload crossing a service boundary.

    Subclasses set ``TYPE`` and ``VERSION``; their msgspec tag is ``"{TYPE}.v{VERSION}"`` so a
    consumer can tell versions apart in one tagged union. A breaking change is a new class
    (``...V2``), never an edit of a published one.
    """

    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 0

    @classmethod
    def routing_key(cls) -> str:
        """The RabbitMQ routing key for this message: its type and version."""
        return f"{cls.TYPE}.v{cls.VERSION}"
