"""The dashboard's roll-ups (``quality.models``: ScoreTally, SheetTally, AssessorCase, PairTally,
TaskTally, DecidedCase, StepWaitTally): added to as the engine records, finishes tasks and
decides, and rebuilt from the raw rows. Counters grow by upserts (``INSERT ... ON CONFLICT DO
UPDATE``), so two transactions adding to the same row both count."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from django.apps import apps as installed_apps
from django.db import connection, transaction
from django.db.models import (
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    Sum,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from viewflow.workflow.status import STATUS

from quality.models import (
    AssessorCase,
    DecidedCase,
    PairTally,
    Score,
    ScoreTally,
    SheetTally,
    StepWaitTally,
    TaskTally,
)
from workflows.flows import case_flow_class
from workflows.models import Case, StepResult

ASSESSOR = StepResult.Role.ASSESSOR
TIMED_ROLES = [StepResult.Role.ASSESSOR, StepResult.Role.MODERATOR]
MICROSECOND = timedelta(microseconds=1)
SHEET_COUNTERS = ("sheets", "moderated", "cases")
RESULT_ROLLUPS = (
    "ScoreTally",
    "SheetTally",
    "AssessorCase",
    "PairTally",
    "TaskTally",
    "DecidedCase",
)
ROLLUPS = (*RESULT_ROLLUPS, "StepWaitTally")


def day_of(moment: datetime) -> date:
    """The local date (TIME_ZONE, whatever language or zone a request activated) of ``moment``."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _add(
    model, rows: list[dict], counters: tuple[str, ...] = (), key: tuple[str, ...] = ()
) -> None:
    """Add each row's ``counters`` to the row with the same ``key`` (by default every other
    field), or insert it; without counters, insert the rows that are not there yet."""
    if not rows:
        return
    quote, table = connection.ops.quote_name, model._meta.db_table
    names = list(rows[0])
    key = [
        model._meta.get_field(name).column
        for name in (key or [name for name in names if name not in counters])
    ]
    columns = [model._meta.get_field(name).column for name in names]
    update = ", ".join(
        f"{quote(c)} = {quote(table)}.{quote(c)} + excluded.{quote(c)}"
        for c in (model._meta.get_field(name).column for name in counters)
    )
    # Identifiers come from the model; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(map(quote, key))}) "
        + (f"DO UPDATE SET {update}" if counters else "DO NOTHING")
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[row[name] for name in names] for row in rows])


def add_result(result: StepResult, moderated_sheets: list[int]) -> None:
    """Count a recorded step result (its scores were written already) and the assessors' sheets
    its moderation marked. Runs inside the engine's transaction."""
    if result.role in TIMED_ROLES:
        _add_task(result)
    if result.role == ASSESSOR:
        _add_scores(result)
    if moderated_sheets:
        sheets = (
            Score.objects.filter(step_result_id__in=moderated_sheets)
            .values("step_result_id", "specification_id", "assessor_id", "recorded_at")
            .distinct()
        )
        moderated = Counter(
            (s["specification_id"], s["assessor_id"], day_of(s["recorded_at"])) for s in sheets
        )
        _add(
            SheetTally,
            [
                {
                    "specification": spec,
                    "assessor": who,
                    "day": day,
                    "sheets": 0,
                    "moderated": n,
                    "cases": 0,
                }
                for (spec, who, day), n in moderated.items()
            ],
            SHEET_COUNTERS,
        )


def _add_task(result: StepResult) -> None:
    created = result.task.created
    _add(
        TaskTally,
        [
            {
                "specification": result.case.specification_id,
                "actor": result.actor_id,
                "day": day_of(result.created_at),
                "tasks": 1,
                "microseconds": (result.created_at - created) // MICROSECOND,
            }
        ],
        ("tasks", "microseconds"),
    )


def _add_scores(result: StepResult) -> None:
    fields = ("outcome_id", "round", "value", "rubric_min", "rubric_max", "passed", "recorded_at")
    scores = list(Score.objects.filter(step_result=result, role=ASSESSOR).values(*fields))
    if not scores:
        return
    spec, who = result.case.specification_id, result.actor_id
    day = day_of(scores[0]["recorded_at"])
    tally = Counter((s["value"], s["rubric_min"], s["rubric_max"], s["passed"]) for s in scores)
    _add(
        ScoreTally,
        [
            {
                "specification": spec,
                "assessor": who,
                "day": day,
                "value": value,
                "rubric_min": low,
                "rubric_max": high,
                "passed": passed,
                "scores": n,
            }
            for (value, low, high, passed), n in tally.items()
        ],
        ("scores",),
    )
    first_day = AssessorCase.objects.filter(assessor_id=who, case_id=result.case_id).aggregate(
        first=Min("first_day")
    )["first"]
    _add(
        SheetTally,
        [
            {
                "specification": spec,
                "assessor": who,
                "day": day,
                "sheets": 1,
                "moderated": 0,
                "cases": 0 if first_day else 1,
            }
        ],
        SHEET_COUNTERS,
    )
    _add(
        AssessorCase,
        [
            {
                "specification": spec,
                "assessor": who,
                "case": result.case_id,
                "day": day,
                "first_day": first_day or day,
            }
        ],
        key=("specification", "assessor", "case", "day"),
    )
    mine = {(s["round"], s["outcome_id"]): s for s in scores}
    others = (
        Score.objects.filter(
            case_id=result.case_id,
            step_id=result.step_id,
            role=ASSESSOR,
            round__in={s["round"] for s in scores},
            outcome_id__in={s["outcome_id"] for s in scores},
        )
        .exclude(assessor_id=who)
        .values("assessor_id", *fields)
    )
    pairs = Counter()
    for other in others:
        score = mine.get((other["round"], other["outcome_id"]))
        if score is None:
            continue
        first = who < other["assessor_id"]
        mine_side = (who, first, day, score["value"], other["value"])
        pairs[(*mine_side, score["rubric_min"], score["rubric_max"])] += 1
        theirs = (other["assessor_id"], not first, day_of(other["recorded_at"]), other["value"])
        pairs[(*theirs, score["value"], other["rubric_min"], other["rubric_max"])] += 1
    _add(
        PairTally,
        [
            {
                "specification": spec,
                "assessor": marker,
                "first": first,
                "day": pair_day,
                "value": a,
                "colleague_value": b,
                "rubric_min": low,
                "rubric_max": high,
                "pairs": n,
            }
            for (marker, first, pair_day, a, b, low, high), n in pairs.items()
        ],
        ("pairs",),
    )


def add_step_wait(case, task) -> None:
    """Count a person's task of ``case`` that is done. Runs inside the engine's transaction."""
    _add(
        StepWaitTally,
        [
            {
                "specification": case.specification_id,
                "step": (task.data or {}).get("step") or "",
                "day": day_of(task.created),
                "tasks": 1,
                "microseconds": (task.finished - task.created) // MICROSECOND,
            }
        ],
        ("tasks", "microseconds"),
    )


def refresh_decision(case_id: int) -> None:
    """Keep the case's DecidedCase row as the case is now: decided (with an outcome and an end)
    or not. Idempotent; runs after the decision or appeal commits."""
    case = (
        Case.objects.filter(pk=case_id)
        .values("specification_id", "created", "finished", "outcome")
        .first()
    )
    if case is None or case["finished"] is None or not case["outcome"]:
        DecidedCase.objects.filter(case_id=case_id).delete()
        return
    fields = ["specification", "decided_on", "outcome", "microseconds"]
    DecidedCase.objects.bulk_create(
        [
            DecidedCase(
                case_id=case_id,
                specification_id=case["specification_id"],
                decided_on=day_of(case["finished"]),
                outcome=case["outcome"],
                microseconds=(case["finished"] - case["created"]) // MICROSECOND,
            )
        ],
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=fields,
    )


def rebuild(get_model=installed_apps.get_model, names=ROLLUPS) -> dict[str, int]:
    """Recompute the roll-ups ``names`` (every one by default) from the raw rows; returns the rows
    written per table. Takes ``get_model`` and ``names`` so that a migration can pass its
    historical models and the roll-ups it has."""
    rows = {}
    if set(names) & set(RESULT_ROLLUPS):
        rows |= _result_rows(get_model)
    if "StepWaitTally" in names:
        rows["StepWaitTally"] = _step_wait_rows(get_model)
    with transaction.atomic():
        for name in names:
            model = get_model("quality", name)
            model.objects.all().delete()
            model.objects.bulk_create(rows[name], batch_size=5000)
    return {name: len(rows[name]) for name in names}


def _result_rows(get_model) -> dict[str, list]:
    """The roll-ups of scores, step results and decided cases, from the raw rows."""
    model = {name: get_model("quality", name) for name in RESULT_ROLLUPS}
    score, result = get_model("quality", "Score"), get_model("workflows", "StepResult")
    case = get_model("workflows", "Case")
    day = TruncDate("recorded_at", tzinfo=timezone.get_default_timezone())
    scores = score.objects.filter(role=ASSESSOR).annotate(day=day).order_by()
    who = ("specification_id", "assessor_id", "day")
    assessed = list(scores.values(*who, "case_id").distinct().iterator())
    first_days = {}
    for row in assessed:
        marker = (row["assessor_id"], row["case_id"])
        first_days[marker] = min(row["day"], first_days.get(marker, row["day"]))
    first_cases = Counter(
        (row["specification_id"], row["assessor_id"], row["day"])
        for row in assessed
        if row["day"] == first_days[(row["assessor_id"], row["case_id"])]
    )
    rows = {
        "ScoreTally": [
            model["ScoreTally"](**row)
            for row in scores.values(*who, "value", "rubric_min", "rubric_max", "passed").annotate(
                scores=Count("pk")
            )
        ],
        "SheetTally": [
            model["SheetTally"](
                **row, cases=first_cases[(row["specification_id"], row["assessor_id"], row["day"])]
            )
            for row in scores.values(*who).annotate(
                sheets=Count("step_result_id", distinct=True),
                moderated=Count("step_result_id", distinct=True, filter=Q(moderated=True)),
            )
        ],
        "AssessorCase": [
            model["AssessorCase"](**row, first_day=first_days[(row["assessor_id"], row["case_id"])])
            for row in assessed
        ],
        "PairTally": [model["PairTally"](**row) for row in _pairs(score)],
        "TaskTally": [
            model["TaskTally"](
                specification_id=row["case__specification_id"],
                actor_id=row["actor_id"],
                day=row["day"],
                tasks=row["tasks"],
                microseconds=row["total"] // MICROSECOND,
            )
            for row in result.objects.filter(role__in=TIMED_ROLES)
            .annotate(day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()))
            .values("case__specification_id", "actor_id", "day")
            .annotate(
                tasks=Count("pk"),
                total=Sum(
                    ExpressionWrapper(
                        F("created_at") - F("task__created"), output_field=DurationField()
                    )
                ),
            )
            .order_by()
        ],
        "DecidedCase": [
            model["DecidedCase"](
                case_id=row["pk"],
                specification_id=row["specification_id"],
                decided_on=day_of(row["finished"]),
                outcome=row["outcome"],
                microseconds=(row["finished"] - row["created"]) // MICROSECOND,
            )
            for row in case.objects.filter(finished__isnull=False)
            .exclude(outcome="")
            .values("pk", "specification_id", "created", "finished", "outcome")
            .iterator()
        ],
    }
    return rows


def _step_wait_rows(get_model) -> list:
    """StepWaitTally rows from the people's tasks of cases that are done."""
    tally, task = get_model("quality", "StepWaitTally"), get_model("viewflow", "Task")
    done = task.objects.filter(
        process__flow_class=case_flow_class(), flow_task_type="HUMAN", finished__isnull=False
    ).exclude(status=STATUS.CANCELED)
    return [
        tally(
            specification_id=row["process__case__specification_id"],
            step=row["step"],
            day=row["day"],
            tasks=row["tasks"],
            microseconds=row["total"] // MICROSECOND,
        )
        for row in done.annotate(
            day=TruncDate("created", tzinfo=timezone.get_default_timezone()),
            step=Coalesce(KeyTextTransform("step", "data"), Value(""), output_field=CharField()),
        )
        .values("process__case__specification_id", "step", "day")
        .annotate(
            tasks=Count("pk"),
            total=Sum(
                ExpressionWrapper(F("finished") - F("created"), output_field=DurationField())
            ),
        )
        .order_by()
    ]


def _pairs(score) -> list[dict]:
    """PairTally rows from the double-marked scores: the join groups by each score's time (a
    sheet's), folded into days here."""
    table = score._meta.db_table
    # Fixed fragments and the model's own table name; every value is a query parameter.
    sql = (
        f"SELECT a.specification_id, a.assessor_id, a.assessor_id < b.assessor_id, "  # noqa: S608
        f"a.recorded_at, "
        f"a.value, b.value, a.rubric_min, a.rubric_max, COUNT(*) "
        f"FROM {table} a JOIN {table} b ON a.case_id = b.case_id AND a.step_id = b.step_id "
        f"AND a.round = b.round AND a.outcome_id = b.outcome_id AND a.assessor_id <> b.assessor_id "
        f"WHERE a.role = %s AND b.role = %s "
        f"GROUP BY a.specification_id, a.assessor_id, a.assessor_id < b.assessor_id, "
        f"a.recorded_at, a.value, "
        f"b.value, a.rubric_min, a.rubric_max"
    )
    pairs = Counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, [ASSESSOR, ASSESSOR])
        for spec, marker, first, at, a, b, low, high, n in cursor.fetchall():
            if timezone.is_naive(at):  # SQLite keeps UTC without its zone
                at = at.replace(tzinfo=UTC)
            pairs[(spec, marker, bool(first), day_of(at), a, b, low, high)] += n
    names = (
        "specification_id",
        "assessor_id",
        "first",
        "day",
        "value",
        "colleague_value",
        "rubric_min",
        "rubric_max",
    )
    return [dict(zip(names, key, strict=True), pairs=n) for key, n in pairs.items()]
