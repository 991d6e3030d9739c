"""Assessor and process statistics computed in the database, on data the engine wrote."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evidence.models import Application
from quality.statistics import figures as statistics
from quality.statistics.agreement import cohen_kappa, count_matrix
from quality.statistics.figures import Period
from rpl.audit import services as audit
from tests.factories.cases import decide_python_case, double_marked_agile_case, sheet
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.models import Case, StepResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    return Period(timezone.now() - timedelta(days=30), timezone.now() + timedelta(minutes=1))


@pytest.fixture
def double_marked(demo, candidate, assessor, assessor2, identity_officer):
    """Three double-marked agile cases: full agreement at 4, one point apart (3 vs 2), and a
    wide divergence (4 vs 1) on which a moderator gives 3."""
    from guardian.shortcuts import assign_perm

    from rpl.accounts.roles import Role
    from tests.factories import make_user

    spec = demo["agile-project-management"]
    staff = {"assessor": assessor, "assessor2": assessor2, "identity_officer": identity_officer}
    cases = [
        double_marked_agile_case(spec, candidate, staff, first, second)
        for first, second in (((4,), (4,)), ((3,), (2,)), ((4,), (1,)))
    ]
    moderator = make_user(Role.ASSESSOR, email="mo@example.org")
    assign_perm("credentials.assess", moderator, spec)
    (moderation,) = open_tasks(cases[2], "moderate")
    take_and_complete(moderation, moderator, sheet(spec, 3))
    return spec, cases


def _row(rows, user):
    (row,) = [r for r in rows if r.assessor == user]
    return row


def test_it_computes_agreement_between_double_markers(double_marked, period, assessor, assessor2):
    spec, _cases = double_marked
    k = spec.outcomes.count()
    rows = statistics.assessor_statistics(period, spec)
    first, second = _row(rows, assessor), _row(rows, assessor2)
    expected = count_matrix({(4, 4): k, (3, 2): k, (4, 1): k}, range(0, 5))
    assert first.paired == second.paired == 3 * k
    assert first.agreement_percent == pytest.approx(100 / 3)
    assert first.kappa_linear == pytest.approx(cohen_kappa(expected, "linear"))
    assert first.kappa_quadratic == pytest.approx(cohen_kappa(expected, "quadratic"))
    # The colleague's view is the transposed matrix: the same kappa.
    assert second.kappa_quadratic == pytest.approx(first.kappa_quadratic)
    whole = statistics.specification_agreement(period, spec)[spec.pk]
    assert whole["pairs"] == 3 * k
    assert whole["kappa_linear"] == pytest.approx(first.kappa_linear)


def test_it_counts_cases_scores_distribution_and_moderation(
    double_marked, period, assessor, assessor2
):
    spec, _cases = double_marked
    k = spec.outcomes.count()
    first, second = (
        _row(statistics.assessor_statistics(period, spec), u) for u in (assessor, assessor2)
    )
    assert (first.cases, first.scores, first.sheets) == (3, 3 * k, 3)
    assert dict(first.distribution_rows) == {0: 0, 1: 0, 2: 0, 3: k, 4: 2 * k}
    assert dict(second.distribution_rows) == {0: 0, 1: k, 2: k, 3: 0, 4: k}
    assert first.pass_rate == pytest.approx(100)  # 3 and 4 pass at 2.5
    assert second.pass_rate == pytest.approx(100 / 3)
    assert (first.moderated, second.moderated) == (1, 1)
    assert first.moderation_rate == pytest.approx(100 / 3)
    assert first.tasks == 3 and first.mean_task_time is not None


def test_it_flags_the_lenient_and_the_severe_assessor(double_marked, period, assessor, assessor2):
    spec, _cases = double_marked
    rows = statistics.assessor_statistics(period, spec)
    first, second = _row(rows, assessor), _row(rows, assessor2)
    assert first.mean_share == pytest.approx((4 + 3 + 4) / 3 / 4)
    assert second.colleagues_share == pytest.approx(first.mean_share)
    assert (first.flag, second.flag) == ("lenient", "severe")


def test_it_does_not_flag_small_gaps(
    demo, candidate, assessor, assessor2, identity_officer, period
):
    spec = demo["agile-project-management"]
    staff = {"assessor": assessor, "assessor2": assessor2, "identity_officer": identity_officer}
    for first, second in (((4,), (4,)), ((3,), (3,)), ((4,), (3,))):
        double_marked_agile_case(spec, candidate, staff, first, second)
    assert {row.flag for row in statistics.assessor_statistics(period, spec)} == {""}


def test_it_counts_missed_deadlines_and_appeals_per_assessor(
    double_marked, period, assessor, assessor2, candidate
):
    from workflows.flows.appeal_flow import AppealFlow
    from workflows.models import Appeal

    spec, cases = double_marked
    result = StepResult.objects.filter(case=cases[0], actor=assessor).get()
    audit.record(
        actor=None,
        action="case.deadline_missed",
        target=cases[0],
        changes={"step": "portfolio", "task": result.task_id, "escalated_to": "assessor_pool"},
    )
    Appeal.objects.create(
        flow_class=AppealFlow,
        appealed_case=cases[1],
        candidate=candidate,
        grounds="Unfair.",
        outcome=Appeal.Result.OVERTURNED,
        new_outcome="full",
        decided_at=timezone.now(),
    )
    rows = statistics.assessor_statistics(period, spec)
    first, second = _row(rows, assessor), _row(rows, assessor2)
    assert (first.deadlines_missed, second.deadlines_missed) == (1, 0)
    assert (first.appeals, first.appeals_overturned, first.appeals_upheld) == (1, 1, 0)
    assert second.appeals == 1


def test_it_leaves_out_what_lies_outside_the_period(double_marked, assessor):
    spec, _cases = double_marked
    long_ago = Period(timezone.now() - timedelta(days=90), timezone.now() - timedelta(days=60))
    assert statistics.assessor_statistics(long_ago, spec) == []
    assert statistics.step_waits(long_ago, spec) == []


def test_it_computes_outcomes_and_time_to_decision_per_specification(
    demo, candidate, candidate2, assessor, decision_maker, period
):
    spec = demo["python-basics"]
    now = timezone.now()
    durations = [1, 2, 3, 10]
    for days, outcome in zip(durations, ["full", "full", "none", "partial"], strict=True):
        case = decide_python_case(spec, candidate, assessor, decision_maker, outcome=outcome)
        Case.objects.filter(pk=case.pk).update(created=now - timedelta(days=days), finished=now)
    Application.objects.create(
        candidate=candidate, specification=spec, status="submitted", submitted_at=now
    )
    Application.objects.create(
        candidate=candidate2,
        specification=spec,
        status="withdrawn",
        submitted_at=now,
        withdrawn_at=now,
    )
    (row,) = [r for r in statistics.process_statistics(period) if r.specification == spec]
    assert (row.full, row.partial, row.none, row.decided) == (2, 1, 1, 4)
    assert (row.applications, row.withdrawals) == (2, 1)
    assert abs(row.median - timedelta(days=2)) < timedelta(minutes=1)
    assert abs(row.p90 - timedelta(days=10)) < timedelta(minutes=1)
    waits = {w["step"]: w for w in statistics.step_waits(period, spec)}
    assert waits["portfolio"]["tasks"] == 4 and waits["portfolio"]["open"] == 0


def test_it_counts_open_tasks_at_a_step(double_marked, period):
    spec, cases = double_marked
    waits = {w["step"]: w for w in statistics.step_waits(period, spec)}
    assert waits["portfolio"]["tasks"] == 7  # six markers and a moderator
    open_now = sum(1 for case in cases for t in open_tasks(case) if t.data.get("step") == "panel")
    assert waits["panel"]["open"] == open_now > 0


def test_it_fills_the_score_table_for_sheets_recorded_before_it_existed(double_marked):
    import importlib

    from django.apps import apps

    from quality.models import Score

    fields = ["step_result", "assessor", "step_id", "round", "outcome_id", "value", "passed"]
    before = sorted(Score.objects.values_list(*fields, "moderated"))
    assert len(before) > 0 and any(row[-1] for row in before)
    Score.objects.all().delete()

    backfill = importlib.import_module("quality.migrations.0002_backfill_scores").backfill
    backfill(apps, None)
    assert sorted(Score.objects.values_list(*fields, "moderated")) == before
    backfill(apps, None)  # nothing is written twice
    assert Score.objects.count() == len(before)
