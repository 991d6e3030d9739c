"""Where the candidate's application meets the engine: submit (freeze the snapshot and start the
case), withdraw (cancel the case's open tasks through viewflow), the case timeline as the
candidate sees it, and the export of everything held about them.

Services: ``submit_application(application, actor, *, declaration="") -> Snapshot``,
``withdraw_application(application, actor, reason="")``. Selectors: ``case_timeline(case)``,
``next_action(application, case)``, ``submit_summary(application)``; the thread of what the
candidate was told is ``workflows.cases.thread``.
Views (``workflows/cases/urls.py``): submit (the summary and the declaration, then the
submission), withdraw, timeline, export.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from assessments.online_tests import selectors as test_selectors
from evidence.models import Application
from evidence.portfolio import export as evidence_export
from evidence.portfolio import selectors as evidence_selectors
from evidence.portfolio import services as evidence_services
from evidence.portfolio.forms import SubmitForm, WithdrawForm
from rpl.accounts.access import role_required
from rpl.accounts.mail import tell
from rpl.accounts.roles import Role
from rpl.audit import services as audit
from rpl.site import absolute
from workflows.appeals import services as appeals
from workflows.cases import services as case_services
from workflows.cases.thread import thread_of
from workflows.identity import services as identity
from workflows.meetings import services as appointments
from workflows.meetings import views as meeting_views
from workflows.models import Appointment, Case
from workflows.pipelines import schema
from workflows.staffing import stalls
from workflows.staffing.analysis import step_title as title_of

# Services --------------------------------------------------------------------------------------


@transaction.atomic
def submit_application(application: Application, actor, *, declaration: str = ""):
    """Freeze the round being prepared; on the first submission start the case too. Either both
    happen or neither (a ``CaseError`` rolls the snapshot back). ``declaration``: the words the
    candidate declared the work their own with (the submit page requires it), kept in the audit
    trail with the round."""
    case = Case.objects.filter(application=application).first()
    snapshot = evidence_services.freeze(application, actor=actor)
    if declaration:
        audit.record(
            actor=actor,
            action="application.declared",
            target=application,
            changes={
                "round": snapshot.round,
                "declaration": declaration,
                "language": get_language(),
            },
        )
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
# What the candidate does on the current step before anything more is known; the words change
# with the state of the step (``_candidate_part``).
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
MORE_EVIDENCE_TODO = gettext_lazy(
    "The assessors ask for more evidence: read what they ask for on this page, add it and "
    "submit the new round; this step then judges it."
)
TEST_TAKEN_TODO = gettext_lazy(
    "You have finished the test. Nothing for you to do now: its result goes to the next step."
)
# The state of a meeting (interview, observation, video identity check) in the candidate's words.
MEETING_PROPOSED_TODO = gettext_lazy(
    "Times are proposed: choose one below, or ask for other times."
)
OTHER_TIMES_BY_IDENTITY_OFFICER = gettext_lazy(
    "You asked for other times. The identity officer will propose new ones; we will e-mail you."
)
OTHER_TIMES_BY_ASSESSOR = gettext_lazy(
    "You asked for other times. The assessor will propose new ones; we will e-mail you."
)
MEETING_AGREED_TODO = gettext_lazy(
    "Be there on %(time)s (%(place)s). The details and a calendar file are below."
)
MEETING_HELD_TODO = gettext_lazy(
    "The meeting has taken place. Nothing for you to do now: the result goes to the next step."
)
VIDEO_IDENTITY_TODO = gettext_lazy(
    "An identity officer will propose times for the video call; we will e-mail you. Have your "
    "identity document ready for it."
)
IDENTITY_DOCUMENTS_TODO = gettext_lazy(
    "Give photos or scans of your identity document below: an identity officer checks them."
)
IDENTITY_DOCUMENTS_OR_EID_TODO = gettext_lazy(
    "Give photos or scans of your identity document below, or sign in with an electronic ID: "
    "an identity officer checks them."
)
IDENTITY_EID_TODO = gettext_lazy(
    "Sign in with an electronic ID below: an identity officer then records the check."
)
IDENTITY_GIVEN_TODO = gettext_lazy(
    "You have given what the identity officer needs. Nothing more for you to do now: they "
    "check it and the case moves on."
)
STATES = {
    "done": gettext_lazy("Done"),
    "current": gettext_lazy("In progress"),
    "upcoming": gettext_lazy("Still to come"),
    "skipped": gettext_lazy("Not needed"),
    "cancelled": gettext_lazy("Cancelled"),
}
ONLY_IF_NEEDED = gettext_lazy("Only if needed")


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
    # An upcoming step whose ``when`` condition is not decided yet, and what decides it.
    conditional: bool = False
    condition: str = ""

    @property
    def state_label(self):
        if self.conditional:
            return ONLY_IF_NEEDED
        return STATES[self.state]


def case_timeline(case: Case) -> list[TimelineStep]:
    """Each step of the case's plan: its state, who holds it (by role, never by name), the
    deadline of the open task and what the candidate has to do, in words that follow the state
    of the step (a meeting proposed or agreed, documents given, a test taken). An upcoming step
    with a condition not yet decided is marked "only if needed", with the steps that decide it;
    one whose condition is already false is "not needed". Two queries, and one or two more
    when the current step is a test, a meeting or an identity check."""
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
        condition = ""
        if state == "upcoming" and step.when is not None:
            state, condition = _upcoming_condition(case, step)
        deadline = None
        if state == "current" and step.deadline and open_tasks:
            deadline = open_tasks[0].created + timedelta(days=step.deadline.days)
        holder = HOLDERS[step.kind]
        if step.kind == schema.StepKind.DECISION and step.decided_by == schema.DecidedBy.PANEL:
            holder = _("Decision panel")
        line = TimelineStep(
            title=title_of(step),
            kind_label=str(schema.STEP_KIND_LABELS[step.kind]),
            holder=str(holder),
            state=state,
            deadline=deadline,
            conditional=bool(condition),
            condition=condition,
        )
        steps.append(line)
        if state == "current":
            acts = _candidate_part(case, step, line)
            if not acts and open_tasks and stalls.waiting_for_staff(case):
                line.todo = str(WAITING_FOR_STAFF)
    return steps


def _upcoming_condition(case, step) -> tuple[str, str]:
    """An upcoming step with a ``when`` condition: ("upcoming", why it may not be needed) while
    a step it reads has not finished, else "upcoming" or "skipped" as the condition decides."""
    plan = case.plan_model
    read = [plan.step(step_id) for step_id in sorted(schema.condition_steps(step.when))]
    pending = [s for s in read if plan.index_of(s.id) >= case.cursor]
    if not pending:
        return ("upcoming" if schema.evaluate_when(step.when, case.results) else "skipped"), ""
    names = ", ".join(f"“{title_of(s)}”" for s in pending)
    return "upcoming", ngettext(
        "Whether it takes place depends on the result of %(steps)s.",
        "Whether it takes place depends on the results of %(steps)s.",
        len(pending),
    ) % {"steps": names}


def _candidate_part(case, step, line: TimelineStep) -> bool:
    """Fill in the candidate's part of the current step; whether they have something to do."""
    line.todo = str(CANDIDATE_TODO[step.kind])
    if step.kind == schema.StepKind.EVIDENCE_REVIEW:
        if case.data.get("awaiting_evidence") == step.id:
            line.todo = str(MORE_EVIDENCE_TODO)
            if case.application_id:
                line.action_url = reverse("evidence:evidence", args=[case.application_id])
                line.action_label = _("Add evidence")
            return True
        return False
    if step.kind == schema.StepKind.TEST:
        return _online_test_action(case, step, line)
    if appointments.is_meeting_step(step):
        return _meeting_part(case, step, line)
    if step.kind == schema.StepKind.IDENTITY_CHECK:
        return _identity_part(case, step, line)
    return False


def _online_test_action(case, step, line: TimelineStep) -> bool:
    """A test taken online: the candidate's part is the link to it, until it is over."""
    sitting = test_selectors.last_sitting(case, step.id)
    if sitting is None:
        return False
    if sitting.over_at is not None:
        line.todo = str(TEST_TAKEN_TODO)
        return False
    line.todo = _("Take the online test: the link below shows its rules and your attempts.")
    line.action_url = reverse("assessments:sitting", args=[sitting.pk])
    line.action_label = _("Take the test")
    return True


def _meeting_part(case, step, line: TimelineStep) -> bool:
    """An interview, an observation or a video identity check: no times yet, times to choose
    from, other times asked for, a time agreed, or the meeting held."""
    appointment = appointments.appointment_for(case, step.id)
    if appointment is None:
        if step.kind == schema.StepKind.IDENTITY_CHECK:
            line.todo = str(VIDEO_IDENTITY_TODO)
        return False
    if appointment.status == Appointment.Status.PROPOSED:
        line.todo = str(MEETING_PROPOSED_TODO)
        return True
    if appointment.status == Appointment.Status.NEW_TIMES_ASKED:
        line.todo = str(
            OTHER_TIMES_BY_IDENTITY_OFFICER
            if step.kind == schema.StepKind.IDENTITY_CHECK
            else OTHER_TIMES_BY_ASSESSOR
        )
        return False
    if appointment.starts_at > timezone.now():
        line.todo = str(MEETING_AGREED_TODO) % {
            "time": appointments.when(appointment.starts_at),
            "place": appointment.place,
        }
        return True
    line.todo = str(MEETING_HELD_TODO)
    return False


def _identity_part(case, step, line: TimelineStep) -> bool:
    """An identity check without a meeting: documents to give, an electronic ID to sign in
    with, or what was given waiting for the identity officer."""
    documents = identity.accepts_documents(case)
    eid = identity.accepts_eid(case)
    if identity.assertion_of(case) is not None or (documents and identity.live_documents(case)):
        line.todo = str(IDENTITY_GIVEN_TODO)
        return False
    if documents:
        line.todo = str(IDENTITY_DOCUMENTS_OR_EID_TODO if eid else IDENTITY_DOCUMENTS_TODO)
        return True
    if eid:
        line.todo = str(IDENTITY_EID_TODO)
        return True
    return False


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


@dataclass
class SubmitSummary:
    """What the candidate is about to submit: per learning outcome the evidence and the
    self-assessment, and the gaps."""

    rows: list
    items: list
    unmapped: list
    problems: list

    @property
    def covered(self) -> list:
        return [row for row in self.rows if row.covered]

    @property
    def missing(self) -> list:
        return [row for row in self.rows if not row.covered]

    @property
    def not_self_assessed(self) -> list:
        return [row for row in self.rows if not _self_assessed(row)]

    @property
    def self_assessment_empty(self) -> bool:
        return not any(_self_assessed(row) for row in self.rows)


def _self_assessed(row) -> bool:
    answer = row.self_assessment
    return answer is not None and bool(answer.confidence or answer.narrative.strip())


def submit_summary(application: Application) -> SubmitSummary:
    items = evidence_selectors.items_of(application)
    return SubmitSummary(
        rows=evidence_selectors.coverage(application, items),
        items=items,
        unmapped=[item for item in items if not item.mapping.all()],
        problems=evidence_services.missing_before_submit(application),
    )


@require_http_methods(["GET", "POST"])
@candidate_only
def submit(request, pk):
    """The summary of what is about to be frozen, and the declaration; submitting without the
    declaration is refused and nothing changes."""
    application = _own_application(request, pk)
    if not application.is_editable:
        try:
            evidence_services.require_editable(application)
        except evidence_services.ApplicationError as error:
            messages.error(request, str(error))
        return redirect("evidence:matrix", pk=application.pk)
    form = SubmitForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                snapshot = submit_application(
                    application,
                    request.user,
                    declaration=str(form.fields["declaration"].label),
                )
            except evidence_services.ApplicationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "Your application is submitted (round %(round)s). What you sent is "
                        "kept exactly as it is; you can follow each step below."
                    )
                    % {"round": snapshot.round},
                )
                return redirect("case_timeline", pk=application.pk)
    return render(
        request,
        "evidence/submit.html",
        {"application": application, "summary": submit_summary(application), "form": form},
        status=status,
    )


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
    thread = thread_of(case) if case else []
    asked = None
    if application.status == Application.Status.MORE_EVIDENCE:
        asked = next((m for m in thread if m.kind == "evidence_request"), None)
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
            "thread": thread,
            "evidence_request": asked,
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
