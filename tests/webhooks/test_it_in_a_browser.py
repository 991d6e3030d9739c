"""The webhook pages in a real browser: WCAG 2.1 AA (axe-core), phone layout, no CSP breach.

Uses the page fixtures and helpers of ``tests/e2e``; skipped without /usr/bin/chromium (an error
under CI), as there. The browser lives for this module only."""

import pytest
from playwright.sync_api import expect

from tests.e2e import conftest as e2e
from tests.e2e.helpers import assert_accessible, assert_no_horizontal_scroll, force_login
from tests.factories.credentials import issue
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.e2e

_role_groups = e2e._role_groups
new_page, page, phone_page = e2e.new_page, e2e.page, e2e.phone_page


@pytest.fixture(scope="module")
def browser():
    yield from e2e.launch_browser()


def _check(tab):
    assert_accessible(tab)
    assert_no_horizontal_scroll(tab)


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_an_administrator_subscribes_and_reads_the_deliveries_in_a_browser(
    request, live_server, administrator, organisation, candidate, specification, receiver, viewport
):
    tab = request.getfixturevalue(viewport)
    force_login(tab, live_server, administrator)

    tab.goto(f"{live_server.url}/webhooks/")
    _check(tab)
    tab.get_by_role("link", name="New subscription").click()
    _check(tab)

    tab.locator("main form button[type=submit]").click()
    tab.wait_for_selector("#form-errors")
    assert tab.locator("#id_url").get_attribute("aria-invalid") == "true"
    expect(tab.locator("#id_events_error")).to_contain_text("Choose at least one event.")
    _check(tab)

    tab.select_option("#id_organisation", str(organisation.pk))
    tab.fill("#id_url", receiver.url + "/" + "long-path-segment" * 6)
    tab.get_by_label("A credential is issued").check()
    tab.get_by_label("A credential is revoked").check()
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_selector("#webhook-secret-value")
    subscription = Subscription.objects.get()
    assert tab.inner_text("#webhook-secret-value").startswith("whsec_")
    _check(tab)

    receiver.script = [(500, "Internal error " * 300, {})]
    issue(candidate, specification)  # commits: the first attempt is made at once, and fails
    tab.goto(f"{live_server.url}/webhooks/{subscription.pk}/")
    expect(tab.locator("#webhook-secret-value")).to_have_count(0)
    _check(tab)
    delivery = Delivery.objects.get()
    tab.locator(f"a[href='/webhooks/deliveries/{delivery.pk}/']").click()
    expect(tab.locator("main")).to_contain_text("Attempt 1")
    _check(tab)

    tab.get_by_role("button", name="Send again (replay)").click()
    expect(tab.locator("main")).to_contain_text("Replay of")
    _check(tab)
    assert len(receiver.requests) == 2
