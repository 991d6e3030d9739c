"""Pages: the candidate's test (overview, then the questions) and the administrators' banks."""

import math

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
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


@candidate_only
def sitting(request, pk):
    sitting = _own_sitting(request, pk)
    for attempt in sitting.attempts.filter(closed_at__isnull=True):
        if services.close_if_expired(attempt):
            sitting.refresh_from_db()
    attempts = list(sitting.attempts.order_by("number"))
    return render(
        request,
        "assessments/sitting.html",
        {
            "sitting": sitting,
            "attempts": attempts,
            "open_attempt": next((a for a in attempts if a.is_open), None),
            "refusal": services.start_refusal(sitting),
            "attempts_left": max(sitting.attempts_allowed - len(attempts), 0),
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
            if not counted:
                messages.error(
                    request,
                    _("The time limit had passed: these answers were kept but do not count."),
                )
                return redirect("assessments:sitting", pk=attempt.sitting_id)
            if "submit" in request.POST:
                if services.submit(attempt).submitted_at:
                    messages.success(request, _("Your answers are submitted."))
                return redirect("assessments:sitting", pk=attempt.sitting_id)
        except services.TestError as error:
            messages.error(request, str(error))
            return redirect("assessments:sitting", pk=attempt.sitting_id)
        messages.success(request, _("Your answers are saved."))
        return redirect("assessments:attempt", pk=attempt.pk)
    remaining = (
        max(int((attempt.deadline_at - timezone.now()).total_seconds()), 0)
        if attempt.deadline_at
        else None
    )
    return render(
        request,
        "assessments/attempt.html",
        {
            "attempt": attempt,
            "sitting": attempt.sitting,
            "form": form,
            "remaining": remaining,
            "remaining_minutes": math.ceil(remaining / 60) if remaining is not None else None,
        },
        status=400 if request.method == "POST" else 200,
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
