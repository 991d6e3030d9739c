"""Writes on question banks and online tests; each in a transaction, each audited.

Banks: ``import_bank(text, specification, actor)``.

Tests, in the order they happen:

- ``open_sitting(case, step, bank)``: the engine invites the candidate (e-mail with a link).
- ``start_attempt(sitting, now=None, rng=None)``: draws the questions and orders their options at
  random (``secrets.SystemRandom`` unless a source is given) and sets the deadline on the server.
- ``save_answers(attempt, answers, now=None)``: stores answers; one that arrives after the
  deadline is kept but does not count.
- ``submit(attempt, now=None)``, ``close_expired(now=None)``: close an attempt and mark its
  choice questions. An attempt left open past its deadline is closed by the sweeper or the next
  time the candidate opens it.
- ``record_marks(attempt, marker, marks)``: an assessor's points for the short answers.

When may another attempt start? Only while attempts are left and the previous one failed for
certain, that is, it stays under the pass mark even with full points for its short answers.
An attempt that passed or might pass once its short answers are marked ends the test. When the test
is over ``signals.test_over`` is sent; the attempt that ended it is marked by an assessor if it has
short answers given in time. The attempt that counts is the best one (``selectors.best_attempt``);
short answers of earlier attempts, which failed whatever their marks, count no points.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Answer, Option, Question, QuestionBank, TestAttempt, TestSitting
from assessments.online_tests import marking, selectors
from assessments.online_tests.bank_schema import BankError, check_bank
from assessments.signals import test_over
from rpl.accounts.mail import tell
from rpl.audit import services as audit
from rpl.site import absolute


class TestError(Exception):
    """A request about a test that is refused, with a message for the person who made it."""

    __test__ = False


class BankImportError(Exception):
    def __init__(self, errors: list[BankError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


# Banks -------------------------------------------------------------------------------------------


def _digest(spec) -> str:
    return hashlib.sha256(spec.model_dump_json().encode()).hexdigest()


@transaction.atomic
def import_bank(text: str, *, specification, actor) -> QuestionBank:
    """Create or update a bank from YAML. Questions are matched by id; one that was already drawn
    in a test may not change (give the new version a new id); questions left out are retired."""
    parsed, errors = check_bank(text)
    if parsed is None:
        raise BankImportError(errors)
    outcomes = {o.position: o for o in specification.outcomes.all()}
    errors = [
        BankError(
            f"questions[{index}].outcomes",
            _("The micro-credential has no learning outcome %(n)s: use %(known)s.")
            % {"n": position, "known": ", ".join(str(p) for p in sorted(outcomes)) or "-"},
        )
        for index, spec in enumerate(parsed.questions)
        for position in spec.outcomes
        if position not in outcomes
    ]
    bank, created = QuestionBank.objects.select_for_update().get_or_create(
        specification=specification, slug=parsed.bank
    )
    existing = {q.key: q for q in bank.questions.all()}
    drawn = _drawn_question_ids(bank)
    digests = {spec.id: _digest(spec) for spec in parsed.questions}
    for index, spec in enumerate(parsed.questions):
        question = existing.get(spec.id)
        if question and question.pk in drawn and question.digest != digests[spec.id]:
            errors.append(
                BankError(
                    f"questions[{index}]",
                    _(
                        "The question “%(id)s” has been used in tests and cannot change: give the "
                        "changed question a new id and leave this one out to retire it."
                    )
                    % {"id": spec.id},
                )
            )
    if errors:
        raise BankImportError(errors)
    if not created and bank.source == text:
        return bank  # the same file again: nothing changes, nothing to audit
    bank.title_en, bank.title_pl = parsed.title.en, parsed.title.pl
    bank.source, bank.updated_at = text, timezone.now()
    bank.save()
    kept = set()
    for spec in parsed.questions:
        kept.add(spec.id)
        question = existing.get(spec.id) or Question(bank=bank, key=spec.id)
        question.active = True
        if question.pk and question.digest == digests[spec.id]:
            question.save(update_fields=["active"])
            continue
        question.kind, question.points, question.digest = spec.kind, spec.points, digests[spec.id]
        question.text_en, question.text_pl = spec.text.en, spec.text.pl
        answer = spec.model_answer
        question.model_answer_en = answer.en if answer else ""
        question.model_answer_pl = answer.pl if answer else ""
        question.save()
        question.options.all().delete()
        Option.objects.bulk_create(
            Option(question=question, position=n, text_en=o.en, text_pl=o.pl, correct=o.correct)
            for n, o in enumerate(spec.options, start=1)
        )
        question.outcomes.set([outcomes[p] for p in spec.outcomes])
    retired = bank.questions.filter(active=True).exclude(key__in=kept).update(active=False)
    audit.record(
        actor=actor,
        action="assessments.bank_imported",
        target=bank,
        changes={
            "specification": specification.slug,
            "bank": bank.slug,
            "created": created,
            "questions": len(parsed.questions),
            "retired": retired,
        },
    )
    return bank


def _drawn_question_ids(bank) -> set[int]:
    return {
        item["question"]
        for drawn in TestAttempt.objects.filter(sitting__bank=bank).values_list("drawn", flat=True)
        for item in drawn
    }


# Sittings and attempts ---------------------------------------------------------------------------


@transaction.atomic
def open_sitting(*, case, step, bank) -> TestSitting:
    """Invite the case's candidate to the online test of ``step`` and e-mail them the link."""
    sitting = TestSitting.objects.create(
        case=case,
        step_id=step.id,
        candidate=case.candidate,
        bank=bank,
        questions=step.questions,
        time_limit_minutes=step.time_limit_minutes,
        pass_mark_percent=step.pass_mark_percent,
        attempts_allowed=step.attempts,
        supervised=step.supervised,
    )
    audit.record(
        actor=None,
        action="assessments.test_opened",
        target=sitting,
        changes={"case": case.pk, "step": step.id, "bank": bank.slug},
    )
    transaction.on_commit(lambda: _invite(sitting))
    return sitting


def _invite(sitting) -> None:
    candidate = sitting.candidate
    link = absolute(reverse("assessments:sitting", args=[sitting.pk]))

    def compose(reader):
        limit = (
            _("%(n)s minutes") % {"n": sitting.time_limit_minutes}
            if sitting.time_limit_minutes
            else _("no time limit")
        )
        subject = _("Your online test for “%(credential)s”") % {
            "credential": sitting.bank.specification.title
        }
        body = _(
            "Hello %(candidate)s,\n\nThe next step of your case is an online test: "
            "%(questions)s questions, %(limit)s, pass mark %(pass)s %%, attempts allowed: "
            "%(attempts)s.%(supervised)s\n\nStart it when you are ready: %(link)s"
        ) % {
            "candidate": reader.get_short_name(),
            "questions": sitting.questions,
            "limit": limit,
            "pass": sitting.pass_mark_percent,
            "attempts": sitting.attempts_allowed,
            "supervised": " " + _("The test is supervised.") if sitting.supervised else "",
            "link": link,
        }
        return subject, body

    tell([candidate], compose)


def start_refusal(sitting) -> str | None:
    """Why the candidate may not start an attempt now, in words, or None."""
    why = selectors.standing(sitting).why
    Why = selectors.Why  # noqa: N806 - the names of the reasons
    return {
        None: None,
        Why.IN_PROGRESS: _("You already have an attempt in progress: continue it."),
        Why.PASSED: _("This test is over: you passed, so no more attempts are needed."),
        Why.FOR_MARKING: _(
            "This test is over: your attempt may reach the pass mark once an assessor has marked "
            "its short answers, so no more attempts can be made."
        ),
        Why.USED_ALL: _("This test is over: you have used all your attempts."),
        Why.CASE_CLOSED: _("This test is over: your case is no longer running."),
    }[why]


@transaction.atomic
def start_attempt(sitting, *, now=None, rng=None) -> TestAttempt:
    now = now or timezone.now()
    rng = rng or secrets.SystemRandom()
    sitting = TestSitting.objects.select_for_update().get(pk=sitting.pk)
    for attempt in sitting.attempts.filter(closed_at__isnull=True):
        _close_if_expired(attempt, now)
    reason = start_refusal(sitting)
    if reason:
        raise TestError(reason)
    pool = list(Question.objects.filter(bank=sitting.bank, active=True).prefetch_related("options"))
    if len(pool) < sitting.questions:
        raise TestError(_("The question bank is not ready yet: please contact the institution."))
    drawn = rng.sample(pool, sitting.questions)
    items = []
    for question in drawn:
        options = [option.pk for option in question.options.all()]
        rng.shuffle(options)
        items.append({"question": question.pk, "options": options})
    limit = sitting.time_limit_minutes
    try:
        with transaction.atomic():
            attempt = TestAttempt.objects.create(
                sitting=sitting,
                number=sitting.attempts.count() + 1,
                drawn=items,
                started_at=now,
                deadline_at=now + timedelta(minutes=limit) if limit else None,
                max_points=sum(q.points for q in drawn),
                short_max_points=sum(q.points for q in drawn if q.kind == Question.Kind.SHORT),
            )
    except IntegrityError:
        raise TestError(_("You already have an attempt in progress: continue it.")) from None
    audit.record(
        actor=sitting.candidate,
        action="assessments.attempt_started",
        target=attempt.sitting,
        changes={
            "attempt": attempt.number,
            "questions": [item["question"] for item in items],
            "deadline": attempt.deadline_at.isoformat() if attempt.deadline_at else None,
        },
    )
    return attempt


def in_time(attempt, now) -> bool:
    return attempt.is_open and (attempt.deadline_at is None or now <= attempt.deadline_at)


@transaction.atomic
def save_answers(attempt, answers: dict, *, now=None) -> bool:
    """Store ``answers`` (question id -> list of option ids, or text); only what changed makes a
    new row. Returns whether they counted (False when they came after the deadline)."""
    now = now or timezone.now()
    attempt = TestAttempt.objects.select_for_update().get(pk=attempt.pk)
    counted = in_time(attempt, now)
    latest = selectors.latest_answers(attempt)
    drawn = {item["question"]: set(item["options"]) for item in attempt.drawn}
    rows = []
    for question_id, value in answers.items():
        if question_id not in drawn:
            continue
        chosen, text = ([], value.strip()) if isinstance(value, str) else (sorted(value), "")
        if set(chosen) - drawn[question_id]:
            raise TestError(_("An answer names an option that is not part of its question."))
        previous = latest.get(question_id)
        unchanged = (previous.chosen, previous.text) if previous else ([], "")
        if unchanged == (chosen, text):
            continue
        rows.append(
            Answer(
                attempt=attempt,
                question_id=question_id,
                chosen=chosen,
                text=text,
                answered_at=now,
                counted=counted,
            )
        )
    Answer.objects.bulk_create(rows)
    if rows and not counted:
        audit.record(
            actor=attempt.sitting.candidate,
            action="assessments.late_answers",
            target=attempt.sitting,
            changes={"attempt": attempt.number, "answers": len(rows)},
        )
    if not counted:
        _close_if_expired(attempt, now)
    return counted


@transaction.atomic
def submit(attempt, *, now=None) -> TestAttempt:
    """Close the attempt. After the deadline it is closed as timed out (``submitted_at`` stays
    empty): the answers saved in time count."""
    now = now or timezone.now()
    attempt = TestAttempt.objects.select_for_update().get(pk=attempt.pk)
    if not attempt.is_open:
        raise TestError(_("This attempt is already closed."))
    _close(attempt, now, submitted=in_time(attempt, now))
    return attempt


def _close_if_expired(attempt, now) -> bool:
    if attempt.is_open and attempt.deadline_at is not None and now > attempt.deadline_at:
        _close(attempt, now, submitted=False)
        return True
    return False


@transaction.atomic
def close_if_expired(attempt, *, now=None) -> bool:
    attempt = TestAttempt.objects.select_for_update().get(pk=attempt.pk)
    return _close_if_expired(attempt, now or timezone.now())


def close_expired(*, now=None) -> int:
    """The sweeper: close every attempt left open past its deadline, so that cases move on."""
    now = now or timezone.now()
    closed = 0
    expired = TestAttempt.objects.filter(closed_at__isnull=True, deadline_at__lt=now)
    for pk in expired.values_list("pk", flat=True):
        with transaction.atomic():
            attempt = TestAttempt.objects.select_for_update().get(pk=pk)
            closed += _close_if_expired(attempt, now)
    return closed


def _close(attempt, now, *, submitted: bool) -> None:
    """Close and mark the choice questions; end the sitting if no attempt may follow."""
    answers = selectors.latest_answers(attempt, counted_only=True)
    questions = {q.pk: q for q, _options in selectors.drawn_questions(attempt)}
    auto = 0.0
    short_answered = False
    for question in questions.values():
        answer = answers.get(question.pk)
        if question.kind == Question.Kind.SHORT:
            short_answered |= bool(answer and answer.text)
            continue
        correct = [o.pk for o in question.options.all() if o.correct]
        points = marking.choice_points(
            question.kind, question.points, correct, answer.chosen if answer else []
        )
        auto += points
        if answer:
            answer.points = points
            answer.save(update_fields=["points"])
    attempt.closed_at = now
    attempt.submitted_at = now if submitted else None
    attempt.auto_points = auto
    if not short_answered:
        attempt.short_points = 0.0
    sitting = attempt.sitting
    could_pass = attempt.best_possible_percent >= sitting.pass_mark_percent
    last = attempt.number >= sitting.attempts_allowed
    over = could_pass or last
    attempt.needs_marking = over and short_answered
    attempt.save()
    audit.record(
        actor=sitting.candidate if submitted else None,
        action="assessments.attempt_closed",
        target=sitting,
        changes={
            "attempt": attempt.number,
            "submitted": submitted,
            "auto_points": auto,
            "max_points": attempt.max_points,
            "needs_marking": attempt.needs_marking,
        },
    )
    if over:
        sitting.over_at = now
        sitting.save(update_fields=["over_at"])
        test_over.send(sender=TestSitting, sitting=sitting)


# Marking -----------------------------------------------------------------------------------------


def score_with_marks(attempt, marks: dict) -> float:
    """The sitting's score if ``marks`` (question id -> points) were recorded on ``attempt``."""
    points = attempt.auto_points + sum(float(p) for p in marks.values())
    others = [
        a.score_percent
        for a in attempt.sitting.attempts.exclude(pk=attempt.pk)
        if a.score_percent is not None
    ]
    return max([marking.percent(points, attempt.max_points), *others])


@transaction.atomic
def record_marks(attempt, *, marker, marks: dict, comments: dict) -> TestAttempt:
    """Store the assessor's points for the attempt's short answers (question id -> points)."""
    attempt = TestAttempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.marked_at is not None or not attempt.needs_marking:
        raise TestError(_("This attempt has no short answers waiting to be marked."))
    answers = selectors.latest_answers(attempt, counted_only=True)
    for question, _options in selectors.drawn_questions(attempt):
        if question.kind != Question.Kind.SHORT:
            continue
        points = float(marks.get(question.pk, 0))
        if not 0 <= points <= question.points:
            raise TestError(_("Points must be within the question's points."))
        answer = answers.get(question.pk)
        if answer is not None:
            answer.points = points
            answer.comment = comments.get(question.pk, "")
            answer.save(update_fields=["points", "comment"])
    attempt.short_points = sum(float(p) for p in marks.values())
    attempt.marked_by, attempt.marked_at = marker, timezone.now()
    attempt.save(update_fields=["short_points", "marked_by", "marked_at"])
    audit.record(
        actor=marker,
        action="assessments.attempt_marked",
        target=attempt.sitting,
        changes={"attempt": attempt.number, "marks": {str(k): v for k, v in marks.items()}},
    )
    return attempt
