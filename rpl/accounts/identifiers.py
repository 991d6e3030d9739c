"""One spelling of a log-in identifier (an e-mail address), for storing, finding and throttling.

Log-in ignores case, so django-axes must count failures against the spelling the account is
found by, or five failures for ``alice@example.org`` would leave ``ALICE@EXAMPLE.ORG`` open:
``AXES_USERNAME_CALLABLE`` names :func:`axes_username`.
"""

import unicodedata

from django.conf import settings


def normalise_email(value: str | None) -> str:
    """Unicode NFKC, without surrounding spaces, in lower case."""
    return unicodedata.normalize("NFKC", value or "").strip().lower()


def axes_username(request, credentials: dict | None) -> str | None:
    """The identifier django-axes counts failed log-ins against, from the credentials or the
    posted form (as axes itself reads it), normalised."""
    source = credentials if credentials else request.POST
    value = source.get(settings.AXES_USERNAME_FORM_FIELD)
    return None if value is None else normalise_email(value)
