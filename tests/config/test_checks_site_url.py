"""``check --deploy`` refuses a SITE_URL did:web cannot use: http, an IP address, no domain."""

import pytest
from django.core import checks

from config.checks import site_url_serves_did_web


@pytest.mark.parametrize(
    ("site_url", "ids"),
    [
        ("https://rpl.example.org", []),
        ("https://rpl.example.org/sub/path", []),
        ("http://rpl.example.org", ["config.E001"]),
        ("https://192.0.2.10", ["config.E002"]),
        ("https://[2001:db8::1]:8443", ["config.E002"]),
        ("https://localhost:8000", ["config.E002"]),
        ("http://127.0.0.1:8000", ["config.E001", "config.E002"]),
        ("", ["config.E001", "config.E002"]),
    ],
)
def test_it_refuses_a_site_url_did_web_cannot_serve(settings, site_url, ids):
    settings.SITE_URL = site_url
    errors = site_url_serves_did_web(None)
    assert [error.id for error in errors] == ids
    assert all(error.level == checks.ERROR and "SITE_URL" in error.hint for error in errors)


def test_it_runs_only_with_deploy(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    security = [checks.Tags.security]
    deploy = checks.run_checks(tags=security, include_deployment_checks=True)
    assert "config.E001" in [error.id for error in deploy]
    assert "config.E001" not in [error.id for error in checks.run_checks(tags=security)]
