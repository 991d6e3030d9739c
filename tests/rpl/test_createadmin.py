"""``manage.py createadmin``: the first administrator, with a link to choose a password."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from rpl.accounts import invitations
from rpl.accounts.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-admin-passphrase-42"


def _run(*args, stdin=None):
    out = io.StringIO()
    call_command("createadmin", *args, stdout=out, **({"stdin": stdin} if stdin else {}))
    return out.getvalue()


def test_it_creates_an_administrator_and_prints_a_link_that_sets_the_password(client, settings):
    settings.SITE_URL = "https://rpl.example.org"

    output = _run("--email", "Boss@Example.org", "--name", "Bea Boss")

    user = get_user_model().objects.get(email="boss@example.org")
    assert user.roles == [Role.ADMINISTRATOR]
    assert user.full_name == "Bea Boss"
    assert user.is_active and user.is_staff and user.is_superuser
    assert invitations.is_pending(user)
    link = next(line for line in output.splitlines() if "/accounts/invitation/" in line)
    form_url = client.get(link.removeprefix("https://rpl.example.org")).url
    client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    login = client.post("/accounts/login/", {"username": "boss@example.org", "password": PASSWORD})
    assert login.url == "/"


def test_it_takes_the_password_from_standard_input(client):
    output = _run(
        "--email", "boss@example.org", "--password-from-stdin", stdin=io.StringIO(PASSWORD + "\n")
    )

    assert "/accounts/invitation/" not in output
    login = client.post("/accounts/login/", {"username": "boss@example.org", "password": PASSWORD})
    assert login.url == "/"


def test_it_refuses_a_weak_password_from_standard_input(db):
    with pytest.raises(CommandError):
        _run("--email", "boss@example.org", "--password-from-stdin", stdin=io.StringIO("12345\n"))
    assert not get_user_model().objects.exists()


def test_it_refuses_an_address_that_has_an_account(candidate):
    with pytest.raises(CommandError, match="exists already"):
        _run("--email", "ALICE@example.org")
    candidate.refresh_from_db()
    assert candidate.roles == [Role.CANDIDATE]


def test_it_refuses_something_that_is_not_an_address(db):
    with pytest.raises(CommandError, match="not an e-mail address"):
        _run("--email", "boss")
    assert not get_user_model().objects.exists()
