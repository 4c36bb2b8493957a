"""Domain events: facts an aggregate records while it changes, pulled and published afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from shared_kernel.domain.ids import new_id


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened in the domain, named in the past tense (``AccountOpened``).

    Subclasses are frozen, keyword-only dataclasses that add their own fields; ``event_id``
    and ``occurred_at`` are filled in unless given (for example when replaying a stored event).
    """

    event_id: str = field(default_factory=new_id)
    occurred_at: datetime = field(default_factory=_now)

    @property
    def name(self) -> str:
        """The event's type name, as handlers and logs refer to it."""
        return type(self).__name__


class EventRecorder:
    """Mixin for aggregates that record domain events for the unit of work to collect.

    The list is created on first use rather than in ``__init__`` because ORM-loaded
    aggregates (``map_imperatively``) and dataclass aggregates never call the mixin's
    initialiser.
    """

    _pending_events: list[DomainEvent]

    def _events(self) -> list[DomainEvent]:
        try:
            return self._pending_events
        except AttributeError:
            self._pending_events = []
            return self._pending_events

    def record(self, event: DomainEvent) -> None:
        """Record that ``event`` happened to this aggregate."""
        self._events().append(event)

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        """The events recorded and not yet pulled, oldest first."""
        return tuple(self._events())

    def pull_events(self) -> list[DomainEvent]:
        """Return the recorded events, oldest first, and forget them."""
        events = self._events()
        self._pending_events = []
        return events
