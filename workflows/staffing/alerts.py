"""A periodic digest of the cases that wait: without progress, or on a task that needs staff.
(A new task nobody may take is told at once: ``workflows.notifications.tell_unstaffed``.)"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from viewflow.workflow.status import PROCESS

from rpl.accounts.mail import tell
from rpl.accounts.roles import Role
from rpl.site import absolute
from workflows.models import Case
from workflows.staffing.stalls import stalls


def quiet_cases(now=None, days=None) -> list:
    """Open cases with nothing done or started for ``days`` (``WORKFLOW_STALL_DAYS``)."""
    now = now or timezone.now()
    since = now - timedelta(days=days or settings.WORKFLOW_STALL_DAYS)
    cases = Case.objects.filter(status=PROCESS.NEW, created__lt=since).annotate(
        last_start=Max("task__created"), last_end=Max("task__finished")
    )
    quiet = []
    for case in cases.select_related("specification").order_by("pk"):
        last = max(filter(None, [case.created, case.last_start, case.last_end]))
        if last < since:
            case.last_progress = last
            quiet.append(case)
    return quiet


def send_stall_digest(now=None) -> int:
    """E-mail administrators and quality officers the cases without progress and the tasks
    that need staff; returns how many lines it held (0: nothing sent)."""
    now = now or timezone.now()
    quiet = quiet_cases(now)
    stalled = stalls(now=now)
    if not (quiet or stalled):
        return 0
    readers = list(
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name__in=[Role.ADMINISTRATOR.value, Role.QUALITY_OFFICER.value],
        )
        .distinct()
    )

    def compose(reader):
        lines = [
            _("Case %(case)s (“%(credential)s”): no progress since %(date)s.")
            % {
                "case": case.pk,
                "credential": case.specification.title,
                "date": date_format(timezone.localtime(case.last_progress), "DATE_FORMAT"),
            }
            for case in quiet
        ] + [
            _("Case %(case)s, “%(step)s”: %(reason)s")
            % {"case": stall.case.pk, "step": stall.step, "reason": stall.reason}
            for stall in stalled
        ]
        subject = _("Cases that wait: %(count)d") % {"count": len(lines)}
        body = _("Hello,\n\nThese cases wait:\n\n%(lines)s\n\nDetails: %(link)s") % {
            "lines": "\n".join(f"- {line}" for line in lines),
            "link": absolute(reverse("home")),
        }
        return subject, body

    tell(readers, compose)
    return len(quiet) + len(stalled)
