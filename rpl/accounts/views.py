from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views import i18n

from rpl.accounts.access import role_required
from rpl.accounts.forms import BackgroundPasswordResetForm, EmailAuthenticationForm
from rpl.accounts.roles import Role
from rpl.accounts.selectors import users_per_role
from rpl.accounts.services import remember_language
from rpl.audit.selectors import recent_events, verify_chain


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = BackgroundPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


@login_required
def home(request):
    """Send each person to the home page of their first role."""
    roles = request.user.roles
    if not roles:
        return render(request, "home/no_role.html")
    return redirect("role_home", role=roles[0].value)


def _work(request):
    from workflows import case_selectors

    return {
        "assigned_tasks": case_selectors.assigned_tasks(request.user, limit=10),
        "claimable_tasks": case_selectors.claimable_tasks(request.user, limit=10),
    }


def _candidate(request):
    from evidence.selectors import applications_of

    return {"applications": applications_of(request.user)}


def _quality_officer(request):
    return {"chain_break": verify_chain(), "events": recent_events(15)}


def _administrator(request):
    return {"role_counts": users_per_role()}


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


def set_language(request):
    """Django's language switch; a signed-in person's choice is also kept for their e-mails."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        remember_language(request.user, request.POST.get("language"))
    return response
