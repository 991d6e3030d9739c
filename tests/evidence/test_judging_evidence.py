"""The assessor's side of evidence review: conflict of interest first, then the frozen portfolio
beside the score sheet with the rules of evidence. Checked through direct requests."""

import pytest
from django.test import Client

from rpl.audit.models import AuditEvent
from tests.factories.evidence import PNG, add_file
from tests.workflows.engine_helpers import open_tasks, score_sheet, take
from workflows.cases import applications
from workflows.models import Case, ConflictDeclaration, StepResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(candidate, application):
    add_file(application, name="report.pdf")
    add_file(application, name="screen.png", content=PNG)
    applications.submit_application(application, candidate)
    return Case.objects.get(application=application)


def _url(case):
    (task,) = open_tasks(case)
    return task, f"/work/{case.pk}/{task.pk}/"


def _as(user):
    client = Client()
    client.force_login(user)
    return client


def test_it_shows_nothing_of_the_case_before_the_declaration(case, staff):
    task, url = _url(case)
    assessor = _as(staff[0])
    assessor.post(url + "take/")
    page = assessor.get(url).content.decode()
    assert "Declare any conflict of interest" in page
    assert "screen.png" not in page and "report.pdf" not in page
    item = case.application.items.get(display_name="screen.png")
    assert assessor.get(f"{url}evidence/{item.pk}/").status_code == 403
    response = assessor.post(url, score_sheet(case))
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == "ASSIGNED" and not StepResult.objects.filter(case=case).exists()


def test_it_hands_the_task_back_on_a_conflict_and_never_offers_the_case_again(case, staff):
    task, url = _url(case)
    first, second = _as(staff[0]), _as(staff[1])
    first.post(url + "take/")
    response = first.post(url + "declare/", {"declaration": "conflict", "reason": ""})
    assert response.status_code == 400
    assert "Say what the conflict of interest is." in response.content.decode()

    first.post(url + "declare/", {"declaration": "conflict", "reason": "She is my sister."})
    task.refresh_from_db()
    assert task.owner is None and task.status == "NEW"
    declaration = ConflictDeclaration.objects.get(case=case, person=staff[0])
    assert declaration.has_conflict and declaration.reason == "She is my sister."
    assert AuditEvent.objects.filter(action="case.conflict_declared").count() == 1

    assert first.get("/work/").context["claimable_tasks"] == []
    refused = first.post(url + "take/", follow=True).content.decode()
    assert "You declared a conflict of interest in this case." in refused
    task.refresh_from_db()
    assert task.owner is None
    assert [t.pk for t in second.get("/work/").context["claimable_tasks"]] == [task.pk]


def test_it_lets_only_the_holder_declare(case, staff):
    task, url = _url(case)
    _as(staff[0]).post(url + "take/")
    assert _as(staff[1]).post(url + "declare/", {"declaration": "none"}).status_code == 403
    assert not ConflictDeclaration.objects.exists()


def test_it_shows_the_frozen_portfolio_with_previews_beside_the_score_sheet(case, staff):
    _task, url = _url(case)
    assessor = _as(staff[0])
    take(assessor, url)
    page = assessor.get(url).content.decode()
    png = case.application.items.get(display_name="screen.png")
    pdf = case.application.items.get(display_name="report.pdf")
    assert f'<img class="work-preview" src="{url}evidence/{png.pk}/?preview"' in page
    assert f'src="{url}evidence/{pdf.pk}/?preview"' in page and "<iframe" in page
    assert png.sha256 in page
    assert "Rules of evidence" in page

    preview = assessor.get(f"{url}evidence/{png.pk}/?preview")
    assert preview.status_code == 200
    assert preview["Content-Type"] == "image/png"
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "attachment" not in preview.get("Content-Disposition", "")
    assert b"".join(preview.streaming_content) == PNG
    download = assessor.get(f"{url}evidence/{pdf.pk}/")
    assert download["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("who", ["other_assessor", "candidate", "candidate2", "outsider"])
def test_it_refuses_the_files_to_anyone_but_the_holder(
    request, case, staff, candidate, candidate2, outsider, who
):
    _task, url = _url(case)
    take(_as(staff[0]), url)
    user = {
        "other_assessor": staff[1],
        "candidate": candidate,
        "candidate2": candidate2,
        "outsider": outsider,
    }[who]
    item = case.application.items.get(display_name="screen.png")
    assert _as(user).get(f"{url}evidence/{item.pk}/?preview").status_code == 403


def test_it_does_not_serve_files_of_other_applications(case, staff, other_application):
    _task, url = _url(case)
    assessor = _as(staff[0])
    take(assessor, url)
    foreign = add_file(other_application, name="foreign.png", content=PNG)
    assert assessor.get(f"{url}evidence/{foreign.pk}/").status_code == 404


def test_it_refuses_a_passing_score_on_evidence_that_breaks_a_rule(case, staff):
    task, url = _url(case)
    assessor = _as(staff[0])
    take(assessor, url)
    response = assessor.post(url, score_sheet(case, score=3, rules=("valid", "authentic")))
    assert response.status_code == 400
    assert "A passing score needs evidence that is valid, authentic, current and sufficient" in (
        response.content.decode()
    )

    response = assessor.post(url, score_sheet(case, score=1, rules=("valid",)))
    assert response.status_code == 302
    result = StepResult.objects.get(case=case)
    outcome = str(case.specification.outcomes.order_by("position").first().pk)
    assert result.data["rules"][outcome] == {
        "valid": True,
        "authentic": False,
        "current": False,
        "sufficient": False,
    }
