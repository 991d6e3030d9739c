"""The work pages: an inbox per person, taking a task, and doing it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from viewflow.workflow.flow.utils import wrap_view
from viewflow.workflow.models import Task

from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from rpl.audit import services as audit
from workflows import case_selectors, case_services
from workflows.duties import ASSESS_NODES, refusal
from workflows.models import StepResult
from workflows.task_forms import DecisionForm, IdentityResultForm, ScoreSheetForm, TestResultForm

WORKERS = (Role.ASSESSOR, Role.IDENTITY_OFFICER, Role.DECISION_MAKER)


@role_required(*WORKERS)
def inbox(request):
    return render(
        request,
        "workflows/inbox.html",
        {
            "assigned_tasks": case_selectors.assigned_tasks(request.user),
            "claimable_tasks": case_selectors.claimable_tasks(request.user),
            "nav": "work",
        },
    )


def _case_task(process_pk, task_pk):
    from workflows.flows import CaseFlow, StepTask

    task = get_object_or_404(Task, pk=task_pk, process_id=process_pk)
    if task.process.flow_class is not CaseFlow or not isinstance(task.flow_task, StepTask):
        raise Http404
    return task


@require_POST
@role_required(*WORKERS)
def take(request, process_pk, task_pk):
    from workflows.flows import CaseFlow

    task = _case_task(process_pk, task_pk)
    with transaction.atomic(), CaseFlow.lock(process_pk):
        task.refresh_from_db()
        if task.owner_id is not None or task.status != "NEW":
            reason = _("Someone else has already taken this task.")
        else:
            reason = refusal(request.user, task)
        if reason:
            messages.error(request, reason)
            return redirect("work_inbox")
        task.flow_task.activation_class(task).assign(request.user)
        audit.record(
            actor=request.user,
            action="case.task_taken",
            target=task.coerced_process,
            changes={"task": task.flow_task.name, "step": (task.data or {}).get("step")},
        )
    messages.success(request, _("The task is yours."))
    return redirect("work_task", process_pk=process_pk, task_pk=task_pk)


@require_POST
@role_required(*WORKERS)
def release(request, process_pk, task_pk):
    from workflows.flows import CaseFlow

    task = _case_task(process_pk, task_pk)
    with transaction.atomic(), CaseFlow.lock(process_pk):
        task.refresh_from_db()
        if task.owner_id != request.user.pk or task.status != "ASSIGNED":
            raise PermissionDenied
        task.flow_task.activation_class(task).unassign()
        audit.record(
            actor=request.user,
            action="case.task_released",
            target=task.coerced_process,
            changes={"task": task.flow_task.name},
        )
    messages.success(request, _("The task is back in the pool."))
    return redirect("work_inbox")


@login_required
def task(request, process_pk, task_pk):
    """Do a task: viewflow's wrapper locks the case, checks ownership and starts the task."""
    flow_task = _case_task(process_pk, task_pk).flow_task
    return wrap_view(flow_task, flow_task.view)(request, process_pk=process_pk, task_pk=task_pk)


class StepTaskView(View):
    """The execute view of every ``StepTask`` node; its form depends on the step's kind."""

    def _form(self, request, case, step, node):
        data = request.POST if request.method == "POST" else None
        outcomes = case.specification.outcomes.order_by("position")
        if node == "identity_check":
            return IdentityResultForm(data)
        if node == "test":
            return TestResultForm(data)
        if node == "decision":
            return DecisionForm(data, outcomes=outcomes, partial_allowed=step.partial_recognition)
        requests_left = (
            case_services.evidence_requests_left(case, step) if node in ASSESS_NODES else 0
        )
        return ScoreSheetForm(
            data, outcomes=outcomes, rubric=step.rubric, evidence_requests_left=requests_left
        )

    def _visible_results(self, case, step, node):
        """Earlier results; in blind marking an assessor sees no other assessor's sheet."""
        results = case_selectors.case_results(case)
        if node in ASSESS_NODES and getattr(step, "blind", False):
            results = [
                r
                for r in results
                if not (r.step_id == step.id and r.role == StepResult.Role.ASSESSOR)
            ]
        return results

    def dispatch(self, request, *args, **kwargs):
        activation = request.activation
        case = activation.process
        step = case.current_step
        node = activation.flow_task.name
        form = self._form(request, case, step, node)
        if request.method == "POST" and form.is_valid():
            case_services.complete(activation, actor=request.user, data=form.to_data())
            messages.success(request, _("Recorded. The case moves on."))
            return redirect(reverse("work_inbox"))
        return render(
            request,
            "workflows/task.html",
            {
                "case": case,
                "step": step,
                "node": node,
                "task": activation.task,
                "form": form,
                "results": self._visible_results(case, step, node),
            },
            status=400 if request.method == "POST" else 200,
        )
