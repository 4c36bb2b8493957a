"""The console's queue and case pages, and the approve/reject form."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import Redirect

from building_blocks.web import status_for
from compliance.application.reviews.decide import DecideCase
from compliance.application.reviews.ports import CaseDetail, SortKey, StatusFilter
from compliance.application.reviews.queries import GetCase, ListCases
from compliance.domain.reviews import MAX_REASON_LENGTH, MIN_REASON_LENGTH, ReviewDecision
from compliance.entrypoints.console.csrf import CsrfTokens
from compliance.entrypoints.console.pages import page
from compliance.entrypoints.console.session import ConsoleSession, current_session
from shared_kernel.domain.errors import DomainError, InvalidInput, NotFound

PAGE_SIZE = 20
# What the page says after a decision, by the case's new status (never text from the URL).
FLASHES = {
    "APPROVED": "Approved: Toqio is told the transaction may go ahead.",
    "REJECTED": "Rejected: Toqio is told the transaction must not go ahead.",
    "AWAITING_SECOND_REVIEW": "Your approval is recorded: a supervisor must give the second one.",
}

AnyRequest = Request[Any, Any, Any]
# Case ids are UUIDv7 strings; anything longer names no case.
CaseId = Annotated[str, PathParameter(max_length=36)]
Status = Annotated[Literal["pending", "approved", "rejected", "all"], QueryParameter()]
PageNumber = Annotated[int, QueryParameter(name="page", ge=1)]
Flash = Annotated[str | None, QueryParameter(max_length=32)]


class DecisionForm(msgspec.Struct, frozen=True, kw_only=True):
    """``POST /console/cases/{caseId}/decision``, form-encoded (the CSRF guard reads the token)."""

    decision: Annotated[str, msgspec.Meta(max_length=16)] = ""
    # Bounded generously here; the case checks the trimmed length.
    reason: Annotated[str, msgspec.Meta(max_length=4000)] = ""


def _decision(raw: str) -> ReviewDecision:
    try:
        return ReviewDecision(raw)
    except ValueError:
        raise InvalidInput("Choose Approve or Reject", code="INVALID_REQUEST") from None


def _layout(session: ConsoleSession, csrf: CsrfTokens) -> dict[str, Any]:
    # Every signed-in page shows who is signed in and a sign-out form that needs the token.
    return {"reviewer": session.reviewer, "csrf": csrf.for_session(session.token)}


def _case_page(
    session: ConsoleSession,
    csrf: CsrfTokens,
    detail: CaseDetail,
    *,
    flash: str = "",
    reason: str = "",
    error: str = "",
    status: int = 200,
) -> Response[Any]:
    context = {
        **_layout(session, csrf),
        "detail": detail,
        "flash": flash,
        "reason": reason,
        "error": error,
        "reason_limits": (MIN_REASON_LENGTH, MAX_REASON_LENGTH),
    }
    return page("case.html", context, status=status)


class CaseController(Controller):
    """``/console/queue`` and ``/console/cases/{caseId}``."""

    path = "/"

    @get("/queue")
    async def queue(
        self,
        request: AnyRequest,
        list_cases: NamedDependency[ListCases],
        console_csrf: NamedDependency[CsrfTokens],
        status: Status = "pending",
        page_number: PageNumber = 1,
    ) -> Response[Any]:
        """Held cases (or decided ones), newest first, a page at a time."""
        found = await list_cases(
            status=StatusFilter(status),
            sort=SortKey.CREATED_AT,
            descending=True,
            page=page_number,
            page_size=PAGE_SIZE,
        )
        context = {
            **_layout(current_session(request), console_csrf),
            "cases": found.items,
            "total": found.total,
            "page": found.page,
            "pages": max(1, math.ceil(found.total / PAGE_SIZE)),
            "status": status,
            "statuses": [s.value for s in StatusFilter],
        }
        return page("queue.html", context)

    @get("/cases/{case_id:str}")
    async def show(
        self,
        request: AnyRequest,
        case_id: CaseId,
        get_case: NamedDependency[GetCase],
        console_csrf: NamedDependency[CsrfTokens],
        decided: Flash = None,
    ) -> Response[Any]:
        """A case with everything that explains it, and the decision form while it is open."""
        session = current_session(request)
        detail = await get_case(case_id, session.reviewer)
        return _case_page(session, console_csrf, detail, flash=FLASHES.get(decided or "", ""))

    @post("/cases/{case_id:str}/decision")
    async def decide(
        self,
        request: AnyRequest,
        case_id: CaseId,
        data: Annotated[DecisionForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
        get_case: NamedDependency[GetCase],
        decide_case: NamedDependency[DecideCase],
        console_csrf: NamedDependency[CsrfTokens],
    ) -> Response[Any]:
        """Approve or reject; back to the case with a message, or the case again with the error."""
        session = current_session(request)
        try:
            case = await decide_case(
                case_id, session.reviewer, _decision(data.decision), data.reason
            )
        except NotFound:
            raise  # no case, no page to show again: the 404 page
        except DomainError as error:
            # The page again, with the reviewer's reason kept so nothing typed is lost.
            detail = await get_case(case_id, session.reviewer)
            return _case_page(
                session,
                console_csrf,
                detail,
                reason=data.reason,
                error=error.message,
                status=status_for(error),
            )
        return Redirect(
            path=f"/console/cases/{case.case_id}",
            query_params={"decided": case.status.value},
            status_code=303,
        )
