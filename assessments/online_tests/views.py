"""Pages: the candidate's test (overview, then the questions) and the administrators' banks."""

import math

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from assessments.models import QuestionBank, TestAttempt, TestSitting
from assessments.online_tests import selectors, services
from assessments.online_tests.forms import AnswersForm, BankImportForm
from credentials.catalogue.models import Specification
from rpl.accounts.access import role_required
from rpl.accounts.roles import Role

candidate_only = role_required(Role.CANDIDATE)
administrators_only = role_required(Role.ADMINISTRATOR)


def _own_sitting(request, pk) -> TestSitting:
    try:
        return selectors.sitting_of(request.user, pk)
    except TestSitting.DoesNotExist:
        raise Http404 from None


def _own_attempt(request, pk) -> TestAttempt:
    try:
        return selectors.attempt_of(request.user, pk)
    except TestAttempt.DoesNotExist:
        raise Http404 from None


# The time left is announced to screen readers when it crosses these marks, not every second.
ANNOUNCE_AT_MINUTES = (30, 15, 10, 5, 2, 1)


def _clock(attempt) -> dict:
    """The time left, for the page (the server enforces the limit; the page only shows it)."""
    if attempt.deadline_at is None:
        return {"remaining": None}
    remaining = max(int((attempt.deadline_at - timezone.now()).total_seconds()), 0)
    limit = attempt.sitting.time_limit_minutes or 0
    return {
        "remaining": remaining,
        "remaining_minutes": math.ceil(remaining / 60),
        "announcements": [
            (
                minutes * 60,
                ngettext("%(n)s minute left.", "%(n)s minutes left.", minutes) % {"n": minutes},
            )
            for minutes in ANNOUNCE_AT_MINUTES
            if minutes < limit
        ],
    }


def _nav_item(number: int, answered: bool, page: str) -> dict:
    """A link of the question navigator: to the question on ``page`` ("" for this page)."""
    anchor = f"question-{number}"
    label = _("Question %(n)s, answered") if answered else _("Question %(n)s, not answered")
    return {
        "number": number,
        "anchor": anchor,
        "href": f"{page}#{anchor}",
        "answered": answered,
        "label": label % {"n": number},
    }


def _answered_text(answered: int, total: int) -> str:
    return _("%(answered)s of %(total)s answered") % {"answered": answered, "total": total}


@candidate_only
def sitting(request, pk):
    sitting = _own_sitting(request, pk)
    for attempt in sitting.attempts.filter(closed_at__isnull=True):
        if services.close_if_expired(attempt):
            sitting.refresh_from_db()
    standing = selectors.standing(sitting)
    return render(
        request,
        "assessments/sitting.html",
        {
            "sitting": sitting,
            "standing": standing,
            "attempts": standing.attempts,
            "open_attempt": next((a for a in standing.attempts if a.is_open), None),
            "has_short": selectors.has_short_questions(sitting),
            # Closed attempts whose short answers were left unmarked: they could not pass.
            "unmarked_short": any(
                a.state == selectors.State.FAILED and a.short_points is None
                for a in standing.attempts
            ),
        },
    )


@require_POST
@candidate_only
def start(request, pk):
    sitting = _own_sitting(request, pk)
    try:
        attempt = services.start_attempt(sitting)
    except services.TestError as error:
        messages.error(request, str(error))
        return redirect("assessments:sitting", pk=sitting.pk)
    return redirect("assessments:attempt", pk=attempt.pk)


@require_http_methods(["GET", "POST"])
@candidate_only
def attempt(request, pk):
    """The questions, with the clock and a navigator; saving keeps the answers, finishing saves
    them and leads to the summary, where the candidate confirms."""
    attempt = _own_attempt(request, pk)
    if request.method == "GET" and services.close_if_expired(attempt):
        messages.error(request, _("The time limit has passed: the attempt is closed."))
        return redirect("assessments:sitting", pk=attempt.sitting_id)
    if not attempt.is_open and request.method == "GET":
        return redirect("assessments:sitting", pk=attempt.sitting_id)
    rows = selectors.drawn_questions(attempt)
    form = AnswersForm(request.POST or None, attempt=attempt, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            counted = services.save_answers(attempt, form.answers())
        except services.TestError as error:
            messages.error(request, str(error))
            return redirect("assessments:sitting", pk=attempt.sitting_id)
        if not counted:
            messages.error(
                request,
                _("The time limit had passed: these answers were kept but do not count."),
            )
            return redirect("assessments:sitting", pk=attempt.sitting_id)
        if "finish" in request.POST:
            return redirect("assessments:finish", pk=attempt.pk)
        messages.success(request, _("Your answers are saved."))
        return redirect("assessments:attempt", pk=attempt.pk)
    answered = sum(1 for row in form.rows if row.answered)
    return render(
        request,
        "assessments/attempt.html",
        {
            "attempt": attempt,
            "sitting": attempt.sitting,
            "form": form,
            "nav_items": [_nav_item(row.number, row.answered, "") for row in form.rows],
            "answered_text": _answered_text(answered, len(form.rows)),
            "answered_template": _("%(answered)s of %(total)s answered"),
            "answered_label": _("Question %(n)s, answered"),
            "unanswered_label": _("Question %(n)s, not answered"),
            **_clock(attempt),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@candidate_only
def finish(request, pk):
    """The summary before finishing: what is answered, what is not, the time left; confirming
    closes the attempt (after the deadline, as timed out, with the answers saved in time)."""
    attempt = _own_attempt(request, pk)
    if request.method == "POST":
        try:
            attempt = services.submit(attempt)
        except services.TestError as error:
            messages.error(request, str(error))
        else:
            if attempt.submitted_at:
                messages.success(request, _("Your answers are submitted."))
            else:
                messages.error(
                    request,
                    _(
                        "The time limit had passed: the attempt was closed with the answers "
                        "saved in time."
                    ),
                )
        return redirect("assessments:sitting", pk=attempt.sitting_id)
    if services.close_if_expired(attempt):
        messages.error(request, _("The time limit has passed: the attempt is closed."))
        return redirect("assessments:sitting", pk=attempt.sitting_id)
    if not attempt.is_open:
        return redirect("assessments:sitting", pk=attempt.sitting_id)
    latest = selectors.latest_answers(attempt)
    questions = [
        (number, question, selectors.is_answered(latest.get(question.pk)))
        for number, (question, _options) in enumerate(selectors.drawn_questions(attempt), 1)
    ]
    answered = sum(1 for _n, _q, done in questions if done)
    questions_url = reverse("assessments:attempt", args=[attempt.pk])
    return render(
        request,
        "assessments/finish.html",
        {
            "attempt": attempt,
            "sitting": attempt.sitting,
            "questions_url": questions_url,
            "nav_items": [_nav_item(n, done, questions_url) for n, _q, done in questions],
            "answered": answered,
            "total": len(questions),
            "answered_text": _answered_text(answered, len(questions)),
            "unanswered": [number for number, _q, done in questions if not done],
            **_clock(attempt),
        },
    )


@administrators_only
def bank_list(request):
    return render(request, "assessments/bank_list.html", {"banks": selectors.banks()})


@administrators_only
def bank_detail(request, pk):
    bank = get_object_or_404(QuestionBank.objects.select_related("specification"), pk=pk)
    return render(
        request,
        "assessments/bank_detail.html",
        {"bank": bank, "questions": selectors.bank_questions(bank)},
    )


@require_http_methods(["GET", "POST"])
@administrators_only
def bank_import(request):
    form = BankImportForm(
        request.POST or None,
        request.FILES or None,
        specifications=Specification.objects.order_by("slug"),
    )
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            bank = services.import_bank(
                form.cleaned_data["file"],
                specification=form.cleaned_data["specification"],
                actor=request.user,
            )
        except services.BankImportError as error:
            errors = error.errors
            form.add_error(
                "file", _("The file has %(n)s problem(s), listed above.") % {"n": len(errors)}
            )
        else:
            messages.success(request, _("The question bank is imported."))
            return redirect("assessments:bank_detail", pk=bank.pk)
    return render(
        request,
        "assessments/bank_import.html",
        {"form": form, "import_errors": errors},
        status=400 if request.method == "POST" else 200,
    )
