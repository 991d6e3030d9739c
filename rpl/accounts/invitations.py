"""Invitations to staff accounts: an account opened with no password, and an e-mailed link with
which the person chooses one.

The link is Django's password-reset link made with a token generator of its own (another salt,
another validity: ``INVITATION_DAYS``), so neither kind of link opens the other's page. It stops
working once the person has chosen a password, since the token covers the password hash.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rpl.accounts.mail import tell
from rpl.accounts.roles import Role
from rpl.site import absolute


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "rpl.accounts.invitations.InvitationTokenGenerator"

    def check_token(self, user, token):
        # The parent checks the age against PASSWORD_RESET_TIMEOUT: the same checks, our validity.
        if not (user and token):
            return False
        try:
            issued = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - issued > settings.INVITATION_DAYS * 24 * 3600:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, issued, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


tokens = InvitationTokenGenerator()


def link(user) -> str:
    """The absolute address where ``user`` chooses their password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return absolute(reverse("accept_invitation", args=[uid, tokens.make_token(user)]))


def is_pending(user) -> bool:
    """Whether ``user`` has a staff role and has not chosen a password yet. (A learner whose
    credential was issued in bulk has no password either, until they ask for one.)"""
    staff = any(role != Role.CANDIDATE for role in user.roles)
    return staff and not user.has_usable_password()


def send(user, *, inviter) -> None:
    """E-mail ``user`` (in their language) a new link to choose their password."""
    url = link(user)

    def compose(reader):
        subject = _("Your account on %(site)s") % {"site": settings.SITE_NAME}
        body = _(
            "Hello %(name)s,\n\n%(inviter)s has opened an account for you on %(site)s, with "
            "these roles: %(roles)s.\n\nChoose your password here:\n\n%(link)s\n\n%(validity)s "
            "Then log in with your e-mail address, %(email)s, and that password.\n\nIf you did "
            "not expect this message, ignore it.\n"
        ) % {
            "name": reader.get_full_name(),
            "inviter": inviter.get_full_name() if inviter else settings.SITE_NAME,
            "site": settings.SITE_NAME,
            "roles": ", ".join(str(role.label) for role in reader.roles),
            "link": url,
            "validity": ngettext(
                "The link works once, for %(days)d day.",
                "The link works once, for %(days)d days.",
                settings.INVITATION_DAYS,
            )
            % {"days": settings.INVITATION_DAYS},
            "email": reader.email,
        }
        return subject, body

    tell([user], compose)
