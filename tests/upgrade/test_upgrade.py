"""An existing database upgrades across the layout change: a demo database built by the release
before it (commit 8752d31: ``migrate`` then ``seed_demo``, stored in ``data/``) is migrated forward
by today's code; nothing is lost, the audit chain stays intact, the engine's rows name flows and
nodes that import, and the cases that were waiting go on."""

import gzip
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
BEFORE = DATA / "demo_at_8752d31.sqlite3.gz"
SECRET = DATA / "demo_at_8752d31.secret_key"

COUNTS = {
    "people": "SELECT count(*) FROM accounts_user",
    "specifications": "SELECT count(*) FROM credentials_specification",
    "applications": "SELECT count(*) FROM evidence_application",
    "cases": "SELECT count(*) FROM workflows_case",
    "step results": "SELECT count(*) FROM workflows_stepresult",
    "engine tasks": "SELECT count(*) FROM viewflow_task",
    "open engine tasks": "SELECT count(*) FROM viewflow_task WHERE status IN ('NEW', 'ASSIGNED')",
    "test sittings": "SELECT count(*) FROM assessments_testsitting",
    "credentials": "SELECT count(*) FROM credentials_issuedcredential",
    "audits": "SELECT count(*) FROM quality_auditcase",
    "audit events": "SELECT count(*) FROM audit_auditevent",
}
# Before the change a credential named its case; after it the case names its credential.
LINKS_BEFORE = "SELECT case_id, id FROM credentials_issuedcredential WHERE case_id IS NOT NULL"
LINKS_AFTER = (
    "SELECT process_ptr_id, credential_id FROM workflows_case WHERE credential_id IS NOT NULL"
)

CHECK_ENGINE_ROWS = """
from django.db import connection
from viewflow.workflow.fields import import_flow_by_ref, import_task_by_ref
from workflows.flows.case_flow import CaseFlow
from workflows.models import Case
with connection.cursor() as cursor:
    cursor.execute("SELECT DISTINCT flow_class FROM viewflow_process")
    flows = [row[0] for row in cursor.fetchall()]
    cursor.execute("SELECT DISTINCT flow_task FROM viewflow_task")
    nodes = [row[0] for row in cursor.fetchall()]
assert all(import_flow_by_ref(ref) is not None for ref in flows), flows
assert all(import_task_by_ref(ref) is not None for ref in nodes), nodes
waiting = Case.objects.filter(status="NEW")
assert waiting.exists()
for case in waiting:
    assert case.flow_class is CaseFlow
    for task in case.task_set.filter(status__in=["NEW", "ASSIGNED"]):
        assert task.flow_task.flow_class is CaseFlow, task.flow_task
# What people recorded before the records were typed reads as a typed record.
from workflows.models import StepResult
assert all(result.record.kind for result in StepResult.objects.all())
# The case that waited for its panel's decision before the move is decided after it.
from rpl.accounts.models import User
from workflows.work.services import complete_task
case = Case.objects.get(status="NEW", task__flow_task=CaseFlow.decision, task__status="NEW")
panel = list(User.objects.filter(groups__name="decision_maker").order_by("pk"))
for task in case.task_set.filter(status="NEW").order_by("pk"):
    complete_task(task, panel.pop(0), {"outcome": "none", "reasons": "Not shown yet."})
case.refresh_from_db()
assert case.status == "DONE" and case.outcome == "none", (case.status, case.outcome)
print("engine rows ok")
"""


def _query(db: Path, sql: str):
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchall()


def _counts(db: Path) -> dict:
    return {name: _query(db, sql)[0][0] for name, sql in COUNTS.items()}


def _manage(db: Path, *args: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "SECRET_KEY": SECRET.read_text().strip(),
        "RPL_VAR_DIR": str(db.parent),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def old_database(tmp_path) -> Path:
    db = tmp_path / "db.sqlite3"
    with gzip.open(BEFORE, "rb") as source, db.open("wb") as target:
        shutil.copyfileobj(source, target)
    return db


def test_it_upgrades_the_previous_releases_demo_database(old_database):
    before = _counts(old_database)
    links = sorted(_query(old_database, LINKS_BEFORE))
    assert before["cases"] and before["credentials"] and links  # the fixture holds real work

    _manage(old_database, "migrate", "--noinput")

    assert _counts(old_database) == before
    assert sorted(_query(old_database, LINKS_AFTER)) == links
    assert "chain intact" in _manage(old_database, "audit", "verify")
    assert "engine rows ok" in _manage(old_database, "shell", "-c", CHECK_ENGINE_ROWS)
    _manage(old_database, "migrate", "--check")  # nothing left to apply
