"""ELM 3 exports benchmark (issue 19): the Europass document of one credential and the catalogue.

    .venv/bin/python bench/elm.py                # SQLite, in a temporary file

Per round, interleaved: the ELM export of the demo micro-credential (``europass_credential``), its
anchor the badge PNG it embeds (``badges.png``, drawn once per export), and the catalogue in the
LOQ profile with CATALOGUE published specifications. Prints the median (min, max) of each, the
ratio to the anchor and the queries per export. Sizes: ROUNDS (15), BATCH (10), CATALOGUE (20).
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="rpl-bench-")
os.environ.setdefault("RPL_VAR_DIR", _tmp)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import translation  # noqa: E402

from credentials.catalogue import services as catalogue  # noqa: E402
from credentials.catalogue.demo import DEMO_ORGANISATION, PYTHON  # noqa: E402
from credentials.elm.catalogue import catalogue_document  # noqa: E402
from credentials.elm.mapping import europass_credential  # noqa: E402
from credentials.issuing import badges  # noqa: E402
from credentials.issuing import services as issuing_services  # noqa: E402
from credentials.issuing.models import IssuedCredential  # noqa: E402
from rpl.accounts.roles import Role  # noqa: E402
from rpl.accounts.services import ensure_user  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "15"))
BATCH = int(os.environ.get("BATCH", "10"))
CATALOGUE = int(os.environ.get("CATALOGUE", "20"))


def setup() -> IssuedCredential:
    organisation = catalogue.create_organisation(actor=None, **DEMO_ORGANISATION)
    specifications = [
        catalogue.publish_specification(
            catalogue.create_specification(
                actor=None,
                fields={**PYTHON["fields"], "slug": f"bench-{n}", "awarding_body": organisation},
                outcomes=PYTHON["outcomes"],
            ),
            actor=None,
        )
        for n in range(CATALOGUE)
    ]
    learner, _ = ensure_user(
        "learner@bench.local", full_name="Bench Learner", roles=[Role.CANDIDATE], password="x"
    )
    return issuing_services.issue_credential(learner=learner, specification=specifications[0])


def timed(work) -> tuple[float, int]:
    """Milliseconds per call over BATCH calls, and the queries of one call."""
    with CaptureQueriesContext(connection) as queries:
        work()
    started = time.perf_counter()
    for _ in range(BATCH):
        work()
    return (time.perf_counter() - started) * 1000 / BATCH, len(queries)


def main():
    call_command("migrate", verbosity=0)
    credential = setup()

    def anchor():
        with translation.override("en"):
            badges.png(credential.specification)

    def export():
        europass_credential(IssuedCredential.objects.select_related().get(pk=credential.pk))

    cases = {
        "badge PNG (anchor)": anchor,
        "ELM credential": export,
        "LOQ catalogue": catalogue_document,
    }
    times = {name: [] for name in cases}
    queries = {}
    for _ in range(ROUNDS):
        for name, work in cases.items():
            ms, count = timed(work)
            times[name].append(ms)
            queries[name] = count
    base = statistics.median(times["badge PNG (anchor)"])
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name}: {median:.2f} ms (min {min(values):.2f}, max {max(values):.2f}), "
            f"x{median / base:.2f} of the anchor, {queries[name]} queries"
        )
    print(f"catalogue: {CATALOGUE} published specifications")


if __name__ == "__main__":
    main()
