"""`GET /api/v1/reports/weekly`: the weekly report as JSON, JSON lines or CSV (streamed) or
HTML (by `Accept` or `?format=`); `GET /api/v1/reports/weekly/items`: the same rows in cursor
pages; `GET /api/v1/reports/flag-quality`: recruiter feedback on each signal."""

from collections.abc import AsyncIterator, Generator
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from app.core.deps import AsOf, ReadPrincipal, SessionDep, SessionFactoryDep
from app.core.errors import AppError, problem_responses
from app.core.pagination import PageParams, page_params
from app.reports import export, render
from app.reports import service as reports_service
from app.reports.schemas import FlagQualityRead, WeeklyReportPageRead, WeeklyReportRead

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


class NotAcceptable(AppError):
    status, slug, title = 406, "not-acceptable", "Not Acceptable"


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report; JSON lines and CSV (one row per flagged candidate), both "
        "streamed, and HTML on request",
        "content": {
            "application/x-ndjson": {
                "schema": {"type": "string"},
                "example": '{"section":"summary","week":"2026-W47",...}\n'
                '{"section":"newly_flagged","candidate_id":"...",...}\n',
            },
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
    output: Annotated[
        Literal["json", "jsonl", "csv", "html"] | None,
        Query(
            alias="format",
            description="The representation, instead of `Accept`: `jsonl` and `csv` stream",
        ),
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    *,
    factory: SessionFactoryDep,
) -> WeeklyReportRead | Response:
    """The weekly flagged-candidate report for an ISO week, org-wide or for one recruiter.

    Newly flagged candidates with their top reasons and evidence dates, those still flagged,
    those who recovered, candidates waiting on us, no-shows, response rate and median reply
    time against the previous week, a reply-time distribution and the next actions due in
    the coming week. State is evaluated at the week's end (or `as_of`, if earlier). Send
    `Accept: text/csv` for one row per flagged candidate, `Accept: text/html` for the email
    version. An unknown recruiter is a 404.

    For an export of any size, `Accept: application/x-ndjson` (or `?format=jsonl`) streams
    JSON lines: first the summary (`"section": "summary"`: everything but the lists, with
    the totals), then one line per item of every list, named by `section`, each section in
    key order. The CSV is streamed as well (newly flagged first, each group by candidate).
    `GET /api/v1/reports/weekly/items` pages the same lines by cursor.
    """
    media = output or render.negotiate(accept)
    if media is None:
        raise NotAcceptable(
            "This report is available as application/json, application/x-ndjson, text/csv "
            "or text/html."
        )
    if media in ("jsonl", "csv"):
        return _stream(
            media,
            factory,
            reports_service.prepare_report(
                session,
                org_id=principal.org_id,
                week=week,
                recruiter_external_id=recruiter_external_id,
                now=as_of,
            ),
        )
    report = reports_service.weekly_report(
        session,
        org_id=principal.org_id,
        week=week,
        recruiter_external_id=recruiter_external_id,
        now=as_of,
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


def _stream(media: str, factory: Any, scope: reports_service.ReportScope) -> StreamingResponse:
    """Stream JSON lines or CSV from a transaction of its own (the request's has committed)."""
    headers = {"Vary": "Accept", "Cache-Control": "no-store"}
    if media == "jsonl":
        return StreamingResponse(
            closing_stream(export.stream_jsonl(factory, scope)),
            media_type="application/x-ndjson",
            headers=headers,
        )
    suffix = f"-{scope.recruiter_external_id}" if scope.recruiter_external_id else ""
    filename = _safe(f"followthrough-{scope.week.label}{suffix}.csv")
    headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return StreamingResponse(
        closing_stream(export.stream_csv(factory, scope)),
        media_type="text/csv; charset=utf-8",
        headers=headers,
    )


async def closing_stream(chunks: Generator[str, None, None]) -> AsyncIterator[str]:
    """Iterate a blocking generator in the thread pool, and close it however the response
    ends: a client that goes away mid-stream must not leave its transaction (and pooled
    connection) open until the garbage collector finds the generator."""
    try:
        async for chunk in iterate_in_threadpool(chunks):
            yield chunk
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(chunks.close)


@router.get(
    "/weekly/items",
    response_model=WeeklyReportPageRead,
    responses=problem_responses(400, 401, 403, 404, 422),
)
def get_weekly_report_items(
    session: SessionDep,
    principal: ReadPrincipal,
    as_of: AsOf,
    paging: Annotated[PageParams, Depends(page_params)],
    week: Annotated[
        str | None,
        Query(
            max_length=16,
            description="ISO week as for the whole report (default: the last completed week; "
            "with a cursor: the cursor's)",
            examples=["2026-W47"],
        ),
    ] = None,
    recruiter_external_id: Annotated[
        str | None, Query(max_length=200, description="Only this recruiter's candidates")
    ] = None,
) -> WeeklyReportPageRead:
    """The weekly report's items in cursor pages: the JSON lines export, `limit` at a time.

    Items of every section (`newly_flagged`, `still_flagged`, `recovered`, `waiting_on_us`,
    `no_shows`, `declined`, `next_actions_due`, in that order, each in key order) are listed
    one after another, each named by `section` and shaped as in the whole report. The first
    page carries the `summary` (everything else the report says, totals included); follow
    `next_cursor` until it is null. A cursor keeps the week, recruiter and `as_of` of the first
    page; one that is forged or belongs to another week or recruiter is a 400.
    """
    position = None
    now = as_of
    if paging.cursor is not None:
        timezone = reports_service.org_timezone(session, org_id=principal.org_id)
        week, now, position = export.decode_page_cursor(
            paging.cursor,
            timezone=timezone,
            week=week,
            recruiter_external_id=recruiter_external_id,
        )
    scope = reports_service.prepare_report(
        session,
        org_id=principal.org_id,
        week=week,
        recruiter_external_id=recruiter_external_id,
        now=now,
    )
    return export.page(session, scope, limit=paging.limit, position=position)


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
