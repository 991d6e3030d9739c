"""An assessor asks for more evidence; the candidate adds a round; the same step judges it."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from evidence.models import Application, Snapshot
from tests.factories.evidence import PNG, add_file
from tests.workflows.engine_helpers import open_tasks, score_sheet, take
from workflows.cases import applications
from workflows.models import Case

pytestmark = pytest.mark.django_db


def _take(client, case):
    (task,) = open_tasks(case)
    return take(client, f"/work/{case.pk}/{task.pk}/")


def test_it_asks_for_more_evidence_and_judges_the_new_round(
    client, candidate, application, staff, django_capture_on_commit_callbacks
):
    add_file(application)
    applications.submit_application(application, candidate)
    case = Case.objects.get(application=application)
    assessor = staff[0]
    client.force_login(assessor)
    url = _take(client, case)

    page = client.get(url).content.decode()
    assert "Ask the candidate for more evidence" in page
    assert "2 requests left" in page  # python-basics allows two requests
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"more_evidence": "Add the source code of the scripts."})
    assert response.status_code == 302

    application.refresh_from_db()
    case.refresh_from_db()
    assert application.status == Application.Status.MORE_EVIDENCE
    assert application.round == 2
    assert case.data["awaiting_evidence"] == "portfolio"
    assert [t.flow_task.name for t in open_tasks(case)] == []
    assert any("Add the source code of the scripts." in m.body for m in mail.outbox)
    own = Client()
    own.force_login(candidate)
    timeline = own.get(reverse("case_timeline", args=[application.pk]))
    assert timeline.status_code == 200

    add_file(application, name="scripts.png", content=PNG)
    applications.submit_application(application, candidate)
    case.refresh_from_db()
    assert "awaiting_evidence" not in case.data
    assert case.data["rounds"] == {"portfolio": 2}
    assert Snapshot.objects.filter(application=application).count() == 2

    url = _take(client, case)
    page = client.get(url).content.decode()
    assert "1 request left" in page, page[page.find("<main") :][:3000]
    assert client.post(url, score_sheet(case)).status_code == 302
    case.refresh_from_db()
    assert case.results["portfolio"]["score_mean"] == 3
    assert [t.flow_task.name for t in open_tasks(case)] == ["test"]


def test_it_still_requires_scores_when_no_evidence_is_asked_for(
    client, candidate, application, staff
):
    add_file(application)
    applications.submit_application(application, candidate)
    case = Case.objects.get(application=application)
    other = Client()
    other.force_login(staff[0])
    url = _take(other, case)
    response = other.post(url, {"more_evidence": ""})
    assert response.status_code == 400
    assert "Give this learning outcome a score." in response.content.decode()
