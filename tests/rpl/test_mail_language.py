"""E-mails reach each person in the language they chose, whoever's request sends them."""

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext as _

from rpl.accounts.mail import tell
from rpl.accounts.roles import Role
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_it_remembers_the_language_a_signed_in_person_chooses(client, candidate):
    client.force_login(candidate)
    response = client.post("/i18n/setlang/", {"language": "pl", "next": "/"})
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.language == "pl"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    candidate.refresh_from_db()
    assert candidate.language == "en"


def test_it_keeps_the_language_when_the_choice_is_not_offered(client, candidate):
    client.force_login(candidate)
    client.post("/i18n/setlang/", {"language": "pl", "next": "/"})
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.language == "pl"


def test_it_lets_a_visitor_choose_a_language_with_only_the_cookie(client, db):
    response = client.post("/i18n/setlang/", {"language": "pl", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pl"


def test_it_remembers_the_language_a_person_logs_in_with(client, candidate):
    assert candidate.language == ""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pl"
    response = client.post("/accounts/login/", {"username": candidate.email, "password": PASSWORD})
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.language == "pl"


def test_it_writes_to_each_person_in_their_own_language(db, django_capture_on_commit_callbacks):
    polish = make_user(Role.ASSESSOR, email="pl@example.org")
    polish.language = "pl"
    english = make_user(Role.ASSESSOR, email="en@example.org")
    english.language = "en"
    unset = make_user(Role.ASSESSOR, email="unset@example.org")
    mail.outbox.clear()
    with translation.override("pl"), django_capture_on_commit_callbacks(execute=True):
        tell(
            [polish, english, unset],
            lambda reader: (_("Decision"), f"{_('Reasons')} / {reader.email}"),
        )
    sent = {message.to[0]: message for message in mail.outbox}
    assert [len(message.to) for message in mail.outbox] == [1, 1, 1]
    assert sent["pl@example.org"].subject == "Decyzja"
    assert sent["pl@example.org"].body == "Uzasadnienie / pl@example.org"
    assert sent["en@example.org"].subject == "Decision"
    # No choice yet: the site's default language.
    assert settings.LANGUAGE_CODE == "en"
    assert sent["unset@example.org"].subject == "Decision"


def test_it_tells_nobody_of_a_change_that_is_rolled_back(db, django_capture_on_commit_callbacks):
    from django.db import transaction

    person = make_user(Role.CANDIDATE, email="rolled@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            tell([person], lambda reader: ("Rolled back", "Body"))
            raise RuntimeError("the change fails after the e-mail was asked for")
        with transaction.atomic():
            tell([person], lambda reader: ("Kept", "Body"))
    assert [message.subject for message in mail.outbox] == ["Kept"]
