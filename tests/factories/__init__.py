"""Factories for test data, one module per subject; users are also importable from here."""

from tests.factories.people import PASSWORD, make_user

__all__ = ["PASSWORD", "make_user"]
