"""`GET /api/v1/reports/weekly`: the weekly report as JSON, CSV or HTML (by `Accept`);
`GET /api/v1/reports/flag-quality`: recruiter feedback on each signal."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response

from app.core.deps import AsOf, ReadPrincipal, SessionDep
from app.core.errors import AppError, problem_responses
from app.reports import render
from app.reports import service as reports_service
from app.reports.schemas import FlagQualityRead, WeeklyReportRead

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


class NotAcceptable(AppError):
    status, slug, title = 406, "not-acceptable", "Not Acceptable"


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report; CSV (one row per flagged candidate) and HTML on request",
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "category,candidate_id,external_id,name,...\r\n",
            },
            "text/html": {"schema": {"type": "string"}},
        },
    },
    406: {"description": "None of the accepted media types can be produced"},
}


@router.get(
    "/weekly",
    response_model=WeeklyReportRead,
    responses=_RESPONSES | problem_responses(401, 403, 404, 422),
)
def get_weekly_report(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: ReadPrincipal,
    as_of: AsOf,
    week: Annotated[
        str | None,
        Query(
            max_length=16,
            description="ISO week in the organisation's time zone, e.g. 2026-W47 "
            "(default: the last completed week)",
            examples=["2026-W47"],
        ),
    ] = None,
    recruiter_external_id: Annotated[
        str | None, Query(max_length=200, description="Only this recruiter's candidates")
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> WeeklyReportRead | Response:
    """The weekly flagged-candidate report for an ISO week, org-wide or for one recruiter.

    Newly flagged candidates with their top reasons and evidence dates, those still flagged,
    those who recovered, candidates waiting on us, no-shows, response rate and median reply
    time against the previous week, a reply-time distribution and the next actions due in
    the coming week. State is evaluated at the week's end (or `as_of`, if earlier). Send
    `Accept: text/csv` for one row per flagged candidate, `Accept: text/html` for the email
    version. An unknown recruiter is a 404.
    """
    media = render.negotiate(accept)
    if media is None:
        raise NotAcceptable("This report is available as application/json, text/csv or text/html.")
    report = reports_service.weekly_report(
        session,
        org_id=principal.org_id,
        week=week,
        recruiter_external_id=recruiter_external_id,
        now=as_of,
    )
    if media == "csv":
        suffix = f"-{recruiter_external_id}" if recruiter_external_id else ""
        filename = _safe(f"followthrough-{report.week}{suffix}.csv")
        return Response(
            render.render_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Vary": "Accept",
            },
        )
    if media == "html":
        base_url = request.app.state.settings.base_url
        return Response(
            render.render_html(report, base_url=base_url),
            media_type="text/html; charset=utf-8",
            headers={"Vary": "Accept"},
        )
    response.headers["Vary"] = "Accept"
    return report


def _safe(filename: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in filename)


@router.get(
    "/flag-quality",
    response_model=FlagQualityRead,
    responses=problem_responses(401, 403, 422),
)
def get_flag_quality(session: SessionDep, principal: ReadPrincipal, as_of: AsOf) -> FlagQualityRead:
    """How each negative signal fared with recruiters over the last 90 days (up to `as_of`).

    Per signal code: flags raised (by when their evidence raised them), acknowledged and
    dismissed in the window, the dismissal rate, and the most common dismissal reasons, so
    thresholds are tuned from evidence. Read-only: nothing is re-evaluated or stored.
    """
    return reports_service.flag_quality(session, org_id=principal.org_id, as_of=as_of)
