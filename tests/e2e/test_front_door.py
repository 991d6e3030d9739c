"""The front door in a real browser: a visitor reads what recognition of prior learning is and
finds the way to sign up; a candidate's home says what to do next at each stage of their
applications, and where each one stands; the header stays compact on a phone. Every page is
checked with axe-core and for sideways scrolling at 390 px."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_reachable,
    force_login,
)
from tests.factories.credentials import issue
from tests.factories.evidence import add_file
from tests.workflows import candidate_stages as stages

pytestmark = pytest.mark.e2e

HOME = "/home/candidate/"
# Links a phone sweep does not follow: files, machine formats, other people's tools, leaving.
NOT_PAGES = re.compile(
    r"download|export|logout|/files?/|/api/|\.(pdf|json|jsonld|jwt|png|svg|ics)$"
)


@pytest.fixture
def specs(settings, tmp_path, assessor, decision_maker, identity_officer):
    stages.use_scratch_storage(settings, tmp_path)
    return stages.catalogue([assessor, decision_maker, identity_officer])


def check(page):
    assert_accessible(page)
    assert_no_horizontal_scroll(page)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_it_leads_a_visitor_from_the_landing_page_to_sign_up(
    new_page, live_server, specs, viewport
):
    page = new_page(viewport)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Get recognition for what you already know"
    )
    expect(page.locator(".landing-steps > li")).to_have_count(4)
    open_for_applications = page.get_by_role("region", name="Open for applications")
    expect(
        open_for_applications.get_by_role("link", name="Python programming basics")
    ).to_be_visible()
    check(page)

    page.get_by_role("link", name="Log in").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    check(page)

    page.get_by_role("link", name="New here? Create an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    check(page)


def test_it_keeps_the_header_compact_and_usable_on_a_phone(phone_page, live_server, candidate):
    force_login(phone_page, live_server, candidate)
    phone_page.goto(HOME)
    header = phone_page.locator("header.site-header")
    assert header.bounding_box()["height"] <= 844 / 8, "the header takes at most an eighth"
    expect(phone_page.get_by_label("Language")).to_be_visible()
    for control in ("#language-select", "header .logout-form button[type=submit]"):
        assert_reachable(phone_page.locator(control))
    expect(
        phone_page.locator("header nav").get_by_role("link", name="My credentials")
    ).to_be_visible()
    check(phone_page)


def test_it_tells_the_candidate_what_to_do_as_the_applications_move_on(
    new_page, live_server, specs, candidate, assessor, decision_maker
):
    python = stages.submitted(candidate, specs["python-basics"])
    stages.asked_for_more(python, assessor)
    stages.draft(candidate, specs["mig-mag-welding"])
    desktop, phone = new_page("desktop"), new_page("phone")
    for page in (desktop, phone):
        force_login(page, live_server, candidate)
        page.goto(HOME)
        todo = page.get_by_role("region", name="What to do next")
        expect(todo.get_by_role("heading", level=3)).to_have_text(
            ["Add the evidence the assessors ask for", "Finish and submit your application"]
        )
        expect(todo.locator("blockquote")).to_have_text(stages.REQUEST)
        expect(page.locator(".portal-list .badge")).to_have_text(
            ["Draft", "Action needed", "Round 2"]
        )
        check(page)

    desktop.get_by_role("link", name="Add evidence — Python programming basics").click()
    assert desktop.url.endswith(f"/applications/{python.application_id}/evidence/")


def test_it_offers_the_decision_the_appeal_and_the_credentials(
    new_page, live_server, specs, candidate, assessor, decision_maker
):
    case = stages.decided(
        stages.submitted(candidate, specs["python-basics"]), assessor, decision_maker
    )
    issue(candidate, specs["mig-mag-welding"])
    for viewport in ("desktop", "phone"):
        page = new_page(viewport)
        force_login(page, live_server, candidate)
        page.goto(HOME)
        todo = page.get_by_role("region", name="What to do next")
        expect(todo.get_by_role("heading", level=3)).to_have_text(
            ["Read the decision on your application", "Your micro-credential is ready"]
        )
        expect(todo).to_contain_text("Appeal by ")
        expect(page.locator(".portal-list .badge")).to_have_text(["Partly recognised"])
        shelf = page.get_by_role("region", name="My credentials")
        expect(shelf.get_by_role("link", name="MIG/MAG welding")).to_be_visible()
        check(page)

    page.get_by_role("link", name="Appeal the decision — Python programming basics").click()
    assert page.url.endswith(f"/applications/{case.application_id}/case/appeal/")


def test_it_fits_every_candidate_page_on_a_phone(
    phone_page, live_server, specs, candidate, assessor, decision_maker
):
    """Every page a candidate can reach by following links from their home, at 390 px, with a
    draft, a decided case open to appeal and a credential: nothing scrolls sideways."""
    stages.decided(stages.submitted(candidate, specs["python-basics"]), assessor, decision_maker)
    add_file(stages.draft(candidate, specs["mig-mag-welding"]))
    issue(candidate, specs["agile-project-management"])
    force_login(phone_page, live_server, candidate)
    seen, queue = set(), [HOME]
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = phone_page.goto(path)
        if response.status != 200 or "text/html" not in response.headers["content-type"]:
            continue
        try:
            assert_no_horizontal_scroll(phone_page)
        except AssertionError as error:
            raise AssertionError(f"{path}: {error}") from None
        links = phone_page.eval_on_selector_all(
            "a[href^='/']", "links => links.map(link => link.getAttribute('href'))"
        )
        queue += [
            link.split("#")[0]
            for link in links
            if link.split("#")[0] not in seen and not NOT_PAGES.search(link.split("#")[0])
        ]
    assert len(seen) >= 25, sorted(seen)
