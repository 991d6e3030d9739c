"""Reads for quality assurance: assessor and process statistics, findings, open audits.

Every function runs a fixed number of aggregate queries whatever the number of cases: rows are
grouped in the database per assessor, specification, score or step, never per case. The assessor
and process statistics here read the raw rows: the pages read the same figures from the roll-ups
(``rolled_figures``), and the tests compare both.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Min,
    Q,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, CumeDist
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from credentials.catalogue.models import Specification
from evidence.models import Application
from quality.audits.flows import AuditFlow
from quality.audits.wording import step_title
from quality.models import AuditCase, Score
from quality.statistics import agreement
from rpl.audit.models import AuditEvent
from workflows.flows.case_flow import CaseFlow
from workflows.models import Case, Outcome, PipelineVersion, StepResult
from workflows.pipelines.schema import load_trusted

# An assessor whose mean score (as a share of the rubric's range) lies this far from the mean of
# their colleagues on the same specification is flagged, once they gave MIN_SCORES scores.
OUTLIER_GAP = 0.15
MIN_SCORES = 10
PERCENTILES = (0.5, 0.9)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive


def _duration(end: str, start: str):
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


@dataclass
class AssessorRow:
    assessor: object
    specification: Specification
    cases: int = 0
    scores: int = 0
    passed: int = 0
    mean_share: float | None = None
    distribution: dict[int, int] = field(default_factory=dict)
    rubric: tuple[int, int] = (0, 0)
    sheets: int = 0
    moderated: int = 0
    tasks: int = 0
    mean_task_time: timedelta | None = None
    deadlines_missed: int = 0
    appeals: int = 0
    appeals_upheld: int = 0
    appeals_overturned: int = 0
    paired: int = 0
    agreement_percent: float | None = None
    kappa_linear: float | None = None
    kappa_quadratic: float | None = None
    colleagues_share: float | None = None
    flag: str = ""  # "lenient" or "severe"

    @property
    def pass_rate(self) -> float | None:
        return 100 * self.passed / self.scores if self.scores else None

    @property
    def moderation_rate(self) -> float | None:
        return 100 * self.moderated / self.sheets if self.sheets else None

    @property
    def distribution_rows(self) -> list[tuple[int, int]]:
        low, high = self.rubric
        return [(value, self.distribution.get(value, 0)) for value in range(low, high + 1)]


def _scores(period: Period, specification=None):
    scores = Score.objects.filter(recorded_at__gte=period.start, recorded_at__lt=period.end)
    return scores.filter(specification=specification) if specification else scores


def agreement_matrices(period: Period, specification=None):
    """Count matrices of double marking: (specification, assessor, colleague) -> {(a, b): n},
    from every pair of assessors who scored the same outcome in the same step and round."""
    table = Score._meta.db_table
    where = ["a.role = %s", "b.role = %s", "a.recorded_at >= %s", "a.recorded_at < %s"]
    params = [StepResult.Role.ASSESSOR, StepResult.Role.ASSESSOR, period.start, period.end]
    if specification is not None:
        where.append("a.specification_id = %s")
        params.append(specification.pk)
    # Fixed fragments and the model's own table name; every value is a query parameter.
    sql = (
        f"SELECT a.specification_id, a.assessor_id, b.assessor_id, a.value, b.value, "  # noqa: S608
        f"MIN(a.rubric_min), MAX(a.rubric_max), COUNT(*) "
        f"FROM {table} a JOIN {table} b ON a.case_id = b.case_id AND a.step_id = b.step_id "
        f"AND a.round = b.round AND a.outcome_id = b.outcome_id AND a.assessor_id <> b.assessor_id "
        f"WHERE {' AND '.join(where)} "
        f"GROUP BY a.specification_id, a.assessor_id, b.assessor_id, a.value, b.value"
    )
    matrices = defaultdict(lambda: {"cells": defaultdict(int), "low": None, "high": None})
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for spec_id, first, second, a, b, low, high, n in cursor.fetchall():
            entry = matrices[(spec_id, first, second)]
            entry["cells"][(a, b)] += n
            entry["low"] = low if entry["low"] is None else min(entry["low"], low)
            entry["high"] = high if entry["high"] is None else max(entry["high"], high)
    return matrices


def _matrix(entries) -> list[list[int]]:
    low = min(e["low"] for e in entries)
    high = max(e["high"] for e in entries)
    counts = defaultdict(int)
    for entry in entries:
        for pair, n in entry["cells"].items():
            counts[pair] += n
    return agreement.count_matrix(counts, range(low, high + 1))


def set_agreement(row: AssessorRow, entries) -> None:
    if not entries:
        return
    matrix = _matrix(entries)
    row.paired = sum(map(sum, matrix))
    row.agreement_percent = agreement.percentage_agreement(matrix)
    row.kappa_linear = agreement.cohen_kappa(matrix, "linear")
    row.kappa_quadratic = agreement.cohen_kappa(matrix, "quadratic")


def specification_agreement(period: Period, specification=None, matrices=None) -> dict[int, dict]:
    """Per specification, agreement over every pair of double markers (each pair counted once).
    ``matrices``: ``agreement_matrices`` of the same period, when the caller has them already."""
    if matrices is None:
        matrices = agreement_matrices(period, specification)
    by_spec = defaultdict(list)
    for (spec_id, first, second), entry in matrices.items():
        if first < second:
            by_spec[spec_id].append(entry)
    return agreement_by_specification(by_spec)


def agreement_by_specification(by_spec: dict[int, list]) -> dict[int, dict]:
    """Pairs, percentage agreement and kappas per specification, from its count tables."""
    result = {}
    for spec_id, entries in by_spec.items():
        matrix = _matrix(entries)
        result[spec_id] = {
            "pairs": sum(map(sum, matrix)),
            "percent": agreement.percentage_agreement(matrix),
            "kappa_linear": agreement.cohen_kappa(matrix, "linear"),
            "kappa_quadratic": agreement.cohen_kappa(matrix, "quadratic"),
        }
    return result


def assessor_statistics(period: Period, specification=None, matrices=None) -> list[AssessorRow]:
    """Per assessor and specification: cases, scores, pass rate, distribution, agreement with
    double markers, moderation, time per task, missed deadlines and appeals; outliers flagged.
    ``matrices``: ``agreement_matrices`` of the same period, when the caller has them already."""
    if matrices is None:
        matrices = agreement_matrices(period, specification)
    scores = _scores(period, specification).filter(role=StepResult.Role.ASSESSOR)
    share = ExpressionWrapper(
        Cast(F("value") - F("rubric_min"), FloatField())
        / Cast(F("rubric_max") - F("rubric_min"), FloatField()),
        output_field=FloatField(),
    )
    rows: dict[tuple[int, int], AssessorRow] = {}
    keys = ("assessor_id", "specification_id")
    for item in scores.values(*keys).annotate(
        cases=Count("case_id", distinct=True),
        n=Count("pk"),
        passed_n=Count("pk", filter=Q(passed=True)),
        mean_share=Avg(share),
        sheets=Count("step_result_id", distinct=True),
        moderated_n=Count("step_result_id", distinct=True, filter=Q(moderated=True)),
    ):
        rows[(item["assessor_id"], item["specification_id"])] = AssessorRow(
            assessor=item["assessor_id"],
            specification=item["specification_id"],
            cases=item["cases"],
            scores=item["n"],
            passed=item["passed_n"],
            mean_share=item["mean_share"],
            sheets=item["sheets"],
            moderated=item["moderated_n"],
        )
    for item in scores.values(*keys, "value", "rubric_min", "rubric_max").annotate(n=Count("pk")):
        row = rows[(item["assessor_id"], item["specification_id"])]
        row.distribution[item["value"]] = row.distribution.get(item["value"], 0) + item["n"]
        low, high = row.rubric
        row.rubric = (
            item["rubric_min"] if low == high == 0 else min(low, item["rubric_min"]),
            max(high, item["rubric_max"]),
        )
    by_assessor = defaultdict(list)
    for (spec_id, first, _second), entry in matrices.items():
        by_assessor[(first, spec_id)].append(entry)
    for key, row in rows.items():
        set_agreement(row, by_assessor.get(key))
    _add_tasks(rows, period, specification)
    add_missed_deadlines(rows, period, specification)
    add_appeals(rows, scores)
    resolve_names(rows)
    flag_outliers(rows.values())
    return sorted(rows.values(), key=lambda r: (r.specification.slug, str(r.assessor)))


def _add_tasks(rows, period, specification) -> None:
    results = StepResult.objects.filter(
        role__in=[StepResult.Role.ASSESSOR, StepResult.Role.MODERATOR],
        created_at__gte=period.start,
        created_at__lt=period.end,
    )
    if specification is not None:
        results = results.filter(case__specification=specification)
    for item in results.values("actor_id", "case__specification_id").annotate(
        n=Count("pk"), mean=Avg(_duration("created_at", "task__created"))
    ):
        row = rows.get((item["actor_id"], item["case__specification_id"]))
        if row is not None:
            row.tasks, row.mean_task_time = item["n"], item["mean"]


def add_missed_deadlines(rows, period, specification) -> None:
    missed = AuditEvent.objects.filter(
        action="case.deadline_missed", created_at__gte=period.start, created_at__lt=period.end
    ).annotate(task_id=Cast(KeyTextTransform("task", "changes"), IntegerField()))
    tasks = Task.objects.filter(pk__in=missed.values("task_id"), owner__isnull=False)
    if specification is not None:
        tasks = tasks.filter(process__case__specification=specification)
    for item in tasks.values("owner_id", "process__case__specification_id").annotate(n=Count("pk")):
        row = rows.get((item["owner_id"], item["process__case__specification_id"]))
        if row is not None:
            row.deadlines_missed = item["n"]


def add_appeals(rows, scores) -> None:
    appealed = scores.filter(case__appeals__isnull=False)
    for item in appealed.values("assessor_id", "specification_id").annotate(
        n=Count("case_id", distinct=True),
        upheld=Count("case_id", distinct=True, filter=Q(case__appeals__outcome="upheld")),
        overturned=Count("case_id", distinct=True, filter=Q(case__appeals__outcome="overturned")),
    ):
        row = rows[(item["assessor_id"], item["specification_id"])]
        row.appeals, row.appeals_upheld = item["n"], item["upheld"]
        row.appeals_overturned = item["overturned"]


def resolve_names(rows) -> None:
    users = get_user_model().objects.in_bulk({row.assessor for row in rows.values()})
    specs = Specification.objects.in_bulk({row.specification for row in rows.values()})
    for row in rows.values():
        row.assessor, row.specification = users[row.assessor], specs[row.specification]


def flag_outliers(rows) -> None:
    """Compare each assessor with the score-weighted mean of colleagues on the specification."""
    by_spec = defaultdict(list)
    for row in rows:
        if row.mean_share is not None:
            by_spec[row.specification.pk].append(row)
    for group in by_spec.values():
        for row in group:
            others = [r for r in group if r is not row]
            weight = sum(r.scores for r in others)
            if not weight:
                continue
            row.colleagues_share = sum(r.mean_share * r.scores for r in others) / weight
            gap = row.mean_share - row.colleagues_share
            if row.scores >= MIN_SCORES and abs(gap) >= OUTLIER_GAP:
                row.flag = "lenient" if gap > 0 else "severe"


@dataclass
class ProcessRow:
    specification: Specification
    applications: int = 0
    withdrawals: int = 0
    full: int = 0
    partial: int = 0
    none: int = 0
    median: timedelta | None = None
    p90: timedelta | None = None
    agreement: dict | None = None

    @property
    def decided(self) -> int:
        return self.full + self.partial + self.none


def process_rows(specification=None) -> dict[int, ProcessRow]:
    specs = Specification.objects.order_by("slug")
    if specification is not None:
        specs = specs.filter(pk=specification.pk)
    return {spec.pk: ProcessRow(spec) for spec in specs}


def add_applications(rows: dict[int, ProcessRow], period: Period) -> None:
    """Applications submitted and withdrawn in the period."""
    applications = Application.objects.filter(specification__in=rows)
    for item in (
        applications.values("specification_id")
        .annotate(
            applied=Count(
                "pk", filter=Q(submitted_at__gte=period.start, submitted_at__lt=period.end)
            ),
            withdrawn=Count(
                "pk", filter=Q(withdrawn_at__gte=period.start, withdrawn_at__lt=period.end)
            ),
        )
        .order_by()
    ):
        row = rows[item["specification_id"]]
        row.applications, row.withdrawals = item["applied"], item["withdrawn"]


def process_statistics(period: Period, specification=None, matrices=None) -> list[ProcessRow]:
    """Per specification: applications, withdrawals, outcomes, agreement of double markers, and
    the median and 90th percentile of the time from submission (the case's start) to decision
    (its end)."""
    rows = process_rows(specification)
    add_applications(rows, period)
    decided = Case.objects.filter(
        specification__in=rows, finished__gte=period.start, finished__lt=period.end
    ).exclude(outcome="")
    for item in (
        decided.values("specification_id")
        .annotate(
            full=Count("pk", filter=Q(outcome=Outcome.FULL)),
            partial=Count("pk", filter=Q(outcome=Outcome.PARTIAL)),
            none=Count("pk", filter=Q(outcome=Outcome.NONE)),
        )
        .order_by()
    ):
        row = rows[item["specification_id"]]
        row.full, row.partial, row.none = item["full"], item["partial"], item["none"]
    ranked = decided.annotate(
        rank=Window(
            CumeDist(),
            partition_by=[F("specification_id")],
            order_by=_duration("finished", "created").asc(),
        )
    ).order_by()
    for share, attribute in zip(PERCENTILES, ("median", "p90"), strict=True):
        # The nearest-rank percentile: the shortest time at or above the share of cases.
        at_or_above = Case.objects.filter(pk__in=ranked.filter(rank__gte=share).values("pk"))
        for item in (
            at_or_above.values("specification_id")
            .annotate(at=Min(_duration("finished", "created")))
            .order_by()
        ):
            setattr(rows[item["specification_id"]], attribute, item["at"])
    for spec_id, figures in specification_agreement(period, specification, matrices).items():
        if spec_id in rows:
            rows[spec_id].agreement = figures
    return list(rows.values())


def case_tasks(period: Period, specification=None):
    """The people's tasks of cases created in the period, cancelled ones left out."""
    tasks = Task.objects.filter(
        process__flow_class=CaseFlow,
        flow_task_type="HUMAN",
        created__gte=period.start,
        created__lt=period.end,
    ).exclude(status=STATUS.CANCELED)
    if specification is not None:
        tasks = tasks.filter(process__case__specification=specification)
    return tasks


def step_waits(period: Period, specification=None, limit: int | None = None) -> list[dict]:
    """Per specification and step: tasks, still open, and mean time from a task's creation to
    its completion (of the tasks done), longest first."""
    rows = list(
        case_tasks(period, specification)
        .values(spec=F("process__case__specification_id"), step=KeyTextTransform("step", "data"))
        .annotate(
            tasks=Count("pk"),
            open=Count("pk", filter=Q(finished__isnull=True)),
            mean=Avg(_duration("finished", "created"), filter=Q(finished__isnull=False)),
        )
        .order_by()
    )
    return name_steps(longest_first(rows, limit))


def longest_first(rows: list[dict], limit: int | None) -> list[dict]:
    """Step waits by mean time, longest first (steps with no task done yet last), ``limit`` of
    them; ties in a fixed order."""
    rows = sorted(
        rows,
        key=lambda row: (
            row["mean"] is None,
            -(row["mean"] or timedelta()),
            row["spec"],
            row["step"] or "",
        ),
    )
    return rows[:limit] if limit else rows


def name_steps(rows: list[dict]) -> list[dict]:
    """Add each step wait's specification and step title."""
    specs = Specification.objects.in_bulk({row["spec"] for row in rows})
    titles = step_titles(specs)
    for row in rows:
        row["specification"] = specs[row["spec"]]
        row["step_title"] = titles.get((row["spec"], row["step"])) or row["step"]
    return rows


def step_titles(spec_ids) -> dict[tuple[int, str], str]:
    """(specification, step id) -> the step's title in the active language, from the pipeline
    versions the specifications' cases run on (the newest version's title wins)."""
    pairs = _versions_run(list(spec_ids))
    versions = PipelineVersion.objects.in_bulk({version for _spec, version in pairs})
    titles = {}
    for spec, version_pk in sorted(pairs, key=lambda p: versions[p[1]].number):
        for step in load_trusted(versions[version_pk].definition).steps:
            titles[(spec, step.id)] = step_title(step)
    return titles


def _versions_run(spec_ids: list[int]) -> list[tuple[int, int]]:
    """The distinct (specification, pipeline version) of the specifications' cases, found by
    walking the cases' (specification, pipeline version) index from one pair to the next: two
    index lookups per pair, whatever the number of cases. Ordered by both columns and compared
    as a row, each step can use only that index, whichever plan the data's statistics suggest."""
    if not spec_ids:
        return []
    quote = connection.ops.quote_name
    cases = quote(Case._meta.db_table)
    spec = f"c.{quote(Case._meta.get_field('specification').column)}"
    version = f"c.{quote(Case._meta.get_field('pipeline_version').column)}"
    pair = f"{spec}, {version}"
    first = f"FROM {cases} c ORDER BY {pair} LIMIT 1"
    after = f"FROM {cases} c WHERE ({pair}) > (run.spec, run.version) ORDER BY {pair} LIMIT 1"
    # Identifiers come from the model; every value is a parameter.
    sql = (
        f"WITH RECURSIVE run(spec, version) AS ("  # noqa: S608
        f"SELECT (SELECT {spec} {first}), (SELECT {version} {first}) "
        f"UNION ALL "
        f"SELECT (SELECT {spec} {after}), (SELECT {version} {after}) "
        f"FROM run WHERE run.spec IS NOT NULL"
        f") SELECT spec, version FROM run WHERE spec IN ({', '.join(['%s'] * len(spec_ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, spec_ids)
        return cursor.fetchall()


def findings(period: Period, specification=None):
    """Audits reviewed in the period, newest first."""
    audits = AuditCase.objects.filter(
        reviewed_at__gte=period.start, reviewed_at__lt=period.end
    ).select_related("audited_case__specification", "reviewed_by")
    if specification is not None:
        audits = audits.filter(audited_case__specification=specification)
    return audits.order_by("-reviewed_at", "-pk")


def finding_counts(period: Period, specification=None) -> dict:
    return (
        findings(period, specification)
        .order_by()
        .aggregate(
            reviewed=Count("pk"),
            confirmed=Count("pk", filter=Q(verdict=AuditCase.Verdict.CONFIRMED)),
            minor=Count("pk", filter=Q(severity=AuditCase.Severity.MINOR)),
            major=Count("pk", filter=Q(severity=AuditCase.Severity.MAJOR)),
            serious=Count("pk", filter=Q(severity=AuditCase.Severity.SERIOUS)),
            suspended=Count("pk", filter=Q(credential_suspended=True)),
        )
    )


def audit_tasks(user, limit: int = 20) -> dict[str, list]:
    """Open audit tasks: those assigned to ``user`` and those waiting for someone."""
    tasks = (
        Task.objects.filter(process__flow_class=AuditFlow, flow_task_type="HUMAN")
        .select_related("process__auditcase__audited_case__specification")
        .order_by("created")
    )
    return {
        "assigned": list(tasks.filter(owner=user, status=STATUS.ASSIGNED)[:limit]),
        "waiting": list(tasks.filter(owner__isnull=True, status=STATUS.NEW)[:limit]),
    }
