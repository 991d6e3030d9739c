"""Bilingual text: every translatable field is stored twice, as ``<name>_pl`` and ``<name>_en``.

``localized(obj, "title")`` returns the text in the active language and falls back to the other
one when that is empty, so a half-translated draft still shows something.
"""

from django.conf import settings
from django.utils.translation import get_language

LANGUAGES = ("pl", "en")


def current_language() -> str:
    """The active language reduced to one we store ("pl" or "en")."""
    code = (get_language() or settings.LANGUAGE_CODE or "en").lower()
    base = code.split("-", 1)[0].split("_", 1)[0]
    return base if base in LANGUAGES else "en"


def localized(obj, name: str, language: str | None = None) -> str:
    """``obj.<name>_<language>``, or the other language's text when that one is empty."""
    first = language if language in LANGUAGES else current_language()
    order = (first, *(code for code in LANGUAGES if code != first))
    for code in order:
        value = getattr(obj, f"{name}_{code}", "") or ""
        if value:
            return value
    return ""


class Bilingual:
    """Mixin for models with ``<name>_pl``/``<name>_en`` fields."""

    def text(self, name: str, language: str | None = None) -> str:
        return localized(self, name, language)
