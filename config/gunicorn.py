"""gunicorn's settings: ``gunicorn -c config/gunicorn.py config.wsgi``. Read from the environment.

WEB_CONCURRENCY     worker processes (default: 2 per CPU core, plus one)
GUNICORN_BIND       address to listen on (default 127.0.0.1:8000, behind the TLS proxy)
GUNICORN_TIMEOUT    seconds a request may take before its worker is restarted (default 60)
GUNICORN_ACCESS_LOG ``-`` logs each request to standard output (default: off; the proxy logs them)
"""

import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
# Long enough for a PDF certificate or a large evidence chunk on a slow disk.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Load Django once in the arbiter: workers start fast and share its memory. Database connections
# are opened per worker, after the fork (Django opens them on the first query).
preload_app = True
# Workers signal they are alive by touching a file: in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "warning").lower()
# A worker restarts after this many requests (with jitter) so slow leaks cannot build up.
max_requests = 2000
max_requests_jitter = 200
control_socket_disable = True


def post_worker_init(worker):
    """Outside production (``./bin/dev serve``) serve /static/ from the apps' folders, as
    runserver does; in production WhiteNoise serves the collected files."""
    from django.conf import settings
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    if not settings.PRODUCTION:
        worker.wsgi = StaticFilesHandler(worker.wsgi)
