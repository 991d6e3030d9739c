"""Webhook fixtures: a real HTTP receiver (``tests.webhooks.receiver``) and test data."""

import threading
from http.server import ThreadingHTTPServer

import pytest

from tests.factories.catalogue import make_organisation, make_specification
from tests.factories.webhooks import subscribe
from tests.webhooks.receiver import Receiver, handler


@pytest.fixture
def receiver(settings):
    """A receiver on this machine, which webhooks may reach only with WEBHOOKS_ALLOW_LOOPBACK."""
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    receiver = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/rpl-events"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.SITE_URL = "https://rpl.example.edu"
    settings.WEBHOOKS_REQUIRE_HTTPS = False
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5
    settings.WEBHOOKS_MAX_ATTEMPTS = 6


@pytest.fixture
def organisation(db):
    return make_organisation()


@pytest.fixture
def specification(organisation):
    return make_specification(organisation, slug="data-analysis", title_en="Data analysis")


@pytest.fixture
def subscribed(organisation, receiver, administrator):
    """A subscription to every event at the receiver, and its secret."""
    return subscribe(organisation, receiver.url, administrator)
