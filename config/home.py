"""The home page of each role: the only page that shows what several apps hold, so it lives with
the project's wiring, above every app."""

from django.shortcuts import redirect, render

from credentials.catalogue.selectors import published_specifications
from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from rpl.accounts.selectors import users_per_role
from rpl.audit.selectors import recent_events, verify_chain
from workflows.cases import selectors as case_selectors
from workflows.cases.todo import overview_of
from workflows.staffing.stalls import stalls

# How many micro-credentials open for applications the landing page shows.
LANDING_SPECIFICATIONS = 3


def home(request):
    """What recognition of prior learning is here, for visitors; each person who is logged in
    goes to the home page of their first role."""
    if not request.user.is_authenticated:
        return _landing(request)
    roles = request.user.roles
    if not roles:
        return render(request, "home/no_role.html")
    return redirect("role_home", role=roles[0].value)


def _landing(request):
    published = published_specifications()
    return render(
        request,
        "home/landing.html",
        {
            "open_specifications": published.filter(assessment_ready=True)[:LANDING_SPECIFICATIONS],
            "published_count": published.count(),
        },
    )


def _work(request):
    return {
        "assigned_tasks": case_selectors.assigned_tasks(request.user, limit=10),
        "claimable_tasks": case_selectors.claimable_tasks(request.user, limit=10),
    }


def _candidate(request):
    overview = overview_of(request.user)
    return {
        "todo": overview.todo,
        "applications": overview.applications,
        "credentials": overview.credentials,
    }


def _quality_officer(request):
    return {"chain_break": verify_chain(), "events": recent_events(15), "stalls": stalls()}


def _administrator(request):
    return {"role_counts": users_per_role(), "stalls": stalls()}


HOME_CONTEXT = {
    Role.CANDIDATE: _candidate,
    Role.ASSESSOR: _work,
    Role.IDENTITY_OFFICER: _work,
    Role.DECISION_MAKER: _work,
    Role.QUALITY_OFFICER: _quality_officer,
    Role.ADMINISTRATOR: _administrator,
}


def role_home(request, role):
    current = Role(role)

    @role_required(current)
    def view(request):
        context = {"current_role": current, **HOME_CONTEXT[current](request)}
        return render(request, f"home/{current.value}.html", context)

    return view(request)
