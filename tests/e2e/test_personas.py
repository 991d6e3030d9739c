"""First journey: every persona logs in through the real form and lands on their own home page,
which is accessible, fits a phone and lets them change language and log out."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from tests.e2e.helpers import (
    LOGIN_PATH,
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_reachable,
    force_login,
    login,
    logout,
)

pytestmark = pytest.mark.e2e

HOME_OF = {
    "candidate": ("/home/candidate/", "Welcome, Alice"),
    "assessor": ("/home/assessor/", "Assessment work"),
    "identity_officer": ("/home/identity_officer/", "Identity checks"),
    "decision_maker": ("/home/decision_maker/", "Decisions"),
    "quality_officer": ("/home/quality_officer/", "Quality assurance"),
    "administrator": ("/home/administrator/", "Administration"),
    "outsider": ("/", "Your account has no role yet"),
}


def path_of(page):
    return re.sub(r"^https?://[^/]+", "", page.url)


@pytest.mark.parametrize("persona", list(HOME_OF))
def test_each_persona_logs_in_to_their_own_accessible_home_page_on_a_phone_and_a_desktop(
    request, new_page, live_server, persona
):
    user = request.getfixturevalue(persona)
    path, heading = HOME_OF[persona]
    phone = new_page("phone")

    login(phone, live_server, user)

    assert path_of(phone) == path
    assert_home_page(phone, persona, path, heading)
    assert_no_horizontal_scroll(phone)
    assert_reachable(phone.locator("#language-select"))
    assert_reachable(phone.locator("header .language-switcher button[type=submit]"))
    assert_reachable(phone.locator("header .logout-form button[type=submit]"))

    # The same session on a desktop browser.
    desktop = new_page("desktop", storage_state=phone.context.storage_state())
    desktop.goto(path)
    assert_home_page(desktop, persona, path, heading)

    logout(phone)

    expect(phone.locator("header .logout-form")).to_have_count(0)
    desktop.goto(path)
    if path == "/":  # the front door: the landing page, for visitors who are not logged in
        expect(desktop.locator("header .logout-form")).to_have_count(0)
    else:
        assert path_of(desktop).startswith(f"{LOGIN_PATH}?next="), "logging out ends the session"


def assert_home_page(page, persona, path, heading):
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(heading)
    if persona != "outsider":
        expect(page.locator("header nav a[aria-current=page]")).to_have_attribute("href", path)
    assert_accessible(page)


def test_a_wrong_password_shows_an_error_tied_to_the_form(page, live_server, candidate):
    page.goto(LOGIN_PATH)
    page.get_by_label("E-mail address").fill(candidate.email)
    page.get_by_label("Password").fill("not-the-password")
    page.locator("main form").get_by_role("button", name="Log in").click()

    alert = page.locator("main").get_by_role("alert")
    expect(alert).to_contain_text("do not match an account")
    # The message is announced and read first: it takes the focus, and describes the form.
    expect(alert).to_be_focused()
    expect(page.get_by_role("form", name="Log in")).to_have_accessible_description(
        re.compile("do not match an account")
    )
    assert path_of(page) == LOGIN_PATH
    expect(page.get_by_label("E-mail address")).to_have_value(candidate.email)
    expect(page.get_by_label("Password")).to_have_value("")
    assert_accessible(page)


def test_an_empty_form_ties_each_error_to_its_field(page, live_server, db):
    page.goto(LOGIN_PATH)
    page.locator("main form").get_by_role("button", name="Log in").click()

    email = page.get_by_label("E-mail address")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("This field is required.")
    expect(page.locator("main").get_by_role("alert")).to_be_focused()
    assert_accessible(page)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_language_switcher_switches_to_polish_and_back(
    new_page, live_server, candidate, viewport
):
    page = new_page(viewport)
    force_login(page, live_server, candidate)
    page.goto("/home/candidate/")
    html = page.locator("html")
    select = page.locator("#language-select")
    change = page.locator("header .language-switcher button[type=submit]")
    expect(html).to_have_attribute("lang", "en")

    select.select_option("pl")
    change.click()

    expect(html).to_have_attribute("lang", "pl")
    expect(select).to_have_value("pl")
    expect(select.locator("option[selected]")).to_have_attribute("lang", "pl")
    assert path_of(page) == "/home/candidate/", "the switcher keeps you on the same page"
    assert_accessible(page)
    page.reload()
    expect(html).to_have_attribute("lang", "pl")

    select.select_option("en")
    change.click()

    expect(html).to_have_attribute("lang", "en")
    expect(select).to_have_value("en")
    assert path_of(page) == "/home/candidate/"


def test_the_language_choice_works_before_logging_in(page, live_server, db):
    page.goto(LOGIN_PATH)
    page.locator("#language-select").select_option("pl")
    page.locator("header .language-switcher button[type=submit]").click()

    expect(page.locator("html")).to_have_attribute("lang", "pl")
    assert path_of(page) == LOGIN_PATH
    assert_accessible(page)


def test_the_first_tab_reaches_the_skip_link_which_moves_focus_to_main(
    page, live_server, administrator
):
    force_login(page, live_server, administrator)
    page.goto("/home/administrator/")

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("#main")

    page.keyboard.press("Tab")
    focused_in_main = "() => document.activeElement.closest('main') !== null"
    assert page.evaluate(focused_in_main), "the next Tab after the skip link stays in main"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize(
    "path, heading",
    [
        (LOGIN_PATH, "Log in"),
        ("/accounts/password-reset/", "Reset your password"),
        ("/accounts/reset/MQ/not-a-token/", "Choose a new password"),
        ("/no-such-page/", "Page not found"),
    ],
)
def test_public_pages_are_accessible_on_desktop_and_phone(
    new_page, live_server, db, path, heading, viewport
):
    page = new_page(viewport)
    page.goto(path)

    expect(page.locator("h1")).to_have_text(heading)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert_reachable(page.locator("header").get_by_role("link", name="Log in"))


def test_asking_for_a_password_reset_on_a_phone_leads_to_an_accessible_confirmation(
    phone_page, live_server, db
):
    phone_page.goto("/accounts/password-reset/")
    phone_page.locator("input[name=email]").fill("nobody@example.org")
    phone_page.locator("main form").get_by_role("button", name="Send the link").tap()

    expect(phone_page.locator("h1")).to_have_text("Check your e-mail")
    assert_accessible(phone_page)
    assert_no_horizontal_scroll(phone_page)


def test_choosing_a_new_password_ties_each_error_to_its_field(page, live_server, candidate):
    uid = urlsafe_base64_encode(force_bytes(candidate.pk))
    token = default_token_generator.make_token(candidate)
    page.goto(f"/accounts/reset/{uid}/{token}/")
    expect(page.locator("h1")).to_have_text("Choose a new password")
    assert_accessible(page)

    page.locator("input[name=new_password1]").fill("a-long-new-password-1")
    page.locator("input[name=new_password2]").fill("a-different-password-2")
    page.locator("main form").get_by_role("button", name="Save the new password").click()

    expect(page.locator("main").get_by_role("alert")).to_be_focused()
    second = page.locator("input[name=new_password2]")
    expect(second).to_have_attribute("aria-invalid", "true")
    expect(second).to_have_accessible_description(re.compile("didn.t match"))
    assert_accessible(page)


def test_the_access_denied_page_is_accessible(page, live_server, candidate):
    force_login(page, live_server, candidate)

    response = page.goto("/home/assessor/")

    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Access denied")
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
