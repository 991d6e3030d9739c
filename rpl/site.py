"""The site's own absolute addresses (``SITE_URL``), for e-mails, webhooks and credentials:
places where no request says which host the reader uses."""

from django.conf import settings


def absolute(path: str = "") -> str:
    """``path`` (from ``reverse``) on this site; with no path, the site's base address."""
    return settings.SITE_URL.rstrip("/") + path
