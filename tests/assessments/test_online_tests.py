from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from assessments.models import Answer, Question, TestSitting
from assessments.online_tests import selectors, services
from tests.assessments.helpers import answers, seed_drawing_a_short_question, seeded
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.models import StepResult

pytestmark = pytest.mark.django_db
T0 = timezone.now()


def sitting_of(case):
    return TestSitting.objects.get(case=case, step_id="knowledge-test")


def no_short(rows):
    """Answers with the short-answer questions left empty: nothing for an assessor to mark."""
    return {pk: ("" if isinstance(value, str) else value) for pk, value in rows.items()}


def sit(sitting, *, right, short=False, seed=1, now=T0):
    attempt = services.start_attempt(sitting, rng=seeded(seed), now=now)
    given = answers(attempt, right=right)
    services.save_answers(attempt, given if short else no_short(given), now=now)
    return services.submit(attempt, now=now + timedelta(minutes=1))


def test_it_invites_the_candidate_by_email_when_the_bank_is_ready(case_at_test, candidate):
    assert open_tasks(case_at_test) == []
    sitting = sitting_of(case_at_test)
    assert (sitting.questions, sitting.time_limit_minutes, sitting.attempts_allowed) == (20, 30, 2)
    assert sitting.supervised is False
    invitation = mail.outbox[-1]
    assert invitation.to == [candidate.email]
    assert f"/tests/{sitting.pk}/" in invitation.body


def test_it_draws_without_repetition_only_questions_in_use_in_a_new_order_each_attempt(
    case_at_test,
):
    sitting = sitting_of(case_at_test)
    retired = Question.objects.filter(bank=sitting.bank).order_by("pk")[:3]
    Question.objects.filter(pk__in=[q.pk for q in retired]).update(active=False)
    first = services.start_attempt(sitting, rng=seeded(7), now=T0)
    ids = [item["question"] for item in first.drawn]
    assert len(ids) == len(set(ids)) == 20
    assert not set(ids) & {q.pk for q in retired}
    options = {item["question"]: item["options"] for item in first.drawn}
    for question, shown in selectors.drawn_questions(first):
        assert sorted(o.pk for o in shown) == sorted(o.pk for o in question.options.all())
    services.save_answers(first, no_short(answers(first, right=False)), now=T0)
    services.submit(first, now=T0)
    second = services.start_attempt(sitting, rng=seeded(8), now=T0)
    assert second.number == 2
    assert [item["question"] for item in second.drawn] != ids
    common = [item for item in second.drawn if item["question"] in options]
    assert any(item["options"] != options[item["question"]] for item in common)


def test_it_advances_the_case_on_a_pass_without_marking(case_at_test, candidate):
    attempt = sit(sitting_of(case_at_test), right=True)
    case_at_test.refresh_from_db()
    expected = attempt.score_percent
    assert expected >= 70
    assert case_at_test.results["knowledge-test"] == {"score_percent": expected, "passed": True}
    automatic = StepResult.objects.get(case=case_at_test, role=StepResult.Role.AUTOMATIC)
    assert automatic.actor == candidate
    assert automatic.data["attempt"] == attempt.pk
    assert automatic.data["needs_marking"] is False
    assert [t.flow_task.name for t in open_tasks(case_at_test)] == ["decision"]


def test_it_gives_a_second_attempt_after_a_fail_and_fails_the_step_after_the_last(case_at_test):
    sitting = sitting_of(case_at_test)
    first = sit(sitting, right=False)
    assert first.score_percent == 0
    sitting.refresh_from_db()
    assert sitting.over_at is None
    assert not StepResult.objects.filter(case=case_at_test, role="automatic").exists()
    second = sit(sitting, right=False, seed=2)
    assert second.number == 2
    with pytest.raises(services.TestError, match="over"):
        services.start_attempt(sitting, now=T0)
    case_at_test.refresh_from_db()
    assert case_at_test.results["knowledge-test"]["passed"] is False
    assert [t.flow_task.name for t in open_tasks(case_at_test)] == ["decision"]


def test_it_counts_the_best_attempt(case_at_test):
    sitting = sitting_of(case_at_test)
    attempt = services.start_attempt(sitting, rng=seeded(3), now=T0)
    given = no_short(answers(attempt, right=False))
    right = no_short(answers(attempt, right=True))
    choice = [pk for pk, value in right.items() if value][:5]
    services.save_answers(attempt, {**given, **{pk: right[pk] for pk in choice}}, now=T0)
    first = services.submit(attempt, now=T0)
    assert 0 < first.score_percent < 70
    sit(sitting, right=False, seed=4)
    case_at_test.refresh_from_db()
    assert case_at_test.results["knowledge-test"]["score_percent"] == first.score_percent


def test_it_refuses_a_second_attempt_while_one_is_open_and_after_a_pass(case_at_test):
    sitting = sitting_of(case_at_test)
    attempt = services.start_attempt(sitting, now=T0)
    with pytest.raises(services.TestError, match="in progress"):
        services.start_attempt(sitting, now=T0)
    services.save_answers(attempt, no_short(answers(attempt, right=True)), now=T0)
    services.submit(attempt, now=T0)
    with pytest.raises(services.TestError, match="over"):
        services.start_attempt(sitting, now=T0)


def test_it_does_not_count_answers_after_the_time_limit(case_at_test):
    sitting = sitting_of(case_at_test)
    attempt = services.start_attempt(sitting, rng=seeded(5), now=T0)
    assert attempt.deadline_at == T0 + timedelta(minutes=30)
    assert services.save_answers(attempt, no_short(answers(attempt, right=True)), now=T0)
    late = T0 + timedelta(minutes=30, seconds=1)
    assert services.save_answers(attempt, answers(attempt, right=False), now=late) is False
    assert Answer.objects.filter(attempt=attempt, counted=False).count() == 20
    attempt.refresh_from_db()
    assert attempt.closed_at == late and attempt.submitted_at is None
    with pytest.raises(services.TestError, match="closed"):
        services.submit(attempt, now=late)
    assert attempt.score_percent >= 70  # only the answers in time were marked
    case_at_test.refresh_from_db()
    assert case_at_test.results["knowledge-test"]["passed"] is True


def test_it_closes_a_late_submission_as_timed_out_keeping_the_answers_in_time(case_at_test):
    sitting = sitting_of(case_at_test)
    attempt = services.start_attempt(sitting, rng=seeded(5), now=T0)
    services.save_answers(attempt, no_short(answers(attempt, right=True)), now=T0)
    attempt = services.submit(attempt, now=T0 + timedelta(minutes=31))
    assert attempt.closed_at is not None and attempt.submitted_at is None
    assert attempt.score_percent >= 70


def test_it_sweeps_attempts_left_open_past_the_limit_so_the_case_moves_on(case_at_test, capsys):
    sitting = sitting_of(case_at_test)
    attempt = services.start_attempt(sitting, now=T0 - timedelta(minutes=31))
    services.save_answers(
        attempt, no_short(answers(attempt, right=True)), now=T0 - timedelta(minutes=30)
    )
    assert services.close_expired(now=T0 - timedelta(minutes=5)) == 0
    call_command("close_expired_tests")
    assert "Closed 1 expired attempt" in capsys.readouterr().out
    case_at_test.refresh_from_db()
    assert case_at_test.results["knowledge-test"]["passed"] is True
    assert services.close_expired() == 0


def test_it_refuses_options_from_another_question(case_at_test):
    sitting = sitting_of(case_at_test)
    attempt = services.start_attempt(sitting, now=T0)
    drawn = selectors.drawn_questions(attempt)
    # The draw is random: take another question's option, whichever questions have options.
    other, options = next((q, opts) for q, opts in drawn if opts)
    question = next(q for q, _ in drawn if q.pk != other.pk)
    with pytest.raises(services.TestError, match="not part of its question"):
        services.save_answers(attempt, {question.pk: [options[0].pk]}, now=T0)


def test_it_sends_short_answers_to_an_assessor_whose_marks_make_the_final_score(
    case_at_test, assessor
):
    from assessments.online_tests.forms import MarkingForm

    sitting = sitting_of(case_at_test)
    attempt = sit(sitting, right=True, short=True, seed=seed_drawing_a_short_question(sitting))
    assert attempt.needs_marking is True
    assert "short" in [q.kind for q, _options in selectors.drawn_questions(attempt)]
    automatic = StepResult.objects.get(case=case_at_test, role=StepResult.Role.AUTOMATIC)
    assert automatic.data["needs_marking"] is True
    [task] = open_tasks(case_at_test)
    assert task.flow_task.name == "test"
    form = MarkingForm(attempt=attempt)
    shorts = [q for _n, q, _a in form.questions]
    assert shorts and all(q.kind == "short" for q in shorts)
    data = {f"points_{q.pk}": str(q.points) for q in shorts}
    form = MarkingForm(data, attempt=attempt)
    assert form.is_valid(), form.errors
    take_and_complete(task, assessor, form.to_data())
    attempt.refresh_from_db()
    assert attempt.marked_by == assessor
    assert attempt.score_percent == 100.0
    case_at_test.refresh_from_db()
    assert case_at_test.results["knowledge-test"] == {"score_percent": 100.0, "passed": True}
    marked = Answer.objects.filter(attempt=attempt, question__in=shorts)
    assert {a.points for a in marked} == {float(q.points) for q in shorts}


def test_it_keeps_the_typed_in_result_when_the_bank_is_not_ready(demo, candidate, assessor):
    from tests.factories.cases import pass_portfolio
    from workflows.cases import services as case_services

    Question.objects.filter(bank__slug="python-basics").update(active=False)
    case = case_services.start_case(candidate=candidate, specification=demo["python-basics"])
    case = pass_portfolio(case, assessor)
    assert not TestSitting.objects.filter(case=case).exists()
    [task] = open_tasks(case)
    assert task.flow_task.name == "test"
    take_and_complete(task, assessor, {"score_percent": 64.0})
    case.refresh_from_db()
    assert case.results["knowledge-test"] == {"score_percent": 64.0, "passed": False}


# How the test stands, for the candidate: the result and why another attempt may start or not -----


def test_it_stands_open_with_every_attempt_before_the_first(case_at_test):
    standing = selectors.standing(sitting_of(case_at_test))
    assert (standing.used, standing.left, standing.why, standing.result) == (0, 2, None, None)
    assert services.start_refusal(sitting_of(case_at_test)) is None


def test_it_stands_failed_with_an_attempt_left_after_a_first_fail(case_at_test):
    sitting = sitting_of(case_at_test)
    sit(sitting, right=False)
    standing = selectors.standing(sitting)
    assert (standing.used, standing.left, standing.why) == (1, 1, None)
    assert (standing.result, standing.score) == (selectors.State.FAILED, 0.0)
    assert [a.state for a in standing.attempts] == ["failed"]


def test_it_says_why_no_attempt_follows_a_pass(case_at_test):
    sitting = sitting_of(case_at_test)
    attempt = sit(sitting, right=True)
    standing = selectors.standing(sitting)
    assert (standing.why, standing.result, standing.left) == ("passed", "passed", 0)
    assert standing.score == attempt.score_percent and standing.deciding == attempt
    assert "you passed" in services.start_refusal(sitting)


def test_it_says_why_no_attempt_follows_one_that_may_pass_once_marked(case_at_test, assessor):
    sitting = sitting_of(case_at_test)
    attempt = services.start_attempt(
        sitting, rng=seeded(seed_drawing_a_short_question(sitting)), now=T0
    )
    drawn = selectors.drawn_questions(attempt)
    given = answers(attempt, right=True)
    # Two one-point choice questions wrong: under the pass mark unless the short answers count.
    for question, options in [(q, o) for q, o in drawn if q.kind == "single"][:2]:
        given[question.pk] = [next(o.pk for o in options if not o.correct)]
    services.save_answers(attempt, given, now=T0)
    attempt = services.submit(attempt, now=T0)
    assert attempt.number == 1 and sitting.attempts_allowed == 2
    assert attempt.best_possible_percent >= sitting.pass_mark_percent > attempt.score_percent
    standing = selectors.standing(sitting)
    assert (standing.why, standing.result, standing.left) == ("for_marking", "waiting", 0)
    assert standing.deciding == attempt
    refusal = services.start_refusal(sitting)
    assert "over" in refusal and "short answers" in refusal
    # Marked at nothing, the attempt fails; still no other attempt may start, for that reason.
    shorts = {q.pk: 0 for q, _o in drawn if q.kind == Question.Kind.SHORT}
    services.record_marks(attempt, marker=assessor, marks=shorts, comments={})
    standing = selectors.standing(sitting)
    assert (standing.why, standing.result, standing.left) == ("for_marking", "failed", 0)
    assert standing.score < sitting.pass_mark_percent


def test_it_says_all_attempts_are_used_after_the_last_fail(case_at_test):
    sitting = sitting_of(case_at_test)
    sit(sitting, right=False)
    sit(sitting, right=False, seed=2)
    standing = selectors.standing(sitting)
    assert (standing.why, standing.result, standing.used, standing.left) == (
        "used_all",
        "failed",
        2,
        0,
    )
    assert "used all your attempts" in services.start_refusal(sitting)


def test_it_says_the_test_is_closed_when_the_case_no_longer_runs(case_at_test):
    from viewflow.workflow.status import PROCESS

    sitting = sitting_of(case_at_test)
    sit(sitting, right=False)
    type(case_at_test).objects.filter(pk=case_at_test.pk).update(status=PROCESS.CANCELED)
    sitting = sitting_of(case_at_test)
    assert selectors.standing(sitting).why == "case_closed"
    assert "no longer running" in services.start_refusal(sitting)
