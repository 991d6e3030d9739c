"""The appeal flow, started from code when a candidate appeals a decision:

start -> review (an assessor who did not assess the case recommends) -> decide (a decision maker
who neither decided the case nor reviewed the appeal) -> issue the credential when the decision
is overturned to full recognition -> end.

The nodes stay thin and call ``workflows.appeals.services``. Node names are a stored contract.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows.appeals import services as appeals
from workflows.appeals.views import AppealTaskView
from workflows.flows.bookkeeping import Call, End, ProcessLock, Route
from workflows.models import Appeal, Outcome


class AppealTask(flow.View):
    """A human task on an appeal: pooled by object permission, with separation of duties that is
    checked again when the task is done, not only when it is taken."""

    def __init__(self, **kwargs):
        super().__init__(AppealTaskView.as_view(), **kwargs)

    def can_assign(self, user, task):
        return task.owner_id is None and appeals.may_take(user, task)

    def can_unassign(self, user, task):
        return task.owner_id == user.pk

    def can_execute(self, user, task):
        return task.owner_id == user.pk and appeals.may_take(user, task)


class AppealFlow(flow.Flow):
    process_class = Appeal
    lock_impl = ProcessLock()
    process_title = _("Appeal")

    start = flow.StartHandle(this.start_appeal).Next(this.review)
    review = AppealTask().Annotation(title=_("Appeal review")).Next(this.decide)
    decide = AppealTask().Annotation(title=_("Appeal decision")).Next(this.decided)
    decided = (
        Route()
        .Case(this.issue, lambda activation: activation.process.new_outcome == Outcome.FULL)
        .Default(this.end)
    )
    issue = Call(this.issue_credential).Next(this.end)
    end = End()

    def start_appeal(self, activation, **kwargs):
        return appeals.init_appeal(activation, **kwargs)

    def issue_credential(self, activation):
        appeals.issue_after_appeal(activation)
