import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from quality.models import AuditCase
from workflows.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return get_user_model().objects


def _claimable(user) -> set[str]:
    client = Client()
    client.force_login(user)
    return {task.flow_task.name for task in client.get("/work/").context["claimable_tasks"]}


def test_it_gives_every_worker_persona_work_and_waits_at_every_step_kind(demo):
    assert {"assess_1", "assess_2"} <= _claimable(demo.get(email="asesor@demo.rpl.local"))
    assert _claimable(demo.get(email="tozsamosc@demo.rpl.local")) == {"identity_check"}
    # The Agile case waits for its panel of three: each seat is open to each decision maker.
    for email in ("decyzje@demo.rpl.local", "decyzje2@demo.rpl.local", "decyzje3@demo.rpl.local"):
        assert _claimable(demo.get(email=email)) == {"decision", "panel_2", "panel_3"}
    waiting = {
        case.current_step.kind
        for case in Case.objects.filter(status="NEW", application__isnull=False)
    }
    assert waiting == {
        "identity_check",
        "evidence_review",
        "observation",
        "test",
        "interview",
        "decision",
    }
    with_files = Case.objects.filter(application__items__kind="file").distinct().count()
    assert with_files == 7

    assert AuditCase.objects.exclude(status="DONE").count() == 1

    cases = Case.objects.count()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Case.objects.count() == cases


def test_it_e_mails_nobody_about_the_demo_s_made_up_work_and_ends_with_the_logins(db):
    import io

    from django.core import mail

    mail.outbox.clear()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert mail.outbox == []
    lines = out.getvalue().strip().splitlines()
    assert lines[-1].split() == ["Administrator", "admin@demo.rpl.local"]
    from config.management.commands.seed_demo import DEMO_USERS

    heading = lines[-len(DEMO_USERS) - 1]
    assert heading.startswith("Demo accounts (password for all:")


def test_it_staffs_every_path_of_the_demo_pipelines_and_opens_them(demo):
    from credentials.catalogue.models import Specification
    from workflows.staffing.selectors import staffing_of
    from workflows.staffing.stalls import stalls

    assessed = Specification.objects.filter(assessment_pipeline__isnull=False)
    assert {spec.slug for spec in assessed} == {
        "python-basics",
        "agile-project-management",
        "mig-mag-welding",
    }
    for spec in assessed:
        assert staffing_of(spec).staffed, spec.slug
        assert spec.is_open, spec.slug
    # A specification with no pipeline is listed but not open for applications.
    assert all(not spec.is_open for spec in Specification.objects.filter(assessment_pipeline=None))
    assert [stall for stall in stalls() if stall.nobody_eligible] == []
