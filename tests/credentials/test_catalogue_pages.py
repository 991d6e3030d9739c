"""The public catalogue: no log-in, published specifications only."""

import re

import pytest

from credentials.catalogue.vocabularies import FieldOfStudy, Status
from tests.factories.catalogue import make_specification
from tests.factories.people import PERSONAS
from tests.workflows import candidate_stages as stages

pytestmark = pytest.mark.django_db

CATALOGUE = "/catalogue/"


def _titles(response) -> list[str]:
    return [spec.title for spec in response.context["page_obj"]]


@pytest.mark.parametrize("persona", [None, *PERSONAS])
def test_it_lets_anyone_browse_the_catalogue(client, request, published, persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    listing = client.get(CATALOGUE)
    assert listing.status_code == 200
    assert "Published one" in listing.content.decode()
    detail = client.get(f"/catalogue/{published.slug}/")
    assert detail.status_code == 200
    assert "<h1>Published one</h1>" in detail.content.decode()


def test_it_lists_only_published_specifications(client, published, draft, retired):
    response = client.get(CATALOGUE)
    assert _titles(response) == ["Published one"]
    body = response.content.decode()
    assert "Draft one" not in body
    assert "Retired one" not in body


@pytest.mark.parametrize("persona", [None, *[p for p in PERSONAS if p != "administrator"]])
@pytest.mark.parametrize("which", ["draft", "retired"])
def test_it_hides_drafts_and_retired_specifications_from_the_public(
    client, request, persona, which
):
    spec = request.getfixturevalue(which)
    if persona:
        client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/catalogue/{spec.slug}/").status_code == 404


@pytest.mark.parametrize("which", ["draft", "retired"])
def test_it_lets_administrators_preview_unpublished_specifications(
    client, request, administrator, which
):
    spec = request.getfixturevalue(which)
    client.force_login(administrator)
    response = client.get(f"/catalogue/{spec.slug}/")
    assert response.status_code == 200
    assert "the public cannot see this page" in response.content.decode()


def test_it_returns_404_for_an_unknown_address(client, db):
    assert client.get("/catalogue/no-such-thing/").status_code == 404


@pytest.fixture
def catalogue(organisation):
    make_specification(
        organisation,
        slug="python",
        title_pl="Podstawy programowania w Pythonie",
        title_en="Python programming basics",
        description_en="Write small programs.",
        description_pl="Pisanie małych programów.",
        eqf_level=4,
        prk_level=4,
        field_of_study=FieldOfStudy.ICT,
    )
    make_specification(
        organisation,
        slug="agile",
        title_pl="Zarządzanie projektami w metodyce Agile",
        title_en="Agile project management",
        description_en="Run iterations with a team.",
        description_pl="Prowadzenie iteracji z zespołem.",
        eqf_level=5,
        prk_level=5,
        field_of_study=FieldOfStudy.BUSINESS_LAW,
    )
    make_specification(
        organisation,
        slug="welding",
        title_pl="Spawanie metodą MIG/MAG",
        title_en="MIG/MAG welding",
        description_en="Weld steel plate safely.",
        description_pl="Bezpieczne spawanie blach stalowych.",
        eqf_level=3,
        prk_level=3,
        field_of_study=FieldOfStudy.ENGINEERING,
    )
    make_specification(
        organisation,
        status=Status.DRAFT,
        slug="draft-python",
        title_en="Advanced Python (draft)",
        eqf_level=4,
        prk_level=4,
    )


@pytest.mark.parametrize(
    "query, expected",
    [
        ("python", ["Python programming basics"]),
        ("PYTHON", ["Python programming basics"]),
        ("zarządzanie", ["Agile project management"]),
        ("ZARZĄDZANIE", ["Agile project management"]),
        ("zarzadzanie projektami", ["Agile project management"]),
        ("iterations", ["Agile project management"]),
        ("blach", ["MIG/MAG welding"]),
        ("mig/mag", ["MIG/MAG welding"]),
        ("spawanie python", []),
        ("", ["Agile project management", "MIG/MAG welding", "Python programming basics"]),
    ],
)
def test_it_searches_titles_and_descriptions_in_both_languages(client, catalogue, query, expected):
    response = client.get(CATALOGUE, {"q": query})
    assert _titles(response) == expected


def test_it_filters_by_level_and_field(client, catalogue):
    assert _titles(client.get(CATALOGUE, {"eqf_level": "4"})) == ["Python programming basics"]
    assert _titles(client.get(CATALOGUE, {"field": "07"})) == ["MIG/MAG welding"]
    assert _titles(client.get(CATALOGUE, {"eqf_level": "5", "field": "06"})) == []
    both = client.get(CATALOGUE, {"q": "a", "eqf_level": "5", "field": "04"})
    assert _titles(both) == ["Agile project management"]


def test_it_reports_a_bad_filter_and_ignores_it(client, catalogue):
    response = client.get(CATALOGUE, {"eqf_level": "9", "q": "python"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Select a valid choice. 9 is not one of the available choices." in body
    assert 'aria-invalid="true"' in body
    assert _titles(response) == ["Python programming basics"]


def test_it_tells_when_nothing_matches(client, catalogue):
    body = client.get(CATALOGUE, {"q": "astrophysics"}).content.decode()
    assert "0 micro-credentials" in body
    assert "No micro-credential matches your search" in body


def test_it_shows_titles_in_the_visitors_language(client, catalogue):
    response = client.get(CATALOGUE, HTTP_ACCEPT_LANGUAGE="pl")
    assert _titles(response) == [
        "Podstawy programowania w Pythonie",
        "Spawanie metodą MIG/MAG",
        "Zarządzanie projektami w metodyce Agile",
    ]
    assert '<html lang="pl">' in response.content.decode()


def test_it_paginates_and_keeps_the_search(client, organisation):
    for n in range(23):
        make_specification(organisation, slug=f"many-{n:02}", title_en=f"Many {n:02}")
    first = client.get(CATALOGUE, {"q": "many"})
    assert len(first.context["page_obj"]) == 20
    body = first.content.decode()
    assert "Page 1 of 2" in body
    assert 'href="?q=many&amp;page=2"' in body
    second = client.get(CATALOGUE, {"q": "many", "page": "2"})
    assert _titles(second) == ["Many 20", "Many 21", "Many 22"]
    assert client.get(CATALOGUE, {"page": "abc"}).status_code == 200
    assert client.get(CATALOGUE, {"page": "99"}).context["page_obj"].number == 2


@pytest.mark.parametrize("persona", [None, "administrator"])
def test_it_runs_a_constant_number_of_queries_per_page(
    client, request, organisation, django_assert_max_num_queries, persona
):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    make_specification(organisation, slug="few", outcomes=1)

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few_list, few_detail = count(CATALOGUE), count("/catalogue/few/")
    for n in range(25):
        make_specification(organisation, slug=f"more-{n}", outcomes=6)
    make_specification(organisation, slug="big", outcomes=30)
    assert count(CATALOGUE) == few_list
    assert count("/catalogue/big/") == few_detail
    with django_assert_max_num_queries(6):
        client.get(CATALOGUE, {"q": "spec", "eqf_level": "4", "field": "06", "page": "2"})
    with django_assert_max_num_queries(6):
        client.get("/catalogue/big/")


def test_it_shows_every_element_on_the_detail_page(client, organisation):
    from credentials.catalogue import services
    from tests.factories.catalogue import complete_fields, outcome

    spec = services.create_specification(
        actor=None,
        fields=complete_fields(
            organisation,
            slug="full",
            title_en="Everything",
            supervision="supervised_onsite_with_id",
            quality_assurance_reference="EN ISO 9606-1",
            prerequisites_pl="Wymagania",
            prerequisites_en="Entry requirements",
            grading="pass_fail",
            stackability="stackable",
            stackable_towards_pl="Większe",
            stackable_towards_en="Bigger credential",
            further_information_pl="Więcej",
            further_information_en="More to read",
            validity_months=24,
        ),
        outcomes=[
            outcome(
                1,
                statement_en="Welds safely",
                esco_uri="http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d",
            ),
            outcome(2, statement_en="Reads drawings", criteria_en="Finds symbols\nReads sizes"),
        ],
    )
    services.publish_specification(spec, actor=None)
    body = client.get("/catalogue/full/").content.decode()
    for text in [
        "<h1>Everything</h1>",
        "Awarding body",
        organisation.name_en,
        "Country and region of the awarding body",
        "PL, Mazowieckie (NUTS PL91)",
        "European Qualifications Framework (EQF) level 4",
        "Polish Qualifications Framework (PRK) level 4",
        "2.5 ECTS credits",
        "60 hours of learning",
        "Information and Communication Technologies",
        "Written or online test",
        "Supervised on site, with identity verification",
        "Online",
        "Internal quality assurance",
        "EN ISO 9606-1",
        "Entry requirements",
        "Pass or fail",
        "Integrated, stackable towards another credential",
        "Stackable towards: Bigger credential",
        "24 months from the date of issue",
        "More to read",
        "Version 1",
    ]:
        assert text in body, text
    outcomes = body[body.index('id="outcomes-heading"') :]
    assert outcomes.index("Welds safely") < outcomes.index("Reads drawings")
    assert "<li>Finds symbols</li><li>Reads sizes</li>" in outcomes
    assert 'href="http://data.europa.eu/esco/skill/ccd0a1d9' in outcomes


def test_it_shows_optional_elements_as_absent(client, published):
    body = client.get(f"/catalogue/{published.slug}/").content.decode()
    assert "Does not expire" in body
    assert body.count("Not specified") == 3  # supervision, grading, stackability


@pytest.mark.parametrize("url", [CATALOGUE, "/catalogue/published-spec/"])
def test_it_has_no_inline_code_and_labels_its_structure(client, published, url):
    body = client.get(url, {"q": "x"} if url == CATALOGUE else {}).content.decode()
    assert not re.search(r"\sstyle=", body)
    assert "<script" not in body
    assert len(re.findall(r"<h1[ >]", body)) == 1
    if url == CATALOGUE:
        assert '<label for="id_q">Search</label>' in body
        assert 'role="search"' in body


def test_it_offers_applying_only_to_visitors_and_candidates(
    client, assessor, decision_maker, identity_officer, candidate, quality_officer
):
    stages.catalogue([assessor, decision_maker, identity_officer])
    for user, offered in ((None, True), (candidate, True), (quality_officer, False)):
        client.logout()
        if user is not None:
            client.force_login(user)
        page = client.get("/catalogue/python-basics/").content.decode()
        assert ("Apply for recognition" in page) is offered, user
