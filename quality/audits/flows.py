"""The audit flow, started from code: start -> review (a quality officer) -> end.

Node names are a stored contract (tasks keep them): renaming one needs a data migration.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from quality.models import AuditCase


class AuditTask(flow.View):
    """A quality officer's task; who may take it is ``services.audit_refusal``."""

    def can_assign(self, user, task):
        # the audit services import this flow (to start it): look them up when called
        from quality.audits.services import audit_refusal

        return task.owner_id is None and audit_refusal(user, task) is None

    def can_unassign(self, user, task):
        return task.owner_id == user.pk


class AuditFlow(flow.Flow):
    process_class = AuditCase
    lock_impl = lock.SelectForUpdateLock(nowait=False)
    process_title = _("Quality audit")

    start = flow.StartHandle(this.start_audit).Next(this.review)
    review = AuditTask(this.review_view).Annotation(title=_("Audit review")).Next(this.end)
    end = flow.End()

    def start_audit(self, activation, *, case, reason, details):
        audit_case = activation.process
        audit_case.audited_case = case
        audit_case.reason = reason
        audit_case.details = details
        return audit_case

    def review_view(self, request, **kwargs):
        # the quality views import this flow (to check its tasks): look them up when called
        from quality.views import review

        return review(request, **kwargs)
