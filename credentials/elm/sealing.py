"""The seam for sealing ELM documents. The application produces them unsigned: an eIDAS seal is
the awarding body's, made with its qualified certificate outside the application. A deployment
that has a sealing service names a callable in the ``ELM_SEALER`` setting (a dotted path, default
none); it receives the unsigned document and returns the sealed one, which is then served as is.
"""

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


def seal(document: dict[str, Any]) -> dict[str, Any]:
    sealer = settings.ELM_SEALER
    if not sealer:
        return document
    return import_string(sealer)(document)
