import pytest
from django.core.exceptions import ValidationError

from credentials.catalogue import services
from credentials.catalogue.models import LearningOutcome, Specification
from credentials.catalogue.selectors import publication_problems
from credentials.catalogue.vocabularies import Status
from rpl.audit.models import AuditEvent
from rpl.audit.selectors import verify_chain
from tests.factories.catalogue import complete_fields, make_organisation, outcome

pytestmark = pytest.mark.django_db


def _events(target, action=None):
    events = AuditEvent.objects.filter(
        target_type="credentials.specification", target_id=str(target.pk)
    )
    return list(events.filter(action=action) if action else events)


def test_it_records_an_audit_event_for_each_change(organisation, administrator):
    spec = services.create_specification(
        actor=administrator,
        fields=complete_fields(organisation, slug="audited"),
        outcomes=[outcome(1)],
    )
    services.update_specification(spec, actor=administrator, fields={"workload_hours": 80})
    services.publish_specification(spec, actor=administrator)
    services.retire_specification(spec, actor=administrator)
    events = _events(spec)
    assert [e.action for e in events] == [
        "specification.created",
        "specification.updated",
        "specification.published",
        "specification.retired",
    ]
    assert all(e.actor == administrator for e in events)
    created = events[0].changes
    assert created["fields"]["slug"] == "audited"
    assert created["fields"]["workload_ects"] == "2.5"
    assert created["fields"]["awarding_body"] == organisation.pk
    assert created["outcomes"]["added"] == [1]
    assert events[1].changes["fields"] == {"workload_hours": [60, 80]}
    assert events[2].changes["status"] == ["draft", "published"]
    assert events[3].changes["status"] == ["published", "retired"]
    assert verify_chain() is None


def test_it_bumps_the_version_only_when_something_changes(published, administrator):
    before = len(_events(published))
    same = services.update_specification(
        published, actor=administrator, fields={"title_en": published.title_en}
    )
    assert same.version == 1
    assert len(_events(published)) == before
    changed = services.update_specification(
        published, actor=administrator, fields={"title_en": "New title"}
    )
    assert changed.version == 2
    assert Specification.objects.get(pk=published.pk).title_en == "New title"
    event = _events(published, "specification.updated")[-1]
    assert event.changes["version"] == 2
    assert event.changes["fields"]["title_en"] == ["Published one", "New title"]


def test_it_refuses_to_publish_without_learning_outcomes(organisation):
    spec = services.create_specification(actor=None, fields=complete_fields(organisation))
    with pytest.raises(services.NotPublishable) as error:
        services.publish_specification(spec, actor=None)
    assert error.value.problems == ["Learning outcomes: add at least one."]
    spec.refresh_from_db()
    assert spec.status == Status.DRAFT
    assert _events(spec, "specification.published") == []


def test_it_lists_every_missing_mandatory_element():
    spec = services.create_specification(
        actor=None, fields={"slug": "bare", "title_pl": "Tylko tytuł"}
    )
    problems = publication_problems(spec)
    assert problems == [
        "Title: missing in English.",
        "Description: missing.",
        "Field of study: choose one.",
        "EQF level: choose one.",
        "Notional workload: give it in ECTS credits, hours or both.",
        "Awarding body: choose one.",
        "Type of assessment: choose one.",
        "Form of participation: choose one.",
        "Type of quality assurance: choose one.",
        "Learning outcomes: add at least one.",
    ]


def test_it_needs_both_languages_in_outcomes_and_optional_text(organisation):
    spec = services.create_specification(
        actor=None,
        fields=complete_fields(
            organisation,
            prerequisites_pl="Brak",
            stackability="stackable",
            stackable_towards_en="Bigger credential",
        ),
        outcomes=[outcome(1), outcome(2, criteria_en="", statement_pl="")],
    )
    assert publication_problems(spec) == [
        "Prerequisites: missing in English.",
        "Credential it stacks towards: missing in Polish.",
        "Learning outcome 2: missing in Polish.",
        "Assessment criteria of learning outcome 2: missing in English.",
    ]
    with pytest.raises(services.NotPublishable):
        services.publish_specification(spec, actor=None)


def test_it_publishes_with_only_ects_or_only_hours(organisation):
    spec = services.create_specification(
        actor=None,
        fields=complete_fields(organisation, workload_ects=None, workload_hours=40),
        outcomes=[outcome(1)],
    )
    assert services.publish_specification(spec, actor=None).status == Status.PUBLISHED


def test_it_keeps_a_published_specification_publishable(published, administrator):
    with pytest.raises(services.NotPublishable) as error:
        services.update_specification(published, actor=administrator, fields={"description_en": ""})
    assert "Description: missing in English." in error.value.problems
    published.refresh_from_db()
    assert published.description_en == "A description in English."
    assert published.version == 1
    with pytest.raises(services.NotPublishable):
        services.update_specification(published, actor=administrator, fields={}, outcomes=[])
    assert published.outcomes.count() == 2


def test_it_allows_an_incomplete_draft(organisation):
    spec = services.create_specification(actor=None, fields={"slug": "wip", "title_en": "WIP"})
    services.update_specification(spec, actor=None, fields={"description_en": "Started"})
    assert Specification.objects.get(pk=spec.pk).version == 2


def test_it_validates_fields_in_services_too(organisation):
    with pytest.raises(ValidationError) as error:
        services.create_specification(actor=None, fields=complete_fields(organisation, eqf_level=9))
    assert "eqf_level" in error.value.message_dict
    with pytest.raises(TypeError):
        services.create_specification(actor=None, fields={"slug": "x", "status": "published"})


def test_it_reorders_changes_and_removes_outcomes_keeping_their_rows(published, administrator):
    first, second = published.outcomes.order_by("position")
    services.update_specification(
        published,
        actor=administrator,
        fields={},
        outcomes=[
            {**outcome(2), "id": second.pk, "statement_en": "Second, now first"},
            outcome(3),
            {**outcome(1), "id": first.pk},
        ],
    )
    rows = list(published.outcomes.order_by("position"))
    assert [(o.pk, o.position) for o in rows[::2]] == [(second.pk, 1), (first.pk, 3)]
    assert rows[0].statement_en == "Second, now first"
    assert rows[1].statement_en == "Learning outcome 3"
    event = _events(published, "specification.updated")[-1]
    assert event.changes["outcomes"] == {"added": [2], "changed": [1, 3], "removed": []}

    services.update_specification(
        published, actor=administrator, fields={}, outcomes=[{**outcome(1), "id": first.pk}]
    )
    assert list(published.outcomes.values_list("pk", "position")) == [(first.pk, 1)]
    assert not LearningOutcome.objects.filter(pk=second.pk).exists()
    assert _events(published, "specification.updated")[-1].changes["outcomes"]["removed"] == [
        1,
        2,
    ]


def test_it_refuses_an_outcome_of_another_specification(published, draft):
    foreign = draft.outcomes.first()
    with pytest.raises(services.CatalogueError):
        services.update_specification(
            published, actor=None, fields={}, outcomes=[{**outcome(1), "id": foreign.pk}]
        )
    assert foreign.specification_id == draft.pk


def test_it_keeps_the_address_of_a_published_specification(published, retired):
    with pytest.raises(services.CatalogueError):
        services.update_specification(published, actor=None, fields={"slug": "moved"})
    with pytest.raises(services.CatalogueError):
        services.update_specification(retired, actor=None, fields={"slug": "moved"})


def test_it_lets_a_draft_change_its_address(draft):
    services.update_specification(draft, actor=None, fields={"slug": "renamed"})
    assert Specification.objects.filter(slug="renamed").exists()


def test_it_refuses_impossible_transitions(published, retired):
    with pytest.raises(services.InvalidTransition):
        services.publish_specification(published, actor=None)
    with pytest.raises(services.InvalidTransition):
        services.retire_specification(retired, actor=None)


def test_it_republishes_a_retired_specification(retired):
    first_published = retired.published_at
    spec = services.publish_specification(retired, actor=None)
    assert spec.status == Status.PUBLISHED
    assert spec.published_at == first_published
    assert spec.retired_at is None


def test_it_audits_organisations(administrator):
    organisation = make_organisation(name_en="Audited body")
    services.update_organisation(organisation, actor=administrator, region="Śląskie")
    services.update_organisation(organisation, actor=administrator, region="Śląskie")
    events = list(
        AuditEvent.objects.filter(
            target_type="credentials.organisation", target_id=str(organisation.pk)
        )
    )
    assert [e.action for e in events] == ["organisation.created", "organisation.updated"]
    assert events[1].changes == {"region": ["Mazowieckie", "Śląskie"]}
    assert events[1].actor == administrator
