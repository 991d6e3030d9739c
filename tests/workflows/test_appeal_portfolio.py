"""The appeal's people see the frozen portfolio of the appealed case, and only while they hold an
appeal task: the reviewer downloads a submitted file, the case's own assessor cannot."""

import pytest

from evidence.portfolio import services as evidence_services
from tests.factories.evidence import add_file
from tests.factories.people import reserve_staff
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.appeal_helpers import GROUNDS, as_user, people, task_url
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.appeals import services as appeals
from workflows.cases import applications
from workflows.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.EVIDENCE_STORAGE_ROOT = tmp_path / "root"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "store"), "base_url": None},
        },
    }


@pytest.fixture
def review_task(candidate, assessor, decision_maker, identity_officer):

    who = people(candidate, assessor, decision_maker, identity_officer)
    staff = [who.assessor, who.decision_maker, who.reviewer, who.judge, *reserve_staff()]
    spec = assessed_catalogue(staff)["python-basics"]
    application = evidence_services.start_application(candidate=candidate, specification=spec)
    add_file(application, name="project-report.pdf")
    applications.submit_application(application, candidate)
    case = Case.objects.get(application=application)
    take_and_complete(
        open_tasks(case)[0], assessor, {"scores": {str(o.pk): 2 for o in spec.outcomes.all()}}
    )
    while open_tasks(case, "test"):
        take_and_complete(open_tasks(case, "test")[0], assessor, {"score_percent": 40.0})
    decision = {"outcome": "none", "recognised_outcomes": [], "reasons": "Not shown."}
    take_and_complete(open_tasks(case, "decision")[0], decision_maker, decision)
    case.refresh_from_db()
    appeal = appeals.submit_appeal(case, candidate=candidate, grounds=GROUNDS)
    (task,) = open_tasks(appeal, "review")
    return who, case, task


def test_it_shows_the_reviewer_the_portfolio_and_serves_its_files(review_task):
    who, case, task = review_task
    item = case.application.items.get(display_name="project-report.pdf")
    file_url = f"{task_url(task)}evidence/{item.pk}/"
    reviewer = as_user(who.reviewer)
    assert reviewer.get(file_url).status_code == 403  # not before taking the task
    reviewer.post(task_url(task) + "take/")
    page = reviewer.get(task_url(task)).content.decode()
    assert "Declare any conflict of interest" in page and GROUNDS not in page
    assert reviewer.get(file_url).status_code == 403  # not before the declaration
    reviewer.post(task_url(task) + "declare/", {"declaration": "none"})
    page = reviewer.get(task_url(task)).content.decode()
    assert "The frozen portfolio" in page and file_url in page and GROUNDS in page
    response = reviewer.get(file_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert as_user(who.assessor).get(file_url).status_code == 403
    assert as_user(who.candidate).get(file_url).status_code == 403
