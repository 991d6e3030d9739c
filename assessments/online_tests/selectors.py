"""Reads on question banks and online tests."""

from dataclasses import dataclass

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


class State:
    """Where one attempt stands against the pass mark."""

    OPEN = "open"
    WAITING = "waiting"  # closed; short answers wait for an assessor
    PASSED = "passed"
    FAILED = "failed"


def attempt_state(attempt) -> str:
    if attempt.is_open:
        return State.OPEN
    if attempt.needs_marking and attempt.marked_at is None:
        return State.WAITING
    passed = attempt.score_percent >= attempt.sitting.pass_mark_percent
    return State.PASSED if passed else State.FAILED


class Why:
    """Why no attempt may start now."""

    IN_PROGRESS = "in_progress"
    PASSED = "passed"
    FOR_MARKING = "for_marking"  # an attempt that may pass once marked ended the test
    USED_ALL = "used_all"
    CASE_CLOSED = "case_closed"


@dataclass(frozen=True)
class Standing:
    """The test as the candidate reads it: their attempts (each with ``state``), how many were
    used and are left, why no other may start (``why``, a ``Why`` or None) and the result so far
    (``result``: a ``State`` but open, or None before any attempt closed) with its ``score``."""

    attempts: list
    allowed: int
    used: int
    left: int
    why: str | None
    result: str | None
    score: float | None
    deciding: TestAttempt | None  # the attempt the reason speaks of (else the one that counts)

    @property
    def over(self) -> bool:
        return self.why not in (None, Why.IN_PROGRESS)


def standing(sitting) -> Standing:
    attempts = list(sitting.attempts.order_by("number"))
    for attempt in attempts:
        attempt.sitting = sitting
        attempt.state = attempt_state(attempt)
    closed = [a for a in attempts if not a.is_open]
    waiting = next((a for a in closed if a.state == State.WAITING), None)
    best = max(closed, key=lambda a: (a.score_percent, -a.number), default=None)
    counted = waiting or best  # the score that counts, or the one known so far
    result = counted.state if counted else None
    deciding = counted
    # An attempt that might pass once its short answers are marked ends the test early.
    early = next(
        (a for a in closed if a.needs_marking and a.number < sitting.attempts_allowed), None
    )
    if any(a.is_open for a in attempts):
        why = Why.IN_PROGRESS
    elif result == State.PASSED:
        why = Why.PASSED
    elif early is not None:
        why, deciding = Why.FOR_MARKING, early
    elif len(attempts) >= sitting.attempts_allowed or sitting.over_at is not None:
        why = Why.USED_ALL
    elif not is_live(sitting):
        why = Why.CASE_CLOSED
    else:
        why = None
    over = why not in (None, Why.IN_PROGRESS)
    return Standing(
        attempts=attempts,
        allowed=sitting.attempts_allowed,
        used=len(attempts),
        left=0 if over else max(sitting.attempts_allowed - len(attempts), 0),
        why=why,
        result=result,
        score=counted.score_percent if counted else None,
        deciding=deciding,
    )


def has_short_questions(sitting) -> bool:
    return sitting.bank.questions.filter(active=True, kind=Question.Kind.SHORT).exists()


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


def is_answered(answer) -> bool:
    """Whether the last saved answer to a question says something (an option or some text)."""
    return bool(answer and (answer.chosen or answer.text.strip()))


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
