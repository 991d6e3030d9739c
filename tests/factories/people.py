"""Users with roles, created through ``rpl.accounts.services.ensure_user`` as in real use."""

import factory
from django.contrib.auth import get_user_model

from rpl.accounts.roles import Role
from rpl.accounts.services import ensure_user

PASSWORD = "correct-horse-battery-9"
# The persona fixtures of tests/conftest.py, for tests that check who gets into a page.
PERSONAS = [
    "candidate",
    "assessor",
    "identity_officer",
    "decision_maker",
    "quality_officer",
    "administrator",
    "outsider",
]


class UserFactory(factory.Factory):
    class Meta:
        model = get_user_model()

    email = factory.Sequence(lambda n: f"user{n + 1}@example.org")
    full_name = factory.LazyAttribute(lambda user: user.email.split("@")[0])
    roles = factory.List([])
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *, email, **fields):
        user, _created = ensure_user(email, **fields)
        return user


def make_user(*roles: Role, email: str | None = None, full_name: str = ""):
    """A user holding ``roles``; the e-mail address and name are made up when not given."""
    fields = {"email": email} if email else {}
    if full_name:
        fields["full_name"] = full_name
    return UserFactory(roles=list(roles), **fields)


def reserve_staff() -> list:
    """People more for the pools (two assessors and a decision maker) so that a pipeline with a
    review, a test and a decision can be staffed on every path, an appeal included (its
    reviewer and decider must not have handled the case)."""
    return [
        make_user(Role.ASSESSOR, email="reserve.assessor@example.org", full_name="Rita Reserve"),
        make_user(Role.ASSESSOR, email="reserve.assessor2@example.org", full_name="Rob Reserve"),
        make_user(Role.DECISION_MAKER, email="reserve.dm@example.org", full_name="Remy Reserve"),
    ]
