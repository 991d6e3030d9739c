"""In a real browser: the candidate gives an identity document, then picks a time for the interview
and downloads it; axe on every page, no sideways scrolling on a phone."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from rpl.accounts.roles import Role
from tests.e2e.helpers import assert_accessible, assert_no_horizontal_scroll, force_login
from tests.factories import make_user
from tests.factories.evidence import PNG
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from tests.workflows.meetings_setup import seed, start
from workflows.flows.case_flow import CaseFlow
from workflows.meetings import services as appointments
from workflows.models import Appointment, IdentityDocument


@pytest.fixture
def storage(settings, tmp_path):
    settings.EVIDENCE_STORAGE_ROOT = tmp_path / "root"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "store"), "base_url": None},
        },
    }


def test_it_lets_the_candidate_give_a_document_and_choose_a_time(
    phone_page, live_server, storage, tmp_path
):
    page = phone_page
    candidate = make_user(Role.CANDIDATE, email="cara@example.org", full_name="Cara Candidate")
    assessor = make_user(Role.ASSESSOR, email="asa@example.org")
    officer = make_user(Role.IDENTITY_OFFICER, email="ivo@example.org")
    specification = seed([assessor, officer, make_user(Role.DECISION_MAKER)])
    case = start(candidate, specification)
    timeline = f"/applications/{case.application_id}/case/"
    force_login(page, live_server, candidate)

    page.goto(timeline)
    expect(page.get_by_role("heading", name="Confirm your identity")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    scan = tmp_path / "identity-card.png"
    scan.write_bytes(PNG)
    page.get_by_label("Photos or scans of your identity document").set_input_files(str(scan))
    page.get_by_role("button", name="Send to the identity officer").click()
    expect(page.get_by_role("status")).to_contain_text("Your identity document is with")
    expect(page.locator(".identity-files")).to_contain_text("identity-card.png")
    assert_accessible(page)
    assert IdentityDocument.objects.get(case=case).display_name == "identity-card.png"

    take_and_complete(
        open_tasks(case, "identity_check")[0],
        officer,
        {"verified": True, "note": "", "method": "document"},
    )
    case.refresh_from_db()
    task = open_tasks(case, "assess_1")[0]
    with transaction.atomic(), CaseFlow.lock(case.pk):
        task.flow_task.activation_class(task).assign(assessor)
    now = timezone.now().replace(second=0, microsecond=0)
    slots = [now + timedelta(days=2), now + timedelta(days=3)]
    appointments.propose(
        case,
        case.current_step,
        actor=assessor,
        slots=slots,
        duration_minutes=30,
        place="https://meet.example.org/rpl-interview-room-with-a-rather-long-address",
    )

    page.goto(timeline)
    expect(page.get_by_role("heading", name="Your interview")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("#meeting-errors")).to_contain_text("Please correct the errors below.")
    expect(page.locator(".field-errors")).to_contain_text("Choose a time, or ask for other times.")
    assert_accessible(page)
    page.locator("input[name=choice][value='1']").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("status")).to_contain_text("The time is agreed.")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    assert download.value.suggested_filename == f"interview-{case.pk}.ics"
    assert Appointment.objects.get(case=case).starts_at == slots[1]
