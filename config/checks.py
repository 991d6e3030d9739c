"""System checks of the instance's public address (``manage.py check --deploy``).

Every issuer DID (``did:web``) and status-list URL is derived from ``SITE_URL`` and signed into
each credential. did:web resolves over HTTPS only, and its identifier is a domain name, never an
IP address: with any other ``SITE_URL`` no verifier elsewhere can check what the instance issues.
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

HINT = (
    "Set SITE_URL to the https:// address of the domain that will serve the instance for as "
    "long as its credentials are in use, e.g. https://rpl.example.org (README, 'The domain of "
    "issued credentials')."
)


def site_url_problems(url: str) -> list[tuple[str, str]]:
    """``(check id, message)`` for each reason ``url`` cannot be the public address credentials
    are issued under; empty when it can."""
    parts = urlsplit(url or "")
    problems = []
    if parts.scheme != "https":
        problems.append(
            (
                "config.E001",
                f"SITE_URL {url!r} is not an https:// address: did:web resolves over HTTPS only.",
            )
        )
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not host or host == "localhost" or "." not in host:
            problems.append(
                (
                    "config.E002",
                    f"SITE_URL {url!r} does not name a public domain: did:web needs one.",
                )
            )
    else:
        problems.append(
            ("config.E002", f"SITE_URL {url!r} names an IP address: did:web needs a domain name.")
        )
    return problems


@checks.register(checks.Tags.security, deploy=True)
def site_url_serves_did_web(app_configs, **kwargs):
    return [
        checks.Error(message, hint=HINT, id=check_id)
        for check_id, message in site_url_problems(settings.SITE_URL)
    ]
