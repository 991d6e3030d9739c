"""Where the candidate's application meets the engine: submit (freeze the snapshot and start the
case), withdraw (cancel the case's open tasks through viewflow), the case timeline as the
candidate sees it, and the export of everything held about them.

Services: ``submit_application(application, actor) -> Snapshot``,
``withdraw_application(application, actor, reason="")``. Selector: ``case_timeline(case)``.
Views (``workflows/application_urls.py``): submit, withdraw, timeline, export.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from assessments.online_tests import selectors as test_selectors
from evidence.models import Application
from evidence.portfolio import export as evidence_export
from evidence.portfolio import selectors as evidence_selectors
from evidence.portfolio import services as evidence_services
from evidence.portfolio.forms import WithdrawForm
from rpl.accounts.access import role_required
from rpl.accounts.mail import tell
from rpl.accounts.roles import Role
from rpl.audit import services as audit
from rpl.site import absolute
from workflows.appeals import services as appeals
from workflows.cases import services as case_services
from workflows.identity import services as identity
from workflows.meetings import views as meeting_views
from workflows.models import Case
from workflows.pipelines import schema
from workflows.staffing import stalls

# Services --------------------------------------------------------------------------------------


@transaction.atomic
def submit_application(application: Application, actor):
    """Freeze the round being prepared; on the first submission start the case too. Either both
    happen or neither (a ``CaseError`` rolls the snapshot back)."""
    case = Case.objects.filter(application=application).first()
    snapshot = evidence_services.freeze(application, actor=actor)
    if case is None:
        try:
            case = case_services.start_case(
                candidate=application.candidate,
                specification=application.specification,
                actor=actor,
            )
        except case_services.CaseError as error:
            raise evidence_services.ApplicationError(str(error)) from error
        case.application = application
        case.save(update_fields=["application"])
    else:
        audit.record(
            actor=actor,
            action="case.evidence_resubmitted",
            target=case,
            changes={"round": snapshot.round, "snapshot": snapshot.digest},
        )
        _resume(case)
    candidate = application.candidate
    tell(
        [candidate],
        lambda reader: (
            _("We have received your application"),
            _(
                "Hello %(candidate)s,\n\nWe have received your evidence for “%(credential)s” "
                "(round %(round)s). You can follow every step of your case here: %(link)s\n\n"
                "We will e-mail you whenever something needs you."
            )
            % {
                "candidate": reader.get_short_name(),
                "credential": application.specification.title,
                "round": snapshot.round,
                "link": absolute(reverse("case_timeline", args=[application.pk])),
            },
        ),
    )
    return snapshot


def _resume(case) -> None:
    """Hand the new round to the step that asked for it."""
    node = case.flow_class.await_evidence
    waiting = case.task_set.filter(flow_task=node, status=STATUS.NEW).first()
    if waiting is not None:
        node.run(waiting)


@transaction.atomic
def withdraw_application(application: Application, actor, reason: str = "") -> None:
    evidence_services.withdraw(application, actor=actor, reason=reason)
    case = Case.objects.filter(application=application).first()
    if case is not None and case.status == PROCESS.NEW:
        open_tasks = list(
            case.task_set.exclude(status__in=[STATUS.DONE, STATUS.CANCELED]).values_list(
                "pk", flat=True
            )
        )
        case.flow_class.instance.cancel(case)
        identity.retire_documents(case, actor=actor, reason="withdrawn by the candidate")
        audit.record(
            actor=actor,
            action="case.cancelled",
            target=case,
            changes={"reason": "withdrawn by the candidate", "cancelled_tasks": open_tasks},
        )


# The timeline ----------------------------------------------------------------------------------

HOLDERS = {
    schema.StepKind.IDENTITY_CHECK: gettext_lazy("Identity officer"),
    schema.StepKind.EVIDENCE_REVIEW: gettext_lazy("Assessor"),
    schema.StepKind.TEST: gettext_lazy("Assessor"),
    schema.StepKind.INTERVIEW: gettext_lazy("Assessor"),
    schema.StepKind.OBSERVATION: gettext_lazy("Assessor"),
    schema.StepKind.DECISION: gettext_lazy("Decision maker"),
}
CANDIDATE_TODO = {
    schema.StepKind.IDENTITY_CHECK: gettext_lazy(
        "Have an identity document ready: an identity officer will contact you by e-mail."
    ),
    schema.StepKind.EVIDENCE_REVIEW: gettext_lazy(
        "Nothing for now: assessors are reviewing your evidence. If they need more, we will "
        "e-mail you."
    ),
    schema.StepKind.TEST: gettext_lazy("We will e-mail you how and when to take the test."),
    schema.StepKind.INTERVIEW: gettext_lazy("We will e-mail you to arrange the interview."),
    schema.StepKind.OBSERVATION: gettext_lazy(
        "We will e-mail you to arrange when an assessor observes your work."
    ),
    schema.StepKind.DECISION: gettext_lazy(
        "Nothing for now: the decision is being made; we will e-mail you the result."
    ),
}
WAITING_FOR_STAFF = gettext_lazy(
    "Nothing for you to do now. This step waits for the institution to find someone who may "
    "take it; they have been told, and the case moves on as soon as someone does."
)
STATES = {
    "done": gettext_lazy("Done"),
    "current": gettext_lazy("In progress"),
    "upcoming": gettext_lazy("Still to come"),
    "skipped": gettext_lazy("Not needed"),
    "cancelled": gettext_lazy("Cancelled"),
}


@dataclass
class TimelineStep:
    title: str
    kind_label: str
    holder: str
    state: str
    deadline: object = None
    todo: str = ""
    action_url: str = ""
    action_label: str = ""

    @property
    def state_label(self):
        return STATES[self.state]


def case_timeline(case: Case) -> list[TimelineStep]:
    """Each step of the case's plan: its state, who holds it (by role, never by name), the
    deadline of the open task and what the candidate has to do. Two queries, three on an online
    test."""
    plan = case.plan_model
    open_tasks = list(
        Task.objects.filter(process=case, flow_task_type="HUMAN", finished__isnull=True).order_by(
            "created"
        )
    )
    finished = case.status != PROCESS.NEW
    moderating = not finished and case.data.get("moderation")
    steps = []
    for index, step in enumerate(plan.steps):
        if case.status == PROCESS.CANCELED and index >= case.cursor:
            state = "cancelled"
        elif moderating and index == case.cursor:
            state = "current"
        elif step.id in case.results or (finished and index == case.cursor):
            state = "done"
        elif index < case.cursor or finished:
            state = "skipped"
        elif index == case.cursor:
            state = "current"
        else:
            state = "upcoming"
        deadline = None
        if state == "current" and step.deadline and open_tasks:
            deadline = open_tasks[0].created + timedelta(days=step.deadline.days)
        holder = HOLDERS[step.kind]
        if step.kind == schema.StepKind.DECISION and step.decided_by == schema.DecidedBy.PANEL:
            holder = _("Decision panel")
        steps.append(
            TimelineStep(
                title=step.title.text() if step.title else str(schema.STEP_KIND_LABELS[step.kind]),
                kind_label=str(schema.STEP_KIND_LABELS[step.kind]),
                holder=str(holder),
                state=state,
                deadline=deadline,
                todo=str(CANDIDATE_TODO[step.kind]) if state == "current" else "",
            )
        )
        if state == "current" and step.kind == schema.StepKind.TEST:
            _online_test_action(case, step, steps[-1])
        if state == "current" and open_tasks and stalls.waiting_for_staff(case):
            steps[-1].todo = str(WAITING_FOR_STAFF)
    return steps


def _online_test_action(case, step, line: TimelineStep) -> None:
    """A test taken online: the candidate's part is the link to it."""
    sitting = test_selectors.open_sitting(case, step.id)
    if sitting is not None:
        line.todo = _("Take the online test: the link below shows its rules and your attempts.")
        line.action_url = reverse("assessments:sitting", args=[sitting.pk])
        line.action_label = _("Take the test")


def next_action(application: Application, case: Case | None) -> str:
    if application.status == Application.Status.WITHDRAWN:
        return _("Nothing: you withdrew this application.")
    if application.status == Application.Status.MORE_EVIDENCE:
        return _("The assessors ask for more evidence: add it and submit round %(n)s.") % {
            "n": application.round
        }
    if application.status == Application.Status.DRAFT:
        return _("Finish your self-assessment and evidence, then submit your application.")
    if case is None:
        return ""
    if case.status == PROCESS.DONE:
        return appeals.candidate_next_action(case) or _("Your case is decided: %(outcome)s.") % {
            "outcome": case.get_outcome_display()
        }
    current = next((s for s in case_timeline(case) if s.state == "current"), None)
    return current.todo if current else ""


# Views -----------------------------------------------------------------------------------------

candidate_only = role_required(Role.CANDIDATE)


def _own_application(request, pk) -> Application:
    try:
        return evidence_selectors.application_of(request.user, pk)
    except Application.DoesNotExist:
        raise Http404 from None


@require_POST
@candidate_only
def submit(request, pk):
    application = _own_application(request, pk)
    try:
        snapshot = submit_application(application, request.user)
    except evidence_services.ApplicationError as error:
        messages.error(request, str(error))
        return redirect("evidence:matrix", pk=application.pk)
    messages.success(
        request,
        _(
            "Your application is submitted (round %(round)s). What you sent is kept exactly as "
            "it is; you can follow each step below."
        )
        % {"round": snapshot.round},
    )
    return redirect("case_timeline", pk=application.pk)


@require_http_methods(["GET", "POST"])
@candidate_only
def withdraw(request, pk):
    application = _own_application(request, pk)
    if application.status == Application.Status.WITHDRAWN:
        messages.error(request, _("This application was already withdrawn."))
        return redirect("evidence:application", pk=application.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            withdraw_application(application, request.user, form.cleaned_data["reason"])
        except evidence_services.ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your application is withdrawn."))
            return redirect("evidence:application", pk=application.pk)
    return render(request, "evidence/withdraw.html", {"application": application, "form": form})


@candidate_only
def timeline(request, pk):
    application = _own_application(request, pk)
    case = Case.objects.filter(application=application).first()
    return render(
        request,
        "evidence/case_timeline.html",
        {
            "application": application,
            "case": case,
            "steps": case_timeline(case) if case else [],
            "next_action": next_action(application, case),
            "appeal_panel": appeals.candidate_view(case, request.user),
            "meetings": meeting_views.timeline_parts(case),
        },
    )


def _cases_export(user) -> list[dict]:
    return [
        {
            "case": case.pk,
            "application": case.application_id,
            "specification": case.specification.slug,
            "started": case.created,
            "status": case.status,
            "outcome": case.outcome,
            "recognised_outcomes": case.recognised_outcomes,
            "steps": [
                {"title": s.title, "kind": s.kind_label, "state": s.state, "holder": s.holder}
                for s in case_timeline(case)
            ],
            "results": case.results,
        }
        for case in Case.objects.filter(candidate=user).select_related("specification")
    ]


@candidate_only
def export(request):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    chunks = evidence_export.archive_chunks(
        request.user, extra={"cases.json": _cases_export(request.user)}
    )
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.zip"'
    response["Cache-Control"] = "no-store"
    audit.record(actor=request.user, action="candidate.data_exported", target=request.user)
    return response
