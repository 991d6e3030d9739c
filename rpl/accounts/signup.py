"""Sign-up for candidates, confirmed by e-mail.

The account is created inactive with the candidate role; the e-mail carries a signed link that
expires after ``SIGNUP_LINK_DAYS`` and activates it once. Signing up with an address that already
has an active account sends that person a note instead, so the page reveals nothing.
Included from ``rpl/urls.py`` under ``accounts/signup/``.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from rpl.accounts.identifiers import normalise_email
from rpl.accounts.jobs import send_email
from rpl.accounts.roles import Role
from rpl.accounts.services import ensure_user
from rpl.audit import services as audit
from rpl.site import absolute

SALT = "rpl.accounts.signup"
SIGNUP_LINK_DAYS = 3


class SignupForm(forms.Form):
    full_name = forms.CharField(
        label=gettext_lazy("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"),
        help_text=gettext_lazy("We send a link to this address to confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        help_text=gettext_lazy("At least 8 characters; not only digits, and not a common word."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ. Type the same one twice."))
        elif first:
            User = get_user_model()
            probe = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


def _password_mark(user) -> str:
    """Binds a link to the password chosen at that sign-up: signing up again (which replaces
    the password of an unconfirmed account) makes every earlier link invalid."""
    return salted_hmac(SALT, user.password).hexdigest()[:16]


def _token(user) -> str:
    return signing.dumps({"u": user.pk, "e": user.email, "p": _password_mark(user)}, salt=SALT)


def _link(request, user, next_url: str) -> str:
    url = reverse("signup_confirm", args=[_token(user)])
    if next_url:
        from urllib.parse import urlencode

        url += "?" + urlencode({"next": next_url})
    return absolute(url)


def _safe_next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return ""


@transaction.atomic
def register(*, full_name: str, email: str, password: str, next_url: str = "", request=None):
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and user.is_active:
        send_email.delay(
            _("You already have an account"),
            _(
                "Hello,\n\nSomeone (probably you) tried to sign up with this address, but you "
                "already have an account. Log in here: %(link)s\nIf you forgot your password, "
                "use “Forgotten your password?” on that page.\n"
            )
            % {"link": absolute(reverse("login"))},
            [user.email],
        )
        return None
    if user is None:
        user, _created = ensure_user(email, full_name=full_name, roles=[Role.CANDIDATE])
    user.full_name = full_name
    user.is_active = False
    user.set_password(password)
    user.save(update_fields=["full_name", "is_active", "password"])
    audit.record(actor=None, action="user.signed_up", target=user, changes={"email": user.email})
    send_email.delay(
        _("Confirm your e-mail address"),
        _(
            "Hello %(name)s,\n\nPlease confirm your e-mail address by opening this link within "
            "%(days)s days:\n\n%(link)s\n\nIf you did not sign up, ignore this message; no "
            "account will be opened.\n"
        )
        % {"name": full_name, "days": SIGNUP_LINK_DAYS, "link": _link(request, user, next_url)},
        [user.email],
    )
    return user


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    next_url = _safe_next(request)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        register(
            full_name=form.cleaned_data["full_name"].strip(),
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            next_url=next_url,
            request=request,
        )
        return render(request, "accounts/signup_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@never_cache
def confirm(request, token):
    User = get_user_model()
    try:
        data = signing.loads(token, salt=SALT, max_age=timedelta(days=SIGNUP_LINK_DAYS))
    except signing.SignatureExpired:
        return _confirm_failed(
            request,
            _("This confirmation link has expired. Sign up again to receive a new one."),
        )
    except signing.BadSignature:
        return _confirm_failed(
            request, _("This confirmation link is not valid. Check that you copied all of it.")
        )
    user = User.objects.filter(pk=data.get("u"), email=data.get("e")).first()
    if user is not None and user.is_active:
        messages.info(request, _("Your e-mail address is already confirmed. Please log in."))
        return redirect("login")
    if user is None or data.get("p") != _password_mark(user):
        return _confirm_failed(
            request, _("This confirmation link is not valid. Check that you copied all of it.")
        )
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(actor=user, action="user.email_confirmed", target=user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your e-mail address is confirmed. Welcome!"))
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("home")


def _confirm_failed(request, message):
    return render(request, "accounts/signup_failed.html", {"message": message}, status=400)


urlpatterns = [
    path("", signup, name="signup"),
    path("confirm/<str:token>/", confirm, name="signup_confirm"),
]
