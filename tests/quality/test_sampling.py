"""Sampling decided cases for audit, and the reporting table of scores the engine writes."""

import random

import pytest

from quality.audits import services
from quality.models import AuditCase, SamplingPolicy, Score
from rpl.audit.models import AuditEvent
from tests.factories.cases import decide_python_case, double_marked_agile_case
from tests.workflows.engine_helpers import open_tasks, take_and_complete

pytestmark = pytest.mark.django_db


class Always(random.Random):
    def random(self):
        return 0.0


class Never(random.Random):
    def random(self):
        return 0.999999


def test_it_audits_a_decision_close_to_a_pass_threshold(demo, candidate, assessor, decision_maker):
    spec = demo["python-basics"]
    case = decide_python_case(spec, candidate, assessor, decision_maker, scores=(4, 2))
    audit_case = services.on_decision(case.pk, rng=Never())
    assert audit_case.reason == AuditCase.Reason.NEAR_THRESHOLD
    assert {key: audit_case.details["near"][0][key] for key in ("step", "score", "threshold")} == {
        "step": "portfolio",
        "score": 2.0,
        "threshold": 2.0,
    }
    assert AuditEvent.objects.filter(
        action="quality.audit_sampled", target_id=str(case.pk)
    ).exists()
    assert [t.flow_task.name for t in open_tasks(audit_case)] == ["review"]


def test_it_audits_a_test_result_close_to_the_pass_mark(demo, candidate, assessor, decision_maker):
    spec = demo["python-basics"]
    case = decide_python_case(spec, candidate, assessor, decision_maker, percent=73.0)
    near = services.near_threshold(case, services.policy_for(spec))
    assert near == [
        {"step": "knowledge-test", "measure": "score_percent", "score": 73.0, "threshold": 70}
    ]
    SamplingPolicy.objects.create(specification=spec, percent_margin=2)
    assert services.near_threshold(case, services.policy_for(spec)) == []


def test_it_samples_clear_decisions_at_random_with_the_policys_share(
    demo, candidate, assessor, decision_maker
):
    spec = demo["python-basics"]
    case = decide_python_case(spec, candidate, assessor, decision_maker, scores=(4,))
    assert services.on_decision(case.pk, rng=Never()) is None
    chosen = services.on_decision(case.pk, rng=Always())
    assert chosen.reason == AuditCase.Reason.RANDOM
    SamplingPolicy.objects.create(specification=spec, share_percent=0)
    other = decide_python_case(spec, candidate, assessor, decision_maker, scores=(4,))
    assert services.on_decision(other.pk, rng=Always()) is None


def test_it_draws_a_reproducible_share_with_a_seeded_random_source(
    demo, candidate, assessor, decision_maker
):
    spec = demo["python-basics"]
    case = decide_python_case(spec, candidate, assessor, decision_maker, scores=(4,))
    seeded = [random.Random(seed) for seed in range(200)]  # noqa: S311 - reproducible on purpose
    draws = [services.choose_for_audit(case, rng=rng) for rng in seeded]
    again = [
        services.choose_for_audit(case, rng=random.Random(seed))  # noqa: S311
        for seed in range(200)
    ]
    assert draws == again
    assert 8 <= sum(d is not None for d in draws) <= 35  # 10 % of 200, give or take chance


def test_it_samples_after_the_decision_commits(
    demo, candidate, assessor, decision_maker, django_capture_on_commit_callbacks
):
    spec = demo["python-basics"]
    with django_capture_on_commit_callbacks(execute=True):
        case = decide_python_case(spec, candidate, assessor, decision_maker, scores=(2,))
    assert AuditCase.objects.get(audited_case=case).reason == AuditCase.Reason.NEAR_THRESHOLD


def test_it_gives_an_appeal_one_audit_and_keeps_a_waiting_one(
    demo, candidate, assessor, decision_maker
):
    case = decide_python_case(demo["python-basics"], candidate, assessor, decision_maker)
    first = services.sample_for_audit(case, reason="appeal")
    assert services.sample_for_audit(case, reason="appeal").pk == first.pk
    assert services.sample_for_audit(case, reason="random").pk != first.pk
    with pytest.raises(ValueError):
        services.sample_for_audit(case, reason="because")


def test_it_never_lets_a_sampling_failure_undo_a_decision(
    demo, candidate, assessor, decision_maker, monkeypatch
):
    case = decide_python_case(demo["python-basics"], candidate, assessor, decision_maker)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "choose_for_audit", broken)
    assert services.on_decision(case.pk) is None


def test_it_writes_one_score_row_per_outcome_and_marks_moderated_steps(
    demo, candidate, assessor, assessor2, identity_officer, decision_maker
):
    from guardian.shortcuts import assign_perm

    from rpl.accounts.roles import Role
    from tests.factories import make_user

    spec = demo["agile-project-management"]
    staff = {"assessor": assessor, "assessor2": assessor2, "identity_officer": identity_officer}
    outcomes = spec.outcomes.count()
    case = double_marked_agile_case(spec, candidate, staff, (4,), (1,))
    rows = Score.objects.filter(case=case)
    assert rows.count() == 2 * outcomes
    assert set(rows.values_list("assessor_id", flat=True)) == {assessor.pk, assessor2.pk}
    assert not rows.filter(moderated=True).exists()
    assert rows.filter(assessor=assessor, passed=True).count() == outcomes
    assert rows.filter(assessor=assessor2, passed=False).count() == outcomes
    moderator = make_user(Role.ASSESSOR, email="mo@example.org")
    assign_perm("credentials.assess", moderator, spec)
    (moderation,) = open_tasks(case)
    take_and_complete(
        moderation, moderator, {"scores": {str(o.pk): 3 for o in spec.outcomes.all()}}
    )
    assert rows.filter(role="assessor", moderated=True).count() == 2 * outcomes
    assert Score.objects.filter(case=case, role="moderator", value=3).count() == outcomes
