"""Public catalogue pages are served from the cache, and a change shows at once (issue 17)."""

import pytest
from django.core.cache import cache

from credentials.catalogue import services
from tests.factories.catalogue import make_organisation, make_specification

pytestmark = pytest.mark.django_db

CATALOGUE = "/catalogue/"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def spec():
    body = make_organisation(name_en="Old Body", name_pl="Stara Instytucja")
    return make_specification(body, title_en="Welding basics", title_pl="Podstawy spawania")


def _page(client, path=CATALOGUE, language="en") -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_it_serves_the_catalogue_from_the_cache_with_one_query(
    client, spec, django_assert_num_queries
):
    _page(client)
    with django_assert_num_queries(1):  # the stamp only: no search, no count
        assert "Welding basics" in _page(client)


def test_it_shows_a_changed_specification_at_once(client, spec):
    assert "Welding basics" in _page(client)
    assert "Welding basics" in _page(client, f"/catalogue/{spec.slug}/")
    services.update_specification(spec, actor=None, fields={"title_en": "MIG welding"})
    for path in (CATALOGUE, f"/catalogue/{spec.slug}/"):
        body = _page(client, path)
        assert "MIG welding" in body
        assert "Welding basics" not in body


def test_it_shows_a_renamed_awarding_body_at_once(client, spec):
    assert "Old Body" in _page(client)
    assert "Old Body" in _page(client, f"/catalogue/{spec.slug}/")
    services.update_organisation(spec.awarding_body, actor=None, name_en="New Body")
    for path in (CATALOGUE, f"/catalogue/{spec.slug}/"):
        body = _page(client, path)
        assert "New Body" in body
        assert "Old Body" not in body


def test_it_shows_at_once_that_a_specification_opened_for_applications(client, spec):
    other = make_specification(spec.awarding_body)
    services.set_assessment_ready(other, True)
    assert _page(client).count("Not open for applications yet") == 1
    # One opens and the other closes: the number of open ones stays the same.
    services.set_assessment_ready(spec, True)
    services.set_assessment_ready(other, False)
    body = _page(client)
    assert body.count("Not open for applications yet") == 1
    assert body.index(other.title_en) < body.index("Not open") < body.index("Welding basics")


def test_it_drops_a_retired_specification_at_once(client, spec):
    assert "Welding basics" in _page(client)
    services.retire_specification(spec, actor=None)
    assert "Welding basics" not in _page(client)


def test_it_keeps_each_language_and_search_apart(client, spec):
    make_specification(spec.awarding_body, title_en="Agile teams", title_pl="Zespoły zwinne")
    assert "Welding basics" in _page(client)
    polish = _page(client, language="pl")
    assert "Podstawy spawania" in polish
    assert "Welding basics" not in polish
    found = _page(client, f"{CATALOGUE}?q=agile")
    assert "Agile teams" in found
    assert "Welding basics" not in found
