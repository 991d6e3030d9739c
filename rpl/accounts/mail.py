"""E-mail to people in their own language, whoever's request (or no request) sends it."""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.utils import translation

from rpl.accounts.tasks import send_email


def language_of(person) -> str:
    """The language ``person`` reads: the one they last chose, or the site's default."""
    return person.language or settings.LANGUAGE_CODE


def tell(
    people: Iterable, compose: Callable[[object], tuple[str, str]], *, on_commit: bool = False
) -> None:
    """E-mail each of ``people`` a message of their own (no one sees who else got it).
    ``compose(reader)`` returns the subject and body; it runs with the reader's language
    active, so the words, dates and titles are in that language. With ``on_commit``, nothing is
    sent unless the current transaction commits."""
    for person in people:
        if not person.email:
            continue
        with translation.override(language_of(person)):
            subject, body = compose(person)
        if on_commit:
            transaction.on_commit(
                lambda subject=subject, body=body, to=[person.email]: send_email.delay(
                    subject, body, to
                )
            )
        else:
            send_email.delay(subject, body, [person.email])
