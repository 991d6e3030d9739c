from django.contrib.auth import get_user_model
from django.db.models import Count

from rpl.accounts.roles import Role


def users_per_role() -> list[tuple[Role, int]]:
    counts = dict(
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=Role.values)
        .values_list("groups__name")
        .annotate(n=Count("id"))
    )
    return [(role, counts.get(role.value, 0)) for role in Role]
