"""Who is calling: a personal API token (``Authorization: Bearer rpl_…``) or, for the browser,
the Django session (with the CSRF check on unsafe methods, as the pages have).

The result is a :class:`Principal`: the user and the scopes the call may use. A session may use
every scope; a token only those it was given. Scopes narrow, roles decide: every operation also
checks the user's role and object permissions through the same selectors as the pages.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import AnonRateThrottle

from api import tokens
from api.models import ApiToken, Scope
from api.problems import ApiProblem
from rpl.accounts.roles import Role


@dataclass(frozen=True)
class Principal:
    user: object
    scopes: frozenset[str]
    token: ApiToken | None = None

    def __str__(self):
        return f"user:{self.user.pk}"

    def require(self, scope: Scope, *roles: Role) -> None:
        """Refuse (403) unless the call holds ``scope`` and the user one of ``roles``."""
        if scope not in self.scopes:
            raise ApiProblem(
                403,
                "insufficient-scope",
                _("This token lacks the scope %(scope)s.") % {"scope": scope.value},
            )
        if roles and not any(self.user.has_role(role) for role in roles):
            raise ApiProblem(
                403,
                "forbidden",
                _("This needs the role: %(roles)s.")
                % {"roles": ", ".join(str(role.label) for role in roles)},
            )


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        row = tokens.token_for(token.strip())
        if row is None:
            raise AuthenticationError(401, "invalid token")
        return Principal(user=row.user, scopes=frozenset(row.scopes), token=row)


class SessionAuth(APIKeyCookie):
    """The browser's session; the CSRF check runs only for a logged-in user."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        return Principal(user=request.user, scopes=frozenset(Scope.values))


token_auth = TokenAuth()
session_auth = SessionAuth()


class PublicRateThrottle(AnonRateThrottle):
    """Per client address, at the rate of ``API_PUBLIC_RATE`` (read on each request, so that a
    changed setting applies at once)."""

    scope = "public"

    def __init__(self):
        super().__init__(rate=settings.API_PUBLIC_RATE)

    def allow_request(self, request):
        self.rate = settings.API_PUBLIC_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


public_throttle = PublicRateThrottle()
