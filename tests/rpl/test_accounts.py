import pytest
from django.core import mail

from rpl.accounts.roles import Role
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_it_logs_in_with_the_email_in_any_case(client, candidate):
    response = client.post(
        "/accounts/login/", {"username": "ALICE@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/").url == "/home/candidate/"


def test_it_explains_a_failed_login(client, candidate):
    response = client.post("/accounts/login/", {"username": candidate.email, "password": "wrong"})
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


def test_it_asks_for_a_valid_email(client, db):
    response = client.post("/accounts/login/", {"username": "not-an-email", "password": "x"})
    assert "Enter a valid email address." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_it_throttles_repeated_failed_logins(client, candidate, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": candidate.email, "password": "wrong"})
    response = client.post("/accounts/login/", {"username": candidate.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()


def test_it_locks_an_account_whatever_the_spelling_of_its_address(client, candidate, settings):
    spellings = [
        "ALICE@EXAMPLE.ORG",
        "  alice@example.org ",
        "Alice@Example.Org",
        "alice@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.org",  # full-width, NFKC "example"
    ]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            "/accounts/login/",
            {"username": spellings[attempt % len(spellings)], "password": "wrong"},
        )
        assert response.status_code == (429 if attempt == settings.AXES_FAILURE_LIMIT - 1 else 200)
    for spelling in [candidate.email, *spellings]:
        for password in ("wrong", PASSWORD):
            response = client.post("/accounts/login/", {"username": spelling, "password": password})
            assert response.status_code == 429, (spelling, password)
            assert "_auth_user_id" not in client.session


def test_it_logs_out_only_by_post(client, candidate):
    client.force_login(candidate)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/home/candidate/").status_code == 302


def test_it_sends_a_password_reset_link_that_works(client, candidate):
    response = client.post("/accounts/password-reset/", {"email": candidate.email})
    assert response.url == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_url = client.get(path).url
    new = "a-new-long-passphrase-42"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.url == "/accounts/reset/done/"
    assert (
        client.post("/accounts/login/", {"username": candidate.email, "password": new}).url == "/"
    )


def test_it_does_not_reveal_whether_an_account_exists(client, db):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.url == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_it_keeps_role_changes_idempotent(db):
    user = make_user(Role.ASSESSOR, email="x@example.org")
    again = make_user(Role.ASSESSOR, email="x@example.org")
    assert again.pk == user.pk
    assert again.roles == [Role.ASSESSOR]
