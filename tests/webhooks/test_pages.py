"""The administrators' webhook pages: who gets in, forms and their errors, the secret shown once,
deliveries with their attempts, replays."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rpl.audit.models import AuditEvent
from tests.factories.credentials import issue
from tests.factories.people import PERSONAS
from tests.factories.webhooks import ALL_EVENTS
from webhooks import services
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def delivered(candidate, specification, subscribed, receiver, django_capture_on_commit_callbacks):
    """One delivery whose first attempt failed with a 500."""
    receiver.script = [(500, "<h1>Internal error</h1>", {})]
    with django_capture_on_commit_callbacks(execute=True):
        issue(candidate, specification)
    return Delivery.objects.get()


def _pages(delivered):
    pk = delivered.subscription_id
    return [
        "/webhooks/",
        "/webhooks/new/",
        f"/webhooks/{pk}/",
        f"/webhooks/{pk}/edit/",
        f"/webhooks/deliveries/{delivered.pk}/",
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_administrators_see_the_pages(client, request, persona, delivered):
    user = request.getfixturevalue(persona)
    _login(client, user)
    for url in _pages(delivered):
        expected = 200 if persona == "administrator" else 403
        assert client.get(url).status_code == expected, url


def test_anonymous_visitors_are_sent_to_log_in(client, delivered):
    for url in _pages(delivered):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "administrator"])
def test_only_administrators_may_change_or_replay(client, request, persona, delivered):
    _login(client, request.getfixturevalue(persona))
    pk = delivered.subscription_id
    before = Subscription.objects.get(pk=pk).encrypted_secret
    for url in (
        f"/webhooks/{pk}/disable/",
        f"/webhooks/{pk}/secret/",
        f"/webhooks/deliveries/{delivered.pk}/replay/",
    ):
        assert client.post(url).status_code == 403, url
    subscription = Subscription.objects.get(pk=pk)
    assert subscription.is_active and subscription.encrypted_secret == before
    assert Delivery.objects.count() == 1
    assert client.post("/webhooks/new/", {"url": "http://127.0.0.1/x"}).status_code == 403
    assert Subscription.objects.count() == 1


def test_an_administrator_subscribes_and_sees_the_secret_once(
    client, administrator, organisation, receiver
):
    _login(client, administrator)
    response = client.post(
        "/webhooks/new/",
        {
            "organisation": organisation.pk,
            "url": receiver.url,
            "events": ["case.decided", "credential.revoked"],
            "description": "Student records",
        },
    )
    subscription = Subscription.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/webhooks/{subscription.pk}/"
    assert subscription.events == ["case.decided", "credential.revoked"]
    assert subscription.created_by == administrator and subscription.is_active
    secret = services.secret_of(subscription)
    first = client.get(response["Location"]).content.decode()
    assert secret in first and "shown only this once" in first
    assert secret not in client.get(response["Location"]).content.decode()
    event = AuditEvent.objects.get(action="webhook.subscription_created")
    assert secret not in str(event.changes) and event.changes["url"] == receiver.url
    listing = client.get("/webhooks/").content.decode()
    assert receiver.url in listing and "Student records" in listing


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({}, "url", "Enter the address to send the events to."),
        ({"url": "not a web address"}, "url", "Enter a full web address"),
        ({"url": "ftp://93.184.215.14/x"}, "url", "Enter a full web address"),
        ({"url": "http://10.0.0.8/hook"}, "url", "private or local network"),
        ({"url": "https://93.184.215.14/x", "events": []}, "events", "Choose at least one event."),
        ({"url": "https://93.184.215.14/x", "events": ["case.won"]}, "events", "listed events"),
        ({"url": "https://93.184.215.14/x", "organisation": "999"}, "organisation", "listed"),
    ],
)
def test_it_explains_what_is_wrong_in_the_form(
    client, administrator, organisation, data, field, message
):
    _login(client, administrator)
    post = {"organisation": organisation.pk, "events": ["case.decided"], **data}
    response = client.post("/webhooks/new/", post)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert 'aria-describedby="form-errors"' in html and f'id="id_{field}_error"' in html
    assert not Subscription.objects.exists()


def test_an_administrator_edits_disables_and_enables_a_subscription(
    client, administrator, delivered, receiver
):
    _login(client, administrator)
    pk = delivered.subscription_id
    response = client.post(
        f"/webhooks/{pk}/edit/",
        {"url": receiver.url + "/v2", "events": ["credential.issued"], "description": "v2"},
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(pk=pk)
    assert subscription.url.endswith("/v2") and subscription.events == ["credential.issued"]
    changed = AuditEvent.objects.get(action="webhook.subscription_changed")
    assert set(changed.changes) == {"url", "events", "description"}

    assert delivered.status == Delivery.Status.PENDING
    client.post(f"/webhooks/{pk}/disable/")
    delivered.refresh_from_db()
    assert delivered.status == Delivery.Status.CANCELLED
    assert not Subscription.objects.get(pk=pk).is_active
    assert services.send_due() == 0

    client.post(f"/webhooks/{pk}/enable/")
    assert Subscription.objects.get(pk=pk).is_active
    actions = AuditEvent.objects.filter(action__startswith="webhook.subscription_")
    assert "webhook.subscription_disabled" in actions.values_list("action", flat=True)


def test_a_new_secret_replaces_the_old_one_and_is_shown_once(client, administrator, subscribed):
    subscription, old = subscribed
    _login(client, administrator)
    response = client.post(f"/webhooks/{subscription.pk}/secret/")
    assert response.status_code == 302
    subscription.refresh_from_db()
    new = services.secret_of(subscription)
    assert new != old
    assert new in client.get(response["Location"]).content.decode()
    assert new not in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="webhook.secret_rotated").count() == 1


def test_the_delivery_page_shows_each_attempt_and_a_replay_sends_again(
    client, administrator, delivered, receiver, django_capture_on_commit_callbacks
):
    _login(client, administrator)
    page = client.get(f"/webhooks/deliveries/{delivered.pk}/")
    html = page.content.decode()
    assert "Attempt 1" in html and "500" in html
    assert "&lt;h1&gt;Internal error&lt;/h1&gt;" in html, "the response body is shown, escaped"
    assert str(delivered.event_id) in html and "credential.issued" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/webhooks/deliveries/{delivered.pk}/replay/")
    replay = Delivery.objects.exclude(pk=delivered.pk).get()
    assert response["Location"] == f"/webhooks/deliveries/{replay.pk}/"
    assert replay.replay_of == delivered and replay.status == Delivery.Status.SUCCEEDED
    assert receiver.requests[-1].headers["RPL-Delivery"] == str(replay.pk)
    assert AuditEvent.objects.filter(action="webhook.delivery_replayed").exists()


def test_a_disabled_subscription_cannot_replay(client, administrator, delivered):
    _login(client, administrator)
    services.set_active(delivered.subscription, actor=administrator, active=False)
    response = client.post(f"/webhooks/deliveries/{delivered.pk}/replay/", follow=True)
    assert "This subscription is disabled" in response.content.decode()
    assert Delivery.objects.count() == 1


def test_unknown_subscriptions_and_deliveries_are_not_found(client, administrator):
    _login(client, administrator)
    assert client.get("/webhooks/999/").status_code == 404
    assert client.post("/webhooks/999/disable/").status_code == 404
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/webhooks/deliveries/{missing}/").status_code == 404
    assert client.post(f"/webhooks/deliveries/{missing}/replay/").status_code == 404


def test_the_pages_run_the_same_number_of_queries_whatever_the_number_of_deliveries(
    client, administrator, delivered
):
    _login(client, administrator)
    pk = delivered.subscription_id

    def queries():
        counts = []
        for url in ("/webhooks/", f"/webhooks/{pk}/"):
            with CaptureQueriesContext(connection) as context:
                assert client.get(url).status_code == 200
            counts.append(len(context))
        return counts

    few = queries()
    for _ in range(12):
        services.replay(delivered, actor=administrator)
    assert queries() == few


def test_every_event_can_be_chosen(client, administrator):
    _login(client, administrator)
    html = client.get("/webhooks/new/").content.decode()
    for value in ALL_EVENTS:
        assert f'value="{value}"' in html
