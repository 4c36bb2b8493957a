"""``/reviews``: reviewers list held cases, read one with its explanation, and decide it.

``review_route_handlers(authenticate_reviewer)`` needs these app dependencies (Litestar names):
``list_cases`` (ListCases), ``get_case`` (GetCase), ``decide_case`` (DecideCase).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.types import ControllerRouterHandler

from building_blocks.web import Ok, ok
from compliance.application.access.reviewers import AuthenticateReviewer
from compliance.application.reviews.decide import DecideCase
from compliance.application.reviews.ports import SortKey, StatusFilter
from compliance.application.reviews.queries import GetCase, ListCases
from compliance.domain.reviews import ReviewDecision
from compliance.entrypoints.http.guards import current_reviewer, reviewer_guard
from compliance.entrypoints.http.review_detail_schemas import CaseDetailOut
from compliance.entrypoints.http.review_schemas import CaseOut, CasePageOut, DecisionRequest

SortName = Literal["createdAt", "-createdAt", "riskScore", "-riskScore", "amount", "-amount"]
_SORT_KEYS = {
    "createdAt": SortKey.CREATED_AT,
    "riskScore": SortKey.RISK_SCORE,
    "amount": SortKey.AMOUNT,
}

# Case ids are UUIDv7 strings; anything longer names no case.
CaseId = Annotated[str, PathParameter(max_length=36)]
Status = Annotated[Literal["pending", "approved", "rejected", "all"], QueryParameter()]
CustomerId = Annotated[str | None, QueryParameter(name="customerId", max_length=128)]
MinRisk = Annotated[int | None, QueryParameter(name="minRisk", ge=0, le=100)]
Sort = Annotated[SortName, QueryParameter()]
PageNumber = Annotated[int, QueryParameter(ge=1)]
PageSize = Annotated[int, QueryParameter(name="pageSize", ge=1, le=100)]

AnyRequest = Request[Any, Any, Any]


class ReviewController(Controller):
    """``/reviews``: the manual-review queue, for reviewers bearing a token."""

    path = "/reviews"
    tags = ["Reviews"]

    @get("/", operation_id="listReviewCases")
    async def index(
        self,
        list_cases: NamedDependency[ListCases],
        status: Status = "pending",
        customer_id: CustomerId = None,
        min_risk: MinRisk = None,
        sort: Sort = "createdAt",
        page: PageNumber = 1,
        page_size: PageSize = 20,
    ) -> Response[Ok[CasePageOut]]:
        """Held cases (``pending``: PENDING and AWAITING_SECOND_REVIEW), filtered and paged.

        ``sort`` is a field, ``-`` first for descending; the default is oldest first.
        """
        found = await list_cases(
            status=StatusFilter(status),
            customer_id=customer_id,
            min_risk=min_risk,
            sort=_SORT_KEYS[sort.removeprefix("-")],
            descending=sort.startswith("-"),
            page=page,
            page_size=page_size,
        )
        return ok(CasePageOut.of(found))

    @get("/{caseId:str}", operation_id="getReviewCase")
    async def show(
        self,
        request: AnyRequest,
        caseId: CaseId,  # noqa: N803
        get_case: NamedDependency[GetCase],
    ) -> Response[Ok[CaseDetailOut]]:
        """A case with the monitoring decision (every rule's inputs and explanation), the
        transaction as received and the merchant's recent activity; 404 ``CASE_NOT_FOUND``.
        """
        detail = await get_case(caseId, current_reviewer(request))
        return ok(CaseDetailOut.of(detail))

    @post("/{caseId:str}/decision", operation_id="decideReviewCase", status_code=200)
    async def decide(
        self,
        request: AnyRequest,
        caseId: CaseId,  # noqa: N803
        data: JSONBody[DecisionRequest],
        decide_case: NamedDependency[DecideCase],
    ) -> Response[Ok[CaseOut]]:
        """Approve or reject a case; the reason is mandatory.

        Above the four-eyes amount an approval waits (``AWAITING_SECOND_REVIEW``) for a
        second one by another reviewer with the SUPERVISOR role (422
        ``SECOND_REVIEWER_REQUIRED`` / ``SUPERVISOR_REQUIRED``). A final case answers 409
        ``CASE_ALREADY_DECIDED``. The final outcome goes to Toqio by webhook.
        """
        case = await decide_case(
            caseId, current_reviewer(request), ReviewDecision(data.decision), data.reason
        )
        return ok(CaseOut.of_case(case))


def review_route_handlers(
    authenticate_reviewer: AuthenticateReviewer,
) -> list[ControllerRouterHandler]:
    """The review controller behind reviewers' bearer tokens (401 without a valid one)."""
    return [
        Router(
            path="/",
            route_handlers=[ReviewController],
            guards=[reviewer_guard(authenticate_reviewer)],
        )
    ]
