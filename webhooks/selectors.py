"""Reads for the webhook pages; each runs a fixed number of queries."""

from django.db.models import Count, Q

from webhooks.models import Delivery, Subscription


def subscriptions():
    return Subscription.objects.select_related("organisation").annotate(
        waiting=Count(
            "deliveries",
            filter=Q(deliveries__status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]),
        ),
        failed=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
    )


def deliveries_of(subscription):
    return subscription.deliveries.select_related("event").order_by("-created_at", "pk")


def delivery(delivery_id):
    return (
        Delivery.objects.select_related("event", "subscription__organisation", "replay_of")
        .prefetch_related("attempt_log", "replays")
        .get(pk=delivery_id)
    )
