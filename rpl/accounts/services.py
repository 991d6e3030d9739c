from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from rpl.accounts.changes import people_changed
from rpl.accounts.roles import Role
from rpl.audit import services as audit


@transaction.atomic
def ensure_user(
    email: str,
    *,
    full_name: str,
    roles: list[Role],
    password: str | None = None,
    actor=None,
    is_staff: bool = False,
    is_superuser: bool = False,
):
    """Create the user if missing and make sure they hold exactly ``roles``; idempotent."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=User.objects.normalize_email(email)).first()
    created = user is None
    if created:
        user = User.objects.create_user(
            email,
            password,
            full_name=full_name,
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
    wanted = {Group.objects.get_or_create(name=role.value)[0] for role in roles}
    current = set(user.groups.filter(name__in=Role.values))
    if created or wanted != current:
        user.groups.remove(*(current - wanted))
        user.groups.add(*(wanted - current))
        audit.record(
            actor=actor,
            action="user.created" if created else "user.roles_changed",
            target=user,
            changes={"roles": sorted(group.name for group in wanted)},
        )
        transaction.on_commit(lambda: people_changed.send(sender=User, user=user))
    user.__dict__.pop("roles", None)
    return user, created


def remember_language(user, language: str | None) -> None:
    """Keep the language ``user`` chose (or logged in with), for the e-mails they receive."""
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
