"""Webhook test data and a real HTTP receiver on 127.0.0.1 that answers from a script."""

import json
import threading
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from credentials.issuing import services as issuing_services
from tests.credentials.conftest import make_organisation, make_specification
from webhooks import services

ALL_EVENTS = [
    "case.submitted",
    "case.decided",
    "credential.issued",
    "credential.revoked",
    "credential.suspended",
]


@dataclass
class Received:
    path: str
    headers: Message  # case-insensitive, as HTTP header names are
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next (status, body, headers) of ``script``; then 200."""

    url: str
    script: list = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    delay: float = 0.0


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.requests.append(Received(self.path, self.headers, body))
            if receiver.delay:
                threading.Event().wait(receiver.delay)
            status, text, headers = receiver.script.pop(0) if receiver.script else (200, "ok", {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            payload = text.encode()
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    receiver = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/rpl-events"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.SITE_URL = "https://rpl.example.edu"
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
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
    return services.create_subscription(
        actor=administrator, organisation=organisation, url=receiver.url, events=ALL_EVENTS
    )


def issue(candidate, specification):
    return issuing_services.issue_credential(learner=candidate, specification=specification)
