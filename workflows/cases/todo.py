"""The candidate's home: what they have to do next, worked out from the state of each of their
applications and its case, the state each application is in, and the credentials they hold.
Everything is loaded in bulk: the number of queries does not grow with the applications.

Selectors: ``overview_of(candidate) -> Overview`` (all three), ``todo_for(candidate) ->
list[TodoItem]``, ``state_of(application, case) -> State``. It also gives each application
the evidence app lists its state (``evidence.signals.listing_applications``).
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import NamedTuple

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS

from assessments.models import TestSitting
from credentials.issuing.models import IssuedCredential
from evidence.models import Application
from evidence.portfolio.selectors import applications_of
from evidence.signals import listing_applications
from workflows.appeals import services as appeals
from workflows.cases.assessment_words import words_of_test
from workflows.cases.services import evidence_round
from workflows.meetings import services as meetings
from workflows.models import Appointment, Case, IdentityDocument, Outcome, StepResult
from workflows.pipelines import schema

# How long a decision, an appeal's outcome or a new credential stays on the list to be read.
RECENT = timedelta(days=30)


class State(NamedTuple):
    code: str
    label: str


STATE_LABELS = {
    "draft": gettext_lazy("Draft"),
    "submitted": gettext_lazy("Submitted"),
    "in_review": gettext_lazy("In review"),
    "action_needed": gettext_lazy("Action needed"),
    "recognised": gettext_lazy("Recognised"),
    "partly_recognised": gettext_lazy("Partly recognised"),
    "not_recognised": gettext_lazy("Not recognised"),
    "appeal_in_progress": gettext_lazy("Appeal in progress"),
    "withdrawn": gettext_lazy("Withdrawn"),
}
DECIDED = {
    Outcome.FULL: "recognised",
    Outcome.PARTIAL: "partly_recognised",
    Outcome.NONE: "not_recognised",
}


def state_of(application, case, *, needs_you: bool = False, taken: bool = False) -> State:
    """Where ``application`` stands, following its case (None before one starts): ``needs_you``
    when the case waits for the candidate, ``taken`` once someone took one of its tasks. Reads
    the case's appeals (prefetch them for many cases)."""
    if application.status == Application.Status.WITHDRAWN or (
        case is not None and case.status == PROCESS.CANCELED
    ):
        code = "withdrawn"
    elif application.status == Application.Status.DRAFT:
        code = "draft"
    elif application.status == Application.Status.MORE_EVIDENCE or needs_you:
        code = "action_needed"
    elif case is None:
        code = "submitted"
    elif case.status == PROCESS.DONE and case.outcome:
        appeal = next(iter(case.appeals.all()), None)
        code = "appeal_in_progress" if appeal and not appeal.outcome else DECIDED[case.outcome]
    elif taken or case.results:
        code = "in_review"
    else:
        code = "submitted"
    return State(code, str(STATE_LABELS[code]))


@dataclass(frozen=True)
class TodoItem:
    """One thing to do: what (``title``), why, by when (``when``, in words; ``due`` sorts),
    for which micro-credential, and the link (``url``, ``action``) to where it is done; some
    offer a second thing to do there (``second_url``, ``second_action``). ``quote``: the
    assessors' own words, when they asked for something."""

    kind: str
    title: str
    why: str
    url: str
    action: str
    credential: str = ""
    due: datetime | None = None
    when: str = ""
    quote: str = ""
    second_url: str = ""
    second_action: str = ""


# What the candidate must do before their case can move on; the rest they may do.
ACTING = ("evidence", "test", "meeting", "identity")
ORDER = (*ACTING, "appointment", "decision", "submit", "credential", "start")


@dataclass
class Overview:
    todo: list[TodoItem]
    applications: list[Application]  # each carries ``state``, a ``State``
    credentials: list[IssuedCredential]


def overview_of(candidate) -> Overview:
    """What ``candidate`` has to do (soonest deadline first, then what their cases wait for),
    their applications with the state of each, and the credentials they hold."""
    loaded = _Loaded(candidate)
    todo = []
    for application in loaded.applications:
        case = loaded.cases.get(application.pk)
        items = _items(application, case, loaded)
        application.state = state_of(
            application,
            case,
            needs_you=any(item.kind in ACTING for item in items),
            taken=case is not None and case.pk in loaded.taken,
        )
        todo += items
    todo += [_credential_item(credential) for credential in loaded.recent_credentials]
    if all(a.status == Application.Status.WITHDRAWN for a in loaded.applications):
        todo.append(_start_item())
    todo.sort(key=lambda item: (item.due is None, item.due or loaded.now, ORDER.index(item.kind)))
    return Overview(todo=todo, applications=loaded.applications, credentials=loaded.credentials)


@receiver(listing_applications)
def _states_of_listed(sender, candidate, applications, **kwargs) -> None:
    states = {a.pk: a.state for a in overview_of(candidate).applications}
    for application in applications:
        application.state = states.get(application.pk)


def todo_for(candidate) -> list[TodoItem]:
    return overview_of(candidate).todo


# Loading -----------------------------------------------------------------------------------------


class _Loaded:
    """The candidate's applications, cases and what their current steps wait for, in bulk."""

    def __init__(self, candidate):
        self.now = timezone.now()
        self.candidate = candidate
        self.applications = applications_of(candidate)
        cases = (
            Case.objects.filter(application_id__in=[a.pk for a in self.applications])
            .select_related("specification")
            .prefetch_related("appeals")
        )
        self.cases = {case.application_id: case for case in cases}
        running = [case.pk for case in self.cases.values() if case.status == PROCESS.NEW]
        self.sittings = {
            sitting.case_id: sitting
            for sitting in TestSitting.objects.filter(case_id__in=running, over_at__isnull=True)
        }
        self.appointments = {
            (appointment.case_id, appointment.step_id): appointment
            for appointment in Appointment.objects.filter(case_id__in=running)
        }
        self.documented = set(
            IdentityDocument.objects.filter(
                case_id__in=running, deleted_at__isnull=True
            ).values_list("case_id", flat=True)
        )
        self.taken = set(
            Task.objects.filter(
                process_id__in=running, flow_task_type="HUMAN", owner__isnull=False
            ).values_list("process_id", flat=True)
        )
        self.requests = self._evidence_requests()
        self.credentials = list(
            IssuedCredential.objects.filter(learner=candidate)
            .select_related("specification", "organisation")
            .order_by("-issued_at", "-pk")
        )

    def _evidence_requests(self) -> dict[int, list[str]]:
        """What the assessors asked for, per case waiting for more evidence."""
        status = {application.pk: application.status for application in self.applications}
        waiting = {
            case.pk: case
            for application_pk, case in self.cases.items()
            if status[application_pk] == Application.Status.MORE_EVIDENCE
        }
        asked: dict[int, list[str]] = {}
        results = StepResult.objects.filter(case_id__in=waiting, data__has_key="more_evidence")
        for result in results:
            case = waiting[result.case_id]
            step_id = case.data.get("awaiting_evidence")
            if result.step_id == step_id and result.record.round == evidence_round(case, step_id):
                asked.setdefault(case.pk, []).append(result.record.more_evidence)
        return asked

    @property
    def recent_credentials(self) -> list[IssuedCredential]:
        return [
            credential
            for credential in self.credentials
            if credential.state == IssuedCredential.State.ACTIVE
            and not credential.is_expired
            and self.now - credential.issued_at <= RECENT
        ]


# The items -------------------------------------------------------------------------------------


def _items(application, case, loaded: _Loaded) -> list[TodoItem]:
    title = application.specification.title
    if application.status == Application.Status.WITHDRAWN:
        return []
    if application.status == Application.Status.DRAFT:
        return [_submit_item(application, title)]
    if application.status == Application.Status.MORE_EVIDENCE:
        return [_evidence_item(application, title, loaded.requests.get(case.pk if case else None))]
    if case is None:
        return []
    if case.status == PROCESS.NEW:
        return _current_step_items(application, case, title, loaded)
    if case.status == PROCESS.DONE and case.outcome:
        return _decided_items(application, case, title, loaded)
    return []


def _current_step_items(application, case, title, loaded: _Loaded) -> list[TodoItem]:
    step = case.current_step
    if step is None:
        return []
    sitting = loaded.sittings.get(case.pk)
    if sitting is not None and sitting.step_id == step.id:
        return [_test_item(sitting, step, title)]
    appointment = loaded.appointments.get((case.pk, step.id))
    if appointment is not None and meetings.is_meeting_step(step):
        return _meeting_items(application, appointment, step, title, loaded.now)
    if (
        step.kind == schema.StepKind.IDENTITY_CHECK
        and step.method == schema.IdentityMethod.DOCUMENT
        and case.pk not in loaded.documented
    ):
        return [_identity_item(application, title)]
    return []


def _date(moment) -> str:
    return date_format(timezone.localtime(moment), "DATE_FORMAT")


def _start_item() -> TodoItem:
    return TodoItem(
        kind="start",
        title=_("Choose a micro-credential to apply for"),
        why=_(
            "Pick one that matches what you already know and can do. You then describe how you "
            "learned it and add your evidence."
        ),
        url=reverse("credentials:catalogue"),
        action=_("Browse the catalogue"),
    )


def _submit_item(application, title) -> TodoItem:
    return TodoItem(
        kind="submit",
        title=_("Finish and submit your application"),
        why=_("Nothing is assessed until you submit it; until then you can change everything."),
        url=reverse("evidence:application", args=[application.pk]),
        action=_("Continue your application"),
        credential=title,
    )


def _evidence_item(application, title, requests) -> TodoItem:
    return TodoItem(
        kind="evidence",
        title=_("Add the evidence the assessors ask for"),
        why=_("Your case waits for it. Add it, then submit round %(round)s.")
        % {"round": application.round},
        url=reverse("evidence:evidence", args=[application.pk]),
        action=_("Add evidence"),
        credential=title,
        quote="\n\n".join(requests or []),
    )


def _test_item(sitting, step, title) -> TodoItem:
    due = sitting.invited_at + timedelta(days=step.deadline.days) if step.deadline else None
    return TodoItem(
        kind="test",
        title=_("Take your test: %(step)s") % {"step": step.title}
        if step.title
        else _("Take your test"),
        why=words_of_test(
            questions=sitting.questions,
            minutes=sitting.time_limit_minutes,
            pass_mark=sitting.pass_mark_percent,
            attempts=sitting.attempts_allowed,
            supervised=sitting.supervised,
            online=True,
        ),
        url=reverse("assessments:sitting", args=[sitting.pk]),
        action=_("Take the test"),
        credential=title,
        due=due,
        when=_("By %(date)s") % {"date": _date(due)} if due else "",
    )


CHOOSE_TIME = {
    schema.StepKind.INTERVIEW: gettext_lazy("Choose a time for your interview"),
    schema.StepKind.OBSERVATION: gettext_lazy("Choose a time for your observation"),
    schema.StepKind.IDENTITY_CHECK: gettext_lazy("Choose a time for your identity check by video"),
}
ATTEND = {
    schema.StepKind.INTERVIEW: gettext_lazy("Attend your interview"),
    schema.StepKind.OBSERVATION: gettext_lazy("Attend your observation"),
    schema.StepKind.IDENTITY_CHECK: gettext_lazy("Attend your identity check by video"),
}


def _meeting_items(application, appointment, step, title, now) -> list[TodoItem]:
    if appointment.status == Appointment.Status.PROPOSED:
        slots = meetings.slot_times(appointment)
        first = min(slots)
        return [
            TodoItem(
                kind="meeting",
                title=str(CHOOSE_TIME[step.kind]),
                why=ngettext(
                    "A time is proposed: accept it, or ask for another.",
                    "%(count)s times are proposed: choose one, or ask for others.",
                    len(slots),
                )
                % {"count": len(slots)},
                url=reverse("meeting_choose", args=[application.pk]),
                action=_("Choose a time"),
                credential=title,
                due=first,
                when=_("Before %(time)s, the first time proposed") % {"time": meetings.when(first)},
            )
        ]
    if appointment.status == Appointment.Status.CONFIRMED and appointment.starts_at > now:
        return [
            TodoItem(
                kind="appointment",
                title=str(ATTEND[step.kind]),
                why=_("Where: %(place)s. You can add it to your calendar from your case page.")
                % {"place": appointment.place},
                url=reverse("case_timeline", args=[application.pk]),
                action=_("See the details"),
                credential=title,
                due=appointment.starts_at,
                when=_("On %(time)s") % {"time": meetings.when(appointment.starts_at)},
            )
        ]
    return []


def _identity_item(application, title) -> TodoItem:
    return TodoItem(
        kind="identity",
        title=_("Give a scan of your identity document"),
        why=_(
            "An identity officer checks it before your case moves on; the file is deleted once "
            "the check is recorded."
        ),
        url=reverse("identity_documents", args=[application.pk]),
        action=_("Add your identity document"),
        credential=title,
    )


def _decided_items(application, case, title, loaded: _Loaded) -> list[TodoItem]:
    """The decision to read, with the appeal it allows; or the outcome of the appeal."""
    now = loaded.now
    timeline = reverse("case_timeline", args=[application.pk])
    appeal = next(iter(case.appeals.all()), None)
    if appeal is not None:
        if not appeal.outcome or now - appeal.decided_at > RECENT:
            return []
        return [
            TodoItem(
                kind="decision",
                title=_("Read the outcome of your appeal"),
                why=_("%(outcome)s. The reasons are on your case page.")
                % {"outcome": appeal.get_outcome_display()},
                url=timeline,
                action=_("Read the outcome"),
                credential=title,
            )
        ]
    if case.outcome == Outcome.FULL:
        return []  # the credential's own item says it
    why = _("%(outcome)s. The reasons are on your case page.") % {
        "outcome": case.get_outcome_display()
    }
    read = TodoItem(
        kind="decision",
        title=_("Read the decision on your application"),
        why=why,
        url=timeline,
        action=_("Read the decision"),
        credential=title,
    )
    if appeals.appeal_refusal(case, loaded.candidate, now=now) is None:
        deadline = appeals.appeal_deadline(case)
        return [
            replace(
                read,
                why=f"{why} "
                + _(
                    "If you disagree, you may appeal once, with your grounds; people who did not "
                    "handle your case consider it."
                ),
                second_url=reverse("appeal_submit", args=[application.pk]),
                second_action=_("Appeal the decision"),
                due=deadline,
                when=_("Appeal by %(date)s") % {"date": _date(deadline)},
            )
        ]
    return [read] if case.finished and now - case.finished <= RECENT else []


def _credential_item(credential) -> TodoItem:
    return TodoItem(
        kind="credential",
        title=_("Your micro-credential is ready"),
        why=_("Download it, add it to your profile, or share the page where anyone can verify it."),
        url=reverse("issued:ready", args=[credential.public_id]),
        action=_("See your credential"),
        credential=credential.specification.title,
    )
