"""The statement of recognised outcomes: what a partial recognition gives the candidate instead of
a credential. A page and a PDF (WeasyPrint) in the active language, for the candidate and for the
staff who may see the case; the PDF carries the address (and a QR code) of a public page at which
anyone confirms what the institution recorded, reached by the case's unguessable
``statement_key``.

Selector: ``statement_of(case)``. Views: ``page`` and ``pdf`` (``workflows/appeals/urls.py``),
``confirmation`` (public, ``workflows/cases/urls.py``).
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from guardian.core import ObjectPermissionChecker
from viewflow.workflow.status import PROCESS

from rpl import pdf as printing
from rpl.accounts.roles import Role
from rpl.site import absolute
from workflows.cases.selectors import POOL_READERS
from workflows.cases.services import decision_of
from workflows.models import Appeal, Case, Outcome


@dataclass
class Statement:
    case: Case
    candidate_name: str
    specification: object
    awarding_body: str
    decided_at: object
    outcomes: list
    total_outcomes: int
    appeal: Appeal | None


def statement_of(case) -> Statement | None:
    """The statement of a case decided with partial recognition, or None for any other case."""
    if case.status != PROCESS.DONE or case.outcome != Outcome.PARTIAL:
        return None
    appeal = case.appeals.filter(outcome=Appeal.Result.OVERTURNED).first()
    if appeal is not None:
        decided_at = appeal.decided_at
    else:
        decision = decision_of(case)
        decided_at = decision.decided_at if decision else case.finished
    specification = case.specification
    outcomes = list(specification.outcomes.order_by("position"))
    recognised = set(case.recognised_outcomes)
    body = specification.awarding_body
    return Statement(
        case=case,
        candidate_name=case.candidate.get_full_name() or case.candidate.email,
        specification=specification,
        awarding_body=body.name if body else "",
        decided_at=decided_at,
        outcomes=[o for o in outcomes if str(o.pk) in recognised],
        total_outcomes=len(outcomes),
        appeal=appeal,
    )


def may_see(user, case) -> bool:
    """The candidate, quality officers, and staff in one of the specification's pools in a role
    of that pool (an assessor through the assessors' pool, and so on)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.pk == case.candidate_id or user.has_role(Role.QUALITY_OFFICER):
        return True
    checker = ObjectPermissionChecker(user)
    return any(
        user.has_role(role) and checker.has_perm(codename, case.specification)
        for role, codename in POOL_READERS.items()
    )


def email_note(case) -> str:
    """A line for e-mails about a decision: where to find the statement, or "" when none."""
    if case.outcome != Outcome.PARTIAL or case.application_id is None:
        return ""
    link = absolute(reverse("statement", args=[case.application_id]))
    return "\n\n" + _(
        "Your statement of the recognised learning outcomes (a page and a PDF): %(link)s"
    ) % {"link": link}


def confirmation_url(case) -> str:
    return absolute(reverse("statement_confirmation", args=[case.statement_key]))


PDF_TEMPLATE = "workflows/statement_pdf.html"


def pdf_context(statement: Statement) -> dict:
    url = confirmation_url(statement.case)
    return {
        "statement": statement,
        "language": get_language(),
        "confirmation_url": url,
        "qr_data_uri": printing.qr_data_uri(url),
        "mark": printing.monogram(statement.awarding_body),
    }


def render_pdf(statement: Statement) -> bytes:
    return printing.render_pdf(
        PDF_TEMPLATE, pdf_context(statement), identifier=statement.case.statement_key.hex
    )


def _statement_for(request, pk) -> Statement:
    case = get_object_or_404(
        Case.objects.select_related("specification__awarding_body", "candidate"),
        application_id=pk,
    )
    if not may_see(request.user, case):
        raise PermissionDenied
    statement = statement_of(case)
    if statement is None:
        raise Http404(_("A statement exists only for a partial recognition."))
    return statement


@login_required
def page(request, pk):
    statement = _statement_for(request, pk)
    return render(
        request,
        "workflows/statement.html",
        {
            "statement": statement,
            "application_pk": pk,
            "is_candidate": request.user.pk == statement.case.candidate_id,
            "confirmation_url": confirmation_url(statement.case),
        },
    )


@login_required
def pdf(request, pk):
    statement = _statement_for(request, pk)
    response = HttpResponse(render_pdf(statement), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="statement-of-recognised-outcomes-{statement.case.pk}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def confirmation(request, key):
    """The public page that confirms a statement: anyone holding its address (printed on the PDF)
    reads what the institution recorded; an unknown key, or a case no longer decided with partial
    recognition, is a 404."""
    case = get_object_or_404(
        Case.objects.select_related("specification__awarding_body", "candidate"),
        statement_key=key,
    )
    statement = statement_of(case)
    if statement is None:
        raise Http404
    response = render(request, "workflows/statement_confirmation.html", {"statement": statement})
    response["X-Robots-Tag"] = "noindex"
    return response
