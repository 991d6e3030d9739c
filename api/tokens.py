"""Create, check and revoke personal API tokens; every change is audited."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken, Scope
from rpl.audit import services as audit

TOKEN_START = "rpl_"  # noqa: S105 (a prefix, not a secret)
# Don't write last_used_at on every request: once a minute is precise enough.
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenError(Exception):
    """A token request refused, with a message for the person who made it."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_of(user) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))


@transaction.atomic
def create_token(
    *, user, name: str, scopes, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its text, which is never stored nor shown again."""
    scopes = sorted(set(scopes))
    unknown = set(scopes) - set(Scope.values)
    if not scopes or unknown:
        raise TokenError(_("Choose at least one scope from the list."))
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    row = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        scopes=scopes,
        prefix=prefix,
        secret_hash=_digest(token),
        expires_at=expires_at,
    )
    audit.record(
        actor=user,
        action="api_token.created",
        target=row,
        changes={
            "name": row.name,
            "scopes": scopes,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return row, token


@transaction.atomic
def revoke_token(token: ApiToken, *, actor) -> ApiToken:
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise TokenError(_("This token was already revoked."))
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="api_token.revoked", target=locked, changes={})
    return locked


def token_for(text: str) -> ApiToken | None:
    """The usable token ``text`` is, with its active user, or None."""
    if not text.startswith(TOKEN_START) or len(text) > 200:
        return None
    prefix = text[len(TOKEN_START) :].split("_", 1)[0]
    row = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if (
        row is None
        or not secrets.compare_digest(row.secret_hash, _digest(text))
        or not row.is_usable
        or not row.user.is_active
    ):
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row
