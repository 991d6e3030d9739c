"""Reads on cases and their tasks, with a constant number of queries per call."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Case as SqlCase
from django.db.models import DateTimeField, F, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from assessments.scoresheets import records
from credentials.catalogue.models import Specification
from evidence.snapshots import selectors as portfolio
from rpl.accounts.roles import Role
from workflows.flows import appeal_flow_class, case_flow_class
from workflows.identity.services import METHOD_LABELS
from workflows.models import Case, NamedPool, Outcome, PipelineVersion, StepResult
from workflows.notifications import deadline_of
from workflows.pipelines.schema import load_trusted
from workflows.staffing.analysis import step_title as title_of
from workflows.staffing.pools import CODENAMES
from workflows.work.duties import NODE_ACCESS, OPEN, TaskOwners, may_take

WAITING, DEADLINE = "waiting", "deadline"


@dataclass(frozen=True)
class TaskFilters:
    """What a work list shows: tasks of one micro-credential (a specification's pk), of one kind
    of step, overdue ones only, or matching the candidate's name, e-mail or case number; sorted
    by waiting time (oldest first) or by deadline (soonest first)."""

    specification: int | None = None
    kind: str = ""
    overdue: bool = False
    search: str = ""
    order: str = WAITING

    @property
    def narrows(self) -> bool:
        """Whether some tasks are left out (the order leaves none out)."""
        return bool(self.specification or self.kind or self.overdue or self.search)

    @property
    def only_case_steps(self) -> bool:
        """Whether only a case's tasks can match: appeals have no step kind and no deadline."""
        return bool(self.kind or self.overdue)


NO_FILTERS = TaskFilters()


def _tasks():
    return (
        Task.objects.filter(process__flow_class=case_flow_class(), flow_task_type="HUMAN")
        .select_related("process__case__specification", "process__case__candidate")
        .order_by("created")
    )


def filtered(tasks, filters: TaskFilters, case_path: str):
    """``tasks`` narrowed to ``filters``' micro-credential and search; ``case_path`` leads from a
    task to its case (the appealed case for an appeal's tasks)."""
    if filters.specification:
        tasks = tasks.filter(**{f"{case_path}__specification_id": filters.specification})
    if filters.search:
        tasks = tasks.filter(_matching(filters.search, case_path))
    return tasks


def _matching(text: str, case_path: str) -> Q:
    candidate = f"{case_path}__candidate"
    match = Q(**{f"{candidate}__full_name__icontains": text}) | Q(
        **{f"{candidate}__email__icontains": text}
    )
    number = text.removeprefix("#")
    if number.isascii() and number.isdigit() and int(number) < 2**63:
        match |= Q(**{f"{case_path}__pk": int(number)})
    return match


def _case_filtered(tasks, filters: TaskFilters):
    """The case tasks that match ``filters``, in their order, all in the query."""
    tasks = filtered(tasks, filters, "process__case")
    if filters.kind:
        tasks = tasks.filter(data__kind=filters.kind)
    if not (filters.overdue or filters.order == DEADLINE):
        return tasks
    tasks = tasks.annotate(deadline=_deadline_expression(tasks))
    if filters.overdue:
        tasks = tasks.filter(deadline__lt=timezone.now())
    if filters.order == DEADLINE:
        tasks = tasks.order_by(F("deadline").asc(nulls_last=True), "created")
    return tasks


def _deadline_expression(tasks) -> SqlCase:
    """Each task's deadline as SQL: created plus its step's days, read from the pipeline versions
    of the tasks' cases (a case's plan is a copy of its frozen version's definition)."""
    days = _deadline_days(tasks)
    return SqlCase(
        *[
            When(
                Q(process__case__pipeline_version_id=version, data__step=step),
                then=F("created") + timedelta(days=count),
            )
            for (version, step), count in days.items()
        ],
        default=None,
        output_field=DateTimeField(),
    )


def _deadline_days(tasks) -> dict[tuple[int, str], int]:
    """Days allowed per (pipeline version, step id), for the pipeline versions of ``tasks``."""
    versions = PipelineVersion.objects.filter(
        pk__in=tasks.values("process__case__pipeline_version_id")
    ).only("definition")
    return {
        (version.pk, step.id): step.deadline.days
        for version in versions
        for step in load_trusted(version.definition).steps
        if step.deadline is not None
    }


def with_deadlines(tasks):
    """Give each task its ``due`` time (None when its step has no deadline)."""
    now = timezone.now()
    for task in tasks:
        task.due = deadline_of(task)
        task.overdue = task.due is not None and task.due < now
    return tasks


def step_title(case, step_id) -> str:
    """A step of the case's plan in words: its title, or else the kind of step it is."""
    try:
        step = case.plan_model.step(step_id)
    except KeyError:
        return ""
    return title_of(step)


def _listed(tasks):
    """Tasks as work lists show them: with their deadline and the title of their step."""
    for task in tasks:
        task.step_title = step_title(task.coerced_process, (task.data or {}).get("step"))
    return with_deadlines(tasks)


def assigned_tasks(user, limit=100, filters: TaskFilters = NO_FILTERS):
    tasks = _case_filtered(_tasks().filter(owner=user, status=STATUS.ASSIGNED), filters)
    return _listed(list(tasks[:limit]))


def claimable_tasks(user, limit=100, filters: TaskFilters = NO_FILTERS):
    """Open tasks this user may take now: right role, in the pool, no conflict of duties."""
    if not any(user.has_role(role) for role, _ in NODE_ACCESS.values()):
        return []
    open_tasks = _tasks().filter(status=STATUS.NEW, owner__isnull=True)
    candidates = list(
        _case_filtered(open_tasks, filters).exclude(process__case__candidate=user)[: limit * 5]
    )
    if not candidates:
        return []
    cases = {task.process.case for task in candidates}
    checker = ObjectPermissionChecker(user)
    checker.prefetch_perms([case.specification for case in cases])
    owners = TaskOwners([case.pk for case in cases])
    return _listed(
        [task for task in candidates if may_take(user, task, checker=checker, owners=owners)][
            :limit
        ]
    )


def work_specifications(user) -> list[Specification]:
    """The micro-credentials whose tasks can be in ``user``'s work list: of the open tasks they
    hold, and of the tasks waiting in the cases they may read; by title."""
    visible = cases_visible_to(user)
    held = Q(owner=user, status__in=OPEN)
    waiting = Q(owner__isnull=True, status=STATUS.NEW)
    human = Task.objects.filter(flow_task_type="HUMAN")
    in_cases = human.filter(
        held | (waiting & Q(process__case__in=visible)), process__flow_class=case_flow_class()
    ).values("process__case__specification_id")
    in_appeals = human.filter(
        held | (waiting & Q(process__appeal__appealed_case__in=visible)),
        process__flow_class=appeal_flow_class(),
    ).values("process__appeal__appealed_case__specification_id")
    specifications = Specification.objects.filter(Q(pk__in=in_cases) | Q(pk__in=in_appeals))
    return sorted(specifications, key=lambda specification: specification.title)


@dataclass
class DoneTask:
    """A task someone finished, as their list of done work shows it."""

    task: Task
    case: Case  # the appealed case, for an appeal's task
    is_appeal: bool
    step_title: str


def done_tasks(user):
    """The case and appeal tasks ``user`` finished, newest first: a query, for paging."""
    in_flows = Q(process__flow_class=case_flow_class()) | Q(process__flow_class=appeal_flow_class())
    return (
        Task.objects.filter(in_flows, owner=user, status=STATUS.DONE, flow_task_type="HUMAN")
        .select_related(
            "process__case__specification", "process__appeal__appealed_case__specification"
        )
        .order_by("-finished", "-pk")
    )


def done_rows(tasks) -> list[DoneTask]:
    """One page of ``done_tasks`` ready for the page."""
    return [_done_row(task) for task in tasks]


def _done_row(task) -> DoneTask:
    if task.process.flow_class is appeal_flow_class():
        case = task.process.appeal.appealed_case
        return DoneTask(task=task, case=case, is_appeal=True, step_title=_("Appeal"))
    case = task.process.case
    step = (task.data or {}).get("step")
    return DoneTask(task=task, case=case, is_appeal=False, step_title=step_title(case, step))


def portfolio_witnesses(case) -> list[tuple[str, str]]:
    """The witnesses of the case's submitted portfolio, each with the position and organisation
    they gave, once each: who a conflict of interest may be with, besides the candidate."""
    evidence = portfolio.portfolio_of(case)
    if evidence is None:
        return []
    witnesses = (item.data.get("witness") or {} for item in evidence.items)
    named = ((w.get("full_name", "").strip(), w.get("position", "").strip()) for w in witnesses)
    return list(dict.fromkeys(pair for pair in named if any(pair)))


def case_results(case):
    return list(StepResult.objects.filter(case=case).select_related("actor"))


@dataclass
class ResultLine:
    """One recorded judgement, ready for a page: per outcome its score, rules and comment."""

    result: StepResult
    step: str  # the step's title in words
    outcomes: list[dict]
    facts: list[tuple[str, str]]


def result_lines(results, case) -> list[ResultLine]:
    """Earlier results in words: what a person recorded per learning outcome, and other facts."""
    statements = {str(o.pk): o for o in case.specification.outcomes.all()}
    return [
        ResultLine(
            result=result,
            step=step_title(case, result.step_id),
            outcomes=_outcome_lines(result.record, statements),
            facts=_facts(result.record),
        )
        for result in results
    ]


def _outcome_lines(record: records.Record, statements: dict) -> list[dict]:
    """A score sheet's score, rules of evidence and comment per learning outcome, in order."""
    if not isinstance(record, records.ScoreSheet):
        return []
    return [
        {
            "outcome": statements.get(pk),
            "score": score,
            "rules": record.rules[pk].model_dump() if pk in record.rules else None,
            "comment": record.comments.get(pk, ""),
        }
        for pk, score in sorted(
            record.scores.items(),
            key=lambda pair: statements[pair[0]].position if pair[0] in statements else 0,
        )
    ]


def _facts(record: records.Record) -> list[tuple[str, str]]:
    match record:
        case records.IdentityCheck():
            facts = [(_("Identity confirmed"), _("Yes") if record.verified else _("No"))]
            if record.method:
                facts.append((_("Method"), str(METHOD_LABELS.get(record.method, record.method))))
            if record.note:
                facts.append((_("Note"), record.note))
            return facts
        case records.TestResult():
            return [(_("Result"), f"{record.score_percent} %")]
        case records.Decision():
            facts = [(_("Decision"), str(Outcome(record.outcome).label))]
            if record.reasons:
                facts.append((_("Reasons"), record.reasons))
            return facts
        case records.ScoreSheet() if record.notes:
            return [(_("Notes"), record.notes)]
        case records.EvidenceRequest():
            return [(_("Asked for more evidence"), record.more_evidence)]
    return []


# Which staff role reads the cases of a specification through which pool permission.
POOL_READERS = CODENAMES
READ_ALL = (Role.QUALITY_OFFICER, Role.ADMINISTRATOR)


def cases_visible_to(user):
    """The cases ``user`` may read: their own (as a candidate); the cases of the specifications
    whose pool they are in, or in which they hold a task (assessors, identity officers and
    decision makers); every case (quality officers and administrators)."""
    if not user.is_active:
        return Case.objects.none()
    if any(user.has_role(role) for role in READ_ALL):
        return Case.objects.all()
    visible = Q(candidate=user) if user.has_role(Role.CANDIDATE) else Q(pk__in=[])
    codenames = [codename for role, codename in POOL_READERS.items() if user.has_role(role)]
    if codenames:
        pools = get_objects_for_user(
            user,
            [f"credentials.{codename}" for codename in codenames],
            klass=Specification,
            any_perm=True,
            accept_global_perms=False,
            with_superuser=False,
        )
        owned = Task.objects.filter(owner=user).values("process_id")
        named = NamedPool.objects.filter(
            members=user, role__in=[role for role in POOL_READERS if user.has_role(role)]
        ).values("specification_id")
        visible |= Q(specification__in=pools) | Q(specification_id__in=named) | Q(pk__in=owned)
    return Case.objects.filter(visible)
