"""Webhook subscriptions, made through ``webhooks.services``."""

from webhooks import services

ALL_EVENTS = [
    "case.submitted",
    "case.decided",
    "credential.issued",
    "credential.revoked",
    "credential.suspended",
]


def subscribe(organisation, url, actor, events=ALL_EVENTS):
    """A subscription of ``organisation`` at ``url``, and its secret."""
    return services.create_subscription(
        actor=actor, organisation=organisation, url=url, events=events
    )
