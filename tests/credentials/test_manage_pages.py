"""Administrators' catalogue pages: only the administrator role gets in."""

import re

import pytest

from credentials.catalogue.models import LearningOutcome, Organisation, Specification
from credentials.catalogue.vocabularies import Status
from rpl.audit.models import AuditEvent
from tests.factories.catalogue import make_specification
from tests.factories.people import PERSONAS

pytestmark = pytest.mark.django_db

PAGES = [
    "/catalogue/manage/",
    "/catalogue/manage/new/",
    "/catalogue/manage/{spec}/edit/",
    "/catalogue/manage/organisations/",
    "/catalogue/manage/organisations/new/",
    "/catalogue/manage/organisations/{org}/edit/",
]
ACTIONS = ["/catalogue/manage/{spec}/publish/", "/catalogue/manage/{spec}/retire/"]


def _url(template, spec):
    return template.format(spec=spec.pk, org=spec.awarding_body_id)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_administrators_into_the_manage_pages(client, request, draft, page, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_url(page, draft))
    assert response.status_code == (200 if persona == "administrator" else 403)


@pytest.mark.parametrize("page", PAGES + ACTIONS)
def test_it_sends_anonymous_visitors_to_log_in(client, draft, page):
    url = _url(page, draft)
    response = client.post(url) if page in ACTIONS else client.get(url)
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "administrator"])
def test_it_refuses_state_changes_by_other_personas(client, request, draft, action, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(_url(action, draft)).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


@pytest.mark.parametrize("action", ACTIONS)
def test_it_changes_state_only_by_post(client, administrator, draft, action):
    client.force_login(administrator)
    assert client.get(_url(action, draft)).status_code == 405
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_it_returns_404_for_an_unknown_specification(client, administrator):
    client.force_login(administrator)
    assert client.get("/catalogue/manage/999/edit/").status_code == 404
    assert client.post("/catalogue/manage/999/publish/").status_code == 404


def test_it_lists_every_specification_with_its_status(
    client, administrator, published, draft, retired
):
    client.force_login(administrator)
    response = client.get("/catalogue/manage/")
    body = response.content.decode()
    assert {s.slug for s in response.context["specifications"]} == {
        "published-spec",
        "draft-spec",
        "retired-spec",
    }
    for text in ["Published one", "Draft one", "Retired one", ">Draft<", ">Retired<", "<caption"]:
        assert text in body
    assert 'scope="col"' in body


def _post_data(fields: dict, outcomes: list[dict], initial: int = 0) -> dict:
    data = {
        "outcomes-TOTAL_FORMS": str(len(outcomes)),
        "outcomes-INITIAL_FORMS": str(initial),
        "outcomes-MIN_NUM_FORMS": "0",
        "outcomes-MAX_NUM_FORMS": "30",
    }
    for name, value in fields.items():
        data[name] = "" if value is None else value
    for i, item in enumerate(outcomes):
        for name, value in item.items():
            data[f"outcomes-{i}-{name}"] = value
    return data


def _fields(organisation, **overrides) -> dict:
    return {
        "slug": "new-spec",
        "title_pl": "Nowa specyfikacja",
        "title_en": "New specification",
        "description_pl": "Opis",
        "description_en": "Description",
        "field_of_study": "06",
        "eqf_level": "4",
        "prk_level": "4",
        "workload_ects": "3",
        "workload_hours": "75",
        "awarding_body": str(organisation.pk),
        "assessment_type": "test",
        "participation_form": "online",
        "quality_assurance": "internal",
        "appeal_window_days": "30",
        **overrides,
    }


def _outcome(n, **overrides):
    return {
        "statement_pl": f"Efekt {n}",
        "statement_en": f"Outcome {n}",
        "criteria_pl": f"Kryterium {n}",
        "criteria_en": f"Criterion {n}",
        "esco_uri": "",
        "ORDER": "",
        **overrides,
    }


def test_it_creates_a_draft_with_outcomes(client, administrator, organisation):
    client.force_login(administrator)
    data = _post_data(
        _fields(organisation),
        [_outcome(1, ORDER="2"), _outcome(2, ORDER="1"), {"ORDER": ""}],  # last one left empty
    )
    response = client.post("/catalogue/manage/new/", data)
    spec = Specification.objects.get(slug="new-spec")
    assert response.status_code == 302
    assert response.url == f"/catalogue/manage/{spec.pk}/edit/"
    assert spec.status == Status.DRAFT
    assert [o.statement_en for o in spec.outcomes.order_by("position")] == [
        "Outcome 2",
        "Outcome 1",
    ]
    event = AuditEvent.objects.get(action="specification.created", target_id=str(spec.pk))
    assert event.actor == administrator
    page = client.get(response.url).content.decode()
    assert "The draft “New specification” is saved" in page
    assert "Every mandatory element is filled in" in page


@pytest.mark.parametrize(
    "overrides, outcome, field, message",
    [
        ({"slug": "Not a slug!"}, {}, "slug", "Enter a valid “slug”"),
        ({"slug": "manage"}, {}, "slug", "“manage” is reserved"),
        ({"slug": "published-spec"}, {}, "slug", "Another specification already uses this address"),
        (
            {"eqf_level": "4", "prk_level": "6"},
            {},
            "prk_level",
            "with EQF level 4 the PRK level is 4",
        ),
        ({"workload_ects": "-1"}, {}, "workload_ects", "greater than or equal to 0"),
        (
            {"title_pl": "", "title_en": ""},
            {},
            "title_pl",
            "Give the title in Polish, English or both",
        ),
        ({"stackability": "stackable"}, {}, "stackable_towards_pl", "Name the credential"),
        (
            {},
            {"esco_uri": "http://example.org/skill/1"},
            "outcomes-0-esco_uri",
            "An ESCO skill address starts with http://data.europa.eu/esco/skill/",
        ),
        (
            {},
            {"statement_pl": "", "statement_en": ""},
            "outcomes-0-statement_pl",
            "Write the learning outcome in Polish, English or both",
        ),
    ],
)
def test_it_shows_specific_errors_next_to_the_field(
    client, administrator, organisation, published, overrides, outcome, field, message
):
    client.force_login(administrator)
    data = _post_data(_fields(organisation, **overrides), [_outcome(1, **outcome)])
    response = client.post("/catalogue/manage/new/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r"Please correct the errors (in the learning outcomes )?below\.", body)
    error_block = body[body.index(f'id="id_{field}_error"') :][:400]
    assert message in error_block
    assert re.search(rf'aria-invalid="true" aria-describedby="[^"]*id_{field}_error"', body)
    assert (
        not Specification.objects.filter(slug=overrides.get("slug", "new-spec"))
        .exclude(pk=published.pk)
        .exists()
    )


def test_it_saves_an_incomplete_draft_and_lists_what_is_missing(client, administrator):
    client.force_login(administrator)
    data = _post_data({"slug": "early", "title_en": "Early idea"}, [])
    response = client.post("/catalogue/manage/new/", data, follow=True)
    body = response.content.decode()
    assert "Before it can be published:" in body
    assert "Learning outcomes: add at least one." in body
    assert "Title: missing in Polish." in body


def test_it_refuses_to_publish_an_incomplete_specification(client, administrator):
    client.force_login(administrator)
    client.post("/catalogue/manage/new/", _post_data({"slug": "early", "title_en": "Early"}, []))
    spec = Specification.objects.get(slug="early")
    response = client.post(f"/catalogue/manage/{spec.pk}/publish/", follow=True)
    body = response.content.decode()
    assert "cannot be published until these are put right" in body
    assert "Awarding body: choose one." in body
    spec.refresh_from_db()
    assert spec.status == Status.DRAFT
    assert not AuditEvent.objects.filter(action="specification.published").exists()


def test_it_publishes_and_retires(client, administrator, draft):
    client.force_login(administrator)
    response = client.post(f"/catalogue/manage/{draft.pk}/publish/", follow=True)
    assert "is published in the catalogue" in response.content.decode()
    assert client.get(f"/catalogue/{draft.slug}/").status_code == 200
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    response = client.post(f"/catalogue/manage/{draft.pk}/retire/", follow=True)
    assert "is retired" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.RETIRED
    actions = list(
        AuditEvent.objects.filter(target_id=str(draft.pk), action__startswith="specification.")
        .filter(actor=administrator)
        .values_list("action", flat=True)
    )
    assert actions == ["specification.published", "specification.retired"]
    response = client.post(f"/catalogue/manage/{draft.pk}/retire/", follow=True)
    assert "already retired" in response.content.decode()


def _edit_data(spec, organisation, **changes):
    outcomes = []
    for o in spec.outcomes.order_by("position"):
        outcomes.append(
            {
                "id": str(o.pk),
                "statement_pl": o.statement_pl,
                "statement_en": o.statement_en,
                "criteria_pl": o.criteria_pl,
                "criteria_en": o.criteria_en,
                "esco_uri": o.esco_uri,
                "ORDER": str(o.position),
            }
        )
    fields = _fields(
        organisation,
        slug=spec.slug,
        title_pl=spec.title_pl,
        title_en=spec.title_en,
        description_pl=spec.description_pl,
        description_en=spec.description_en,
        workload_ects=str(spec.workload_ects),
        workload_hours=str(spec.workload_hours),
    )
    return fields, outcomes


def test_it_edits_reorders_and_removes_outcomes(client, administrator, organisation):
    spec = make_specification(organisation, outcomes=3)
    first, second, third = spec.outcomes.order_by("position")
    old_title = spec.title_en
    client.force_login(administrator)
    url = f"/catalogue/manage/{spec.pk}/edit/"
    form = client.get(url)
    assert form.context["formset"].total_form_count() == 5  # three outcomes and two empty
    fields, outcomes = _edit_data(spec, organisation)
    outcomes[0]["ORDER"] = "3"
    outcomes[1]["DELETE"] = "on"
    outcomes[2]["statement_en"] = "Third, now first"
    outcomes[2]["ORDER"] = "1"
    outcomes.append(_outcome(4, ORDER="2"))
    fields["title_en"] = "Renamed"
    response = client.post(url, _post_data(fields, outcomes, initial=3), follow=True)
    assert "is saved as version 2" in response.content.decode()
    spec.refresh_from_db()
    assert spec.title_en == "Renamed"
    assert spec.version == 2
    rows = list(spec.outcomes.order_by("position"))
    assert [o.statement_en for o in rows] == ["Third, now first", "Outcome 4", "Learning outcome 1"]
    assert rows[0].pk == third.pk and rows[2].pk == first.pk
    assert not LearningOutcome.objects.filter(pk=second.pk).exists()
    event = AuditEvent.objects.filter(action="specification.updated").last()
    assert event.changes["fields"] == {"title_en": [old_title, "Renamed"]}
    assert event.changes["outcomes"]["removed"] == [2]


def test_it_saves_nothing_when_nothing_changed(client, administrator, organisation, published):
    client.force_login(administrator)
    fields, outcomes = _edit_data(published, organisation)
    url = f"/catalogue/manage/{published.pk}/edit/"
    response = client.post(url, _post_data(fields, outcomes, initial=2), follow=True)
    assert "Nothing changed" in response.content.decode()
    assert not AuditEvent.objects.filter(action="specification.updated").exists()


def test_it_keeps_a_published_specification_complete(
    client, administrator, organisation, published
):
    client.force_login(administrator)
    fields, outcomes = _edit_data(published, organisation)
    fields["description_en"] = ""
    for item in outcomes:
        item["DELETE"] = "on"
    url = f"/catalogue/manage/{published.pk}/edit/"
    response = client.post(url, _post_data(fields, outcomes, initial=2))
    assert response.status_code == 200
    body = response.content.decode()
    assert "A published specification must keep every mandatory element." in body
    assert "Description: missing in English." in body
    assert "Learning outcomes: add at least one." in body
    published.refresh_from_db()
    assert published.description_en == "A description in English."
    assert published.outcomes.count() == 2


def test_it_locks_the_address_once_published(client, administrator, organisation, published):
    client.force_login(administrator)
    fields, outcomes = _edit_data(published, organisation)
    fields["slug"] = "moved"
    fields["title_en"] = "Still here"
    url = f"/catalogue/manage/{published.pk}/edit/"
    client.post(url, _post_data(fields, outcomes, initial=2))
    published.refresh_from_db()
    assert published.slug == "published-spec"
    assert published.title_en == "Still here"


def test_it_never_touches_an_outcome_of_another_specification(
    client, administrator, organisation, published, draft
):
    client.force_login(administrator)
    foreign = draft.outcomes.first()
    fields, outcomes = _edit_data(published, organisation)
    outcomes[0]["id"] = str(foreign.pk)
    outcomes[0]["statement_en"] = "Hijacked"
    url = f"/catalogue/manage/{published.pk}/edit/"
    client.post(url, _post_data(fields, outcomes, initial=2))
    foreign.refresh_from_db()
    assert foreign.specification_id == draft.pk
    assert foreign.statement_en == "Learning outcome 1"
    assert draft.outcomes.count() == 2
    assert published.outcomes.count() == 2


def test_it_labels_bilingual_inputs_with_their_language(client, administrator):
    client.force_login(administrator)
    body = client.get("/catalogue/manage/new/").content.decode()
    assert 'lang="pl"' in body and 'name="title_pl"' in body
    assert '<label for="id_title_en">Title (English)</label>' in body
    assert "<legend>Title and description</legend>" in body
    assert " style=" not in body
    assert re.search(r"<script(?![^>]*\bsrc=)", body) is None  # scripts only from files


def test_it_creates_and_edits_an_awarding_body(client, administrator):
    client.force_login(administrator)
    data = {"name_pl": "Szkoła", "name_en": "School", "country": "xx", "region_code": ""}
    response = client.post("/catalogue/manage/organisations/new/", data)
    assert "“XX” is not an ISO 3166-1 country code" in response.content.decode()
    assert not Organisation.objects.exists()
    data.update(country="pl", region_code="pl22", region="Śląskie", website="szkola.example.pl")
    response = client.post("/catalogue/manage/organisations/new/", data)
    assert response.url == "/catalogue/manage/organisations/"
    organisation = Organisation.objects.get()
    assert (organisation.country, organisation.region_code) == ("PL", "PL22")
    assert organisation.website == "https://szkola.example.pl"
    data["region_code"] = "DE30"
    response = client.post(f"/catalogue/manage/organisations/{organisation.pk}/edit/", data)
    assert "A NUTS region code for this country starts with PL." in response.content.decode()
    data["region_code"] = "PL21"
    client.post(f"/catalogue/manage/organisations/{organisation.pk}/edit/", data)
    actions = list(
        AuditEvent.objects.filter(target_type="credentials.organisation").values_list(
            "action", "changes"
        )
    )
    assert actions[0][0] == "organisation.created"
    assert actions[1] == ("organisation.updated", {"region_code": ["PL22", "PL21"]})


def test_it_explains_a_slug_taken_at_the_same_moment(
    client, administrator, organisation, monkeypatch
):
    from django.db import IntegrityError

    from credentials.catalogue import services

    def race(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "create_specification", race)
    client.force_login(administrator)
    response = client.post("/catalogue/manage/new/", _post_data(_fields(organisation), []))
    assert response.status_code == 200
    assert "Another specification already uses this address" in response.content.decode()


def test_it_refuses_a_duplicate_organisation_identifier(client, administrator, organisation):
    from credentials.catalogue import services

    services.update_organisation(organisation, actor=None, identifier="KRS 0000012345")
    client.force_login(administrator)
    data = {"name_en": "Copy", "country": "PL", "identifier": "KRS 0000012345"}
    response = client.post("/catalogue/manage/organisations/new/", data)
    assert "Another organisation already has this identifier." in response.content.decode()
    assert Organisation.objects.count() == 1


def test_it_runs_a_constant_number_of_queries_on_manage_pages(
    client, administrator, organisation, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(administrator)
    small = make_specification(organisation, status=Status.DRAFT, outcomes=1)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    listing, edit = count("/catalogue/manage/"), count(f"/catalogue/manage/{small.pk}/edit/")
    for _ in range(15):
        make_specification(organisation, status=Status.DRAFT, outcomes=3)
    big = make_specification(organisation, status=Status.DRAFT, outcomes=25)
    assert count("/catalogue/manage/") == listing
    assert count(f"/catalogue/manage/{big.pk}/edit/") == edit
    with django_assert_max_num_queries(10):
        client.get(f"/catalogue/manage/{big.pk}/edit/")
