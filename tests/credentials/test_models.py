import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from credentials.catalogue.models import LearningOutcome, Organisation, Specification, search_key
from credentials.catalogue.selectors import get_published_specification, outcomes_of
from rpl.bilingual import current_language, localized
from tests.factories.catalogue import complete_fields, make_specification

pytestmark = pytest.mark.django_db


def test_it_gives_text_in_the_active_language(published):
    with translation.override("pl"):
        assert published.title == published.title_pl
        assert current_language() == "pl"
    with translation.override("en"):
        assert published.title == "Published one"
    assert published.text("title", "pl") == published.title_pl


def test_it_falls_back_to_the_other_language_when_one_is_empty():
    spec = Specification(title_pl="Tylko po polsku", title_en="")
    with translation.override("en"):
        assert spec.title == "Tylko po polsku"
    spec = Specification(title_pl="", title_en="Only English")
    with translation.override("pl"):
        assert localized(spec, "title") == "Only English"
    with translation.override("de"):
        assert current_language() == "en"


def test_it_splits_criteria_into_a_list_in_the_active_language():
    outcome = LearningOutcome(criteria_pl="Pierwsze\n\n- Drugie", criteria_en="First\nSecond ")
    with translation.override("pl"):
        assert outcome.criteria_list == ["Pierwsze", "Drugie"]
    with translation.override("en"):
        assert outcome.criteria_list == ["First", "Second"]


@pytest.mark.parametrize("code", ["XX", "pl", "POL", "UK", ""])
def test_it_refuses_a_country_that_is_not_iso_3166_alpha_2(code):
    organisation = Organisation(name_en="Somewhere", country=code)
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert "country" in error.value.message_dict


def test_it_accepts_a_country_and_checks_the_nuts_prefix():
    Organisation(name_pl="Firma", country="PL", region_code="PL91").full_clean()
    Organisation(name_en="Athens", country="GR", region_code="EL30").full_clean()
    with pytest.raises(ValidationError) as error:
        Organisation(name_en="Firm", country="PL", region_code="DE30").full_clean()
    assert "starts with PL" in error.value.message_dict["region_code"][0]


def test_it_needs_an_organisation_name_in_some_language():
    with pytest.raises(ValidationError) as error:
        Organisation(country="PL").full_clean()
    assert "name_pl" in error.value.message_dict


@pytest.mark.parametrize(
    "uri, valid",
    [
        ("http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d", True),
        ("http://data.europa.eu/esco/skill/", False),
        ("https://data.europa.eu/esco/skill/ccd0a1d9", False),
        ("http://data.europa.eu/esco/occupation/123", False),
        ("http://example.org/esco/skill/123", False),
    ],
)
def test_it_accepts_only_esco_skill_uris(published, uri, valid):
    outcome = LearningOutcome(
        specification=published, position=9, statement_en="Something", esco_uri=uri
    )
    if valid:
        outcome.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            outcome.full_clean()
        assert "http://data.europa.eu/esco/skill/" in error.value.message_dict["esco_uri"][0]


def test_it_keeps_prk_and_eqf_levels_equal(organisation):
    spec = Specification(**complete_fields(organisation, eqf_level=4, prk_level=5))
    with pytest.raises(ValidationError) as error:
        spec.full_clean()
    assert "EQF level 4 the PRK level is 4" in error.value.message_dict["prk_level"][0]


def test_it_needs_a_name_for_a_stackable_credential(organisation):
    spec = Specification(**complete_fields(organisation, stackability="stackable"))
    with pytest.raises(ValidationError) as error:
        spec.full_clean()
    assert "stackable_towards_pl" in error.value.message_dict
    spec = Specification(
        **complete_fields(organisation, stackability="standalone", stackable_towards_en="X")
    )
    with pytest.raises(ValidationError) as error:
        spec.full_clean()
    assert "stackability" in error.value.message_dict


@pytest.mark.parametrize("slug", ["manage", "new"])
def test_it_reserves_the_catalogue_page_addresses(organisation, slug):
    with pytest.raises(ValidationError) as error:
        Specification(**complete_fields(organisation, slug=slug)).full_clean()
    assert "reserved" in error.value.message_dict["slug"][0]


@pytest.mark.parametrize(
    "change",
    [{"eqf_level": 9}, {"eqf_level": 0}, {"prk_level": 9}, {"workload_ects": -1}, {"status": "x"}],
)
def test_it_enforces_the_rules_in_the_database(published, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        Specification.objects.filter(pk=published.pk).update(**change)


def test_it_keeps_outcome_positions_unique_in_the_database(published):
    first = published.outcomes.get(position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LearningOutcome.objects.filter(pk=first.pk).update(position=2)


def test_it_refuses_a_non_esco_uri_in_the_database(published):
    with pytest.raises(IntegrityError), transaction.atomic():
        published.outcomes.filter(position=1).update(esco_uri="http://example.org/skill/1")


def test_it_refuses_a_lower_case_country_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name_en="Lower", country="pl")


def test_it_folds_case_and_polish_diacritics_for_search():
    assert search_key("  ZARZĄDZANIE   Łódź ") == "zarzadzanie lodz"
    assert search_key("Spawanie MIG/MAG") == "spawanie mig/mag"


def test_it_gives_other_apps_a_published_spec_with_ordered_outcomes(
    published, draft, django_assert_num_queries
):
    with django_assert_num_queries(2):
        spec = get_published_specification(slug="published-spec")
        outcomes = outcomes_of(spec)
        assert spec.awarding_body.country == "PL"
    assert [o.position for o in outcomes] == [1, 2]
    assert get_published_specification(pk=published.pk) == published
    with pytest.raises(Specification.DoesNotExist):
        get_published_specification(slug="draft-spec")


def test_it_orders_outcomes_by_position(organisation):
    spec = make_specification(organisation, outcomes=4)
    assert [o.position for o in spec.outcomes.all()] == [1, 2, 3, 4]
