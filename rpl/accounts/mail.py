"""E-mail to people in their own language, whoever's request (or no request) sends it."""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.utils import translation

from rpl.accounts.jobs import send_email


def language_of(person) -> str:
    """The language ``person`` reads: the one they last chose, or the site's default."""
    return person.language or settings.LANGUAGE_CODE


def tell(people: Iterable, compose: Callable[[object], tuple[str, str]]) -> None:
    """E-mail each of ``people`` a message of their own (no one sees who else got it), once the
    current transaction commits (at once outside one): a change rolled back tells nobody.
    ``compose(reader)`` returns the subject and body; it runs now, with the reader's language
    active, so the words, dates and titles are in that language."""
    for person in people:
        if not person.email:
            continue
        with translation.override(language_of(person)):
            subject, body = compose(person)
        transaction.on_commit(
            lambda subject=subject, body=body, to=[person.email]: send_email.delay(
                subject, body, to
            )
        )
