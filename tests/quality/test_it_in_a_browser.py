"""A quality officer in a real browser: from the dashboard to an audit task, a serious finding
that suspends the credential, and the public verification page reporting the suspension.

Uses the page fixtures and helpers of ``tests/e2e``; skipped without /usr/bin/chromium (an error
under CI), as there. The browser lives for this module only."""

import pytest
from playwright.sync_api import expect

from credentials.issuing.models import IssuedCredential
from quality.audits import services
from tests.e2e import conftest as e2e
from tests.e2e.helpers import assert_accessible, assert_no_horizontal_scroll, login
from tests.factories.pipelines import assessed_catalogue

pytestmark = pytest.mark.e2e

_role_groups = e2e._role_groups
new_page, page, phone_page = e2e.new_page, e2e.page, e2e.phone_page


@pytest.fixture(scope="module")
def browser():
    yield from e2e.launch_browser()


@pytest.fixture
def sampled(request, candidate, assessor, assessor2, identity_officer, decision_maker):
    from tests.factories.cases import decide_python_case

    request.getfixturevalue("_role_groups")
    staff = [assessor, assessor2, identity_officer, decision_maker]
    spec = assessed_catalogue(staff)["python-basics"]
    case = decide_python_case(spec, candidate, assessor, decision_maker, scores=(4, 2))
    return services.sample_for_audit(case, reason="near_threshold", details={"near": []})


def test_it_walks_a_quality_officer_from_the_dashboard_to_a_suspension(
    live_server, new_page, quality_officer, sampled
):
    credential = IssuedCredential.objects.get(case=sampled.audited_case)
    tab = new_page("desktop")
    login(tab, live_server, quality_officer)
    tab.get_by_role("link", name="Open the quality assurance dashboard").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Quality assurance dashboard")
    assert_accessible(tab)

    tab.get_by_role("button", name=f"Take the audit of case {sampled.audited_case_id}").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Audit of case")
    assert_accessible(tab)
    tab.get_by_label("Finding recorded").check()
    tab.get_by_label("Severity of the finding").select_option("serious")
    tab.get_by_label("What went wrong").fill("A passing score was given without evidence.")
    tab.get_by_label("Corrective action").fill("Re-assess the portfolio with another assessor.")
    tab.get_by_label("Suspend the credential until the case is re-assessed").check()
    tab.get_by_role("button", name="Record the verdict").click()
    expect(tab.locator(".messages")).to_contain_text("Your verdict on the audit is recorded.")

    tab.goto(f"{live_server.url}/quality/cases/{sampled.audited_case_id}/")
    expect(tab.locator("#d-credential + dl")).to_contain_text("Suspended")
    assert_accessible(tab)

    public = new_page("phone")
    public.goto(f"{live_server.url}/credentials/{credential.public_id}/")
    expect(public.get_by_text("this credential is suspended")).to_be_visible()


def test_it_fits_the_dashboard_and_the_dossier_on_a_phone(
    live_server, phone_page, quality_officer, sampled
):
    login(phone_page, live_server, quality_officer)
    for path in ("/quality/", f"/quality/cases/{sampled.audited_case_id}/", "/quality/policies/"):
        phone_page.goto(f"{live_server.url}{path}")
        assert_no_horizontal_scroll(phone_page)
        assert_accessible(phone_page)
