"""Deliveries end to end: a real change, a real HTTP receiver, signatures, retries, replays."""

import contextlib
import socket
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from credentials.issuing import services as issuing_services
from credentials.issuing.models import IssuedCredential
from tests.factories.credentials import issue
from webhooks import services, signing
from webhooks.models import Attempt, Delivery, Event
from webhooks.payloads import Envelope

pytestmark = pytest.mark.django_db


def _assert_signed(received, secret):
    assert signing.verify(secret, received.body, received.headers["RPL-Signature"])
    assert not signing.verify(secret, received.body + b" ", received.headers["RPL-Signature"])


def test_it_retries_a_failed_delivery_and_the_retry_arrives_signed_with_the_same_event(
    candidate, specification, subscribed, receiver, django_capture_on_commit_callbacks
):
    subscription, secret = subscribed
    receiver.script = [(500, "database is down", {})]
    with django_capture_on_commit_callbacks(execute=True):
        credential = issue(candidate, specification)

    assert len(receiver.requests) == 1
    first = receiver.requests[0]
    _assert_signed(first, secret)
    assert first.path == "/rpl-events"
    assert first.headers["RPL-Event"] == "credential.issued"
    assert first.headers["Content-Type"] == "application/json"
    envelope = Envelope.model_validate_json(first.body)
    assert envelope.type == "credential.issued"
    assert str(envelope.data.id) == str(credential.public_id)
    assert envelope.data.url == f"https://rpl.example.edu/credentials/{credential.public_id}/"
    delivery = Delivery.objects.get()
    assert first.headers["RPL-Delivery"] == str(delivery.pk)
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    failed = Attempt.objects.get(delivery=delivery)
    assert (failed.number, failed.response_status, failed.succeeded) == (1, 500, False)
    assert failed.response_body == "database is down"
    wait = delivery.next_attempt_at - failed.started_at
    assert timedelta(minutes=1) <= wait < timedelta(minutes=1, seconds=10)

    assert services.send_due() == 0, "the retry is not due for a minute"
    assert len(receiver.requests) == 1

    assert services.send_due(now=timezone.now() + timedelta(minutes=2)) == 1
    assert len(receiver.requests) == 2
    retry = receiver.requests[1]
    _assert_signed(retry, secret)
    assert retry.json["id"] == first.json["id"] == str(Event.objects.get().id)
    assert retry.body == first.body
    assert retry.headers["RPL-Delivery"] == str(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED and delivery.attempts == 2
    assert delivery.last_response_status == 200
    assert [a.succeeded for a in delivery.attempt_log.all()] == [False, True]


def test_it_replays_a_delivery_as_a_new_delivery_of_the_same_event(
    candidate,
    specification,
    subscribed,
    receiver,
    administrator,
    django_capture_on_commit_callbacks,
):
    _, secret = subscribed
    with django_capture_on_commit_callbacks(execute=True):
        issue(candidate, specification)
    original = Delivery.objects.get()
    assert original.status == Delivery.Status.SUCCEEDED

    with django_capture_on_commit_callbacks(execute=True):
        again = services.replay(original, actor=administrator)

    assert len(receiver.requests) == 2
    replayed = receiver.requests[1]
    _assert_signed(replayed, secret)
    assert replayed.json["id"] == receiver.requests[0].json["id"]
    assert replayed.headers["RPL-Delivery"] == str(again.pk) != str(original.pk)
    again.refresh_from_db()
    assert again.replay_of_id == original.pk and again.status == Delivery.Status.SUCCEEDED
    assert again.event_id == original.event_id


def test_it_gives_up_after_the_maximum_number_of_attempts(
    candidate, specification, subscribed, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    receiver.script = [(503, "busy", {})] * 5
    with django_capture_on_commit_callbacks(execute=True):
        issue(candidate, specification)
    later = timezone.now()
    for minutes in (2, 10):
        later += timedelta(minutes=minutes)
        assert services.send_due(now=later) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 3
    assert delivery.next_attempt_at is None and delivery.completed_at is not None
    assert services.send_due(now=later + timedelta(days=2)) == 0
    assert len(receiver.requests) == 3


def test_the_waits_between_attempts_grow(
    candidate, specification, subscribed, receiver, django_capture_on_commit_callbacks
):
    receiver.script = [(500, "no", {})] * 4
    with django_capture_on_commit_callbacks(execute=True):
        issue(candidate, specification)
    waits, clock = [], timezone.now()
    for _ in range(3):
        delivery = Delivery.objects.get()
        waits.append(delivery.next_attempt_at - delivery.attempt_log.last().started_at)
        clock = delivery.next_attempt_at + timedelta(seconds=1)
        services.send_due(now=clock)
    assert [round(w.total_seconds() / 60) for w in waits] == [1, 5, 30]


def test_it_does_not_follow_redirects(
    candidate, specification, subscribed, receiver, django_capture_on_commit_callbacks
):
    receiver.script = [(302, "", {"Location": "http://127.0.0.1:9/elsewhere"})]
    with django_capture_on_commit_callbacks(execute=True):
        issue(candidate, specification)
    attempt = Attempt.objects.get()
    assert attempt.response_status == 302 and not attempt.succeeded
    assert "redirects are not followed" in attempt.error
    assert len(receiver.requests) == 1


@contextlib.contextmanager
def socket_closed_port():
    """A local address where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    yield f"http://127.0.0.1:{port}/hook"


def test_it_logs_an_unreachable_address_as_a_failed_attempt(
    organisation,
    candidate,
    specification,
    administrator,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    with socket_closed_port() as url:
        services.create_subscription(
            actor=administrator, organisation=organisation, url=url, events=["credential.issued"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            issue(candidate, specification)
    attempt = Attempt.objects.get()
    assert attempt.response_status is None and attempt.error
    assert Delivery.objects.get().status == Delivery.Status.PENDING


def test_a_rolled_back_change_sends_nothing(
    candidate, specification, subscribed, receiver, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        issue(candidate, specification)
        raise RuntimeError("something later in the same change failed")
    assert not Event.objects.exists() and not Delivery.objects.exists()
    assert receiver.requests == []


def test_it_refuses_to_connect_to_a_loopback_address_when_it_is_not_allowed(
    candidate, specification, subscribed, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with django_capture_on_commit_callbacks(execute=True):
        issue(candidate, specification)
    assert receiver.requests == []
    attempt = Attempt.objects.get()
    assert "private or local address" in attempt.error and not attempt.succeeded


def test_it_sends_nothing_to_this_machine_by_default_in_development_too(
    organisation,
    candidate,
    specification,
    administrator,
    settings,
    django_capture_on_commit_callbacks,
):
    """A development instance once delivered to its own database on 127.0.0.1:5432."""
    assert not settings.PRODUCTION
    with socket.create_server(("127.0.0.1", 0)) as database:
        url = f"http://127.0.0.1:{database.getsockname()[1]}/"
        with pytest.raises(ValidationError, match="private or local network"):
            services.create_subscription(
                actor=administrator,
                organisation=organisation,
                url=url,
                events=["credential.issued"],
            )
        settings.WEBHOOKS_ALLOW_LOOPBACK = True  # a subscription saved while it was allowed
        services.create_subscription(
            actor=administrator, organisation=organisation, url=url, events=["credential.issued"]
        )
        settings.WEBHOOKS_ALLOW_LOOPBACK = False
        with django_capture_on_commit_callbacks(execute=True):
            issue(candidate, specification)
        database.settimeout(5)
        connection_, _address = database.accept()
        with connection_:
            connection_.settimeout(5)
            assert connection_.recv(1024) == b"", "not a byte may reach the local service"
    attempt = Attempt.objects.get()
    assert "private or local address" in attempt.error and not attempt.succeeded


def test_it_sends_only_to_https_when_https_is_required(
    candidate, specification, subscribed, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    with django_capture_on_commit_callbacks(execute=True):
        issue(candidate, specification)
    assert receiver.requests == []
    assert "https" in Attempt.objects.get().error


def test_a_delivery_is_claimed_once(candidate, specification, subscribed, receiver):
    issue(candidate, specification)  # on_commit never runs here: the delivery waits
    delivery = Delivery.objects.get()
    now = timezone.now()
    assert services._claim(delivery.pk, now) is not None
    assert services._claim(delivery.pk, now) is None, "a second sender must not take it"
    lease_over = now + timedelta(minutes=5)
    assert services._claim(delivery.pk, lease_over) is not None, "a lost sender's lease expires"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent writers with real row locks (PostgreSQL); SQLite serialises writes",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_delivery_send_it_once(
    candidate, specification, subscribed, receiver
):
    receiver.script = [(500, "down", {})]
    issue(candidate, specification)  # commits: the first attempt is made at once, and fails
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and len(receiver.requests) == 1
    retry_time = delivery.next_attempt_at + timedelta(seconds=1)
    receiver.delay = 0.5
    barrier = threading.Barrier(2, timeout=30)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(services.deliver(delivery.pk, now=retry_time))
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(receiver.requests) == 2, "the retry is sent once"
    assert sorted(result is None for result in results) == [False, True]
    assert Attempt.objects.filter(delivery=delivery).count() == 2


def test_the_command_and_the_beat_task_send_what_is_due(
    candidate, specification, subscribed, receiver
):
    issue(candidate, specification)
    issuing_services.revoke(IssuedCredential.objects.get(), actor=None, reason="Issued in error.")
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 2
    call_command("send_webhooks")
    assert sorted(r.headers["RPL-Event"] for r in receiver.requests) == [
        "credential.issued",
        "credential.revoked",
    ]
    from webhooks.jobs import send_due_webhooks

    assert send_due_webhooks.delay().get() == 0
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SUCCEEDED}
