"""The administrators' pipeline pages: who gets in, the editor's messages, nothing lost."""

from pathlib import Path

import pytest

from rpl.audit.models import AuditEvent
from tests.factories.people import PERSONAS
from tests.factories.pipelines import PipelineVersionFactory
from workflows.models import PipelineVersion
from workflows.pipelines import services

FILES = Path(__file__).resolve().parent / "files"

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(administrator):
    text = (FILES / "valid.yaml").read_text(encoding="utf-8")
    services.import_text(actor=administrator, text=text)
    return services.publish(actor=administrator, key="sample")


PAGES = [
    "/pipelines/",
    "/pipelines/new/",
    "/pipelines/sample/",
    "/pipelines/sample/draft/",
    "/pipelines/sample/v1/",
    "/pipelines/sample/v1.yaml",
    "/pipelines/sample/v1.json",
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_administrators_in(client, request, sample, persona, url):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url)
    assert response.status_code == (200 if persona == "administrator" else 403)


@pytest.mark.parametrize("url", ["/pipelines/sample/publish/", "/pipelines/sample/discard/"])
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "administrator"])
def test_it_refuses_others_the_actions(client, request, sample, persona, url):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url).status_code == 403


@pytest.mark.parametrize("url", [*PAGES, "/pipelines/sample/publish/"])
def test_it_sends_anonymous_visitors_to_log_in(client, sample, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


def test_it_lists_pipelines_with_their_versions(client, administrator, sample):
    client.force_login(administrator)
    body = client.get("/pipelines/").content.decode()
    assert "Sample pipeline" in body
    assert "/pipelines/sample/v1/" in body


def test_it_shows_a_version_read_only(client, administrator, sample):
    client.force_login(administrator)
    body = client.get("/pipelines/sample/v1/").content.decode()
    assert "portfolio.score_mean &lt; 3" in body
    assert "Supervised, with no identity verification" in body
    assert "<textarea" not in body
    assert client.get("/pipelines/sample/v9/").status_code == 404
    assert client.get("/pipelines/nothing/").status_code == 404


def test_it_downloads_an_export(client, administrator, sample):
    client.force_login(administrator)
    response = client.get("/pipelines/sample/v1.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="sample-v1.json"'
    assert response.json()["key"] == "sample"


def test_it_shows_every_error_with_its_path_and_keeps_the_text(client, administrator, sample):
    client.force_login(administrator)
    broken = (FILES / "invalid.yaml").read_text(encoding="utf-8")
    response = client.post("/pipelines/sample/draft/", {"source": broken})
    assert response.status_code == 200
    body = response.content.decode()
    assert "The pipeline has 3 problems; nothing was saved." in body
    assert "<code>steps[2].when.step</code> (line 16): There is no step &#x27;later&#x27;" in body
    assert "<code>steps[1].assessors</code>" in body
    # The error list describes the field, and the posted text is still there.
    assert 'id="id_source_error"' in body
    assert 'aria-describedby="id_source_helptext id_source_error"' in body
    assert 'aria-invalid="true"' in body
    assert response.context["form"]["source"].value() == broken
    assert "when: {step: later, measure: score_mean, operator: lt, value: 3}" in body
    assert PipelineVersion.objects.count() == 1


def test_it_shows_a_syntax_error_with_its_line(client, administrator, sample):
    client.force_login(administrator)
    response = client.post("/pipelines/sample/draft/", {"source": "key: sample\n  steps: [\n"})
    body = response.content.decode()
    assert "Line 2, column 8: This is not valid YAML" in body
    assert response.context["form"].pipeline_errors[0].line == 2


def test_it_refuses_another_key_in_a_pipelines_draft(client, administrator, sample):
    client.force_login(administrator)
    other = (FILES / "valid.yaml").read_text(encoding="utf-8").replace("key: sample", "key: other")
    response = client.post("/pipelines/sample/draft/", {"source": other})
    assert "<code>key</code>" in response.content.decode()
    assert "keep that key" in response.content.decode()


def test_it_saves_a_draft_and_publishes_it(client, administrator, sample):
    client.force_login(administrator)
    editor = client.get("/pipelines/sample/draft/")
    assert editor.context["form"]["source"].value().startswith("# A small valid pipeline")
    changed = (FILES / "changed.yaml").read_text(encoding="utf-8").replace("\n", "\r\n")
    response = client.post("/pipelines/sample/draft/", {"source": changed}, follow=True)
    assert response.redirect_chain == [("/pipelines/sample/", 302)]
    assert "Draft version 2 saved" in response.content.decode()
    draft = PipelineVersion.objects.get(number=2)
    assert draft.status == "draft"
    assert "\r" not in draft.source

    response = client.post("/pipelines/sample/publish/", follow=True)
    assert "Version 2 is published" in response.content.decode()
    assert PipelineVersion.objects.get(number=1).status == "superseded"
    assert AuditEvent.objects.filter(action="pipeline.published", actor=administrator).count() == 2


def test_it_tells_when_there_is_nothing_to_publish(client, administrator, sample):
    client.force_login(administrator)
    response = client.post("/pipelines/sample/publish/", follow=True)
    assert "no draft to publish" in response.content.decode()
    assert client.get("/pipelines/sample/publish/").status_code == 405


def test_it_discards_a_draft(client, administrator, sample):
    client.force_login(administrator)
    changed = (FILES / "changed.yaml").read_text(encoding="utf-8")
    client.post("/pipelines/sample/draft/", {"source": changed})
    response = client.post("/pipelines/sample/discard/", follow=True)
    assert "Draft version 2 discarded" in response.content.decode()
    assert list(PipelineVersion.objects.values_list("number", flat=True)) == [1]


def test_it_creates_a_new_pipeline(client, administrator):
    client.force_login(administrator)
    starter = client.get("/pipelines/new/").context["form"]["source"].value()
    assert "key: new-pipeline" in starter
    response = client.post("/pipelines/new/", {"source": starter})
    assert response.status_code == 302
    assert response.url == "/pipelines/new-pipeline/"
    again = client.post("/pipelines/new/", {"source": starter})
    assert "exists already" in again.content.decode()


def test_it_uses_no_inline_scripts_or_styles(client, administrator, sample):
    client.force_login(administrator)
    for url in [
        "/pipelines/",
        "/pipelines/sample/",
        "/pipelines/sample/draft/",
        "/pipelines/sample/v1/",
    ]:
        body = client.get(url).content.decode()
        assert "<script" not in body
        assert "style=" not in body
        assert "<style" not in body


def test_it_shows_the_demo_pipelines_deadlines_and_supervision(client, administrator):
    PipelineVersionFactory(key="agile-pm", actor=administrator)
    client.force_login(administrator)
    body = client.get("/pipelines/agile-pm/v1/").content.decode()
    assert "21 days, then to the assessor pool" in body
    assert "Supervised online, with identity verification" in body
    assert "portfolio.score_mean ≥ 2 and portfolio.score_mean &lt; 3" in body
