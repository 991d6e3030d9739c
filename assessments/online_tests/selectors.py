"""Reads on question banks and online tests."""

from django.db.models import Count, Q
from viewflow.workflow.status import PROCESS

from assessments.models import Answer, Question, QuestionBank, TestAttempt, TestSitting


def bank_for(specification, slug) -> QuestionBank | None:
    return QuestionBank.objects.filter(specification=specification, slug=slug).first()


def bank_ready(specification, slug, questions: int) -> bool:
    """Whether the specification has the bank with at least ``questions`` questions in use."""
    return Question.objects.filter(
        bank__specification=specification, bank__slug=slug, active=True
    ).count() >= max(questions, 1)


def banks():
    return (
        QuestionBank.objects.select_related("specification")
        .annotate(
            in_use=Count("questions", filter=Q(questions__active=True)),
            retired=Count("questions", filter=Q(questions__active=False)),
        )
        .order_by("specification__slug", "slug")
    )


def bank_questions(bank):
    return bank.questions.prefetch_related("options", "outcomes").order_by("-active", "pk")


def open_sitting(case, step_id) -> TestSitting | None:
    return TestSitting.objects.filter(case=case, step_id=step_id, over_at__isnull=True).first()


def last_sitting(case, step_id) -> TestSitting | None:
    return TestSitting.objects.filter(case=case, step_id=step_id).order_by("-pk").first()


def sitting_of(candidate, pk) -> TestSitting:
    """The candidate's own sitting; raises ``TestSitting.DoesNotExist`` for anyone else's."""
    return TestSitting.objects.select_related("bank__specification", "case").get(
        pk=pk, candidate=candidate
    )


def attempt_of(candidate, pk) -> TestAttempt:
    return TestAttempt.objects.select_related("sitting__bank__specification", "sitting__case").get(
        pk=pk, sitting__candidate=candidate
    )


def is_live(sitting) -> bool:
    """Attempts may still be made: the test is not over and its case still runs."""
    return sitting.over_at is None and sitting.case.status == PROCESS.NEW


def best_attempt(sitting) -> TestAttempt | None:
    """The attempt that counts: the best score; the earlier one on a tie."""
    closed = [a for a in sitting.attempts.all() if a.closed_at is not None]
    return max(closed, key=lambda a: (a.score_percent, -a.number), default=None)


def sitting_result(sitting) -> dict:
    """What the engine records when the test is over."""
    best = best_attempt(sitting)
    to_mark = attempt_to_mark(sitting)
    return {
        "score_percent": best.score_percent if best else 0.0,
        "attempt": best.pk if best else None,
        "attempts": sitting.attempts.count(),
        "supervised": sitting.supervised,
        "needs_marking": to_mark is not None,
    }


def attempt_to_mark(sitting) -> TestAttempt | None:
    return sitting.attempts.filter(needs_marking=True, marked_at__isnull=True).first()


def latest_answers(attempt, *, counted_only=False) -> dict[int, Answer]:
    """The last answer to each question of the attempt (only those in time, if asked)."""
    answers = attempt.answers.all()
    if counted_only:
        answers = answers.filter(counted=True)
    latest: dict[int, Answer] = {}
    for answer in answers.order_by("answered_at", "pk"):
        latest[answer.question_id] = answer
    return latest


def drawn_questions(attempt) -> list[tuple[Question, list]]:
    """The attempt's questions in the order drawn, each with its options in the order shown."""
    ids = [item["question"] for item in attempt.drawn]
    questions = Question.objects.prefetch_related("options").in_bulk(ids)
    rows = []
    for item in attempt.drawn:
        question = questions[item["question"]]
        options = {option.pk: option for option in question.options.all()}
        rows.append((question, [options[pk] for pk in item["options"]]))
    return rows
