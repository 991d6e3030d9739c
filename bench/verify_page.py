"""Verification page benchmark, in process (no server, no test client): issue 17.

    .venv/bin/python bench/verify_page.py                  # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rpl_benchverify \
        .venv/bin/python bench/verify_page.py

Requests go straight to the project's WSGI application (every middleware, as gunicorn calls it,
without HTTP parsing). Prints requests per second of four requests, taking turns ROUNDS times,
REQUESTS requests each turn; each figure is the median of the rounds with its spread
(lowest-highest) and its ratio to the hello-world view measured in the same round:

- ``hello``: a hello-world view (the anchor; only this benchmark routes to it);
- ``page``: the public verification page ``/credentials/<uuid>/`` of an issued credential, as
  every request after the first sees it (the credential, its proofs, schema check, status outcome
  and rendered parts are remembered; its issuer's key ids and its status lists' versions are read);
- ``page, first view``: the same page with nothing remembered (the memo is emptied before each
  request): the credential's proof and its status lists' proofs verified again;
- ``verify form``: the credential's JSON-LD posted to ``/credentials/verify/`` (remembered).

Then SQL queries per request of each (load cannot move them). DEBUG is off and the database
connection is kept, as in production (DATABASE_CONN_MAX_AGE=600). Figures, not a test.
"""

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="rpl-bench-verify-")
os.environ.setdefault("RPL_VAR_DIR", _tmp)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["AXES_ENABLED"] = "false"
os.environ["DEBUG"] = "false"
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "600")  # production's default: one connection
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import include, path  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "5"))
REQUESTS = int(os.environ.get("REQUESTS", "100"))


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), path("", include("config.urls"))]


def setup_world():
    from credentials.issuing import services as issuing
    from rpl.accounts.roles import Role
    from rpl.accounts.services import ensure_user
    from tests.factories.catalogue import make_catalogue

    call_command("migrate", verbosity=0)
    specification = make_catalogue()[0]
    learner, _ = ensure_user(
        "learner@bench.local", full_name="Bench Learner", roles=[Role.CANDIDATE], password="x"
    )
    return issuing.issue_credential(learner=learner, specification=specification)


def call(application, method: str, path: str, body: bytes = b"", headers=None) -> tuple:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        **(headers or {}),
    }
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), response_headers

    content = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], content


def requests_for(application, credential):
    from credentials.issuing import verification

    page = f"/credentials/{credential.public_id}/"
    _, headers, _ = call(application, "GET", "/credentials/verify/")
    cookie = next(value for name, value in headers if name == "Set-Cookie" and "csrftoken" in value)
    token = cookie.split("csrftoken=", 1)[1].split(";", 1)[0]
    form = urlencode({"credential": credential.document_json}).encode()
    form_headers = {
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "HTTP_COOKIE": f"csrftoken={token}",
        "HTTP_X_CSRFTOKEN": token,
    }

    def first_view():
        verification._memo.clear()
        return call(application, "GET", page)

    return {
        "hello": lambda: call(application, "GET", "/bench/hello/"),
        "page": lambda: call(application, "GET", page),
        "page, first view": first_view,
        "verify form": lambda: call(
            application, "POST", "/credentials/verify/", form, form_headers
        ),
    }


def rate(send) -> float:
    send()  # the turn before may have emptied the memo
    started = time.perf_counter()
    for _ in range(REQUESTS):
        status, _, _ = send()
        assert status == 200, status
    return REQUESTS / (time.perf_counter() - started)


def main():
    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    credential = setup_world()
    requests = requests_for(WSGIHandler(), credential)
    queries = {}
    for label, send in requests.items():
        send()  # warm
        with CaptureQueriesContext(connection) as captured:
            send()
        queries[label] = len(captured)
    rates: dict[str, list[float]] = {label: [] for label in requests}
    for _ in range(ROUNDS):
        for label, send in requests.items():
            rates[label].append(rate(send))
    print(f"{ROUNDS} rounds x {REQUESTS} requests, in process (WSGI application), DEBUG off")
    anchor = rates["hello"]
    for label, values in rates.items():
        ratios = [value / hello for value, hello in zip(values, anchor, strict=True)]
        print(
            f"  {label:<17} {statistics.median(values):8.1f} req/s "
            f"({min(values):.0f}-{max(values):.0f})  "
            f"{statistics.median(ratios):6.1%} of hello world "
            f"({min(ratios):.1%}-{max(ratios):.1%})  "
            f"{queries[label]} queries/request"
        )


if __name__ == "__main__":
    with override_settings(ROOT_URLCONF=__name__):
        main()
