"""Doing a case task, for the work pages and the API alike: taking it and giving it back, what
its holder may see of the case, the form its step asks for, and recording a valid one under the
same rules."""

from django.http import Http404, QueryDict
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from assessments.online_tests.forms import MarkingForm
from workflows.cases import selectors as case_selectors
from workflows.cases import services as case_services
from workflows.identity import services as identity
from workflows.meetings import services as appointments
from workflows.models import StepResult
from workflows.work import declarations
from workflows.work import taking as task_actions
from workflows.work.duties import ASSESS_NODES, DECISION_NODES, refusal
from workflows.work.forms import DecisionForm, IdentityResultForm, ScoreSheetForm, TestResultForm


def case_task(task_pk, process_pk=None) -> Task:
    """A person's task of the case flow (not an appeal's or an audit's), or ``Http404``."""
    # the flow's StepTask nodes are built on StepTaskView, which calls this: look up when called
    from workflows.flows.case_flow import CaseFlow, StepTask

    tasks = Task.objects.select_related("process__case__specification")
    if process_pk is not None:
        tasks = tasks.filter(process_id=process_pk)
    task = tasks.filter(pk=task_pk, process__flow_class=CaseFlow).first()
    if task is None or not isinstance(task.flow_task, StepTask):
        raise Http404
    return task


def take(task, user) -> str | None:
    """Give the pooled ``task`` to ``user``; returns why not (taken, or a separation of duties)."""
    return task_actions.take(
        task,
        user,
        refusal=refusal,
        action="case.task_taken",
        target=task.coerced_process,
        changes={"task": task.flow_task.name, "step": (task.data or {}).get("step")},
    )


def release(task, user) -> None:
    """Give ``task`` back to its pool; only its holder may (``PermissionDenied`` otherwise)."""
    task_actions.release(
        task,
        user,
        action="case.task_released",
        target=task.coerced_process,
        changes={"task": task.flow_task.name},
    )


def form_for(case, step, node, data=None):
    """The form of the task ``node`` on ``case``'s current ``step``, bound to ``data`` if given."""
    outcomes = case.specification.outcomes.order_by("position")
    if node == "identity_check":
        return IdentityResultForm(data, step=step, assertion=identity.assertion_of(case))
    if node == "test":
        attempt = case_services.attempt_to_mark(case, step)
        return MarkingForm(data, attempt=attempt) if attempt else TestResultForm(data)
    if node in DECISION_NODES:
        return DecisionForm(data, outcomes=outcomes, partial_allowed=step.partial_recognition)
    requests_left = case_services.evidence_requests_left(case, step) if node in ASSESS_NODES else 0
    return ScoreSheetForm(data, outcomes=outcomes, step=step, evidence_requests_left=requests_left)


def visible_results(case, step, node) -> list:
    """What was recorded in the case that the holder of ``node`` may see: in blind marking an
    assessor sees no other assessor's sheet, and a panel member never sees another's vote."""
    results = case_selectors.case_results(case)
    if node in ASSESS_NODES and getattr(step, "blind", False):
        hidden = StepResult.Role.ASSESSOR
    elif node in DECISION_NODES:
        hidden = StepResult.Role.DECISION_MAKER
    else:
        return results
    return [r for r in results if not (r.step_id == step.id and r.role == hidden)]


def record(activation, user, form) -> str | None:
    """Record the valid ``form`` on the started ``activation`` (the case moves on), or say why
    the step does not take it yet (an interview before its agreed time)."""
    case = activation.process
    too_early = appointments.score_refusal(case, case.current_step, activation.flow_task.name)
    if too_early:
        return too_early
    _complete(activation, user, form)
    return None


def _complete(activation, user, form) -> None:
    case_services.complete(activation, actor=user, data=form.to_data())


def posted(values: dict) -> QueryDict:
    """Field values as the step's page would post them (a box left unticked is absent)."""
    data = QueryDict(mutable=True)
    for name, value in values.items():
        if isinstance(value, list):
            data.setlist(name, value)
        elif value is True:
            data[name] = "on"
        elif value is not False:
            data[name] = str(value)
    return data


class TaskNotDone(Exception):
    """A rule refused the task to a person, or the values of its form are not valid (``form``
    then holds the errors); the message says why."""

    def __init__(self, message, form=None):
        super().__init__(message)
        self.form = form


def complete_task(task, person, values: dict) -> None:
    """Do the pooled ``task`` as ``person`` from start to end, as the work pages do it: take it
    (unless they hold it), declare no conflict of interest in its case (unless they have), then
    fill in the step's form with ``values`` (its fields, see ``posted``) and record it; the case
    moves on. For scripted runs (the demo, benchmarks, tests): a step scored at a meeting is
    recorded as if the meeting had taken place. Raises ``TaskNotDone``."""
    task_actions.reload(task)
    if not (task.owner_id == person.pk and task.status == STATUS.ASSIGNED):
        reason = take(task, person)
        if reason:
            raise TaskNotDone(reason)
    if not declarations.has_declared(task.coerced_process, person):
        try:
            declarations.declare(task=task, person=person, has_conflict=False)
        except declarations.DeclarationError as error:
            raise TaskNotDone(str(error)) from error
    with task.flow_task.flow_class.lock(task.process_id):
        task_actions.reload(task, "specification")
        activation = task.flow_task.activation_class(task)
        activation.start(None)
        case = activation.process
        form = form_for(case, case.current_step, task.flow_task.name, posted(values))
        if not form.is_valid():
            raise TaskNotDone(form.errors.as_text(), form=form)
        _complete(activation, person, form)
