"""A real HTTP receiver on 127.0.0.1 that answers webhook deliveries from a script."""

import json
import threading
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler


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


def handler(receiver: Receiver):
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
