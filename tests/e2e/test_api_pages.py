"""The API's pages in a browser: the reference and the token pages load under the strict CSP,
pass axe and fit a phone; a token is created, shown once, and revoked."""

import pytest
from playwright.sync_api import expect

from api.models import ApiToken
from tests.e2e.helpers import assert_accessible, assert_no_horizontal_scroll, force_login

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_api_reference_is_accessible_without_scripts(new_page, viewport):
    page = new_page(viewport)
    page.goto("/api/v1/docs")
    expect(page.locator("h1")).to_have_text("API reference")
    expect(page.locator("#rpl_api_cases_upload_evidence")).to_be_visible()
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


def test_a_candidate_creates_and_revokes_a_token(new_page, live_server, candidate):
    page = force_login(new_page("phone"), live_server, candidate)
    page.goto("/api/tokens/")
    assert_accessible(page)
    page.get_by_label("Name").fill("My learning platform")
    page.get_by_label("cases:read").check()
    page.get_by_role("button", name="Create the token").click()
    token = page.locator("#api-token").input_value()
    assert token.startswith("rpl_")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name="Back to your tokens").click()
    expect(page.get_by_role("row", name="My learning platform")).to_be_visible()
    assert token not in page.content()
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Revoke My learning platform").click()
    expect(page.get_by_role("status")).to_contain_text("is revoked")
    assert ApiToken.objects.get().revoked_at is not None
