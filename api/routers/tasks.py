"""The work list through the API: the case tasks a person holds or may take, taking one and
giving it back, the conflict-of-interest declaration and the result. The same rules as the work
pages, through the same services (``workflows.work.services``, ``workflows.work.duties``,
``workflows.work.declarations``): nothing of a case is shown or accepted before the declaration, and
the separation of duties holds here as there.
"""

from django import forms
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router
from ninja.responses import Status
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from api import schemas
from api.models import Scope
from api.problems import ApiProblem, form_problem, responses
from evidence.snapshots import selectors as portfolio
from rpl.accounts.roles import Role
from workflows.cases import selectors as case_selectors
from workflows.models import Case
from workflows.work import declarations
from workflows.work import services as task_work
from workflows.work.duties import may_take
from workflows.work.forms import ConflictDeclarationForm

router = Router(tags=["tasks"])

WORKERS = (Role.ASSESSOR, Role.IDENTITY_OFFICER, Role.DECISION_MAKER)


def _holds(user, task) -> bool:
    return task.owner_id == user.pk and task.status == STATUS.ASSIGNED


def _visible_task(user, task_id) -> Task:
    """A task ``user`` holds or may take; anything else is not found."""
    task = task_work.case_task(task_id)
    if not (_holds(user, task) or (task.status == STATUS.NEW and may_take(user, task))):
        raise Http404
    return task


def _serialize(task, state: str) -> dict:
    """A task as listed; ``task.due`` and ``task.overdue`` come from ``with_deadlines``."""
    case = task.process.case
    data = task.data or {}
    return {
        "id": task.pk,
        "case": case.pk,
        "specification": {"slug": case.specification.slug, "title": case.specification.title},
        "node": task.flow_task.name,
        "title": str(task.flow_task.task_title),
        "step": {"id": data.get("step", ""), "kind": data.get("kind", "")},
        "state": state,
        "created_at": task.created,
        "due": task.due,
        "overdue": task.overdue,
    }


FIELD_TYPES = [
    (forms.BooleanField, "boolean"),
    (forms.MultipleChoiceField, "multiple_choice"),
    (forms.ChoiceField, "choice"),
    (forms.ModelChoiceField, "choice"),
    (forms.IntegerField, "integer"),
    (forms.FloatField, "number"),
    (forms.DecimalField, "number"),
]


def _describe(form) -> list[dict]:
    described = []
    for name, field in form.fields.items():
        kind = next((k for cls, k in FIELD_TYPES if isinstance(field, cls)), "text")
        choices = []
        if kind in ("choice", "multiple_choice"):
            for value, label in field.choices:
                if isinstance(label, list | tuple):  # a group of choices
                    choices += [{"value": str(v), "label": str(lb)} for v, lb in label]
                elif str(value) != "":
                    choices.append({"value": str(value), "label": str(label)})
        described.append(
            {
                "name": name,
                "label": str(field.label or name),
                "type": kind,
                "required": field.required,
                "help": str(field.help_text or ""),
                "choices": choices,
            }
        )
    return described


def _portfolio(request, task, case) -> dict | None:
    evidence = portfolio.portfolio_of(case)
    if evidence is None:
        return None

    def download(item):
        if item.kind != "file":
            return None
        return request.build_absolute_uri(
            reverse("api-v1:task_evidence", kwargs={"task_id": task.pk, "item_id": item.id})
        )

    return {
        "round": evidence.round,
        "digest": evidence.digest,
        "submitted_at": evidence.submitted_at,
        "outcomes": [
            {
                "id": o.id,
                "position": o.position,
                "statement": o.statement,
                "confidence": o.confidence,
                "narrative": o.narrative,
            }
            for o in evidence.outcomes.values()
        ],
        "items": [item.data | {"download": download(item)} for item in evidence.items],
    }


def _results(case, task) -> list[dict]:
    step, node = case.current_step, task.flow_task.name
    lines = case_selectors.result_lines(task_work.visible_results(case, step, node), case)
    return [
        {
            "step": line.result.step_id,
            "role": line.result.role,
            "role_label": str(line.result.get_role_display()),
            "recorded_at": line.result.created_at,
            "scores": [
                {
                    "outcome": row["outcome"].pk if row["outcome"] else None,
                    "position": row["outcome"].position if row["outcome"] else None,
                    "score": row["score"],
                    "rules": row["rules"],
                    "comment": row["comment"],
                }
                for row in line.outcomes
            ],
            "facts": [{"label": str(label), "value": str(value)} for label, value in line.facts],
        }
        for line in lines
    ]


def _detail(request, task) -> dict:
    user = request.auth.user
    holder = _holds(user, task)
    case = task.process.case
    declared = holder and declarations.has_declared(case, user)
    case_selectors.with_deadlines([task])
    return {
        **_serialize(task, "assigned" if holder else "claimable"),
        "declared": declared,
        "portfolio": _portfolio(request, task, case) if declared else None,
        "results": _results(case, task) if declared else [],
        "fields": (
            _describe(task_work.form_for(case, case.current_step, task.flow_task.name))
            if declared
            else []
        ),
    }


@router.get(
    "/",
    response=schemas.Page[schemas.Task],
    summary=gettext_lazy("Your work list"),
    description=gettext_lazy(
        "The case tasks you hold and those you may take now (your role, your pools, no conflict "
        "of duties), oldest first: up to 100 of each, as on the work page."
    ),
)
def list_tasks(request, filters: Query[schemas.TaskFilters]):
    request.auth.require(Scope.TASKS_READ, *WORKERS)
    user = request.auth.user
    rows = []
    if filters.state in (None, "assigned"):
        rows += [(task, "assigned") for task in case_selectors.assigned_tasks(user)]
    if filters.state in (None, "claimable"):
        rows += [(task, "claimable") for task in case_selectors.claimable_tasks(user)]
    return schemas.paginate(request, rows, filters, lambda row: _serialize(*row))


@router.get(
    "/{task_id}",
    response=schemas.TaskDetail,
    summary=gettext_lazy("One task, and the fields of its result"),
    description=gettext_lazy(
        "A task you hold or may take. Its fields are listed once you hold it and have "
        "declared that you have no conflict of interest in the case."
    ),
)
def get_task(request, task_id: schemas.Id):
    request.auth.require(Scope.TASKS_READ, *WORKERS)
    return _detail(request, _visible_task(request.auth.user, task_id))


@router.get(
    "/{task_id}/evidence/{item_id}",
    url_name="task_evidence",
    summary=gettext_lazy("A submitted file of the task's case"),
    description=gettext_lazy(
        "To the holder of the task, after the declaration: the file as the candidate submitted "
        "it (its SHA-256 is in the task's portfolio)."
    ),
    openapi_extra={
        "responses": {
            200: {
                "description": "OK",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def task_evidence(request, task_id: schemas.Id, item_id: schemas.Id):
    request.auth.require(Scope.TASKS_READ, *WORKERS)
    user = request.auth.user
    task = task_work.case_task(task_id)
    case = task.process.case
    if not (_holds(user, task) and declarations.has_declared(case, user)):
        raise Http404
    item = portfolio.frozen_file(case, item_id)
    if item is None:
        raise Http404
    return portfolio.file_response(item, preview=False)


@router.post(
    "/{task_id}/take",
    response=schemas.TaskDetail,
    summary=gettext_lazy("Take a task"),
    description=gettext_lazy(
        "Exactly one of several people taking the same task at once gets it; the others, and "
        "anyone the separation of duties excludes, are refused with the reason."
    ),
    openapi_extra=responses(409),
)
def take_task(request, task_id: schemas.Id):
    request.auth.require(Scope.TASKS_WRITE, *WORKERS)
    user = request.auth.user
    task = task_work.case_task(task_id)
    if not _holds(user, task):
        reason = task_work.take(task, user)
        if reason:
            raise ApiProblem(409, "not-taken", reason)
        task.refresh_from_db()
    return _detail(request, task)


@router.post(
    "/{task_id}/release",
    response={204: None},
    summary=gettext_lazy("Give a task back to its pool"),
)
def release_task(request, task_id: schemas.Id):
    request.auth.require(Scope.TASKS_WRITE, *WORKERS)
    task_work.release(task_work.case_task(task_id), request.auth.user)
    return Status(204, None)


@router.post(
    "/{task_id}/declaration",
    response={204: None},
    summary=gettext_lazy("Declare whether you have a conflict of interest in the case"),
    description=gettext_lazy(
        "Before anything of the case is shown. With a conflict (say what it is), the task goes "
        "back to the pool."
    ),
    openapi_extra=responses(409),
)
def declare(request, task_id: schemas.Id, body: schemas.Declaration):
    request.auth.require(Scope.TASKS_WRITE, *WORKERS)
    user = request.auth.user
    task = task_work.case_task(task_id)
    if not _holds(user, task):
        raise ApiProblem(403, "not-held", _("Only the person holding the task declares for it."))
    form = ConflictDeclarationForm(
        {"declaration": "conflict" if body.conflict else "none", "reason": body.reason}
    )
    if not form.is_valid():
        raise form_problem(form, "body")
    try:
        declarations.declare(
            task=task,
            person=user,
            has_conflict=form.has_conflict,
            reason=form.cleaned_data["reason"],
        )
    except declarations.DeclarationError as error:
        raise ApiProblem(409, "declaration", str(error)) from error
    return Status(204, None)


@router.post(
    "/{task_id}/result",
    response=schemas.TaskRecorded,
    summary=gettext_lazy("Record the result of a task you hold"),
    description=gettext_lazy(
        "The values of the task's fields (see the task), checked as the task's page checks "
        "them; the case then moves on."
    ),
    openapi_extra=responses(409),
)
def record_result(request, task_id: schemas.Id, body: schemas.TaskResult):
    request.auth.require(Scope.TASKS_WRITE, *WORKERS)
    user = request.auth.user
    task = task_work.case_task(task_id)
    with transaction.atomic(), task.flow_task.flow_class.lock(task.process_id):
        task.refresh_from_db()
        if task.status == STATUS.DONE and task.owner_id == user.pk:
            raise ApiProblem(409, "done", _("You have recorded this task's result already."))
        if not _holds(user, task):
            raise ApiProblem(
                403, "not-held", _("Take the task first: only its holder records its result.")
            )
        case = Case.objects.select_related("specification").get(pk=task.process_id)
        if not declarations.has_declared(case, user):
            raise ApiProblem(
                409,
                "declaration-needed",
                _("Declare first whether you have a conflict of interest in this case."),
            )
        activation = task.flow_task.activation_class(task)
        activation.start(request)
        form = task_work.form_for(
            case, case.current_step, task.flow_task.name, task_work.posted(body.data)
        )
        if not form.is_valid():
            raise form_problem(form, "body.data")
        refused = task_work.record(activation, user, form)
        if refused:
            raise ApiProblem(409, "not-yet", refused)
    return {"task": task.pk, "case": case.pk, "status": "DONE"}
