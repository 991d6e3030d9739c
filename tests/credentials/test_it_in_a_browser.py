"""The catalogue pages in a real browser: WCAG 2.1 AA (axe-core), phone layout, no CSP breach.

Uses the page fixtures and helpers of ``tests/e2e``; skipped without /usr/bin/chromium (an error
under CI), as there. The browser lives for this module only, so that Playwright's event loop is
gone before the next test module runs."""

import pytest

from tests.e2e import conftest as e2e
from tests.e2e.helpers import assert_accessible, assert_no_horizontal_scroll, force_login
from tests.factories.catalogue import make_catalogue

pytestmark = pytest.mark.e2e

# The page fixtures of tests/e2e, used here by name.
_role_groups = e2e._role_groups
new_page, page, phone_page = e2e.new_page, e2e.page, e2e.phone_page


@pytest.fixture(scope="module")
def browser():
    yield from e2e.launch_browser()


PUBLIC = ["/catalogue/", "/catalogue/?q=spawanie&eqf_level=9", "/catalogue/mig-mag-welding/"]
MANAGE = [
    "/catalogue/manage/",
    "/catalogue/manage/new/",
    "/catalogue/manage/{pk}/edit/",
    "/catalogue/manage/organisations/",
    "/catalogue/manage/organisations/{org}/edit/",
]


@pytest.fixture
def demo(request):
    request.getfixturevalue("_role_groups")
    return make_catalogue()


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_it_makes_the_public_catalogue_accessible(request, live_server, demo, viewport):
    tab = request.getfixturevalue(viewport)
    for path in PUBLIC:
        tab.goto(f"{live_server.url}{path}")
        assert_accessible(tab)
        assert_no_horizontal_scroll(tab)


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_it_makes_the_manage_pages_accessible(request, live_server, demo, administrator, viewport):
    tab = request.getfixturevalue(viewport)
    force_login(tab, live_server, administrator)
    spec = demo[0]
    for path in MANAGE:
        tab.goto(f"{live_server.url}{path.format(pk=spec.pk, org=spec.awarding_body_id)}")
        assert_accessible(tab)
        assert_no_horizontal_scroll(tab)


def test_it_shows_form_errors_accessibly(request, live_server, demo, administrator):
    page = request.getfixturevalue("page")
    force_login(page, live_server, administrator)
    page.goto(f"{live_server.url}/catalogue/manage/new/")
    page.fill("#id_slug", "Not a slug")
    page.fill("#id_outcomes-0-esco_uri", "http://example.org/skill")
    page.click("main form.catalogue-form button[type=submit]")
    page.wait_for_selector("#form-errors")
    assert page.locator("#id_slug").get_attribute("aria-invalid") == "true"
    assert "esco/skill" in page.locator("#id_outcomes-0-esco_uri_error").inner_text()
    assert_accessible(page)
