"""Customers (Toqio tenants) as the other use cases need to see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CustomerView:
    """A registered customer without its secrets."""

    customer_id: str
    commercial_name: str
    provider: str
    available_currencies: tuple[str, ...]


class CustomerDirectory(Protocol):
    """Read access to registered customers, inside the caller's transaction."""

    async def find(self, customer_id: str) -> CustomerView | None:
        """The customer, or ``None`` when it is not registered."""
        ...
