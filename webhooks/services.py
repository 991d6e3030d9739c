"""Writes for webhooks: subscriptions (audited), publishing events, sending and replaying.

Delivery is at least once. A delivery is sent by whoever claims it first with a conditional
UPDATE (pending and due, or sending with an expired lease), so two workers or a worker and the
sweeper never send it at the same time; a sender that dies mid-request leaves a lease that expires,
and the sweeper sends again.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rpl.audit import services as audit
from webhooks import signing, transport
from webhooks.models import Attempt, Delivery, Event, EventType, Subscription
from webhooks.payloads import Envelope

logger = logging.getLogger(__name__)

# The wait before attempt 2, 3, ...; the last one repeats up to WEBHOOKS_MAX_ATTEMPTS.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
LEASE_MARGIN = timedelta(seconds=60)
SWEEP_BATCH = 100


class ReplayError(Exception):
    """A replay the service refuses, with a message for the person who asked."""


# Subscriptions ---------------------------------------------------------------------------------


def _validated(url: str, events) -> tuple[str, list[str]]:
    transport.check_url(url)
    chosen = [value for value in EventType.values if value in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        raise ValidationError(_("Choose at least one of the listed events."))
    return url, chosen


def _seal(subscription: Subscription, secret: str) -> None:
    subscription.encrypted_secret = signing.seal(secret, str(subscription.key))


def secret_of(subscription: Subscription) -> str:
    return signing.unseal(subscription.encrypted_secret, str(subscription.key))


@transaction.atomic
def create_subscription(
    *, actor, organisation, url: str, events, description: str = ""
) -> tuple[Subscription, str]:
    """A new active subscription and its secret, which is returned here once and never again."""
    url, events = _validated(url, events)
    subscription = Subscription(
        organisation=organisation,
        url=url,
        events=events,
        description=description,
        created_by=actor,
    )
    secret = signing.new_secret()
    _seal(subscription, secret)
    subscription.save()
    audit.record(
        actor=actor,
        action="webhook.subscription_created",
        target=subscription,
        changes={"organisation": organisation.pk, "url": url, "events": events},
    )
    return subscription, secret


@transaction.atomic
def update_subscription(
    subscription: Subscription, *, actor, url: str, events, description: str = ""
) -> Subscription:
    url, events = _validated(url, events)
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    changes = {
        name: {"from": getattr(locked, name), "to": value}
        for name, value in (("url", url), ("events", events), ("description", description))
        if getattr(locked, name) != value
    }
    if not changes:
        return locked
    locked.url, locked.events, locked.description = url, events, description
    locked.updated_at = timezone.now()
    locked.save(update_fields=["url", "events", "description", "updated_at"])
    audit.record(actor=actor, action="webhook.subscription_changed", target=locked, changes=changes)
    return locked


@transaction.atomic
def set_active(subscription: Subscription, *, actor, active: bool) -> Subscription:
    """Enable or disable; disabling cancels the deliveries still waiting to be sent."""
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if locked.is_active == active:
        return locked
    locked.is_active = active
    locked.updated_at = timezone.now()
    locked.save(update_fields=["is_active", "updated_at"])
    cancelled = 0
    if not active:
        cancelled = Delivery.objects.filter(
            subscription=locked, status=Delivery.Status.PENDING
        ).update(
            status=Delivery.Status.CANCELLED, completed_at=timezone.now(), next_attempt_at=None
        )
    audit.record(
        actor=actor,
        action="webhook.subscription_enabled" if active else "webhook.subscription_disabled",
        target=locked,
        changes={"cancelled_deliveries": cancelled} if not active else {},
    )
    return locked


@transaction.atomic
def rotate_secret(subscription: Subscription, *, actor) -> str:
    """Replace the secret at once; the new one is returned here once and never again."""
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    secret = signing.new_secret()
    _seal(locked, secret)
    locked.updated_at = timezone.now()
    locked.save(update_fields=["encrypted_secret", "updated_at"])
    audit.record(actor=actor, action="webhook.secret_rotated", target=locked)
    return secret


# Publishing -------------------------------------------------------------------------------------


def _send_after_commit(delivery_ids) -> None:
    from webhooks.jobs import deliver  # the jobs module wraps this one's functions as tasks

    for delivery_id in delivery_ids:
        # robust: a broker that is down must not fail the change; the sweeper sends it later.
        transaction.on_commit(
            lambda delivery_id=delivery_id: deliver.delay(str(delivery_id)), robust=True
        )


def publish(*, event_type: EventType, organisation, data, audit_event) -> Event | None:
    """Store the event and one delivery per subscription that wants it (inside the caller's
    transaction) and send them once it commits. Called by ``webhooks.events``."""
    subscriptions = [
        subscription
        for subscription in Subscription.objects.filter(organisation=organisation, is_active=True)
        if subscription.wants(event_type)
    ]
    if not subscriptions:
        return None
    event_id = uuid.uuid4()
    body = Envelope(
        id=event_id, type=event_type, created=audit_event.created_at, data=data
    ).model_dump_json()
    event = Event.objects.create(
        id=event_id,
        type=event_type,
        organisation=organisation,
        audit_sequence=audit_event.sequence,
        created_at=audit_event.created_at,
        body=body,
    )
    deliveries = Delivery.objects.bulk_create(
        Delivery(event=event, subscription=subscription, next_attempt_at=audit_event.created_at)
        for subscription in subscriptions
    )
    _send_after_commit(delivery.pk for delivery in deliveries)
    return event


@transaction.atomic
def replay(delivery: Delivery, *, actor) -> Delivery:
    """A new delivery of the same event (same event id, new delivery id) to the same address."""
    subscription = Subscription.objects.select_for_update().get(pk=delivery.subscription_id)
    if not subscription.is_active:
        raise ReplayError(_("This subscription is disabled: enable it before you replay."))
    now = timezone.now()
    again = Delivery.objects.create(
        event_id=delivery.event_id,
        subscription=subscription,
        replay_of=delivery,
        next_attempt_at=now,
        created_at=now,
    )
    audit.record(
        actor=actor,
        action="webhook.delivery_replayed",
        target=subscription,
        changes={
            "delivery": str(delivery.pk),
            "replay": str(again.pk),
            "event": str(again.event_id),
        },
    )
    _send_after_commit([again.pk])
    return again


# Sending ----------------------------------------------------------------------------------------


def _due(now) -> Q:
    return Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, lease_until__lt=now
    )


def _claim(delivery_id, now) -> Delivery | None:
    # One UPDATE on the row's own columns: the database re-checks the condition on the row it
    # locks, so of two concurrent claims exactly one wins.
    lease = now + timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS) + LEASE_MARGIN
    won = (
        Delivery.objects.filter(_due(now), pk=delivery_id)
        .order_by()
        .update(status=Delivery.Status.SENDING, attempts=F("attempts") + 1, lease_until=lease)
    )
    if not won:
        return None
    return Delivery.objects.select_related("event", "subscription").get(pk=delivery_id)


def _retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def _headers(delivery: Delivery, secret: str, body: bytes, now) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": f"RPL-Webhooks/1 (+{settings.SITE_URL})",
        signing.EVENT_HEADER: delivery.event.type,
        signing.DELIVERY_HEADER: str(delivery.pk),
        signing.SIGNATURE_HEADER: signing.signature_header(secret, body, int(now.timestamp())),
    }


def _send(delivery: Delivery, now) -> transport.Outcome:
    body = delivery.event.body.encode("utf-8")
    try:
        secret = secret_of(delivery.subscription)
    except signing.SecretError as error:
        return transport.Outcome(status=None, body="", error=str(error), duration_ms=0)
    return transport.post(delivery.subscription.url, body, _headers(delivery, secret, body, now))


def deliver(delivery_id, *, now=None) -> Delivery | None:
    """Send one delivery if it is due and nobody else is sending it; record the attempt and
    schedule the next one with backoff. Returns the delivery, or None when not sent."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    if not delivery.subscription.is_active:
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.CANCELLED, completed_at=now, next_attempt_at=None
        )
        return None
    outcome = _send(delivery, now)
    finished = now + timedelta(milliseconds=outcome.duration_ms)
    if outcome.succeeded:
        fields = {"status": Delivery.Status.SUCCEEDED, "completed_at": finished}
        next_attempt_at = None
    elif delivery.attempts >= settings.WEBHOOKS_MAX_ATTEMPTS:
        fields = {"status": Delivery.Status.FAILED, "completed_at": finished}
        next_attempt_at = None
    else:
        next_attempt_at = finished + _retry_delay(delivery.attempts)
        fields = {"status": Delivery.Status.PENDING}
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=now,
            duration_ms=outcome.duration_ms,
            response_status=outcome.status,
            response_body=outcome.body,
            error=outcome.error,
            succeeded=outcome.succeeded,
        )
        # Only if nobody took the delivery over after our lease ran out.
        Delivery.objects.filter(
            pk=delivery.pk, status=Delivery.Status.SENDING, attempts=delivery.attempts
        ).update(
            **fields,
            next_attempt_at=next_attempt_at,
            lease_until=None,
            last_response_status=outcome.status,
        )
    if not outcome.succeeded:
        logger.info(
            "webhook delivery %s attempt %s failed: %s %s",
            delivery.pk,
            delivery.attempts,
            outcome.status,
            outcome.error,
        )
    delivery.refresh_from_db()
    return delivery


def send_due(*, now=None, limit: int = SWEEP_BATCH) -> int:
    """Send the deliveries whose time has come (retries, and any a worker lost); returns how
    many were sent. Celery beat runs it every minute; ``manage.py send_webhooks`` too.

    Without ``now``, each delivery is claimed with the time it is sent at, so that a lease taken
    late in a long sweep (slow receivers) runs from then, not from the start of the sweep: the
    next sweep must not find it run out and send the same attempt while this one still is."""
    due = (
        Delivery.objects.filter(_due(now or timezone.now()))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver(delivery_id, now=now) is not None for delivery_id in list(due))
