"""A candidate's applications at each stage their home page tells apart, driven through the
engine as the pages would: submitted, asked for more evidence, at an online test, asked to choose
a time, decided. For ``workflows.cases.todo`` and the front door's browser test."""

from datetime import timedelta

from django.utils import timezone

from tests.factories.cases import pass_portfolio
from tests.factories.evidence import ApplicationFactory, add_file
from tests.factories.online_tests import catalogue_banks
from tests.factories.people import reserve_staff
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import applications
from workflows.meetings import services as meetings
from workflows.models import Case
from workflows.work.services import take

REQUEST = "Please add a script you wrote at work, with a line on what it does."
REASONS = "The portfolio shows the first outcome; the test did not show the others."


def use_scratch_storage(settings, tmp_path) -> None:
    """Evidence files go to ``tmp_path``."""
    settings.EVIDENCE_STORAGE_ROOT = tmp_path / "root"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "store"), "base_url": None},
        },
    }


def catalogue(staff, *, banks: bool = False) -> dict:
    """The assessed catalogue (by slug) with ``staff`` and the reserve in its pools; with
    ``banks``, its tests are taken online."""
    specifications = assessed_catalogue([*staff, *reserve_staff()])
    if banks:
        catalogue_banks(specifications)
    return specifications


def draft(candidate, specification):
    return ApplicationFactory(candidate=candidate, specification=specification)


def submitted(candidate, specification) -> Case:
    """An application with one file, submitted: its case has started."""
    application = draft(candidate, specification)
    add_file(application)
    applications.submit_application(application, candidate)
    return Case.objects.get(application=application)


def asked_for_more(case, assessor, request: str = REQUEST) -> Case:
    take_and_complete(open_tasks(case)[0], assessor, {"more_evidence": request})
    case.refresh_from_db()
    return case


def at_online_test(case, assessor) -> Case:
    """The portfolio passed; with question banks, the online test is open."""
    return pass_portfolio(case, assessor)


def decided(case, assessor, decision_maker, outcome: str = "partial") -> Case:
    """A python-basics case (its test recorded by the assessor) decided with ``outcome``."""
    pass_portfolio(case, assessor)
    take_and_complete(open_tasks(case, "test")[0], assessor, {"score_percent": 50.0})
    outcomes = case.specification.outcomes.order_by("position")
    take_and_complete(
        open_tasks(case, "decision")[0],
        decision_maker,
        {
            "outcome": outcome,
            "recognised_outcomes": [str(outcomes[0].pk)] if outcome == "partial" else [],
            "reasons": REASONS,
        },
    )
    case.refresh_from_db()
    return case


def times_proposed(case, person, *, days=(2, 3)):
    """``person`` takes the current step's task and proposes times ``days`` from now."""
    take(open_tasks(case)[0], person)
    case.refresh_from_db()
    start = timezone.now().replace(second=0, microsecond=0)
    return meetings.propose(
        case,
        case.current_step,
        actor=person,
        slots=[start + timedelta(days=day) for day in days],
        duration_minutes=45,
        place="https://meet.example.org/abc",
    )
