"""Small factories for test data; personas live in conftest.py."""

import itertools

from rpl.accounts.roles import Role
from rpl.accounts.services import ensure_user

PASSWORD = "correct-horse-battery-9"
_counter = itertools.count(1)


def make_user(*roles: Role, email: str | None = None, full_name: str = ""):
    email = email or f"user{next(_counter)}@example.org"
    user, _ = ensure_user(
        email, full_name=full_name or email.split("@")[0], roles=list(roles), password=PASSWORD
    )
    return user
