"""SandboxCardProcessor: the card processor of ``make run`` and the tests, in memory.

It accepts every card request unless told otherwise, in two ways: arm a refusal (through
``POST /sandbox/cards/processor/refusals``, or :meth:`arm_refusal`) and the next requests
are refused with its reason; or issue a card whose name on card contains ``DECLINE``
(``"DECLINE ME"``) and it is refused. It also plays the card mailer: it keeps each card's
security code, as a real processor prints it on the activation letter, so a tester can
read it back (``GET /sandbox/cards/{cardId}/security-code``). Nothing survives a restart.
"""

from __future__ import annotations

from collections import deque

from cards.application.cards.card_ids import new_card_id
from cards.application.cards.ports import ProcessorCardRequest, ProcessorRefused

DECLINE_MARKER = "DECLINE"
DEFAULT_REFUSAL = "refused by the sandbox processor"


class SandboxCardProcessor:
    """``CardProcessor`` for the sandbox: accepts unless armed or the name says DECLINE."""

    def __init__(self) -> None:
        self._refusals: deque[str] = deque()
        self._codes: dict[str, str] = {}
        # Card ids only: the requests themselves carry PANs, which the sandbox does not keep.
        self.requested: list[str] = []

    def __repr__(self) -> str:
        return f"SandboxCardProcessor(cards={len(self._codes)}, armed={len(self._refusals)})"

    def arm_refusal(self, reason: str = DEFAULT_REFUSAL, count: int = 1) -> int:
        """Refuse the next ``count`` card requests with ``reason``; how many are now armed."""
        if count < 1:
            raise ValueError("arm at least one refusal")
        self._refusals.extend([reason or DEFAULT_REFUSAL] * count)
        return len(self._refusals)

    def security_code(self, card_id: str) -> str | None:
        """The security code delivered with card ``card_id``, if this processor made it."""
        return self._codes.get(card_id)

    async def issue_card(self, request: ProcessorCardRequest) -> str:
        """The sandbox's id for the card, or a refusal."""
        self.requested.append(request.card_id)
        if self._refusals:
            raise ProcessorRefused(self._refusals.popleft())
        if DECLINE_MARKER in (request.name_on_card or "").upper():
            raise ProcessorRefused("the name on card asks the sandbox to decline")
        self._codes[request.card_id] = request.security_code
        return "sbx_" + new_card_id().removeprefix("card_")
