"""Webhook jobs. Both are safe to run twice, and a message delivered again after a worker died
(Celery ``acks_late``) does no harm (docs/decisions/0011-jobs-survive-crashes.md):

- a delivery is sent only by whoever claims it (``webhooks.services._claim``: pending and due,
  or "sending" with a lease that ran out); one recorded as delivered, failed or cancelled is never
  claimed again, and one a live sender holds is left to it;
- a sender killed between the receiver's answer and the record of it leaves its lease to run
  out, and the sweeper sends that attempt again: the one duplicate webhooks can make, which is why
  delivery is "at least once" and every body carries the event id (docs/webhooks.md).
"""

from celery import shared_task

from webhooks import services


@shared_task(ignore_result=True)
def deliver(delivery_id: str) -> None:
    """Send one webhook delivery (enqueued when its change commits, and by a replay)."""
    services.deliver(delivery_id)


@shared_task
def send_due_webhooks() -> int:
    """Send retries that are due and deliveries a worker lost; celery beat runs it every minute."""
    return services.send_due()
