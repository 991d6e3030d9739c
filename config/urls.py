from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from config import home
from credentials.wallets import views as wallets
from rpl.accounts import views as accounts
from rpl.accounts.roles import Role

role_pattern = "|".join(Role.values)
# A request Django cannot read (a form over DATA_UPLOAD_MAX_MEMORY_SIZE, say): a page in the
# visitor's language that says why and to go back, where the browser kept what was typed.
handler400 = "workflows.pipelines.views.bad_request"

urlpatterns = [
    path("", home.home, name="home"),
    re_path(rf"^home/(?P<role>{role_pattern})/$", home.role_home, name="role_home"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        accounts.AcceptInvitationView.as_view(),
        name="accept_invitation",
    ),
    path("accounts/signup/", include("rpl.accounts.signup")),
    path(".well-known/openid-credential-issuer", wallets.issuer_metadata, name="oid4vci_issuer"),
    path(
        ".well-known/oauth-authorization-server",
        wallets.authorization_server_metadata,
        name="oauth_authorization_server",
    ),
    path("", include("credentials.wallets.urls")),
    path("", include("credentials.urls")),
    path("", include("evidence.urls")),
    path("", include("assessments.urls")),
    path("", include("workflows.urls")),
    path("quality/", include("quality.urls")),
    path("api/", include("api.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("i18n/setlang/", accounts.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
