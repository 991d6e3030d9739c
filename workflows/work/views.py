"""The work pages: an inbox per person, taking a task, and doing it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from viewflow.workflow.flow.utils import wrap_view

from assessments.online_tests.forms import MarkingForm
from evidence.snapshots import selectors as portfolio
from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from workflows.appeals import services as appeals
from workflows.cases import selectors as case_selectors
from workflows.meetings import views as meeting_views
from workflows.work import declarations
from workflows.work import services as task_work
from workflows.work.duties import OPEN
from workflows.work.forms import ConflictDeclarationForm

WORKERS = (Role.ASSESSOR, Role.IDENTITY_OFFICER, Role.DECISION_MAKER)


@role_required(*WORKERS)
def inbox(request):
    return render(
        request,
        "workflows/inbox.html",
        {
            "assigned_tasks": case_selectors.assigned_tasks(request.user),
            "claimable_tasks": case_selectors.claimable_tasks(request.user),
            "appeal_assigned_tasks": appeals.assigned_tasks(request.user),
            "appeal_claimable_tasks": appeals.claimable_tasks(request.user),
            "nav": "work",
        },
    )


@require_POST
@role_required(*WORKERS)
def take(request, process_pk, task_pk):
    reason = task_work.take(task_work.case_task(task_pk, process_pk), request.user)
    if reason:
        messages.error(request, reason)
        return redirect("work_inbox")
    messages.success(request, _("The task is yours."))
    return redirect("work_task", process_pk=process_pk, task_pk=task_pk)


@require_POST
@role_required(*WORKERS)
def release(request, process_pk, task_pk):
    task_work.release(task_work.case_task(task_pk, process_pk), request.user)
    messages.success(request, _("The task is back in the pool."))
    return redirect("work_inbox")


def declaration_page(request, *, case, task, declare_url, form=None, status=200):
    """Before the first look at a case: the declaration form, and nothing of the case."""
    return render(
        request,
        "workflows/declare.html",
        {
            "case": case,
            "task": task,
            "form": form or ConflictDeclarationForm(),
            "declare_url": declare_url,
        },
        status=status,
    )


def handle_declaration(request, task, *, case, declare_url, task_url):
    """The holder of ``task`` declares on ``case``: no conflict (on to the task) or a conflict
    (the task goes back to the pool)."""
    if task.owner_id != request.user.pk or task.status != "ASSIGNED":
        raise PermissionDenied
    form = ConflictDeclarationForm(request.POST)
    if not form.is_valid():
        return declaration_page(
            request, case=case, task=task, declare_url=declare_url, form=form, status=400
        )
    try:
        declarations.declare(
            task=task,
            person=request.user,
            case=case,
            has_conflict=form.has_conflict,
            reason=form.cleaned_data["reason"],
        )
    except declarations.DeclarationError as error:
        messages.error(request, str(error))
        return redirect("work_inbox")
    if form.has_conflict:
        messages.success(
            request, _("Your declaration is recorded and the task is back in the pool.")
        )
        return redirect("work_inbox")
    return redirect(task_url)


@require_POST
@role_required(*WORKERS)
def declare(request, process_pk, task_pk):
    task = task_work.case_task(task_pk, process_pk)
    return handle_declaration(
        request,
        task,
        case=task.coerced_process,
        declare_url=reverse("work_declare", args=[process_pk, task_pk]),
        task_url=reverse("work_task", args=[process_pk, task_pk]),
    )


@never_cache
@role_required(*WORKERS)
def evidence_file(request, process_pk, task_pk, item_pk):
    """A submitted file of the case, to the person holding one of its open tasks, after their
    declaration. ``?preview`` shows images and PDFs inline (framed by our own pages only)."""
    task = task_work.case_task(task_pk, process_pk)
    case = task.coerced_process
    if task.owner_id != request.user.pk or task.status not in OPEN:
        raise PermissionDenied
    if not declarations.has_declared(case, request.user):
        raise PermissionDenied
    item = portfolio.frozen_file(case, item_pk)
    if item is None:
        raise Http404
    return portfolio.file_response(item, preview="preview" in request.GET)


@login_required
def task(request, process_pk, task_pk):
    """Do a task: viewflow's wrapper locks the case, checks ownership and starts the task."""
    flow_task = task_work.case_task(task_pk, process_pk).flow_task
    return wrap_view(flow_task, flow_task.view)(request, process_pk=process_pk, task_pk=task_pk)


def _sheet_rows(form, evidence):
    """The score sheet's rows, each beside the candidate's evidence and self-assessment."""
    if not hasattr(form, "rows"):
        return []
    return [
        {
            "outcome": outcome,
            "score": score,
            "rules": rules,
            "comment": comment,
            "evidence": evidence.outcomes.get(outcome.pk) if evidence else None,
        }
        for outcome, score, rules, comment in form.rows()
    ]


class StepTaskView(View):
    """The execute view of every ``StepTask`` node; its form depends on the step's kind."""

    def dispatch(self, request, *args, **kwargs):
        activation = request.activation
        case = activation.process
        step = case.current_step
        node = activation.flow_task.name
        if not declarations.has_declared(case, request.user):
            # Nothing of the case is shown, and nothing accepted, before the declaration.
            return declaration_page(
                request,
                case=case,
                task=activation.task,
                declare_url=reverse("work_declare", args=[case.pk, activation.task.pk]),
                status=400 if request.method == "POST" else 200,
            )
        form = task_work.form_for(
            case, step, node, request.POST if request.method == "POST" else None
        )
        evidence = portfolio.portfolio_of(case)
        if request.method == "POST" and form.is_valid():
            too_early = task_work.record(activation, request.user, form)
            if too_early:
                form.add_error(None, too_early)
            else:
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
                "results": case_selectors.result_lines(
                    task_work.visible_results(case, step, node), case
                ),
                "portfolio": evidence,
                "sheet_rows": _sheet_rows(form, evidence),
                "marking": form if isinstance(form, MarkingForm) else None,
                "meetings": meeting_views.task_parts(case, step, node, activation.task),
            },
            status=400 if request.method == "POST" else 200,
        )
