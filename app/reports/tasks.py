"""The weekly report mail as a periodic task (instead of an external cron).

Every hour on Mondays (UTC) each organisation's last completed week goes to its recruiters;
sending is once per recruiter and week (recorded), so repeated ticks, several workers and
organisations whose week ends later in the day are all fine. Without `SMTP_URL` it is off.
"""

from app.core.db import transaction
from app.core.logging import get_logger
from app.core.queue import session_factory, tasks
from app.core.settings import get_settings
from app.orgs import repository as orgs_repository
from app.reports.send import send_weekly_reports

log = get_logger("followthrough.reports")


@tasks.periodic(cron="5 * * * 1", periodic_id="weekly_report_send")
@tasks.task(name="weekly_report_send", queueing_lock="weekly_report_send")
def weekly_report_send(timestamp: int) -> int:
    """Send every organisation's weekly report mails that have not gone out yet."""
    settings = get_settings()
    if not settings.smtp_url:
        return 0
    factory = session_factory()
    with transaction(factory) as session:
        org_ids = [o.id for o in orgs_repository.list_organisations(session)]
    sent = 0
    for org_id in org_ids:
        try:
            _, outcomes = send_weekly_reports(
                factory,
                org_id=org_id,
                week=None,
                smtp_url=settings.smtp_url,
                mail_from=settings.mail_from,
                base_url=settings.base_url,
            )
        except Exception:  # one organisation's failure does not stop the others
            log.exception("weekly_report_send_failed", org_id=org_id)
            continue
        sent += sum(1 for o in outcomes if o.status == "sent")
    return sent
