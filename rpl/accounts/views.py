from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views import i18n

from rpl.accounts import invitations
from rpl.accounts.forms import BackgroundPasswordResetForm, EmailAuthenticationForm
from rpl.accounts.services import remember_language
from rpl.audit import services as audit


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


class AcceptInvitationView(auth_views.PasswordResetConfirmView):
    """Where an invited person chooses their password; then they log in with it."""

    token_generator = invitations.tokens
    template_name = "accounts/invitation_accept.html"
    success_url = reverse_lazy("login")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record(actor=form.user, action="user.invitation_accepted", target=form.user)
        messages.success(self.request, _("Your password is saved. Log in with it now."))
        return response

    def render_to_response(self, context, **kwargs):
        if not context["validlink"]:
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)


def set_language(request):
    """Django's language switch; a signed-in person's choice is also kept for their e-mails."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        remember_language(request.user, request.POST.get("language"))
    return response
