"""Appeal pages: the candidate appeals a decision; staff take, give back and do appeal tasks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from viewflow.workflow.flow.utils import wrap_view
from viewflow.workflow.models import Task

from evidence.models import Application
from evidence.portfolio import selectors as evidence_selectors
from evidence.snapshots import selectors as portfolio
from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from workflows.appeals import services as appeals
from workflows.appeals.forms import AppealDecisionForm, AppealForm, AppealReviewForm
from workflows.cases import selectors as case_selectors
from workflows.cases import services as case_services
from workflows.models import Case
from workflows.work import declarations
from workflows.work import taking as task_actions
from workflows.work import views as task_views
from workflows.work.duties import OPEN

APPEAL_WORKERS = (Role.ASSESSOR, Role.DECISION_MAKER)


# The candidate ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(Role.CANDIDATE)
def submit(request, pk):
    try:
        application = evidence_selectors.application_of(request.user, pk)
    except Application.DoesNotExist:
        raise Http404 from None
    case = Case.objects.filter(application=application).select_related("specification").first()
    if case is None:
        raise Http404
    refusal = appeals.appeal_refusal(case, request.user)
    form = AppealForm(request.POST if request.method == "POST" and not refusal else None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            appeals.submit_appeal(
                case, candidate=request.user, grounds=form.cleaned_data["grounds"]
            )
        except appeals.AppealError as error:
            refusal = str(error)
        else:
            messages.success(
                request,
                _("Your appeal is submitted. We will e-mail you the outcome and its reasons."),
            )
            return redirect("case_timeline", pk=application.pk)
    status = 200
    if request.method == "POST":
        status = 403 if refusal else 400
    return render(
        request,
        "workflows/appeal_form.html",
        {
            "application": application,
            "case": case,
            "form": form,
            "refusal": refusal,
            "deadline": appeals.appeal_deadline(case),
            "decision": case_services.decision_of(case),
        },
        status=status,
    )


# Staff ------------------------------------------------------------------------------------------


def _appeal_task(process_pk, task_pk):
    # the flow's AppealTask nodes are built on AppealTaskView below: look them up when called
    from workflows.flows.appeal_flow import AppealFlow, AppealTask

    task = get_object_or_404(Task, pk=task_pk, process_id=process_pk)
    if task.process.flow_class is not AppealFlow or not isinstance(task.flow_task, AppealTask):
        raise Http404
    return task


@require_POST
@role_required(*APPEAL_WORKERS)
def take(request, process_pk, task_pk):
    task = _appeal_task(process_pk, task_pk)
    reason = task_actions.take(
        task,
        request.user,
        refusal=appeals.refusal,
        action="appeal.task_taken",
        target=task.coerced_process,
        changes={"task": task.flow_task.name},
    )
    if reason:
        messages.error(request, reason)
        return redirect("work_inbox")
    messages.success(request, _("The task is yours."))
    return redirect("appeal_task", process_pk=process_pk, task_pk=task_pk)


@require_POST
@role_required(*APPEAL_WORKERS)
def release(request, process_pk, task_pk):
    task = _appeal_task(process_pk, task_pk)
    task_actions.release(
        task,
        request.user,
        action="appeal.task_released",
        target=task.coerced_process,
        changes={"task": task.flow_task.name},
    )
    messages.success(request, _("The task is back in the pool."))
    return redirect("work_inbox")


@login_required
def task(request, process_pk, task_pk):
    """Do an appeal task: viewflow's wrapper locks the appeal, checks the holder (and, through
    ``AppealTask.can_execute``, the separation of duties) and starts the task. A task the user
    does not hold opens read-only."""
    task = _appeal_task(process_pk, task_pk)
    if request.method == "GET" and not task_views.holds(request.user, task):
        return _task_state(request, task)
    flow_task = task.flow_task
    return wrap_view(flow_task, flow_task.view)(request, process_pk=process_pk, task_pk=task_pk)


def _task_state(request, task):
    appeal = task.coerced_process
    return task_views.task_state_page(
        request,
        task,
        case=appeal.appealed_case,
        roles=APPEAL_WORKERS,
        refusal=appeals.refusal,
        step_title=_("Appeal"),
        take_url=reverse("appeal_take", args=[appeal.pk, task.pk]),
        recorded={"outcomes": [], "facts": _recorded_facts(appeal, task.flow_task.name)},
    )


def _recorded_facts(appeal, node) -> list[tuple[str, str]]:
    """What the reviewer or the decision maker of ``appeal`` recorded."""
    if node == "review":
        return [
            (_("Your recommendation"), appeal.recommendation_label),
            (_("Reasons"), appeal.review.get("reasons", "")),
        ]
    facts = [(_("Decision on the appeal"), appeal.get_outcome_display())]
    if appeal.new_outcome:
        facts.append((_("New decision"), appeal.get_new_outcome_display()))
    return [*facts, (_("Reasons"), appeal.reasons)]


@never_cache
@role_required(*APPEAL_WORKERS)
def evidence_file(request, process_pk, task_pk, item_pk):
    """A submitted file of the appealed case, to the holder of an open task of the appeal."""
    task = _appeal_task(process_pk, task_pk)
    if task.owner_id != request.user.pk or task.status not in OPEN:
        raise PermissionDenied
    if not appeals.may_take(request.user, task):
        raise PermissionDenied
    if not declarations.has_declared(task.coerced_process.appealed_case, request.user):
        raise PermissionDenied
    item = portfolio.frozen_file(task.coerced_process.appealed_case, item_pk)
    if item is None:
        raise Http404
    return portfolio.file_response(item, preview="preview" in request.GET)


@require_POST
@role_required(*APPEAL_WORKERS)
def declare(request, process_pk, task_pk):
    task = _appeal_task(process_pk, task_pk)
    return task_views.handle_declaration(
        request,
        task,
        case=task.coerced_process.appealed_case,
        declare_url=reverse("appeal_declare", args=[process_pk, task_pk]),
        task_url=reverse("appeal_task", args=[process_pk, task_pk]),
    )


class AppealTaskView(View):
    """The execute view of both appeal tasks: the review and the decision."""

    def _form(self, request, appeal, case, node):
        data = request.POST if request.method == "POST" else None
        if node == "review":
            return AppealReviewForm(data)
        step = appeals.decision_step(case)
        return AppealDecisionForm(
            data,
            case=case,
            outcomes=case.specification.outcomes.order_by("position"),
            partial_allowed=bool(step and step.partial_recognition),
        )

    def dispatch(self, request, *args, **kwargs):
        activation = request.activation
        appeal = activation.process
        case = appeal.appealed_case
        node = activation.flow_task.name
        if not declarations.has_declared(case, request.user):
            return task_views.declaration_page(
                request,
                case=case,
                task=activation.task,
                declare_url=reverse("appeal_declare", args=[appeal.pk, activation.task.pk]),
                status=400 if request.method == "POST" else 200,
            )
        form = self._form(request, appeal, case, node)
        if request.method == "POST" and form.is_valid():
            if node == "review":
                appeals.record_review(activation, actor=request.user, **form.to_data())
            else:
                appeals.record_decision(activation, actor=request.user, data=form.to_data())
            messages.success(request, _("Recorded. The appeal moves on."))
            return redirect("work_inbox")
        outcomes = {str(o.pk): o for o in case.specification.outcomes.order_by("position")}
        return render(
            request,
            "workflows/appeal_task.html",
            {
                "appeal": appeal,
                "case": case,
                "node": node,
                "task": activation.task,
                "form": form,
                "decision": case_services.decision_of(case),
                "recognised": [outcomes[pk] for pk in case.recognised_outcomes if pk in outcomes],
                "results": case_selectors.result_lines(case_selectors.case_results(case), case),
                "portfolio": portfolio.portfolio_of(case),
            },
            status=400 if request.method == "POST" else 200,
        )
