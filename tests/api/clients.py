"""Test clients that call the API with a personal token."""

from django.test import Client

from api import tokens
from api.models import Scope


class ApiClient(Client):
    """A test client that sends ``Authorization: Bearer <token>`` with every request."""

    def __init__(self, token: str | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        super().__init__(headers=headers)


def token_client(user, scopes=tuple(Scope.values)) -> ApiClient:
    """A client with a new token of ``user`` for ``scopes``."""
    _row, text = tokens.create_token(user=user, name="test", scopes=scopes)
    return ApiClient(text)
