"""The signature header, the secret at rest, and the addresses webhooks may go to."""

import time
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from webhooks import services, signing, transport
from webhooks.models import Subscription

SECRET = "whsec_test-secret"
BODY = b'{"id": "1", "type": "case.decided"}'


def test_it_signs_the_timestamp_and_the_body():
    header = signing.signature_header(SECRET, BODY, timestamp=1_700_000_000)
    assert header.startswith("t=1700000000,v1=")
    assert signing.verify(SECRET, BODY, header, now=1_700_000_100)


@pytest.mark.parametrize(
    "secret, body, header_of, now",
    [
        ("whsec_other", BODY, lambda h: h, 1_700_000_000),
        (SECRET, BODY + b" ", lambda h: h, 1_700_000_000),
        (SECRET, BODY, lambda h: h.replace("t=1700000000", "t=1700000001"), 1_700_000_000),
        (SECRET, BODY, lambda h: h, 1_700_000_000 + 301),
        (SECRET, BODY, lambda h: "v1=" + h.split("v1=")[1], 1_700_000_000),
        (SECRET, BODY, lambda h: "t=soon," + h.split(",")[1], 1_700_000_000),
        (SECRET, BODY, lambda h: "", 1_700_000_000),
    ],
    ids=["wrong-secret", "changed-body", "changed-time", "too-old", "no-time", "bad-time", "empty"],
)
def test_it_refuses_what_was_not_signed_now_with_this_secret(secret, body, header_of, now):
    header = header_of(signing.signature_header(SECRET, BODY, timestamp=1_700_000_000))
    assert not signing.verify(secret, body, header, now=now)


def test_the_documented_receiver_snippet_accepts_our_signature():
    """docs/webhooks.md shows a receiver's check; it must agree with what we send."""
    docs = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
    snippet = docs.read_text(encoding="utf-8").split("```python\n", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(snippet, namespace)  # noqa: S102 - our own documentation
    header = signing.signature_header(SECRET, BODY)
    assert namespace["verify"](SECRET, BODY, header)
    assert not namespace["verify"](SECRET, BODY + b"x", header)
    old = signing.signature_header(SECRET, BODY, timestamp=int(time.time()) - 3600)
    assert not namespace["verify"](SECRET, BODY, old)


@pytest.mark.django_db
def test_the_secret_is_stored_encrypted_and_bound_to_its_subscription(subscribed):
    subscription, secret = subscribed
    stored = Subscription.objects.get(pk=subscription.pk)
    assert secret.startswith("whsec_") and secret not in stored.encrypted_secret
    assert services.secret_of(stored) == secret
    other = Subscription(key=uuid.uuid4())
    other.encrypted_secret = stored.encrypted_secret
    with pytest.raises(signing.SecretError):
        services.secret_of(other)


@pytest.mark.django_db
def test_a_changed_encryption_secret_is_reported_not_sent_unsigned(subscribed, settings):
    subscription, _ = subscribed
    settings.CREDENTIAL_KEY_ENCRYPTION_KEY = "a different secret"
    with pytest.raises(signing.SecretError, match="CREDENTIAL_KEY_ENCRYPTION_KEY"):
        services.secret_of(subscription)


LOOPBACK = [
    "http://127.0.0.1:5432/",
    "http://localhost:8000/hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
]
NOT_PUBLIC = [
    "https://10.1.2.3/hook",
    "https://192.168.0.10/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://100.64.0.1/hook",
    "https://[fe80::1]/hook",
    "https://[fd00::1]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://[2002:a00:1::1]/hook",  # 6to4 of 10.0.0.1
    "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
    "https://0.0.0.0/hook",
    "https://240.0.0.1/hook",
    "https://224.0.0.1/hook",
]


@pytest.mark.parametrize("url", LOOPBACK + NOT_PUBLIC)
def test_it_refuses_loopback_private_and_reserved_addresses_by_default(url):
    with pytest.raises(ValidationError, match="private or local network"):
        transport.check_url(url)


@pytest.mark.parametrize("url", LOOPBACK)
def test_it_allows_this_machine_only_when_told(url, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    transport.check_url(url)


@pytest.mark.parametrize("url", NOT_PUBLIC)
def test_allowing_this_machine_allows_no_other_network(url, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    with pytest.raises(ValidationError, match="private or local network"):
        transport.check_url(url)


def test_it_accepts_a_public_address_and_requires_https_when_told(settings):
    transport.check_url("https://93.184.215.14/hook")
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    with pytest.raises(ValidationError, match="https"):
        transport.check_url("http://93.184.215.14/hook")


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://93.184.215.14/hook", "full web address"),
        ("https:///hook", "full web address"),
        ("https://user:pw@93.184.215.14/hook", "user name and password"),
    ],
)
def test_it_explains_what_is_wrong_with_an_address(url, message):
    with pytest.raises(ValidationError, match=message):
        transport.check_url(url)


def test_it_reports_a_host_that_cannot_be_found():
    with pytest.raises(ValidationError, match="cannot be found"):
        transport.check_url("https://no-such-host.invalid/hook")
