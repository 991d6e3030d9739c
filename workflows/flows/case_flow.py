"""The one flow that runs every pipeline.

start -> route (switch on the kind of the case's current step) -> one node per kind -> advance
(record the step's measures, move the cursor, then switch like route) -> ... -> decision ->
issue -> end. Scored steps with several assessors fan out to one task per assessor (up to three)
and join before advancing, as a panel's seats do; a step one person does goes to its task
straight. A divergence beyond the pipeline's setting calls in a moderator. Each human task may
carry the step's deadline as a non-interrupting timer that escalates. The routing nodes are
cheap to pass (``workflows.flows.bookkeeping``, decision 0014).

Node names are a stored contract (tasks keep them): renaming one needs a data migration.
"""

from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.flow.nodes import TimerBoundary
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.status import STATUS

from workflows import jobs, signals
from workflows.cases import services as case_services
from workflows.flows.bookkeeping import (
    Call,
    End,
    Meet,
    ProcessLock,
    Route,
    TimerArmActivation,
    new_task,
    store_linked,
)
from workflows.models import Case
from workflows.pipelines.schema import SCORED_KINDS, StepKind
from workflows.work.duties import may_take
from workflows.work.views import StepTaskView


def _deadline(activation):
    step = activation.process.current_step
    if step is None or step.deadline is None:
        return None
    return timedelta(days=step.deadline.days)


class DeadlineBoundary(TimerBoundary):
    """A timer armed only when the case's current step has a deadline."""

    activation_class = TimerArmActivation

    def _arm(self, host_activation):
        if _deadline(host_activation) is not None:
            super()._arm(host_activation)

    def _on_host_finished(self, **signal_kwargs):
        task, case = signal_kwargs["task"], signal_kwargs["process"]
        if task.flow_task != self._attached_to:
            return
        step_id = (task.data or {}).get("step")
        if isinstance(case, Case) and step_id and case.plan_model.step(step_id).deadline is None:
            return  # no timer was armed: nothing to look for
        super()._on_host_finished(**signal_kwargs)


class StepActivation(ViewActivation):
    """Tags the task with its step of the plan in the insert that creates it, and tells when it
    is done (``signals.task_done``)."""

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        # ViewActivation.create, storing the row and its link in one statement (store_linked)
        data = {**(data or {}), **case_services.step_tags(prev_activation.process)}
        task = new_task(flow_task, prev_activation, token, data, seed)
        activation = cls(task)
        owner_permission = flow_task.calc_owner_permission(activation)
        if owner_permission:
            task.owner_permission = owner_permission
            task.owner_permission_obj = flow_task.calc_owner_permission_obj(activation)
        owner = flow_task.calc_owner(activation)
        if owner:
            task.owner = owner
            task.status = STATUS.ASSIGNED
        store_linked(task, prev_activation.task)
        if flow_task._on_create is not None:
            flow_task._on_create(activation)
        return activation

    @Activation.status.super()
    def complete(self):
        super().complete.original()
        signals.task_done.send(sender=Case, case=self.process, task=self.task)


def _announce(activation):
    # Finding the pool and writing an e-mail for each member is the worker's job, not the step's.
    task_pk = activation.task.pk
    transaction.on_commit(lambda: jobs.announce_task.delay(task_pk))


class StepTask(flow.View):
    """A human task on a case step: pooled by object permission, with separation of duties."""

    activation_class = StepActivation

    def __init__(self, **kwargs):
        super().__init__(StepTaskView.as_view(), **kwargs)
        self.onCreate(_announce)

    def WithDeadline(self, then):
        boundary = DeadlineBoundary(None, delay=_deadline, interrupting=False).Next(then)
        self._boundary_specs.append(("deadline", boundary))
        return self

    def can_assign(self, user, task):
        return task.owner_id is None and may_take(user, task)

    def can_unassign(self, user, task):
        return task.owner_id == user.pk


def _kind(*kinds):
    return lambda activation: activation.process.current_step.kind in kinds


# A step one person does goes to its task straight; its join (``Meet``) then lets it through.
def _one_assessor(activation):
    return _kind(*SCORED_KINDS)(activation) and case_services.assessors(activation) == 1


def _panel_of_one(activation):
    return case_services.panel_size(activation) == 1


def _panel_of(size):
    return lambda activation: case_services.panel_size(activation) >= size


def _to_current_step(switch):
    """The cases of ``switch`` that send the case to the task of its current step."""
    return (
        switch.Case(this.identity_check, _kind(StepKind.IDENTITY_CHECK))
        .Case(this.assess_1, _one_assessor)
        .Case(this.assess_split, _kind(*SCORED_KINDS))
        .Case(this.invite_test, case_services.has_online_test)
        .Case(this.test, _kind(StepKind.TEST))
        .Case(this.decision, _panel_of_one)
        .Default(this.decision_split)
    )


def _moderation(activation):
    return activation.process.data.get("moderation")


def _awaiting_evidence(activation):
    return activation.process.data.get("awaiting_evidence")


def _decision_seat(title):
    return StepTask().Annotation(title=title).WithDeadline(this.escalate).Next(this.decision_join)


class CaseFlow(flow.Flow):
    process_class = Case
    lock_impl = ProcessLock()
    process_title = _("Recognition case")

    start = flow.StartHandle(this.start_case).Next(this.route)

    route = _to_current_step(Route())

    identity_check = (
        StepTask()
        .Annotation(title=_("Identity check"))
        .WithDeadline(this.escalate)
        .Next(this.advance)
    )

    assess_split = (
        flow.Split()
        .Next(this.assess_1)
        .Next(this.assess_2, case=lambda activation: case_services.assessors(activation) >= 2)
        .Next(this.assess_3, case=lambda activation: case_services.assessors(activation) >= 3)
    )
    assess_1 = (
        StepTask()
        .Annotation(title=_("Assessment"))
        .WithDeadline(this.escalate)
        .Next(this.assess_join)
    )
    assess_2 = (
        StepTask()
        .Annotation(title=_("Second assessment"))
        .WithDeadline(this.escalate)
        .Next(this.assess_join)
    )
    assess_3 = (
        StepTask()
        .Annotation(title=_("Third assessment"))
        .WithDeadline(this.escalate)
        .Next(this.assess_join)
    )
    assess_join = Meet().Next(this.advance)

    moderate = (
        StepTask().Annotation(title=_("Moderation")).WithDeadline(this.escalate).Next(this.advance)
    )

    # A test whose question bank is ready runs online: the candidate is e-mailed a link, and the
    # handle runs when the test is over (assessments.signals.test_over). Short answers are then
    # marked on the ``test`` task, which otherwise records the result of a test taken elsewhere.
    invite_test = Call(this.invite_to_test).Next(this.sit_test)
    sit_test = (
        flow.Handle(this.test_finished).Annotation(title=_("Online test")).Next(this.after_test)
    )
    after_test = (
        Route().Case(this.test, case_services.online_test_needs_marking).Default(this.advance)
    )
    test = (
        StepTask().Annotation(title=_("Test result")).WithDeadline(this.escalate).Next(this.advance)
    )

    # The end of a step: record its measures, move the cursor, then go where the case goes next.
    advance = _to_current_step(
        Route(this.advance_case)
        .Case(this.moderate, _moderation)
        .Case(this.await_evidence, _awaiting_evidence)
    )
    # Cases passed ``advance`` (then a function) through here before decision 0014; kept for the
    # tasks stored then (node names are a stored contract). New cases do not come here.
    after_step = (
        Route()
        .Case(this.moderate, _moderation)
        .Case(this.await_evidence, _awaiting_evidence)
        .Default(this.route)
    )
    # The candidate adds a new round of evidence; resubmitting runs this handle.
    await_evidence = (
        flow.Handle(this.evidence_arrived)
        .Annotation(title=_("Waiting for more evidence"))
        .Next(this.route)
    )

    # A decision maker decides; a panel has one seat per member (``decision`` is the first).
    decision_split = (
        flow.Split()
        .Next(this.decision)
        .Next(this.panel_2, case=_panel_of(2))
        .Next(this.panel_3, case=_panel_of(3))
        .Next(this.panel_4, case=_panel_of(4))
        .Next(this.panel_5, case=_panel_of(5))
    )
    decision = _decision_seat(_("Decision"))
    panel_2 = _decision_seat(_("Panel decision"))
    panel_3 = _decision_seat(_("Panel decision"))
    panel_4 = _decision_seat(_("Panel decision"))
    panel_5 = _decision_seat(_("Panel decision"))
    decision_join = Meet().Next(this.settle)
    settle = Call(this.settle_decision).Next(this.decided)
    decided = (
        Route()
        .Case(this.issue, lambda activation: activation.process.outcome == "full")
        .Default(this.end)
    )
    issue = Call(this.issue_credential).Next(this.end)
    end = End()

    escalate = flow.Function(this.escalate_deadline).Next(this.escalated)
    escalated = End()

    def start_case(self, activation, **kwargs):
        return case_services.init_case(activation, **kwargs)

    def advance_case(self, activation):
        case_services.advance(activation)

    def evidence_arrived(self, activation, **kwargs):
        case_services.evidence_arrived(activation)

    def invite_to_test(self, activation):
        case_services.invite_to_test(activation)

    def test_finished(self, activation, **kwargs):
        case_services.online_test_finished(activation)

    def settle_decision(self, activation):
        case_services.settle_panel(activation)

    def issue_credential(self, activation):
        case_services.on_full_recognition(activation)

    def escalate_deadline(self, activation):
        case_services.escalate(activation)
