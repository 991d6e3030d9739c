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
