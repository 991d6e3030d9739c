from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.views import i18n

from rpl.accounts.forms import BackgroundPasswordResetForm, EmailAuthenticationForm
from rpl.accounts.services import remember_language


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


def set_language(request):
    """Django's language switch; a signed-in person's choice is also kept for their e-mails."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        remember_language(request.user, request.POST.get("language"))
    return response
