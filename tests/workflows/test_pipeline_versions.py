"""Versions: drafts change, published versions never do, and every write is audited."""

from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from rpl.audit.models import AuditEvent
from tests.factories.pipelines import publish_all
from workflows.models import FrozenVersionError, Pipeline, PipelineVersion
from workflows.pipelines import schema, selectors, services

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parent / "files"


def text(name):
    return (FILES / name).read_text(encoding="utf-8")


def actions():
    return list(
        AuditEvent.objects.filter(action__startswith="pipeline.").values_list("action", flat=True)
    )


def test_it_imports_a_draft_and_publishes_it(administrator):
    outcome = services.import_text(actor=administrator, text=text("valid.yaml"))
    assert outcome.outcome == "created"
    draft = outcome.version
    assert (draft.number, draft.status, draft.created_by) == (1, "draft", administrator)
    assert draft.source.startswith("# A small valid pipeline")
    assert draft.pipeline.title == "Sample pipeline"
    assert draft.pipeline.title_pl == "Przykładowa ścieżka"
    assert selectors.published_version("sample") is None

    published = services.publish(actor=administrator, key="sample")
    assert published.pk == draft.pk
    assert published.status == "published"
    assert published.published_at is not None
    assert selectors.published_version("sample") == published
    assert actions() == ["pipeline.created", "pipeline.draft_created", "pipeline.published"]


def test_it_keeps_v1_when_a_changed_file_makes_draft_v2(administrator):
    services.import_text(actor=administrator, text=text("valid.yaml"))
    v1 = services.publish(actor=administrator, key="sample")
    before = dict(v1.definition)
    plan_v1 = selectors.load_plan(v1)

    outcome = services.import_text(actor=administrator, text=text("changed.yaml"))
    v2 = outcome.version
    assert (outcome.outcome, v2.number, v2.status) == ("created", 2, "draft")
    v1.refresh_from_db()
    assert v1.status == "published"
    assert v1.definition == before
    assert selectors.published_version("sample") == v1  # new cases still start on v1

    services.publish(actor=administrator, key="sample")
    v1.refresh_from_db()
    assert v1.status == "superseded"
    assert v1.definition == before
    assert selectors.load_plan(v1) == plan_v1  # a case that started on v1 keeps v1's plan
    assert [step.id for step in selectors.load_plan(v1).steps] == [
        "portfolio",
        "interview",
        "decision",
    ]
    assert selectors.published_version("sample").number == 2


def test_it_updates_the_single_draft_instead_of_making_another(administrator):
    services.import_text(actor=administrator, text=text("valid.yaml"))
    outcome = services.import_text(actor=administrator, text=text("changed.yaml"))
    assert (outcome.outcome, outcome.version.number) == ("updated", 1)
    assert PipelineVersion.objects.count() == 1
    again = services.import_text(actor=administrator, text=text("changed.yaml"))
    assert again.outcome == "unchanged"
    assert actions().count("pipeline.draft_updated") == 1


def test_it_makes_no_draft_from_what_is_already_published(administrator):
    services.import_text(actor=administrator, text=text("valid.yaml"))
    services.publish(actor=administrator, key="sample")
    outcome = services.import_text(actor=administrator, text=text("valid.yaml"))
    assert (outcome.outcome, outcome.version.status) == ("unchanged", "published")
    assert PipelineVersion.objects.count() == 1


def test_it_refuses_an_invalid_import_with_every_error(administrator):
    with pytest.raises(services.InvalidPipeline) as refused:
        services.import_text(actor=administrator, text=text("invalid.yaml"))
    assert {error.path for error in refused.value.errors} == {
        "steps[1].assessors",
        "steps[1].pass_rule.outcome_min_score",
        "steps[2].when.step",
    }
    assert not Pipeline.objects.exists()
    assert actions() == []


def test_it_refuses_a_draft_for_another_key(administrator):
    with pytest.raises(services.InvalidPipeline) as refused:
        services.import_text(actor=administrator, text=text("valid.yaml"), expected_key="other")
    assert refused.value.errors[0].path == "key"


def test_it_refuses_to_publish_without_a_draft(administrator):
    services.import_text(actor=administrator, text=text("valid.yaml"))
    services.publish(actor=administrator, key="sample")
    with pytest.raises(services.NoDraft, match="no draft to publish"):
        services.publish(actor=administrator, key="sample")
    with pytest.raises(services.PipelineServiceError, match="no pipeline 'nothing'"):
        services.publish(actor=administrator, key="nothing")


def test_it_validates_again_when_publishing(administrator):
    draft = services.import_text(actor=administrator, text=text("valid.yaml")).version
    broken = dict(draft.definition)
    broken["steps"] = list(reversed(broken["steps"]))
    PipelineVersion.objects.filter(pk=draft.pk).update(definition=broken)  # behind the service
    with pytest.raises(services.InvalidPipeline):
        services.publish(actor=administrator, key="sample")
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_it_discards_a_draft(administrator):
    services.import_text(actor=administrator, text=text("valid.yaml"))
    assert services.discard_draft(actor=administrator, key="sample") == 1
    assert not PipelineVersion.objects.exists()
    assert actions()[-1] == "pipeline.draft_discarded"
    with pytest.raises(services.NoDraft):
        services.discard_draft(actor=administrator, key="sample")


@pytest.fixture
def published(administrator):
    services.import_text(actor=administrator, text=text("valid.yaml"))
    return services.publish(actor=administrator, key="sample")


def test_it_refuses_to_change_a_published_definition(published):
    published.definition = {**published.definition, "key": "hacked"}
    with pytest.raises(FrozenVersionError):
        published.save()
    published.refresh_from_db()
    published.source = "changed"
    with pytest.raises(FrozenVersionError):
        published.save()
    published.refresh_from_db()
    published.status = "draft"
    with pytest.raises(FrozenVersionError):
        published.save()


def test_it_refuses_bulk_changes_and_deletion_of_published_versions(published):
    with pytest.raises(FrozenVersionError):
        PipelineVersion.objects.filter(pk=published.pk).update(definition={})
    with pytest.raises(FrozenVersionError):
        PipelineVersion.objects.filter(pk=published.pk).update(status="draft")
    with pytest.raises(FrozenVersionError):
        PipelineVersion.objects.all().delete()
    with pytest.raises(FrozenVersionError):
        published.delete()
    assert PipelineVersion.objects.get(pk=published.pk).definition["key"] == "sample"


def test_it_allows_one_draft_and_one_published_version_per_pipeline(published, administrator):
    services.import_text(actor=administrator, text=text("changed.yaml"))
    pipeline = published.pipeline
    with pytest.raises(IntegrityError), transaction.atomic():
        PipelineVersion.objects.create(pipeline=pipeline, number=3, definition={})
    with pytest.raises(IntegrityError), transaction.atomic():
        PipelineVersion.objects.create(
            pipeline=pipeline,
            number=4,
            definition={},
            status="published",
            published_at=published.published_at,
        )


def test_it_stores_a_digest_of_the_normalised_definition(published):
    assert len(published.digest) == 64
    again = schema.to_data(selectors.load_plan(published))
    assert again == published.definition


def test_it_installs_the_demo_pipelines_idempotently(administrator):
    first = services.install_demo_pipelines(actor=administrator)
    assert sorted(v.pipeline.key for v in first) == ["agile-pm", "python-basics", "welding-mig-mag"]
    assert all(v.status == "published" for v in first)
    second = services.install_demo_pipelines(actor=administrator)
    assert [v.pk for v in second] == [v.pk for v in first]
    assert PipelineVersion.objects.count() == 3


def test_it_lists_pipelines_in_a_constant_number_of_queries(
    administrator, django_assert_num_queries
):
    publish_all(actor=administrator)
    with django_assert_num_queries(2):
        rows = [
            (p.key, p.published_version.number, p.draft_version)
            for p in selectors.pipelines_overview()
        ]
    assert rows[0] == ("agile-pm", 1, None)


@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_draft_when_two_imports_race(administrator):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks are real on PostgreSQL")
    texts = [text("valid.yaml"), text("changed.yaml")] * 3

    def save(source):
        try:
            return services.import_text(actor=None, text=source).outcome
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(save, texts))
    assert outcomes.count("created") == 1
    assert Pipeline.objects.count() == 1
    assert PipelineVersion.objects.filter(status="draft").count() == 1
