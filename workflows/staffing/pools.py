"""Pools: who takes the tasks of a step. A step names a pool (``pool: technical``) or takes the
default pool of its role: the holders of the role's object permission on the specification
(django-guardian). A named pool is a ``NamedPool`` row with its members. Either way a member must
also be active and hold the role.

Members are loaded in bulk (a few queries for any number of specifications and people), so that
the engine's "who may take this" costs the same for a pool of 2 as for a pool of 200.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermission, UserObjectPermission

from credentials.catalogue.models import Specification
from rpl.accounts.roles import Role
from workflows.models import NamedPool
from workflows.pipelines.schema import StepKind

# role -> object permission codename on the specification that puts a person in its default pool
CODENAMES = {
    Role.ASSESSOR: "assess",
    Role.IDENTITY_OFFICER: "verify_identity",
    Role.DECISION_MAKER: "decide",
}
ROLE_OF_KIND = {
    StepKind.IDENTITY_CHECK: Role.IDENTITY_OFFICER,
    StepKind.DECISION: Role.DECISION_MAKER,
    StepKind.EVIDENCE_REVIEW: Role.ASSESSOR,
    StepKind.TEST: Role.ASSESSOR,
    StepKind.INTERVIEW: Role.ASSESSOR,
    StepKind.OBSERVATION: Role.ASSESSOR,
}


@dataclass(frozen=True)
class PoolKey:
    role: Role
    name: str = ""  # "" is the role's default pool

    @property
    def label(self) -> str:
        role = {
            Role.ASSESSOR: _("Assessors"),
            Role.IDENTITY_OFFICER: _("Identity officers"),
            Role.DECISION_MAKER: _("Decision makers"),
        }[self.role]
        if not self.name:
            return _("%(role)s (default pool)") % {"role": role}
        return _("%(role)s: pool “%(name)s”") % {"role": role, "name": self.name}


def pool_of_step(step) -> PoolKey:
    return PoolKey(Role(ROLE_OF_KIND[step.kind]), step.pool or "")


class Pools:
    """The members (user ids) of every pool of some specifications, active and holding the
    pool's role: ``pools.members(specification_id, key)``."""

    def __init__(self, specification_ids):
        ids = {int(pk) for pk in specification_ids}
        found = defaultdict(set)  # (specification id, PoolKey) -> user ids, before the role check
        for spec_id, codename, user_id in _permission_rows(ids):
            for role, wanted in CODENAMES.items():
                if codename == wanted:
                    found[(int(spec_id), PoolKey(role))].add(user_id)
        rows = NamedPool.members.through.objects.filter(
            namedpool__specification_id__in=ids
        ).values_list(
            "namedpool__specification_id", "namedpool__role", "namedpool__name", "user_id"
        )
        for spec_id, role, name, user_id in rows:
            found[(spec_id, PoolKey(Role(role), name))].add(user_id)
        everyone = set().union(*found.values()) if found else set()
        roles = defaultdict(set)
        for pk, group in (
            get_user_model()
            .objects.filter(pk__in=everyone, is_active=True, groups__name__in=Role.values)
            .values_list("pk", "groups__name")
        ):
            roles[pk].add(group)
        self._members = {
            where: {pk for pk in people if where[1].role.value in roles[pk]}
            for where, people in found.items()
        }

    def members(self, specification_id, key: PoolKey) -> set[int]:
        return self._members.get((int(specification_id), key), set())


def _holds(codename: str, specification_id) -> Q:
    """Users holding the object permission ``codename`` on the specification, directly or
    through a group."""
    where = {
        "content_type": ContentType.objects.get_for_model(Specification),
        "object_pk": str(specification_id),
        "permission__codename": codename,
    }
    return Q(Exists(UserObjectPermission.objects.filter(user=OuterRef("pk"), **where))) | Q(
        Exists(GroupObjectPermission.objects.filter(group__user=OuterRef("pk"), **where))
    )


def holds_permission(user, specification_id, codename: str) -> bool:
    """Whether ``user`` holds the object permission ``codename`` on the specification (as
    guardian's checker says, an active superuser holds every one), in one query."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return get_user_model().objects.filter(_holds(codename, specification_id), pk=user.pk).exists()


def pool_members(specification_id, key: PoolKey):
    """The people of one pool (active, holding its role), as one query of users."""
    users = get_user_model().objects.filter(is_active=True, groups__name=key.role.value)
    if not key.name:
        return users.filter(_holds(CODENAMES[key.role], specification_id))
    members = NamedPool.members.through.objects.filter(
        namedpool__specification_id=specification_id,
        namedpool__role=key.role.value,
        namedpool__name=key.name,
    )
    return users.filter(pk__in=members.values("user_id"))


def _permission_rows(specification_ids):
    """(specification id, codename, user id) of the pool permissions, held directly or through
    a group."""
    content_type = ContentType.objects.get_for_model(Specification)
    keys = [str(pk) for pk in specification_ids]
    direct = UserObjectPermission.objects.filter(
        content_type=content_type, object_pk__in=keys, permission__codename__in=CODENAMES.values()
    ).values_list("object_pk", "permission__codename", "user_id")
    through_groups = GroupObjectPermission.objects.filter(
        content_type=content_type,
        object_pk__in=keys,
        permission__codename__in=CODENAMES.values(),
        group__user__isnull=False,
    ).values_list("object_pk", "permission__codename", "group__user")
    return [*direct, *through_groups]
