"""What the people pages show: each person's roles, pools, open work and invitation, loaded for a
whole page of people in a few queries."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.db.models.functions import Lower
from guardian.models import UserObjectPermission
from viewflow.workflow.models import Task

from credentials.catalogue.models import Specification
from rpl.accounts import invitations
from rpl.accounts.roles import Role
from workflows.models import NamedPool
from workflows.setup.forms import POOLS
from workflows.work.duties import OPEN

STAFF_ROLES = [role for role in Role if role != Role.CANDIDATE]
# object permission codename -> the role of its pool's members
POOL_ROLES = dict(POOLS.values())


@dataclass
class PersonRow:
    person: object
    # (specification, the roles of the pools of it they are in), by title
    pools: list[tuple[Specification, list[Role]]] = field(default_factory=list)
    open_tasks: int = 0

    @property
    def invitation_pending(self) -> bool:
        return invitations.is_pending(self.person)


def _holders(*roles: Role):
    return get_user_model().objects.filter(groups__name__in=roles).values("pk")


def people(*, role: str = "", query: str = ""):
    """People holding ``role``, or when none is given everyone but those who are only candidates;
    ``query`` narrows by name or e-mail address."""
    users = get_user_model().objects.prefetch_related("groups")
    if role:
        users = users.filter(pk__in=_holders(role))
    else:
        users = users.filter(Q(pk__in=_holders(*STAFF_ROLES)) | ~Q(pk__in=_holders(Role.CANDIDATE)))
    if query:
        users = users.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    return users.order_by(Lower("full_name"), "email")


def open_task_counts(person_ids) -> Counter:
    """How many tasks each person holds now, in every flow."""
    rows = (
        Task.objects.filter(owner_id__in=person_ids, status__in=OPEN)
        .values("owner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Counter({row["owner_id"]: row["n"] for row in rows})


def pools_of(person_ids) -> dict[int, list[tuple[Specification, list[Role]]]]:
    """The specifications in whose pools (default or named) each person is, with the pools'
    roles."""
    grants = UserObjectPermission.objects.filter(
        user_id__in=person_ids,
        content_type=ContentType.objects.get_for_model(Specification),
        permission__codename__in=POOL_ROLES,
    ).values_list("user_id", "object_pk", "permission__codename")
    by_person = defaultdict(lambda: defaultdict(set))
    for person_id, spec_pk, codename in grants:
        by_person[person_id][int(spec_pk)].add(POOL_ROLES[codename])
    named = NamedPool.members.through.objects.filter(user_id__in=person_ids).values_list(
        "user_id", "namedpool__specification_id", "namedpool__role"
    )
    for person_id, spec_pk, role in named:
        by_person[person_id][spec_pk].add(Role(role))
    specifications = Specification.objects.in_bulk(
        {spec_pk for pools in by_person.values() for spec_pk in pools}
    )
    result = {}
    for person_id, pools in by_person.items():
        found = [
            (specifications[spec_pk], [role for role in Role if role in roles])
            for spec_pk, roles in pools.items()
            if spec_pk in specifications
        ]
        result[person_id] = sorted(found, key=lambda pair: str(pair[0].title))
    return result


def rows(people) -> list[PersonRow]:
    people = list(people)
    ids = [person.pk for person in people]
    pools, counts = pools_of(ids), open_task_counts(ids)
    return [
        PersonRow(person, pools=pools.get(person.pk, []), open_tasks=counts[person.pk])
        for person in people
    ]


def held_tasks(person):
    """The tasks ``person`` holds, in every flow (cases, appeals, audits), oldest first."""
    return Task.objects.filter(owner=person, status__in=OPEN).order_by("created", "pk")
