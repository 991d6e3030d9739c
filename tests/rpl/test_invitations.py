"""Invitations to staff accounts: the link lets the person choose a password once, in time."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from rpl.accounts import invitations
from rpl.accounts.roles import Role
from rpl.accounts.services import ensure_user
from rpl.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-passphrase-42"


@pytest.fixture
def invited(settings, administrator, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://rpl.example.org"
    person, _created = ensure_user(
        "nina@example.org", full_name="Nina New", roles=[Role.ASSESSOR], actor=administrator
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitations.send(person, inviter=administrator)
    return person


def _path(url):
    return url.removeprefix("https://rpl.example.org")


def _link_in(message):
    return next(line for line in message.body.splitlines() if "/accounts/invitation/" in line)


def _choose_password(client, path, password=NEW_PASSWORD):
    form_url = client.get(path).url
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_it_e_mails_a_link_that_sets_the_password_then_the_person_logs_in(client, invited):
    assert invitations.is_pending(invited)
    (message,) = mail.outbox
    assert message.to == ["nina@example.org"]
    assert "Ann Admin" in message.body and "Assessor" in message.body
    link = _link_in(message)
    assert link.startswith("https://rpl.example.org/accounts/invitation/")

    response = _choose_password(client, _path(link))

    assert response.status_code == 302 and response.url == "/accounts/login/"
    invited.refresh_from_db()
    assert not invitations.is_pending(invited)
    assert AuditEvent.objects.filter(action="user.invitation_accepted").exists()
    login = client.post(
        "/accounts/login/", {"username": "nina@example.org", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302 and login.url == "/"


def test_it_writes_the_invitation_in_the_persons_language(
    administrator, django_capture_on_commit_callbacks
):
    person, _created = ensure_user("olek@example.org", full_name="Olek", roles=[Role.ASSESSOR])
    person.language = "pl"
    with django_capture_on_commit_callbacks(execute=True):
        invitations.send(person, inviter=administrator)
    assert "Asesor" in mail.outbox[0].body


def test_it_refuses_a_used_link(client, invited):
    path = _path(_link_in(mail.outbox[0]))
    _choose_password(client, path)

    response = client.get(path)

    assert response.status_code == 400
    assert "This invitation link does not work" in response.content.decode()


def test_it_refuses_an_expired_link(client, invited, settings, monkeypatch):
    path = _path(_link_in(mail.outbox[0]))
    later = datetime.now() + timedelta(days=settings.INVITATION_DAYS, hours=1)
    monkeypatch.setattr(invitations.tokens, "_now", lambda: later)

    response = client.get(path)

    assert response.status_code == 400
    assert "This invitation link does not work" in response.content.decode()
    invited.refresh_from_db()
    assert invitations.is_pending(invited)


def test_it_keeps_a_link_valid_for_the_configured_days(invited, settings, monkeypatch):
    token = invitations.tokens.make_token(invited)
    settings.INVITATION_DAYS = 10
    later = datetime.now() + timedelta(days=9)
    monkeypatch.setattr(invitations.tokens, "_now", lambda: later)
    assert invitations.tokens.check_token(invited, token)
    assert not invitations.tokens.check_token(invited, token[:-1] + "x")
    assert not invitations.tokens.check_token(invited, "not-a-token")


def test_it_tells_invitation_and_password_reset_links_apart(client, invited):
    uid = urlsafe_base64_encode(force_bytes(invited.pk))
    reset_token = default_token_generator.make_token(invited)
    assert client.get(f"/accounts/invitation/{uid}/{reset_token}/").status_code == 400
    invitation_token = invitations.tokens.make_token(invited)
    response = client.get(f"/accounts/reset/{uid}/{invitation_token}/")
    assert "This link is no longer valid" in response.content.decode()


def test_it_refuses_the_link_of_a_deactivated_account(client, invited):
    path = _path(_link_in(mail.outbox[0]))
    invited.is_active = False
    invited.save()
    assert client.get(path).status_code == 400


def test_it_asks_for_a_good_password(client, invited):
    path = _path(_link_in(mail.outbox[0]))
    response = _choose_password(client, path, password="12345678")
    assert response.status_code == 200
    assert "Please correct the errors below." in response.content.decode()
    invited.refresh_from_db()
    assert invitations.is_pending(invited)


def test_it_counts_only_staff_without_a_password_as_invited(db):
    learner, _created = ensure_user("leo@example.org", full_name="Leo", roles=[Role.CANDIDATE])
    assert not invitations.is_pending(learner)
