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
