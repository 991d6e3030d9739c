from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from rpl.accounts.jobs import send_email


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "That e-mail address and password do not match an account. "
            "Check both and try again; passwords are case-sensitive."
        ),
        "inactive": _("This account is inactive."),
    }


class BackgroundPasswordResetForm(PasswordResetForm):
    """Sends the reset e-mail through a background job."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        send_email.delay(subject, body, [to_email])
