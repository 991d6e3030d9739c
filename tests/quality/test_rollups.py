"""The dashboard's roll-ups: kept by the engine's signals exactly as a rebuild from the raw rows
computes them, and every figure the dashboard shows from them (step waits too) equal to the raw
computation (``figures``, the oracle)."""

from dataclasses import asdict
from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db.models import F, Sum
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from evidence.models import Application
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
from quality.statistics import figures, rolled_figures
from quality.statistics.figures import Period
from tests.factories.cases import decide_python_case, double_marked_agile_case, sheet
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services
from workflows.flows.case_flow import CaseFlow
from workflows.models import Appeal, StepResult
from workflows.work import services as work

pytestmark = pytest.mark.django_db

ROLLUPS = (ScoreTally, SheetTally, AssessorCase, PairTally, TaskTally, DecidedCase, StepWaitTally)


def _tables() -> dict:
    return {
        model.__name__: sorted(tuple(row.values()) for row in model.objects.values(*_fields(model)))
        for model in ROLLUPS
    }


def _fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key or f.is_relation]


def _days(first, last) -> Period:
    """A period as the period form chooses it: whole local days, ``last`` included."""
    zone = timezone.get_current_timezone()
    return Period(
        datetime.combine(first, time.min, zone),
        datetime.combine(last + timedelta(days=1), time.min, zone),
    )


def _plain(value):
    """A figure as compared: floats to 12 significant digits, durations to the millisecond."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, timedelta):
        return round(value.total_seconds(), 3)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _figures(module, period, specification):
    matrices = module.agreement_matrices(period, specification)
    return {
        "process": [
            _plain(asdict(row) | {"specification": row.specification.pk})
            for row in module.process_statistics(period, specification, matrices)
        ],
        "assessors": [
            _plain(
                asdict(row)
                | {
                    "assessor": row.assessor.pk,
                    "specification": row.specification.pk,
                    "distribution": row.distribution_rows,
                }
            )
            for row in module.assessor_statistics(period, specification, matrices)
        ],
        "waits": [_plain(row) for row in module.step_waits(period, specification)],
        "longest waits": [_plain(row) for row in module.step_waits(period, specification, limit=2)],
    }


def _assert_same_figures(periods, specifications):
    for period in periods:
        for specification in specifications:
            rolled = _figures(rolled_figures, period, specification)
            assert rolled == _figures(figures, period, specification), (period, specification)


def _move_back(case, days: int) -> None:
    """Move a case and everything recorded on it ``days`` back, as if it ran then."""
    back = timedelta(days=days)
    for process in Process.objects.filter(pk=case.pk):
        process.created -= back
        process.finished = process.finished and process.finished - back
        process.save(update_fields=["created", "finished"])
    for task in Task.objects.filter(process_id=case.pk):
        task.created -= back
        task.finished = task.finished and task.finished - back
        task.save(update_fields=["created", "finished"])
    for result in StepResult.objects.filter(case=case):
        result.created_at -= back
        result.save(update_fields=["created_at"])
    for score in Score.objects.filter(case=case):
        score.recorded_at -= back
        score.save(update_fields=["recorded_at"])


@pytest.fixture
def varied(
    demo,
    candidate,
    candidate2,
    assessor,
    assessor2,
    identity_officer,
    decision_maker,
    django_capture_on_commit_callbacks,
):
    """Decisions of each kind on python-basics, an appealed one, double marking on agile
    project management (agreement, a point apart on some outcomes, a wide gap moderated; their
    panel decisions still open), a withdrawn application, a case cancelled at its first task and
    one whose first task is taken but not done: the roll-ups kept by the signals as it happens."""
    from guardian.shortcuts import assign_perm

    from rpl.accounts.roles import Role
    from tests.factories import make_user
    from workflows.flows.appeal_flow import AppealFlow

    python, agile = demo["python-basics"], demo["agile-project-management"]
    staff = {"assessor": assessor, "assessor2": assessor2, "identity_officer": identity_officer}
    with django_capture_on_commit_callbacks(execute=True):
        decided = [
            decide_python_case(python, candidate, assessor, decision_maker, **kind)
            for kind in (
                {"outcome": "full"},
                {"outcome": "partial", "scores": (3, 2), "percent": 60.0},
                {"outcome": "none", "scores": (1,), "percent": 20.0},
            )
        ]
        marked = [
            double_marked_agile_case(agile, candidate, staff, first, second)
            for first, second in (((4,), (4,)), ((3, 2), (2,)), ((4,), (1,)))
        ]
        moderator = make_user(Role.ASSESSOR, email="mo@example.org")
        assign_perm("credentials.assess", moderator, agile)
        (moderation,) = open_tasks(marked[2], "moderate")
        take_and_complete(moderation, moderator, sheet(agile, 3))
    Appeal.objects.create(
        flow_class=AppealFlow,
        appealed_case=decided[2],
        candidate=candidate,
        grounds="Unfair.",
        outcome=Appeal.Result.UPHELD,
        decided_at=timezone.now(),
    )
    now = timezone.now()
    Application.objects.create(
        candidate=candidate2,
        specification=python,
        status="withdrawn",
        submitted_at=now,
        withdrawn_at=now,
    )
    CaseFlow.instance.cancel(case_services.start_case(candidate=candidate2, specification=python))
    waiting = case_services.start_case(candidate=candidate2, specification=python)
    assert work.take(open_tasks(waiting)[0], assessor) is None
    return python, agile, decided, marked, waiting


def test_it_keeps_rollups_as_a_rebuild_computes_them_and_shows_the_raw_figures(varied):
    python, agile, decided, marked, waiting = varied
    kept = _tables()
    assert len(kept["DecidedCase"]) == 3 and kept["PairTally"] and kept["TaskTally"]
    today = timezone.localdate()
    waits = rolled_figures.step_waits(_days(today, today), python)
    assert {(w["step"], w["tasks"], w["open"]) for w in waits} >= {("portfolio", 4, 1)}
    assert Task.objects.filter(process__case__specification=python, status="CANCELED").exists()
    assert SheetTally.objects.aggregate(n=Sum("moderated"))["n"] == 2  # both agile sheets
    call_command("quality", "rebuild_rollups")
    assert _tables() == kept
    _assert_same_figures(
        [_days(today, today), _days(today - timedelta(days=365), today)], [None, python, agile]
    )

    # Days to decision in different whole days, spread over months, then rebuilt (twice: it is
    # idempotent).
    for case, days in zip(decided, (1.2, 3.1, 10), strict=True):
        Process.objects.filter(pk=case.pk).update(created=F("created") - timedelta(days=days))
    # The assessor scores a case again long after the first time (as on a later round).
    test = StepResult.objects.get(case=decided[2], role="assessor", quality_scores=None)
    for score in Score.objects.filter(case=decided[2]):
        score.pk, score.step_result, score.step_id = None, test, test.step_id
        score.recorded_at -= timedelta(days=40)
        score.save()
    _move_back(decided[0], 40)
    _move_back(marked[0], 75)
    _move_back(marked[1], 75)
    _move_back(decided[1], 100)
    _move_back(waiting, 40)
    call_command("quality", "rebuild_rollups")
    rebuilt = _tables()
    call_command("quality", "rebuild_rollups")
    assert _tables() == rebuilt
    months = [
        _days(today - timedelta(days=start), today - timedelta(days=end))
        for start, end in ((30, 0), (60, 31), (90, 61), (365, 91), (365, 0))
    ]
    _assert_same_figures(months, [None, python, agile])
    assert {len(r["assessors"]) for r in (_figures(rolled_figures, p, None) for p in months)} != {0}
