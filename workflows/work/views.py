"""The work pages: an inbox per person, taking a task, and doing it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from viewflow.workflow.flow.utils import wrap_view
from viewflow.workflow.status import STATUS

from assessments.online_tests.forms import MarkingForm
from evidence.snapshots import selectors as portfolio
from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from workflows.appeals import services as appeals
from workflows.cases import selectors as case_selectors
from workflows.meetings import views as meeting_views
from workflows.models import StepResult
from workflows.work import declarations, duties
from workflows.work import services as task_work
from workflows.work.duties import OPEN
from workflows.work.forms import ConflictDeclarationForm, WorkListFilterForm

WORKERS = (Role.ASSESSOR, Role.IDENTITY_OFFICER, Role.DECISION_MAKER)
DONE_PER_PAGE = 25


@role_required(*WORKERS)
def inbox(request):
    user = request.user
    form = WorkListFilterForm(
        request.GET or None, specifications=case_selectors.work_specifications(user)
    )
    filters = form.filters()
    return render(
        request,
        "workflows/inbox.html",
        {
            "form": form,
            "narrowed": filters.narrows,
            "assigned_tasks": case_selectors.assigned_tasks(user, filters=filters),
            "claimable_tasks": case_selectors.claimable_tasks(user, filters=filters),
            "appeal_assigned_tasks": appeals.assigned_tasks(user, filters=filters),
            "appeal_claimable_tasks": appeals.claimable_tasks(user, filters=filters),
            "nav": "work",
        },
    )


@role_required(*WORKERS)
def done_by_me(request):
    """The case and appeal tasks the user finished, newest first; each opens read-only."""
    page = Paginator(case_selectors.done_tasks(request.user), DONE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "workflows/done_by_me.html",
        {"page_obj": page, "rows": case_selectors.done_rows(page), "nav": "work"},
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
    """Before the first look at a case: the declaration form, and of the case only who a
    conflict of interest may be with (the candidate, the witnesses and their organisations)."""
    return render(
        request,
        "workflows/declare.html",
        {
            "case": case,
            "task": task,
            "candidate": case.candidate,
            "witnesses": case_selectors.portfolio_witnesses(case),
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
    """Do a task: viewflow's wrapper locks the case, checks ownership and starts the task. A task
    the user does not hold opens read-only (``task_state_page``)."""
    task = task_work.case_task(task_pk, process_pk)
    if request.method == "GET" and not holds(request.user, task):
        return _case_task_state(request, task)
    flow_task = task.flow_task
    return wrap_view(flow_task, flow_task.view)(request, process_pk=process_pk, task_pk=task_pk)


def holds(user, task) -> bool:
    """Whether ``user`` holds ``task`` open, so that its own page serves them."""
    return task.owner_id == user.pk and task.status in OPEN


def task_state(task) -> str:
    """What became of ``task``, as its read-only page says it."""
    if task.status == STATUS.DONE:
        return "done"
    if task.status == STATUS.CANCELED:
        return "cancelled"
    if task.status in OPEN:
        return "taken"
    if task.status == STATUS.NEW and task.owner_id is None:
        return "open"
    return "unavailable"


def task_state_page(request, task, *, case, roles, refusal, step_title, take_url, recorded):
    """A task the user does not hold, read-only, for people with one of ``roles`` who held it, may
    take it (``refusal(user, task)`` is None) or may read its ``case``: the micro-credential, the
    step and what became of the task, and the button to take it when they may; ``recorded`` (what
    the user recorded on it: ``outcomes`` and ``facts``) once done, for the person who did it.
    Nothing else of the case. 403 unless the task was the user's or they may take it."""
    user = request.user
    if not any(user.has_role(role) for role in roles):
        raise PermissionDenied
    state = task_state(task)
    reason = refusal(user, task) if state == "open" else None
    may_take_it = state == "open" and reason is None
    mine = task.owner_id == user.pk
    if not (mine or may_take_it or _may_read(user, case)):
        raise PermissionDenied
    return render(
        request,
        "workflows/task_readonly.html",
        {
            "task": task,
            "case": case,
            "step_title": step_title,
            "state": state,
            "mine": mine,
            "refusal": reason,
            "take_url": take_url if may_take_it else None,
            "recorded": recorded if state == "done" and mine else None,
            "nav": "work",
        },
        status=200 if mine or may_take_it else 403,
    )


def _may_read(user, case) -> bool:
    return case_selectors.cases_visible_to(user).filter(pk=case.pk).exists()


def _case_task_state(request, task):
    case = task.coerced_process
    return task_state_page(
        request,
        task,
        case=case,
        roles=WORKERS,
        refusal=duties.refusal,
        step_title=case_selectors.step_title(case, (task.data or {}).get("step")),
        take_url=reverse("work_take", args=[case.pk, task.pk]),
        recorded=_recorded(task, case) if task.owner_id == request.user.pk else None,
    )


def _recorded(task, case) -> dict | None:
    result = StepResult.objects.filter(task=task).first()
    if result is None:
        return None
    (line,) = case_selectors.result_lines([result], case)
    return {"outcomes": line.outcomes, "facts": line.facts}


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
                "step_title": case_selectors.step_title(case, step.id),
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
