"""A small threaded WSGI server for benchmarks: serves ``config.wsgi`` on the loopback interface.

    .venv/bin/python bench/wsgi_server.py [PORT]      # 0 (the default) picks a free port

Standard library only (``wsgiref.simple_server`` with ``socketserver.ThreadingMixIn``): one
thread per connection, no request log. When it listens it prints ``listening on PORT`` on one
line of standard output; it stops on SIGTERM or SIGINT. Settings come from the environment like
any other process of the project (``DATABASE_URL``, ``RPL_VAR_DIR``...). For benchmarks only:
in production use a real WSGI server behind a TLS proxy (see README.md).
"""

import os
import signal
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    from config.wsgi import application

    server = make_server(
        "127.0.0.1", port, application, server_class=ThreadingWSGIServer, handler_class=QuietHandler
    )

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"listening on {server.server_port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
