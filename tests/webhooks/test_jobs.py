"""The webhook jobs run twice (a message delivered again after a worker died, two sweeps at
once) and still send each delivery once; a delivery recorded as delivered is never sent again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.credentials import issue
from webhooks import services, transport
from webhooks.jobs import deliver, send_due_webhooks
from webhooks.models import Attempt, Delivery

pytestmark = pytest.mark.django_db


def test_a_delivery_recorded_as_delivered_is_never_sent_again(
    candidate, specification, subscribed, receiver
):
    issue(candidate, specification)  # on_commit never runs here: the delivery waits
    delivery = Delivery.objects.get()
    deliver.delay(str(delivery.pk))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED and len(receiver.requests) == 1
    # The same message again (its worker died before acknowledging it), then the sweeper.
    deliver.delay(str(delivery.pk))
    assert send_due_webhooks.delay().get() == 0
    assert send_due_webhooks() == 0
    assert len(receiver.requests) == 1
    assert Attempt.objects.filter(delivery=delivery).count() == 1


def test_a_message_delivered_again_while_a_sender_holds_the_delivery_sends_nothing(
    candidate, specification, subscribed, receiver
):
    issue(candidate, specification)
    delivery = Delivery.objects.get()
    now = timezone.now()
    assert services._claim(delivery.pk, now) is not None  # a worker took it, then was killed
    deliver.delay(str(delivery.pk))  # its message, delivered again to another worker
    assert send_due_webhooks() == 0, "the lease has not run out"
    assert receiver.requests == []
    # Once the dead sender's lease has run out, the sweeper sends the delivery, once.
    assert services.send_due(now=now + timedelta(minutes=5)) == 1
    assert send_due_webhooks() == 0
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED and len(receiver.requests) == 1
    assert delivery.attempts == 2, "the attempt of the dead sender counts"


def test_running_the_sweep_twice_sends_each_due_delivery_once(
    candidate, specification, subscribed, receiver
):
    for _ in range(3):
        issue(candidate, specification)
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 3
    assert send_due_webhooks() == 3
    assert send_due_webhooks() == 0
    assert len(receiver.requests) == 3
    assert len({r.headers["RPL-Delivery"] for r in receiver.requests}) == 3


def test_a_long_sweep_takes_each_lease_when_it_sends(
    candidate, specification, subscribed, receiver, monkeypatch
):
    """Slow receivers: the third delivery of a sweep is sent 100 s after it began. Its lease
    must run from then, or the next sweep would find it run out and send it a second time."""
    for _ in range(3):
        issue(candidate, specification)
    clock = [timezone.now()]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    leases = []

    def slow_post(url, body, headers):
        delivery = Delivery.objects.get(pk=headers["RPL-Delivery"])
        leases.append(delivery.lease_until - clock[0])
        clock[0] += timedelta(seconds=50)
        return transport.Outcome(status=200, body="ok", error="", duration_ms=50_000)

    monkeypatch.setattr(transport, "post", slow_post)
    assert send_due_webhooks() == 3
    assert len(leases) == 3
    assert all(left > timedelta(seconds=30) for left in leases), leases
