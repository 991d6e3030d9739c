import pytest
from django.core.management import call_command
from django.utils import translation

from credentials.catalogue import services
from credentials.catalogue.demo import seed_specifications
from credentials.catalogue.models import Organisation, Specification
from credentials.catalogue.selectors import outcomes_of, publication_problems
from credentials.catalogue.vocabularies import Status
from rpl.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_it_seeds_three_published_specifications_once(client):
    call_command("seed_demo")
    events = AuditEvent.objects.count()
    call_command("seed_demo")
    assert AuditEvent.objects.count() == events
    assert Specification.objects.count() == 3
    assert Organisation.objects.count() == 1
    assert set(Specification.objects.values_list("status", flat=True)) == {Status.PUBLISHED}
    titles = set(Specification.objects.values_list("title_pl", "title_en"))
    assert ("Podstawy programowania w Pythonie", "Python programming basics") in titles
    assert ("Zarządzanie projektami w metodyce Agile", "Agile project management") in titles
    assert ("Spawanie metodą MIG/MAG", "MIG/MAG welding") in titles
    listing = client.get("/catalogue/")
    assert listing.context["page_obj"].paginator.count == 3


def test_it_seeds_complete_bilingual_specifications(db):
    specifications = seed_specifications()
    organisation = Organisation.objects.get()
    assert (organisation.country, organisation.region_code, organisation.region) == (
        "PL",
        "PL91",
        "Mazowieckie",
    )
    for spec in specifications:
        assert publication_problems(spec) == []
        outcomes = outcomes_of(spec)
        assert 4 <= len(outcomes) <= 6
        for outcome in outcomes:
            assert len(outcome.criteria_list) >= 2
            with translation.override("pl"):
                pl = outcome.criteria_list
            assert len(pl) == len(outcome.criteria_list)
        assert spec.awarding_body == organisation
        assert spec.eqf_level == spec.prk_level


def test_it_leaves_an_administrators_changes_alone(administrator):
    seed_specifications()
    spec = Specification.objects.get(slug="agile-project-management")
    services.retire_specification(spec, actor=administrator)
    services.update_specification(spec, actor=administrator, fields={"title_en": "Agile (old)"})
    seed_specifications()
    spec.refresh_from_db()
    assert spec.status == Status.RETIRED
    assert spec.title_en == "Agile (old)"
    assert Specification.objects.count() == 3
