"""Answer drawn questions the way a candidate would, right or wrong."""

import random

from assessments.models import Question
from assessments.online_tests import selectors


def seeded(seed: int) -> random.Random:
    """A reproducible random source for ``start_attempt`` (production uses SystemRandom)."""
    return random.Random(seed)  # noqa: S311 - reproducible draws in tests, not security


def seed_drawing_a_short_question(sitting) -> int:
    """A seed whose draw from the sitting's bank includes a short-answer question: the same
    sample ``start_attempt`` takes from the questions in use, in primary-key order."""
    pool = list(Question.objects.filter(bank=sitting.bank, active=True).order_by("pk"))
    return next(
        seed
        for seed in range(100)
        if any(q.kind == Question.Kind.SHORT for q in seeded(seed).sample(pool, sitting.questions))
    )


def answers(attempt, *, right=True, short_text="An answer."):
    """Every drawn question answered: the correct options (or one wrong one), and a text for
    short answers."""
    result = {}
    for question, options in selectors.drawn_questions(attempt):
        if question.kind == Question.Kind.SHORT:
            result[question.pk] = short_text
        elif right:
            result[question.pk] = [o.pk for o in options if o.correct]
        else:
            result[question.pk] = [next(o.pk for o in options if not o.correct)]
    return result
